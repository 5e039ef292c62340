/* SPDX-License-Identifier: MIT */
/* barrier.c - Python's Barrier, transcribed from CPython's state machine:
 *
 *   state  meaning     a wait() entering...          ...and leaving (count -> 0)
 *    0     filling     joins; the last runs action    -
 *    1     draining    waits for the drain to end     state = 0, notify_all
 *   -1     resetting   waits for the reset to end     state = 0, notify_all
 *   -2     broken      returns -EPIPE                 stays broken
 *
 * Every field is guarded by the barrier's lock (through its Condition).
 */
#include <errno.h>

#include "prim.h"
#include "thrdemo/barrier.h"

enum { FILLING = 0, DRAINING = 1, RESETTING = -1, BROKEN = -2 };

int td_barrier_init(td_barrier_t *b, size_t parties, td_barrier_action_fn action, void *arg,
                    double timeout)
{
    if (parties == 0)
        return -EINVAL; /* Python: "parties must be > 0" */
    /* Python's waits use the default through wait_for: negative does not wait. */
    int rc = td__check_timeout(&timeout, TD__TIMEOUT_JOIN);
    if (rc != 0)
        return rc;
    td_lock_init(&b->lock);
    td_cond_init(&b->cond, &b->lock);
    b->parties = parties;
    b->count = 0;
    b->state = FILLING;
    b->timeout = timeout;
    b->action = action;
    b->action_arg = arg;
    return 0;
}

void td_barrier_destroy(td_barrier_t *b)
{
    td_cond_destroy(&b->cond);
    td_lock_destroy(&b->lock);
}

static void break_barrier(td_barrier_t *b)
{
    b->state = BROKEN;
    td_cond_notify_all(&b->cond);
}

static bool not_filling(void *arg)
{
    return ((td_barrier_t *)arg)->state != FILLING;
}

/* The last thread in: run the action, then let everyone go. */
static int release(td_barrier_t *b)
{
    if (b->action && b->action(b->action_arg) != 0) {
        break_barrier(b);
        return -EPIPE;
    }
    b->state = DRAINING;
    td_cond_notify_all(&b->cond);
    return 0;
}

/* Wait for the last thread (or a break). */
static int wait_for_release(td_barrier_t *b, double timeout)
{
    /* Python's _wait: wait_for(..., timeout) counts from here. */
    td__deadline_t deadline = td__deadline_in(timeout);
    bool released = td__cond_wait_for_until(&b->cond, not_filling, b, deadline,
                                            (td__as_t){ "barrier", b });
    if (!released) {
        break_barrier(b); /* Python: a timeout breaks the barrier for everyone */
        return -EPIPE;
    }
    return b->state < 0 ? -EPIPE : 0;
}

int td_barrier_wait(td_barrier_t *b, double timeout)
{
    TD__POINT(TD__POINT_WAIT, b);
    if (timeout == TD_FOREVER)
        timeout = b->timeout; /* Python: None */
    int rc = td__check_timeout(&timeout, TD__TIMEOUT_JOIN);
    if (rc != 0)
        return rc;
    td_lock_acquire(&b->lock, true, TD_FOREVER);
    while (b->state == DRAINING || b->state == RESETTING) /* Python's _enter */
        td_cond_wait(&b->cond, TD_FOREVER);
    if (b->state == BROKEN) {
        td_lock_release(&b->lock);
        return -EPIPE;
    }
    size_t index = b->count++;
    rc = index + 1 == b->parties ? release(b) : wait_for_release(b, timeout);
    if (--b->count == 0 && (b->state == DRAINING || b->state == RESETTING)) {
        b->state = FILLING; /* Python's _exit: the last one out refills */
        td_cond_notify_all(&b->cond);
    }
    td_lock_release(&b->lock);
    return rc == 0 ? (int)index : rc;
}

void td_barrier_reset(td_barrier_t *b)
{
    td_lock_acquire(&b->lock, true, TD_FOREVER);
    if (b->count > 0) {
        /* Waiters see RESETTING (not FILLING) and leave with -EPIPE; the last one
         * out makes it FILLING again. A draining barrier is left to drain. */
        if (b->state == FILLING || b->state == BROKEN)
            b->state = RESETTING;
    } else {
        b->state = FILLING;
    }
    td_cond_notify_all(&b->cond);
    td_lock_release(&b->lock);
}

void td_barrier_abort(td_barrier_t *b)
{
    td_lock_acquire(&b->lock, true, TD_FOREVER);
    break_barrier(b);
    td_lock_release(&b->lock);
}

bool td_barrier_broken(td_barrier_t *b)
{
    td_lock_acquire(&b->lock, true, TD_FOREVER);
    bool broken = b->state == BROKEN;
    td_lock_release(&b->lock);
    return broken;
}

size_t td_barrier_n_waiting(td_barrier_t *b)
{
    td_lock_acquire(&b->lock, true, TD_FOREVER);
    size_t n = b->state == FILLING ? b->count : 0;
    td_lock_release(&b->lock);
    return n;
}

size_t td_barrier_parties(td_barrier_t *b)
{
    return b->parties;
}
