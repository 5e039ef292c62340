/* SPDX-License-Identifier: MIT */
/* future.c - Python's Future (concurrent/futures/_base.py), wait() and as_completed().
 *
 * A future's state machine (CPython's), every field guarded by its lock:
 *   PENDING --start--> RUNNING --finish--> FINISHED
 *   PENDING --cancel()--> CANCELLED --start (the executor notices)--> CANCELLED_AND_NOTIFIED
 * Done callbacks run once, outside the lock, by whoever made the future done.
 *
 * wait() and as_completed() install a waiter on each future (CPython's _Waiter
 * family): a future that reaches FINISHED or CANCELLED_AND_NOTIFIED tells each of its
 * waiters, under the future's lock, which takes the waiter's own lock. The links and
 * the `finished` array are allocated before anything is installed, so telling a
 * waiter never allocates. A waiter's lock is never held while a future's is taken.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "future_internal.h"
#include "prim.h"

enum { PENDING, RUNNING, CANCELLED, CANCELLED_AND_NOTIFIED, FINISHED };
enum { MODE_FIRST_COMPLETED, MODE_FIRST_EXCEPTION, MODE_ALL_COMPLETED, MODE_AS_COMPLETED };

struct callback {
    td_future_cb fn;
    void *arg;
    struct callback *next;
};

struct waiter;

/* One future's membership in one waiter. */
struct link {
    struct waiter *waiter;
    size_t index;      /* the future's place in the caller's array */
    struct link *next; /* the future's list, guarded by the future's lock */
};

struct waiter {
    td_lock_t lock;     /* guards pending and the finished list */
    td_event_t event;
    int mode;
    size_t pending;     /* FIRST_EXCEPTION / ALL_COMPLETED: futures not yet done */
    size_t *finished;   /* indexes of futures done since install, in order */
    size_t n_finished;
    size_t taken;       /* as_completed: how many of finished were given */
    struct link *links; /* one per future, installed by index */
};

struct td_future {
    atomic_int refs;
    td_lock_t lock;
    td_cond_t cond;             /* over lock: notified when done */
    int state;
    int rc;
    void *result;
    struct callback *callbacks; /* in the order added */
    struct link *waiters;
};

/* ---- the future ------------------------------------------------------------------- */

td_future_t *td__future_new(void)
{
    td_future_t *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    atomic_init(&f->refs, 1);
    td_lock_init(&f->lock);
    td_cond_init(&f->cond, &f->lock);
    f->state = PENDING;
    return f;
}

td_future_t *td_future_ref(td_future_t *f)
{
    atomic_fetch_add_explicit(&f->refs, 1, memory_order_relaxed);
    return f;
}

