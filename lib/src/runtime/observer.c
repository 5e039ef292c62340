/* SPDX-License-Identifier: MIT */
/* observer.c - the one instrumentation hook. The core holds a function pointer
 * (td__reporter) that primitives call through TD__OBSERVE; while anyone listens (the
 * public observer, or the scheduler's wait-for bookkeeping) it points at report(),
 * which adds what a primitive need not know: the calling thread, the time, one
 * sequence number for every report, and for a wake-up its cause.
 *
 * Causes: each report of a kind that can wake a waiter (set, release, notify, put,
 * task_done, shutdown, cancel, timer fire, thread exit) records its sequence number
 * against its object in `wakers`, a small open-addressing table under wakers_mutex;
 * a WAIT_END that was woken (result 0) takes the number recorded for its object:
 * the last such event before it woke, which is what it observed. The table is only
 * touched while someone observes, so it costs nothing otherwise. No lock is held
 * while an observer runs.
 */
#include "runtime.h"

enum { WAKERS = 4096 }; /* a power of two; objects beyond it share slots (a cause
                           may then be a neighbour's: a picture, never a hang) */

static _Atomic(const td_observer_t *) observer;
static _Atomic(td__report_fn) also;
static atomic_uint_fast64_t last_seq;
static pthread_mutex_t wakers_mutex = TD__MUTEX_INITIALIZER;
static struct {
    const void *object;
    uint64_t seq;
} wakers[WAKERS]; /* guarded by wakers_mutex */

uint64_t td__observe_seq(void)
{
    return atomic_fetch_add_explicit(&last_seq, 1, memory_order_relaxed) + 1;
}

static size_t slot_of(const void *object)
{
    uintptr_t x = (uintptr_t)object;
    return (size_t)((x >> 4) ^ (x >> 16)) & (WAKERS - 1);
}

static bool wakes_waiters(td_obs_kind_t kind)
{
    switch (kind) {
    case TD_OBS_SET: case TD_OBS_RELEASE: case TD_OBS_NOTIFY: case TD_OBS_PUT:
    case TD_OBS_TASK_DONE: case TD_OBS_SHUTDOWN: case TD_OBS_CANCEL:
    case TD_OBS_TIMER_FIRE: case TD_OBS_THREAD_EXIT:
        return true;
    default:
        return false;
    }
}

/* Record a waking event, or find what a woken waiter observed: its cause. */
static uint64_t track_cause(td_obs_kind_t kind, const void *object, int result, uint64_t seq)
{
    bool woken = kind == TD_OBS_WAIT_END && result == 0;
    if (!object || (!woken && !wakes_waiters(kind)))
        return 0;
    size_t i = slot_of(object);
    uint64_t cause = 0;
    td__mutex_lock(&wakers_mutex);
    if (woken) {
        if (wakers[i].object == object)
            cause = wakers[i].seq;
    } else {
        wakers[i].object = object;
        wakers[i].seq = seq;
    }
    td__mutex_unlock(&wakers_mutex);
    return cause;
}

static void report(const td__report_t *r)
{
    td__report_fn listener = atomic_load_explicit(&also, memory_order_acquire);
    if (listener)
        listener(r);
    const td_observer_t *obs = atomic_load_explicit(&observer, memory_order_acquire);
    if (!obs)
        return;
    uint64_t seq = r->seq ? r->seq : td__observe_seq();
    td_obs_event_t ev = { .kind = r->kind, .primitive = r->primitive, .object = r->object,
                          .thread = td__current_if_known(), .result = r->result,
                          .seq = seq,
                          .cause = track_cause(r->kind, r->object, r->result, seq),
                          .time = td_monotonic(), .timeout = r->timeout,
                          .text = r->text, .len = r->len };
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

void td_observe(td_obs_kind_t kind, const char *primitive, const void *object, int result,
                double timeout)
{
    TD__OBSERVE_WAIT(kind, primitive, object, result, timeout);
}
