/* SPDX-License-Identifier: MIT */
/* observer.c - the one instrumentation hook. The core holds a function pointer
 * (td__reporter) that primitives call through TD__OBSERVE; installing an observer
 * points it at report(), which adds the calling thread and hands the event on. */
#include "runtime.h"

static _Atomic(const td_observer_t *) observer;
static _Atomic(td__report_fn) also;

static void report(td_obs_kind_t kind, const char *primitive, const void *object, int result)
{
    td__report_fn listener = atomic_load_explicit(&also, memory_order_acquire);
    if (listener)
        listener(kind, primitive, object, result);
    const td_observer_t *obs = atomic_load_explicit(&observer, memory_order_acquire);
    if (!obs)
        return;
    td_obs_event_t ev = { .kind = kind, .primitive = primitive, .object = object,
                          .thread = td__current_if_known(), .result = result };
    obs->notify(&ev, obs->ctx);
}

/* Point the core's hook at report() while anyone listens, else at nothing. */
static void update_reporter(void)
{
    bool anyone = atomic_load(&observer) != NULL || atomic_load(&also) != NULL;
    atomic_store_explicit(&td__reporter, anyone ? report : NULL, memory_order_release);
}

const td_observer_t *td_observer_set(const td_observer_t *obs)
{
    const td_observer_t *old =
        atomic_exchange_explicit(&observer, obs, memory_order_acq_rel);
    update_reporter();
    return old;
}

void td__observe_also(td__report_fn listener)
{
    atomic_store_explicit(&also, listener, memory_order_release);
    update_reporter();
}
