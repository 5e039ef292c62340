/* SPDX-License-Identifier: MIT */
/* barrier.h - Python's threading.Barrier: parties threads wait until all arrive.
 *
 * A plain struct the caller owns, guarded by its own Condition. The barrier cycles
 * filling -> draining -> filling; it is broken by abort(), by a timeout in a wait,
 * by an action that fails, or by reset() while threads wait, and then every wait
 * returns -EPIPE (Python's BrokenBarrierError) until reset().
 */
#ifndef THRDEMO_BARRIER_H
#define THRDEMO_BARRIER_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"
#include "condition.h"
#include "lock.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Run by the last thread to arrive, before the others are released; a non-zero
 * return breaks the barrier (Python: the action raised). */
typedef int (*td_barrier_action_fn)(void *arg);

typedef struct td_barrier {
    td_lock_t lock;
    td_cond_t cond;       /* over lock; guards every field below */
    size_t parties;
    size_t count;         /* threads inside wait() */
    int state;            /* 0 filling, 1 draining, -1 resetting, -2 broken */
    double timeout;       /* the default for waits: TD_FOREVER or seconds */
    td_barrier_action_fn action;
    void *action_arg;
} td_barrier_t;

/* Make a barrier for parties threads, with an optional action and a default
 * timeout for waits (TD_FOREVER: none; zero or negative: a wait that is not the last
 * breaks the barrier at once): 0, -EINVAL if parties is 0 or the timeout NaN,
 * -EOVERFLOW if it is finite above TD_TIMEOUT_MAX. */
TD_API int td_barrier_init(td_barrier_t *barrier, size_t parties, td_barrier_action_fn action,
                           void *arg, double timeout);
/* Release a barrier; no thread may wait on it. */
TD_API void td_barrier_destroy(td_barrier_t *barrier);
/* Wait until all parties have called wait: returns this thread's arrival index
 * (0 .. parties-1), or -EPIPE if the barrier is or becomes broken (a timeout here
 * breaks it; zero or negative times out at once, as Python's wait_for), -EINVAL (NaN)
 * or -EOVERFLOW (finite above TD_TIMEOUT_MAX). timeout TD_FOREVER uses the barrier's
 * default (Python's None). */
TD_API int td_barrier_wait(td_barrier_t *barrier, double timeout);
/* Back to the empty state; threads waiting now get -EPIPE. */
TD_API void td_barrier_reset(td_barrier_t *barrier);
/* Break the barrier: current and future waits return -EPIPE until reset(). */
TD_API void td_barrier_abort(td_barrier_t *barrier);
/* Whether the barrier is broken. */
TD_API bool td_barrier_broken(td_barrier_t *barrier);
/* How many threads are waiting in it now. */
TD_API size_t td_barrier_n_waiting(td_barrier_t *barrier);
/* The number of parties. */
TD_API size_t td_barrier_parties(td_barrier_t *barrier);

#ifdef __cplusplus
}
#endif
#endif