void td_future_free(td_future_t *f)
{
    if (!f || atomic_fetch_sub_explicit(&f->refs, 1, memory_order_acq_rel) != 1)
        return;
    for (struct callback *c = f->callbacks, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    td_cond_destroy(&f->cond);
    td_lock_destroy(&f->lock);
    free(f);
}

static bool is_done(int state)
{
    return state == CANCELLED || state == CANCELLED_AND_NOTIFIED || state == FINISHED;
}

static bool is_cancelled(int state)
{
    return state == CANCELLED || state == CANCELLED_AND_NOTIFIED;
}

/* Done as wait() and as_completed() count it (CPython's FINISHED_STATES minus
 * a cancel the executor has not noticed yet). */
static bool is_final(int state)
{
    return state == CANCELLED_AND_NOTIFIED || state == FINISHED;
}

/* Run and free the callbacks taken from a future that just became done. */
static void run_callbacks(td_future_t *f, struct callback *c)
{
    while (c) {
        struct callback *next = c->next;
        c->fn(f, c->arg);
        free(c);
        c = next;
    }
}

/* Tell one waiter that future `index` is final; failed: the task returned an error. */
static void tell_waiter(struct waiter *w, size_t index, bool failed, bool cancelled)
{
    td__lock_take(&w->lock);
    w->finished[w->n_finished++] = index;
    bool release = true;
    if (w->mode == MODE_ALL_COMPLETED || w->mode == MODE_FIRST_EXCEPTION) {
        bool stop = w->mode == MODE_FIRST_EXCEPTION && failed && !cancelled;
        release = --w->pending == 0 || stop;
    }
    if (release)
        td_event_set(&w->event);
    td__lock_give(&w->lock);
}

/* Make the future done in state (lock held): tell its waiters, wake result() calls;
 * returns its callbacks to run once the lock is let go. */
static struct callback *settle(td_future_t *f, int state)
{
    f->state = state;
    if (is_final(state))
        for (struct link *l = f->waiters; l; l = l->next)
            tell_waiter(l->waiter, l->index, state == FINISHED && f->rc != 0,
                        state != FINISHED);
    td_cond_notify_all(&f->cond);
    struct callback *c = f->callbacks;
    f->callbacks = NULL;
    return c;
}

bool td__future_start(td_future_t *f)
{
    td_lock_acquire(&f->lock, true, TD_FOREVER);
    if (f->state == CANCELLED) { /* set_running_or_notify_cancel() */
        settle(f, CANCELLED_AND_NOTIFIED); /* callbacks ran at cancel() */
        td_lock_release(&f->lock);
        return false;
    }
    f->state = RUNNING;
    td_lock_release(&f->lock);
    return true;
}

void td__future_finish(td_future_t *f, int rc, void *result)
{
    td_lock_acquire(&f->lock, true, TD_FOREVER);
    f->rc = rc;
    f->result = result;
    struct callback *c = settle(f, FINISHED);
    td_lock_release(&f->lock);
    run_callbacks(f, c);
}

void td__future_drop(td_future_t *f)
{
    td_future_cancel(f); /* true: only a worker makes it RUNNING, and none took it */
    td__future_start(f);
}

/* Wait for the future to be done or the deadline (lock held): its state. */
static int wait_done(td_future_t *f, td__deadline_t deadline)
{
    while (!is_done(f->state) && !td__deadline_passed(deadline))
        td__cond_wait_until(&f->cond, deadline, (td__as_t){ "future", f });
    return f->state;
}

/* concurrent.futures waits with Condition.wait(timeout) or Event.wait(timeout): a
 * negative timeout does not wait. 0, -EINVAL (NaN) or -EOVERFLOW. */
static int check_timeout(double *timeout)
{
    return td__check_timeout(timeout, TD__TIMEOUT_JOIN);
}

int td_future_result(td_future_t *f, double timeout, void **result)
{
    int rc = check_timeout(&timeout);
    if (rc != 0 && result)
        *result = NULL;
    return rc != 0 ? rc : td__future_result_until(f, td__deadline_in(timeout), result, NULL);
}

int td__future_result_until(td_future_t *f, td__deadline_t deadline, void **result,
                            int *error)
{
    TD__POINT(TD__POINT_FUTURE, f);
    if (result)
        *result = NULL; /* the rule of future.h: never a stale value on a failure */
    td_lock_acquire(&f->lock, true, TD_FOREVER);
    int state = wait_done(f, deadline);
    int rc = -ETIMEDOUT;
    if (is_cancelled(state)) {
        rc = -ECANCELED;
    } else if (state == FINISHED) {
        rc = f->rc == 0 ? 0 : TD_ETASK;
        if (result)
            *result = f->result;
        if (error)
            *error = f->rc;
    }
    td_lock_release(&f->lock);
    return rc;
}

int td_future_exception(td_future_t *f, double timeout, int *error)
{
    TD__POINT(TD__POINT_FUTURE, f);
    int rc = check_timeout(&timeout);
    if (rc != 0)
        return rc;
    td__deadline_t deadline = td__deadline_in(timeout);
    td_lock_acquire(&f->lock, true, TD_FOREVER);
    int state = wait_done(f, deadline);
    rc = is_cancelled(state) ? -ECANCELED : state == FINISHED ? 0 : -ETIMEDOUT;
    if (rc == 0 && error)
        *error = f->rc;
    td_lock_release(&f->lock);
    return rc;
}

bool td_future_cancel(td_future_t *f)
{
    TD__POINT(TD__POINT_NOTIFY, f);
    td_lock_acquire(&f->lock, true, TD_FOREVER);
    if (f->state == RUNNING || f->state == FINISHED) {
        td_lock_release(&f->lock);
        return false;
    }
    struct callback *c = NULL;
    if (f->state == PENDING) {
        TD__OBSERVE(TD_OBS_CANCEL, "future", f, 0);
        c = settle(f, CANCELLED);
    }
    td_lock_release(&f->lock);
    run_callbacks(f, c);
    return true;
}

static int state_of(td_future_t *f)
{
    td_lock_acquire(&f->lock, true, TD_FOREVER);
    int state = f->state;
    td_lock_release(&f->lock);
    return state;
}

bool td_future_done(td_future_t *f)
{
    return is_done(state_of(f));
}

bool td_future_running(td_future_t *f)
{
    return state_of(f) == RUNNING;
}

bool td_future_cancelled(td_future_t *f)
{
    return is_cancelled(state_of(f));
}

int td_future_add_done_callback(td_future_t *f, td_future_cb fn, void *arg)
{
    struct callback *c = malloc(sizeof *c);
    if (!c)
        return -ENOMEM;
    *c = (struct callback){ .fn = fn, .arg = arg };
    td_lock_acquire(&f->lock, true, TD_FOREVER);
    if (!is_done(f->state)) {
        struct callback **tail = &f->callbacks;
        while (*tail)
            tail = &(*tail)->next;
        *tail = c;
        td_lock_release(&f->lock);
        return 0;
    }
    td_lock_release(&f->lock);
    free(c);
    fn(f, arg); /* already done: at once, as Python does */
    return 0;
}

/* ---- waiters ---------------------------------------------------------------------- */

static struct waiter *waiter_new(int mode, size_t n)
{
    struct waiter *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->finished = malloc((n ? n : 1) * sizeof *w->finished);
    w->links = calloc(n ? n : 1, sizeof *w->links);
    if (!w->finished || !w->links) {
        free(w->finished);
        free(w->links);
        free(w);
        return NULL;
    }
    td_lock_init(&w->lock);
    td_event_init(&w->event);
    w->mode = mode;
    w->pending = n;
    return w;
}

/* Install w on futures[i] unless it is final already, which counts at once. */
static void install(struct waiter *w, td_future_t *f, size_t i)
{
    td_lock_acquire(&f->lock, true, TD_FOREVER);
    if (is_final(f->state)) {
        tell_waiter(w, i, f->state == FINISHED && f->rc != 0, f->state != FINISHED);
    } else {
        w->links[i] = (struct link){ .waiter = w, .index = i, .next = f->waiters };
        f->waiters = &w->links[i];
    }
    td_lock_release(&f->lock);
}

static void uninstall(struct waiter *w, td_future_t *f, size_t i)
{
    td_lock_acquire(&f->lock, true, TD_FOREVER);
    for (struct link **p = &f->waiters; *p; p = &(*p)->next) {
        if (*p == &w->links[i]) {
            *p = w->links[i].next;
            break;
        }
    }
    td_lock_release(&f->lock);
}

static void waiter_free(struct waiter *w)
{
    td_event_destroy(&w->event);
    td_lock_destroy(&w->lock);
    free(w->finished);
    free(w->links);
    free(w);
}

int td_futures_wait(td_future_t *const *futures, size_t n, double timeout,
                    td_return_when_t when, bool *done)
{
    if ((n > 0 && (!futures || !done)) ||
        (when != TD_FIRST_COMPLETED && when != TD_FIRST_EXCEPTION && when != TD_ALL_COMPLETED))
        return -EINVAL;
    int rc = check_timeout(&timeout);
    if (rc != 0)
        return rc;
    int mode = when == TD_FIRST_COMPLETED   ? MODE_FIRST_COMPLETED
               : when == TD_FIRST_EXCEPTION ? MODE_FIRST_EXCEPTION
                                            : MODE_ALL_COMPLETED;
    TD__POINT(TD__POINT_FUTURE, futures);
    struct waiter *w = waiter_new(mode, n);
    if (!w)
        return -ENOMEM;
    td__deadline_t deadline = td__deadline_in(timeout);
    for (size_t i = 0; i < n; i++)
        install(w, futures[i], i);
    if (n > 0)
        td__event_wait_until(&w->event, deadline);
    for (size_t i = 0; i < n; i++)
        uninstall(w, futures[i], i);
    for (size_t i = 0; i < n; i++)
        done[i] = false;
    /* No future can tell w anything now: its list is read without the lock. */
    for (size_t k = 0; k < w->n_finished; k++)
        done[w->finished[k]] = true;
    int marked = 0;
    for (size_t i = 0; i < n; i++)
        marked += done[i];
    waiter_free(w);
    return marked;
}

/* ---- as_completed ----------------------------------------------------------------- */

struct td_as_completed {
    struct waiter *waiter;
    td_future_t **futures; /* the distinct futures, in the caller's order */
    size_t n;
    size_t given;
    td__deadline_t deadline;
};

int td_as_completed_new(td_as_completed_t **out, td_future_t *const *futures, size_t n,
                        double timeout)
{
    if (!out || (n > 0 && !futures))
        return -EINVAL;
    int rc = check_timeout(&timeout);
    if (rc != 0)
        return rc;
    td_as_completed_t *it = calloc(1, sizeof *it);
    if (!it || !(it->futures = malloc((n ? n : 1) * sizeof *it->futures))) {
        free(it);
        return -ENOMEM;
    }
    for (size_t i = 0; i < n; i++) { /* Python takes set(fs): once each */
        bool seen = false;
        for (size_t j = 0; j < it->n && !seen; j++)
            seen = it->futures[j] == futures[i];
        if (!seen)
            it->futures[it->n++] = futures[i];
    }
    it->waiter = waiter_new(MODE_AS_COMPLETED, it->n);
    if (!it->waiter) {
        free(it->futures);
        free(it);
        return -ENOMEM;
    }
    it->deadline = td__deadline_in(timeout);
    for (size_t i = 0; i < it->n; i++)
        install(it->waiter, it->futures[i], i);
    *out = it;
    return 0;
}

int td_as_completed_next(td_as_completed_t *it, td_future_t **future)
{
    TD__POINT(TD__POINT_FUTURE, it);
    struct waiter *w = it->waiter;
    if (it->given == it->n)
        return -ENODATA;
    for (;;) {
        td__lock_take(&w->lock);
        if (w->taken < w->n_finished) {
            *future = it->futures[w->finished[w->taken++]];
            it->given++;
            td__lock_give(&w->lock);
            return 0;
        }
        td_event_clear(&w->event); /* everything told so far was given */
        td__lock_give(&w->lock);
        if (!td__event_wait_until(&w->event, it->deadline))
            return -ETIMEDOUT; /* Python: "N (of M) futures unfinished" */
    }
}

size_t td_as_completed_left(td_as_completed_t *it)
{
    return it->n - it->given;
}

void td_as_completed_free(td_as_completed_t *it)
{
    if (!it)
        return;
    for (size_t i = 0; i < it->n; i++)
        uninstall(it->waiter, it->futures[i], i);
    waiter_free(it->waiter);
    free(it->futures);
    free(it);
}
