/* SPDX-License-Identifier: MIT */
/* condition.h - Python's threading.Condition over a Lock or an RLock.
 *
 * As in CPython, each waiter sleeps on its own one-shot signal kept in a FIFO list;
 * notify(n) signals exactly the n oldest waiters. The list is guarded by the
 * condition's lock, which callers must hold for wait and notify (-EPERM otherwise).
 *
 * One deliberate difference from CPython 3.11: a wait whose timeout runs out while
 * it is being notified (before it has the lock back) returns 0, notified, so that
 * notify is not lost. CPython's returns False and the notify is used up, so a
 * notify(1) can wake nobody. Code written for either is correct with thrdemo's.
 */
#ifndef THRDEMO_CONDITION_H
#define THRDEMO_CONDITION_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"
#include "lock.h"

#ifdef __cplusplus
extern "C" {
#endif

struct td__cond_waiter;

typedef struct td_cond {
    td_lock_t *lock;   /* exactly one of lock / rlock is set */
    td_rlock_t *rlock;
    td_rlock_t own;    /* the RLock used when none is given, as Python's default */
    struct td__cond_waiter *head, *tail;
} td_cond_t;

/* Predicate for td_cond_wait_for: returns its truth value for ctx. */
typedef bool (*td_predicate_fn)(void *ctx);

/* Make a Condition over lock, or over its own RLock when lock is NULL. */
TD_API void td_cond_init(td_cond_t *cond, td_lock_t *lock);
/* Make a Condition over an existing RLock. */
TD_API void td_cond_init_rlock(td_cond_t *cond, td_rlock_t *rlock);
/* Release a Condition; no thread may wait on it. */
TD_API void td_cond_destroy(td_cond_t *cond);
/* Acquire the underlying lock (Python's `with cond:`); results as td_lock_acquire. */
TD_API int td_cond_acquire(td_cond_t *cond, bool blocking, double timeout);
/* Release the underlying lock: 0 or -EPERM. */
TD_API int td_cond_release(td_cond_t *cond);
/* Release the lock, sleep until notified or timeout seconds pass (TD_FOREVER: no
 * limit; zero or less: do not sleep, as Python), re-acquire the lock. Returns 0
 * notified (also when the notify came as the timeout ran out, unlike CPython: see
 * above), -ETIMEDOUT, -EPERM if the caller did not hold the lock, -EINVAL (NaN) or
 * -EOVERFLOW (finite above TD_TIMEOUT_MAX), the last two before anything else. */
TD_API int td_cond_wait(td_cond_t *cond, double timeout);
/* Wait until pred(ctx) is true or the timeout passes (timeouts as td_cond_wait);
 * stores pred's last value in *result. Returns 0, -EPERM if the caller did not hold
 * the lock, -EINVAL (NaN) or -EOVERFLOW. */
TD_API int td_cond_wait_for(td_cond_t *cond, td_predicate_fn pred, void *ctx,
                            double timeout, bool *result);
/* Wake at most n waiters, oldest first: 0, or -EPERM without the lock held. */
TD_API int td_cond_notify(td_cond_t *cond, size_t n);
/* Wake every waiter: 0, or -EPERM without the lock held. */
TD_API int td_cond_notify_all(td_cond_t *cond);

#ifdef __cplusplus
}
#endif
#endif
