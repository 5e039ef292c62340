/* SPDX-License-Identifier: MIT */
/* lock.h - Python's threading.Lock and threading.RLock.
 *
 * td_lock_t has no owner, exactly like Python's Lock: any thread may release it, and
 * releasing an unlocked lock is an error code (Python: RuntimeError). td_rlock_t has
 * an owner and a recursion count; only the owner may release it. Unlike CPython's,
 * an RLock left held by a thread that ended is owned by no later thread, even one
 * given the same thread ident (CPython compares get_ident(), which is reused).
 * Both are plain structs owned by the caller: _init before use, _destroy after.
 */
#ifndef THRDEMO_LOCK_H
#define THRDEMO_LOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The fields are private (the trailing underscore): the library reaches them
 * atomically; they are plain integers so that the header compiles as C++ too. */
typedef struct td_lock {
    unsigned state_; /* 0 unlocked, 1 locked, 2 locked and a thread may sleep on it */
} td_lock_t;

typedef struct td_rlock {
    td_lock_t lock_;
    uintptr_t owner_; /* the owner's key, only when its own table is full; else 0 */
    size_t count_;    /* the depth, in that case only; touched only by the owner */
} td_rlock_t;

/* Make an unlocked Lock; cannot fail. */
TD_API void td_lock_init(td_lock_t *lock);
/* Release a Lock's resources; it must be unlocked and unused. */
TD_API void td_lock_destroy(td_lock_t *lock);
/* Acquire as Python's acquire(blocking, timeout): timeout TD_FOREVER or -1 waits as
 * long as it takes. 0 acquired, -EBUSY held (blocking false), -ETIMEDOUT, -EINVAL
 * (a timeout other than TD_FOREVER or -1 with blocking false, another negative
 * timeout, NaN), -EOVERFLOW (finite timeout over TD_TIMEOUT_MAX). */
TD_API int td_lock_acquire(td_lock_t *lock, bool blocking, double timeout);
/* Release the lock from any thread: 0, or -EPERM if it was not locked. */
TD_API int td_lock_release(td_lock_t *lock);
/* Whether the lock is held right now (a snapshot). */
TD_API bool td_lock_locked(td_lock_t *lock);

/* Make an unowned RLock; cannot fail. */
TD_API void td_rlock_init(td_rlock_t *rlock);
/* Release an RLock's resources; it must be free and unused. */
TD_API void td_rlock_destroy(td_rlock_t *rlock);
/* Acquire, or re-enter if the caller owns it; same results as td_lock_acquire. */
TD_API int td_rlock_acquire(td_rlock_t *rlock, bool blocking, double timeout);
/* Leave one level: 0, or -EPERM if the caller is not the owner. */
TD_API int td_rlock_release(td_rlock_t *rlock);
/* Whether the calling thread owns the RLock. */
TD_API bool td_rlock_is_owned(td_rlock_t *rlock);
/* How many levels deep the calling thread holds the RLock (0 if it does not). */
TD_API size_t td_rlock_count(td_rlock_t *rlock);

#ifdef __cplusplus
}
#endif
#endif
