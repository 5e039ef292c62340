/* SPDX-License-Identifier: MIT */
/* semaphore.h - Python's threading.Semaphore and threading.BoundedSemaphore.
 *
 * A counter guarded by a Condition over a Lock, as in CPython: acquire waits while
 * the counter is 0, release(n) adds n and notifies n waiters. A bounded semaphore
 * refuses to rise above its initial value (-EINVAL, Python's ValueError).
 */
#ifndef THRDEMO_SEMAPHORE_H
#define THRDEMO_SEMAPHORE_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"
#include "condition.h"
#include "lock.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct td_sem {
    td_lock_t lock;
    td_cond_t cond;  /* over lock */
    size_t value;    /* guarded by lock */
    size_t initial;  /* the bound, when bounded */
    bool bounded;
} td_sem_t;

/* Make a Semaphore holding value; cannot fail. */
TD_API void td_sem_init(td_sem_t *sem, size_t value);
/* Make a BoundedSemaphore holding value, which is also its bound. */
TD_API void td_sem_init_bounded(td_sem_t *sem, size_t value);
/* Release a semaphore; no thread may wait on it. */
TD_API void td_sem_destroy(td_sem_t *sem);
/* Take one unit, waiting at most timeout seconds (TD_FOREVER: no limit; zero or
 * negative: do not wait, as Python's acquire(timeout=...)): 0, -EBUSY (blocking false,
 * none free), -ETIMEDOUT, -EINVAL (a timeout other than TD_FOREVER with blocking
 * false, or NaN) or -EOVERFLOW (finite above TD_TIMEOUT_MAX). */
TD_API int td_sem_acquire(td_sem_t *sem, bool blocking, double timeout);
/* Give back n units and wake up to n waiters: 0, or -EINVAL if n is 0 or a bounded
 * semaphore would exceed its initial value (nothing is released then). */
TD_API int td_sem_release(td_sem_t *sem, size_t n);
/* The current counter (a snapshot). */
TD_API size_t td_sem_value(td_sem_t *sem);

#ifdef __cplusplus
}
#endif
#endif
