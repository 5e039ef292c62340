/* SPDX-License-Identifier: MIT */
/* semaphore.c - Python's Semaphore and BoundedSemaphore: a counter guarded by a
 * Condition over a Lock, exactly CPython's construction. value, initial and bounded
 * are read and written only with lock held.
 * A timed-out acquire never strands a unit: the Condition never loses a notify (a
 * waiter notified as its clock runs out comes back notified), and the loop takes
 * any unit it finds before it looks at the clock. */
#include <errno.h>
#include <math.h>

#include "prim.h"
#include "thrdemo/semaphore.h"

static void init(td_sem_t *sem, size_t value, bool bounded)
{
    td_lock_init(&sem->lock);
    td_cond_init(&sem->cond, &sem->lock);
    sem->value = value;
    sem->initial = value;
    sem->bounded = bounded;
}

void td_sem_init(td_sem_t *sem, size_t value)
{
    init(sem, value, false);
}

void td_sem_init_bounded(td_sem_t *sem, size_t value)
{
    init(sem, value, true);
}

void td_sem_destroy(td_sem_t *sem)
{
    td_cond_destroy(&sem->cond);
    td_lock_destroy(&sem->lock);
}

int td_sem_acquire(td_sem_t *sem, bool blocking, double timeout)
{
    TD__POINT(TD__POINT_ACQUIRE, sem);
    if (!blocking && timeout != TD_FOREVER)
        return -EINVAL; /* Python: "can't specify timeout for non-blocking acquire" */
    int rc = td__check_timeout(&timeout, TD__TIMEOUT_JOIN);
    if (rc != 0)
        return rc;
    td__deadline_t deadline = td__deadline_in(timeout);
    td_lock_acquire(&sem->lock, true, TD_FOREVER);
    while (sem->value == 0) { /* the loop always starts with the lock held */
        if (!blocking) {
            rc = -EBUSY;
            break;
        }
        if (td__deadline_passed(deadline)) {
            rc = -ETIMEDOUT;
            break;
        }
        td__cond_wait_until(&sem->cond, deadline, (td__as_t){ "semaphore", sem });
    }
    if (rc == 0)
        sem->value--;
    td_lock_release(&sem->lock);
    if (rc == 0)
        TD__OBSERVE(TD_OBS_ACQUIRE, "semaphore", sem, 0);
    return rc;
}

int td_sem_release(td_sem_t *sem, size_t n)
{
    TD__POINT(TD__POINT_RELEASE, sem);
    if (n == 0)
        return -EINVAL; /* Python: "n must be one or more" */
    int rc = 0;
    TD__OBSERVE(TD_OBS_RELEASE, "semaphore", sem, (int)n); /* before anyone can take it */
    td_lock_acquire(&sem->lock, true, TD_FOREVER);
    if (sem->bounded && (sem->value + n > sem->initial || sem->value + n < n)) {
        rc = -EINVAL; /* Python: "Semaphore released too many times" */
    } else {
        sem->value += n;
        td_cond_notify(&sem->cond, n);
    }
    td_lock_release(&sem->lock);
    return rc;
}

size_t td_sem_value(td_sem_t *sem)
{
    td_lock_acquire(&sem->lock, true, TD_FOREVER);
    size_t value = sem->value;
    td_lock_release(&sem->lock);
    return value;
}
