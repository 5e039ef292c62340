/* SPDX-License-Identifier: MIT */
/* observer.c - the one instrumentation hook. The core holds a function pointer
 * (td__reporter) that primitives call through TD__OBSERVE; while anyone listens (the
 * public observer, or the scheduler's wait-for bookkeeping) it points at report(),
 * which adds what a primitive need not know: the calling thread, the time, one
 * sequence number for every report, and for a wake-up its cause.
 *
 * Causes: each report of a kind that can wake a waiter (set, release, notify, put,
 * task_done, shutdown, cancel, timer fire, thread exit) records its sequence number
 * against its object in `wakers`, a table of atomic words indexed by the object's
 * hash, each holding seq << 16 and 16 more bits of that hash (a tag); a WAIT_END that
 * was woken (result 0) takes the number in its object's slot if the tag is its own:
 * the last such event before it woke, which is what it observed (the waker reports
 * before it wakes, and the waiter reads after it saw the wake: release, acquire).
 * Objects that share a slot overwrite each other; the tag makes that read as "no
 * cause", not as a neighbour's, but for one time in 65536. No lock: a waking report
 * is one atomic store, a woken one one load, and only while someone observes. No
 * lock is held while an observer runs.
 * `wakers` is not a core/ptrmap.h map, only its hash: a report must neither lock nor
 * allocate, and a lost entry costs only a flow arrow, so a lossy table of words wins.
 */
#include "core/ptrmap.h"
#include "runtime.h"

enum { WAKERS = 4096 }; /* a power of two */

static _Atomic(const td_observer_t *) observer;
static _Atomic(td__report_fn) also;
static atomic_uint_fast64_t last_seq;
static atomic_uint_fast64_t wakers[WAKERS]; /* seq << 16 | tag */

uint64_t td__observe_seq(void)
{
    return atomic_fetch_add_explicit(&last_seq, 1, memory_order_relaxed) + 1;
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
    uint64_t h = td__ptr_hash(object), tag = h >> 48; /* bits the slot does not use */
    atomic_uint_fast64_t *slot = &wakers[h & (WAKERS - 1)];
    if (!woken) {
        atomic_store_explicit(slot, seq << 16 | tag, memory_order_release);
        return 0;
    }
    uint64_t seen = atomic_load_explicit(slot, memory_order_acquire);
    return (seen & 0xffff) == tag ? seen >> 16 : 0;
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
