/* SPDX-License-Identifier: MIT */
/* rlock.c - Python's RLock: a Lock plus an owner and a recursion count.
 *
 * owner is written only by the thread that holds the inner lock (set after taking
 * it, cleared before giving it back), and read by anyone to ask "is it me?": only
 * the calling thread can make that answer true, so a relaxed read is enough.
 * count is touched only by the owner.
 */
#include <errno.h>

#include "internal.h"
#include "thrdemo/lock.h"

void td_rlock_init(td_rlock_t *rlock)
{
    td_lock_init(&rlock->lock);
    atomic_init(&rlock->owner, 0);
    rlock->count = 0;
}

void td_rlock_destroy(td_rlock_t *rlock)
{
    td_lock_destroy(&rlock->lock);
}

bool td_rlock_is_owned(td_rlock_t *rlock)
{
    return atomic_load_explicit(&rlock->owner, memory_order_relaxed) == td__self_key();
}

int td_rlock_acquire(td_rlock_t *rlock, bool blocking, double timeout)
{
    if (td_rlock_is_owned(rlock)) {
        /* The same argument checks as a first acquire. */
        int rc = !blocking && timeout != TD_FOREVER ? -EINVAL : td__check_timeout(timeout);
        if (rc != 0)
            return rc;
        rlock->count++;
        return 0;
    }
    int rc = td_lock_acquire(&rlock->lock, blocking, timeout);
    if (rc != 0)
        return rc;
    atomic_store_explicit(&rlock->owner, td__self_key(), memory_order_relaxed);
    rlock->count = 1;
    return 0;
}

int td_rlock_release(td_rlock_t *rlock)
{
    if (!td_rlock_is_owned(rlock))
        return -EPERM; /* Python: "cannot release un-acquired lock" */
    if (--rlock->count > 0)
        return 0;
    atomic_store_explicit(&rlock->owner, 0, memory_order_relaxed);
    return td_lock_release(&rlock->lock);
}
