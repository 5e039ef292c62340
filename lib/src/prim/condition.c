/* SPDX-License-Identifier: MIT */
/* condition.c - Python's Condition: a FIFO of waiters, each on its own signal.
 *
 * A waiter is a node on its own stack: a futex word that notify turns from 0 to 1.
 * The list (head, tail) and every node's links are guarded by the condition's lock,
 * which both wait and notify hold. The notifier signals while it still holds the
 * lock, and a waiter cannot return before it has re-acquired that lock, so a node
 * is never touched after its owner has returned.
 * A notify is never lost: a waiter whose clock runs out as it is notified finds,
 * once it holds the lock again, that it was signalled, and reports 0 (notified).
 * CPython 3.11 reports False there and the notify is used up (see condition.h).
 */
#include <errno.h>

#include "prim.h"

struct td__cond_waiter {
    atomic_uint signaled;
    struct td__cond_waiter *prev, *next;
};

void td_cond_init(td_cond_t *cond, td_lock_t *lock)
{
    td_rlock_init(&cond->own);
    cond->lock = lock;
    cond->rlock = lock ? NULL : &cond->own;
    cond->head = cond->tail = NULL;
}

void td_cond_init_rlock(td_cond_t *cond, td_rlock_t *rlock)
{
    td_cond_init(cond, NULL);
    cond->rlock = rlock;
}

void td_cond_destroy(td_cond_t *cond)
{
    td_rlock_destroy(&cond->own);
}

/* What a wait or a notify names at its scheduling point: the lock, whose holder
 * alone may touch the condition, and which a wait lets go of and takes again, so
 * explore --all orders them against the lock's other holders. */
static const void *lock_object(const td_cond_t *cond)
{
    return cond->lock ? (const void *)cond->lock : (const void *)cond->rlock;
}

int td_cond_acquire(td_cond_t *cond, bool blocking, double timeout)
{
    return cond->lock ? td_lock_acquire(cond->lock, blocking, timeout)
                      : td_rlock_acquire(cond->rlock, blocking, timeout);
}

int td_cond_release(td_cond_t *cond)
{
    return cond->lock ? td_lock_release(cond->lock) : td_rlock_release(cond->rlock);
}

/* CPython's _is_owned: an RLock knows its owner; a plain Lock only knows that
 * somebody holds it, and that is all Python checks too. */
static bool is_owned(td_cond_t *cond)
{
    return cond->lock ? td_lock_locked(cond->lock) : td_rlock_is_owned(cond->rlock);
}

/* Python's _release_save: let go of the lock entirely, even an RLock held several
 * levels deep, remembering the depth. */
static size_t release_save(td_cond_t *cond)
{
    if (cond->lock) {
        td_lock_release(cond->lock);
        return 1;
    }
    return td__rlock_release_save(cond->rlock);
}

static void acquire_restore(td_cond_t *cond, size_t depth)
{
    if (cond->lock) {
        td_lock_acquire(cond->lock, true, TD_FOREVER);
        return;
    }
    td__rlock_acquire_restore(cond->rlock, depth);
}

static void push_back(td_cond_t *cond, struct td__cond_waiter *w)
{
    w->next = NULL;
    w->prev = cond->tail;
    if (cond->tail)
        cond->tail->next = w;
    else
        cond->head = w;
    cond->tail = w;
}

static void unlink_waiter(td_cond_t *cond, struct td__cond_waiter *w)
{
    if (w->prev)
        w->prev->next = w->next;
    else
        cond->head = w->next;
    if (w->next)
        w->next->prev = w->prev;
    else
        cond->tail = w->prev;
}

static void sleep_until_signaled(struct td__cond_waiter *w, td__deadline_t deadline)
{
    while (atomic_load_explicit(&w->signaled, memory_order_acquire) == 0) {
        if (td__wait_until(&w->signaled, 0, deadline) == -ETIMEDOUT)
            return;
    }
}

int td__cond_wait_until(td_cond_t *cond, td__deadline_t deadline, td__as_t as)
{
    if (!is_owned(cond))
        return -EPERM; /* Python: "cannot wait on un-acquired lock" */
    struct td__cond_waiter w;
    atomic_init(&w.signaled, 0);
    push_back(cond, &w);
    size_t depth = release_save(cond);
    if (TD__OBSERVING())
        TD__OBSERVE_WAIT(TD_OBS_WAIT_BEGIN, as.primitive, as.object, 0,
                         td__seconds_left(deadline));
    sleep_until_signaled(&w, deadline);
    acquire_restore(cond, depth);
    /* With the lock back, the answer is final: a notify that came after the clock
     * ran out still counts, and then the notifier has unlinked us already. */
    bool signaled = atomic_load_explicit(&w.signaled, memory_order_acquire) != 0;
    if (!signaled)
        unlink_waiter(cond, &w);
    TD__OBSERVE(TD_OBS_WAIT_END, as.primitive, as.object, signaled ? 0 : -ETIMEDOUT);
    return signaled ? 0 : -ETIMEDOUT;
}

int td_cond_wait(td_cond_t *cond, double timeout)
{
    TD__POINT(TD__POINT_WAIT, lock_object(cond));
    /* Python: a timeout of zero or less polls (waiter.acquire(False)). */
    int rc = td__check_timeout(&timeout, TD__TIMEOUT_JOIN);
    if (rc != 0)
        return rc;
    return td__cond_wait_until(cond, td__deadline_in(timeout), (td__as_t){ "cond", cond });
}

bool td__cond_wait_for_until(td_cond_t *cond, td_predicate_fn pred, void *ctx,
                             td__deadline_t deadline, td__as_t as)
{
    bool value = pred(ctx);
    while (!value) {
        if (td__deadline_passed(deadline))
            break;
        td__cond_wait_until(cond, deadline, as);
        value = pred(ctx);
    }
    return value;
}

int td_cond_wait_for(td_cond_t *cond, td_predicate_fn pred, void *ctx, double timeout,
                     bool *result)
{
    TD__POINT(TD__POINT_WAIT, lock_object(cond));
    if (!is_owned(cond))
        return -EPERM;
    int rc = td__check_timeout(&timeout, TD__TIMEOUT_JOIN);
    if (rc != 0)
        return rc;
    bool value = td__cond_wait_for_until(cond, pred, ctx, td__deadline_in(timeout),
                                         (td__as_t){ "cond", cond });
    if (result)
        *result = value;
    return 0;
}

int td_cond_notify(td_cond_t *cond, size_t n)
{
    TD__POINT(TD__POINT_NOTIFY, lock_object(cond));
    if (!is_owned(cond))
        return -EPERM; /* Python: "cannot notify on un-acquired lock" */
    int woken = 0;
    /* Reported before the waiters can run, so the wake-ups see it as their cause. */
    if (TD__OBSERVING()) {
        size_t waiting = 0;
        for (struct td__cond_waiter *w = cond->head; w && waiting < n; w = w->next)
            waiting++;
        TD__OBSERVE(TD_OBS_NOTIFY, "cond", cond, (int)waiting);
    }
    while (cond->head && n > 0) {
        struct td__cond_waiter *w = cond->head;
        unlink_waiter(cond, w);
        atomic_store_explicit(&w->signaled, 1, memory_order_release);
        td__wake(&w->signaled, 1);
        n--;
        woken++;
    }
    (void)woken;
    return 0;
}

int td_cond_notify_all(td_cond_t *cond)
{
    return td_cond_notify(cond, (size_t)-1);
}
