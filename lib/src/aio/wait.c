/* SPDX-License-Identifier: MIT */
/* wait.c - the awaits of tasks.py (task.h): sleep, gather, wait, wait_for, and
 * the runners: run_until_complete, asyncio.run.
 *
 * DESIGN. Each is CPython 3.11's own construction, kept step for step because the
 * order of callbacks is what a trace shows: sleep is a future and a call_later that
 * sets it; gather a _GatheringFuture with a done callback on each child; wait a
 * waiter future released by the children's callbacks (or a timeout); wait_for a
 * waiter released by the future or a timer, then _cancel_and_wait on a timeout.
 * Where CPython's closures keep state alive for callbacks that may run after the
 * awaiting coroutine has moved on, the state here is on the heap with a reference
 * per registered callback (released when it runs or is dropped), never on the
 * awaiting coroutine's stack.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aio.h"

static void release_future(void *f)
{
    td_aio_future_free(f);
}

/* ---- sleep ------------------------------------------------------------------------ */

static void set_result_unless_cancelled(void *f)
{
    if (!td_aio_future_cancelled(f))
        td_aio_future_set_result(f, NULL);
}

int td_aio_sleep(double delay)
{
    struct aio_task *t = td__current_task();
    if (!t)
        return -EPERM;
    if (isnan(delay))
        return -EINVAL;
    if (delay <= 0)
        return td__yield_once();
    td_loop_t *loop = t->base.loop;
    td_aio_future_t *future;
    td_loop_handle_t *timer;
    int rc = td_aio_future_new(&future, loop);
    if (rc != 0)
        return rc;
    rc = td__loop_call_at_ns(loop, td__deadline_in(delay).at, set_result_unless_cancelled,
                             future, &timer);
    if (rc == 0) {
        rc = td__await(future, NULL);
        td_loop_handle_cancel(timer); /* finally: h.cancel() */
        td_loop_handle_free(timer);
    }
    td_aio_future_free(future);
    return rc;
}

/* ---- helpers: which futures are distinct ------------------------------------------------- */

static int by_address(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t) * (td_aio_future_t *const *)a;
    uintptr_t y = (uintptr_t) * (td_aio_future_t *const *)b;
    return x < y ? -1 : x > y;
}

/* first[i] = whether futs[i] appears for the first time at i (Python's set(fs), but
 * kept in order). Returns how many distinct there are, or 0 when out of memory. */
static size_t mark_first(td_aio_future_t *const *futs, size_t n, bool *first)
{
    td_aio_future_t **sorted = malloc(n * sizeof *sorted);
    if (!sorted)
        return 0;
    memcpy(sorted, futs, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, by_address);
    bool *seen = calloc(n, sizeof *seen); /* by sorted position */
    if (!seen) {
        free(sorted);
        return 0;
    }
    size_t distinct = 0;
    for (size_t i = 0; i < n; i++) {
        td_aio_future_t **at = bsearch(&futs[i], sorted, n, sizeof *sorted, by_address);
        size_t k = (size_t)(at - sorted);
        while (k > 0 && sorted[k - 1] == futs[i])
            k--; /* the first of equal entries stands for them all */
        first[i] = !seen[k];
        seen[k] = true;
        distinct += first[i];
    }
    free(seen);
    free(sorted);
    return distinct;
}

static int check_futures(td_aio_future_t *const *futs, size_t n, td_loop_t **loop)
{
    if (n > 0 && !futs)
        return -EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (!futs[i] || !futs[i]->loop)
            return -EINVAL;
        if (i > 0 && futs[i]->loop != futs[0]->loop)
            return -EINVAL; /* "futures are attached to different loops" */
    }
    *loop = n > 0 ? futs[0]->loop : NULL;
    return 0;
}

/* ---- gather ------------------------------------------------------------------------ */

static struct aio_gather *as_gather(td_aio_future_t *f)
{
    return (struct aio_gather *)f;
}

static void gather_settle(struct aio_gather *g)
{
    for (size_t i = 0; i < g->n; i++) {
        void *r = NULL;
        g->results[i] = td__afut_outcome(g->children[i], &r) == 0 ? r : NULL;
    }
    if (g->cancel_requested) /* gather was cancelled: that wins (bpo-32684) */
        td__afut_finish(&g->base, NULL, -ECANCELED, NULL);
    else
        td__afut_finish(&g->base, g->results, 0, NULL);
}

/* tasks.py's gather._done_callback; arg is the outer future, one reference. */
static void gather_child_done(td_aio_future_t *child, void *arg)
{
    struct aio_gather *g = arg;
    g->finished++;
    if (g->base.state != F_PENDING) {
        td_aio_future_free(&g->base);
        return;
    }
    if (!g->return_exceptions && child->state == F_CANCELLED) {
        td__afut_finish(&g->base, NULL, -ECANCELED, child->cancel_message);
    } else if (!g->return_exceptions && child->exc_code != 0) {
        td__afut_finish(&g->base, NULL, child->exc_code, child->exc_message);
    } else if (g->finished == g->n_unique) {
        gather_settle(g);
    }
    td_aio_future_free(&g->base);
}

bool td__gather_cancel(td_aio_future_t *f, const char *msg)
{
    struct aio_gather *g = as_gather(f);
    if (f->state != F_PENDING)
        return false;
    bool any = false;
    for (size_t i = 0; i < g->n; i++)
        any |= td_aio_future_cancel(g->children[i], msg);
    if (any)
        g->cancel_requested = true;
    return any;
}

void td__gather_destroy(td_aio_future_t *f)
{
    struct aio_gather *g = as_gather(f);
    for (size_t i = 0; i < g->n; i++)
        td_aio_future_free(g->children[i]);
    free(g->children);
    free(g->results);
}

/* gather of nothing: a future whose result is an empty list, already set. */
static int gather_nothing(td_aio_future_t **outer)
{
    td_loop_t *loop;
    int rc = td_aio_get_event_loop(&loop);
    if (rc == 0)
        rc = td_aio_future_new(outer, loop);
    if (rc == 0)
        td__afut_finish(*outer, NULL, 0, NULL);
    return rc;
}

static int gather_link(struct aio_gather *g, td_aio_future_t *const *futs, const bool *first)
{
    for (size_t i = 0; i < g->n; i++) {
        g->children[i] = td_aio_future_ref(futs[i]);
        if (!first[i])
            continue;
        td_aio_future_ref(&g->base); /* the callback's */
        int rc = td__afut_add_callback(futs[i], gather_child_done, g,
                                         "gather.<locals>._done_callback()", release_future);
        if (rc != 0) {
            td_aio_future_free(&g->base);
            return rc;
        }
    }
    return 0;
}

/* gather; `distinct` says the futures are known to be (new tasks), which spares
 * looking for duplicates among 100,000 of them. */
static int gather(td_aio_future_t **outer, td_aio_future_t *const *futs, size_t n,
                  bool return_exceptions, bool distinct)
{
    td_loop_t *loop;
    int rc = outer ? check_futures(futs, n, &loop) : -EINVAL;
    if (rc != 0)
        return rc;
    if (n == 0)
        return gather_nothing(outer);
    bool *first = malloc(n * sizeof *first);
    struct aio_gather *g = (struct aio_gather *)td__afut_alloc(loop, sizeof *g, K_GATHER);
    if (g) {
        g->children = calloc(n, sizeof *g->children);
        g->results = calloc(n, sizeof *g->results);
    }
    if (first && distinct) {
        memset(first, 1, n * sizeof *first);
        if (g)
            g->n_unique = n;
    }
    if (!first || !g || !g->children || !g->results ||
        (!distinct && (g->n_unique = mark_first(futs, n, first)) == 0)) {
        free(first);
        td_aio_future_free(g ? &g->base : NULL);
        return -ENOMEM;
    }
    g->n = n;
    g->return_exceptions = return_exceptions;
    rc = gather_link(g, futs, first);
    free(first);
    if (rc != 0) {
        td__gather_cancel(&g->base, NULL);
        td_aio_future_free(&g->base);
        return rc;
    }
    *outer = &g->base;
    return 0;
}

int td_aio_gather(td_aio_future_t **outer, td_aio_future_t *const *futs, size_t n,
                  bool return_exceptions)
{
    return gather(outer, futs, n, return_exceptions, false);
}

/* Each child's outcome into results/errors; the first exception is what a body
 * returning TD_ETASK re-raises. */
static int collect(struct aio_task *t, td_aio_future_t **tasks, size_t n, void **results,
                   int *errors)
{
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        void *r = NULL;
        int got = td__afut_outcome(tasks[i], &r);
        int code = got == TD_ETASK ? tasks[i]->exc_code : got;
        if (results)
            results[i] = got == 0 ? r : NULL;
        if (errors)
            errors[i] = code;
        if (code != 0 && rc == 0) {
            rc = TD_ETASK;
            td__task_remember(t, code, tasks[i]->exc_message);
        }
    }
    return rc;
}

int td_aio_gather_coros(const td_aio_coro_t *coros, size_t n, void **results, int *errors)
{
    struct aio_task *t = td__current_task();
    if (!t)
        return -EPERM;
    if (n > 0 && !coros)
        return -EINVAL;
    td_aio_future_t **tasks = calloc(n ? n : 1, sizeof *tasks);
    if (!tasks)
        return -ENOMEM;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = td_loop_create_task(t->base.loop, &tasks[i], coros[i]);
    td_aio_future_t *outer = NULL;
    if (rc == 0)
        rc = gather(&outer, tasks, n, true, true);
    if (rc == 0)
        rc = td__await(outer, NULL);
    /* Cancelled while children run: they may use this caller's frame, so they are
     * cancelled and waited for (unlike gather, whose children may outlive it). */
    while (outer && !td_aio_future_done(outer) && !t->base.loop->closing) {
        td_aio_future_cancel(outer, NULL);
        td__await(outer, NULL);
    }
    if (rc == 0)
        rc = collect(t, tasks, n, results, errors);
    for (size_t i = 0; i < n; i++) {
        if (tasks[i] && rc != 0 && rc != TD_ETASK)
            td_aio_future_cancel(tasks[i], NULL); /* a failure on the way: none runs on */
        td_aio_future_free(tasks[i]);
    }
    td_aio_future_free(outer);
    free(tasks);
    return rc;
}

/* ---- wait --------------------------------------------------------------------------- */

/* tasks.py's _wait state: the waiter, the countdown, the timeout handle; one
 * reference for the waiting coroutine and one per registered callback. */
struct waiting {
    unsigned refs;
    td_aio_future_t *waiter;
    size_t counter;
    td_return_when_t when;
    td_loop_handle_t *timeout;
};

static void waiting_release(void *arg)
{
    struct waiting *w = arg;
    if (--w->refs > 0)
        return;
    td_aio_future_free(w->waiter);
    td_loop_handle_free(w->timeout);
    free(w);
}

static void release_waiter(void *waiter)
{
    if (!td_aio_future_done(waiter))
        td_aio_future_set_result(waiter, NULL);
}

static void on_completion(td_aio_future_t *f, void *arg)
{
    struct waiting *w = arg;
    w->counter--;
    if (w->counter == 0 || w->when == TD_FIRST_COMPLETED ||
        (w->when == TD_FIRST_EXCEPTION && f->state == F_FINISHED && f->exc_code != 0)) {
        td_loop_handle_cancel(w->timeout);
        release_waiter(w->waiter);
    }
    waiting_release(w);
}

static int wait_args(td_aio_future_t *const *futs, size_t n, double *timeout,
                     td_return_when_t when, bool *done, td_loop_t **loop)
{
    if (n == 0 || !done)
        return -EINVAL; /* ValueError('Set of Futures is empty.') */
    if (when != TD_FIRST_COMPLETED && when != TD_FIRST_EXCEPTION && when != TD_ALL_COMPLETED)
        return -EINVAL;
    /* Python: loop.call_later(timeout, ...): a negative timeout ends the wait at once. */
    int rc = td__check_timeout(timeout, TD__TIMEOUT_JOIN);
    return rc != 0 ? rc : check_futures(futs, n, loop);
}

/* Register on_completion on each distinct future: 0 or -ENOMEM. */
static int wait_link(struct waiting *w, td_aio_future_t *const *futs, size_t n, const bool *first)
{
    for (size_t i = 0; i < n; i++) {
        if (!first[i])
            continue;
        w->refs++;
        if (td__afut_add_callback(futs[i], on_completion, w, "_wait.<locals>._on_completion()",
                                    waiting_release) != 0) {
            w->refs--;
            return -ENOMEM;
        }
    }
    return 0;
}

static void wait_unlink(struct waiting *w, td_aio_future_t *const *futs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        td_aio_future_remove_done_callback(futs[i], on_completion, w);
}

int td_aio_wait(td_aio_future_t *const *futs, size_t n, double timeout, td_return_when_t when,
                bool *done)
{
    struct aio_task *t = td__current_task();
    td_loop_t *loop;
    if (!t)
        return -EPERM;
    int rc = wait_args(futs, n, &timeout, when, done, &loop);
    if (rc != 0)
        return rc;
    bool *first = malloc(n * sizeof *first);
    struct waiting *w = calloc(1, sizeof *w);
    if (!first || !w || (w->counter = mark_first(futs, n, first)) == 0 ||
        td_aio_future_new(&w->waiter, loop) != 0) {
        free(first);
        free(w);
        return -ENOMEM;
    }
    w->refs = 1;
    w->when = when;
    if (timeout != TD_FOREVER)
        rc = td__loop_call_at_ns(loop, td__deadline_in(timeout).at, release_waiter, w->waiter,
                                 &w->timeout);
    if (rc == 0)
        rc = wait_link(w, futs, n, first);
    if (rc == 0)
        rc = td__await(w->waiter, NULL);
    td_loop_handle_cancel(w->timeout); /* finally: */
    wait_unlink(w, futs, n);
    free(first);
    waiting_release(w);
    if (rc != 0)
        return rc;
    int n_done = 0;
    for (size_t i = 0; i < n; i++)
        n_done += done[i] = td_aio_future_done(futs[i]);
    return n_done;
}

/* ---- wait_for ------------------------------------------------------------------------ */

/* functools.partial(_release_waiter, waiter) as a done callback; it holds a reference
 * to the waiter. */
static void waiter_cb(td_aio_future_t *done, void *waiter)
{
    (void)done;
    release_waiter(waiter);
    td_aio_future_free(waiter);
}

static int add_waiter_cb(td_aio_future_t *fut, td_aio_future_t *waiter)
{
    int rc = td__afut_add_callback(fut, waiter_cb, td_aio_future_ref(waiter),
                                     "_release_waiter()", release_future);
    if (rc != 0)
        td_aio_future_free(waiter);
    return rc;
}

/* Cancel fut and wait until it is done (tasks.py's _cancel_and_wait), without awaiting
 * fut itself, so that this wait stays cancellable: 0, -ECANCELED, -ENOMEM. */
static int cancel_and_wait(td_aio_future_t *fut, td_loop_t *loop)
{
    td_aio_future_t *waiter;
    int rc = td_aio_future_new(&waiter, loop);
    if (rc != 0)
        return rc;
    rc = add_waiter_cb(fut, waiter);
    if (rc == 0) {
        td_aio_future_cancel(fut, NULL);
        rc = td__await(waiter, NULL);
        td_aio_future_remove_done_callback(fut, waiter_cb, waiter);
    }
    td_aio_future_free(waiter);
    return rc;
}

/* wait_for with timeout <= 0: done now, or cancelled now. */
static int wait_for_now(struct aio_task *t, td_aio_future_t *fut, void **result)
{
    if (!td_aio_future_done(fut)) {
        int rc = cancel_and_wait(fut, t->base.loop);
        if (rc != 0)
            return rc;
        rc = td__task_outcome(t, fut, result);
        return rc == -ECANCELED ? -ETIMEDOUT : rc;
    }
    return td__task_outcome(t, fut, result);
}

/* After the waiter was released (by fut or by the timer) or the wait cancelled. */
static int wait_for_end(struct aio_task *t, td_aio_future_t *fut, td_aio_future_t *waiter,
                        int waited, void **result)
{
    if (waited != 0 && waited != -ECANCELED)
        return waited;
    if (td_aio_future_done(fut))
        return td__task_outcome(t, fut, result);
    td_aio_future_remove_done_callback(fut, waiter_cb, waiter);
    /* bpo-32751: the task must not be running after wait_for() returns */
    int rc = cancel_and_wait(fut, t->base.loop);
    if (waited == -ECANCELED || rc != 0)
        return -ECANCELED; /* the caller was cancelled: CancelledError goes on up */
    rc = td__task_outcome(t, fut, result);
    return rc == -ECANCELED ? -ETIMEDOUT : rc; /* bpo-40607: its own error goes up */
}

int td_aio_wait_for(td_aio_future_t *fut, double timeout, void **result)
{
    struct aio_task *t = td__current_task();
    if (!t)
        return -EPERM;
    if (!fut || fut->loop != t->base.loop || fut == &t->base)
        return -EINVAL;
    /* Python 3.11: `if timeout <= 0:` the future is done now or cancelled. */
    int rc = td__check_timeout(&timeout, TD__TIMEOUT_JOIN);
    if (rc != 0)
        return rc;
    if (timeout == TD_FOREVER)
        return td__await(fut, result);
    if (timeout <= 0)
        return wait_for_now(t, fut, result);
    td_loop_t *loop = t->base.loop;
    td_aio_future_t *waiter;
    td_loop_handle_t *timer = NULL;
    rc = td_aio_future_new(&waiter, loop);
    if (rc != 0)
        return rc;
    rc = td__loop_call_at_ns(loop, td__deadline_in(timeout).at, release_waiter, waiter, &timer);
    if (rc == 0)
        rc = add_waiter_cb(fut, waiter);
    if (rc == 0)
        rc = wait_for_end(t, fut, waiter, td__await(waiter, NULL), result);
    td_loop_handle_cancel(timer); /* finally: timeout_handle.cancel() */
    td_loop_handle_free(timer);
    td_aio_future_free(waiter);
    return rc;
}

/* ---- running ---------------------------------------------------------------------------- */

static void run_until_complete_cb(td_aio_future_t *f, void *loop)
{
    (void)f;
    td_loop_stop(loop);
}

int td_loop_run_until_complete(td_loop_t *loop, td_aio_future_t *fut, void **result)
{
    if (!loop || !fut || fut->loop != loop)
        return -EINVAL;
    if (loop->running || td__running_loop())
        return -EBUSY;
    if (loop->closing)
        return -ESHUTDOWN;
    int rc = td__afut_add_callback(fut, run_until_complete_cb, loop,
                                     "_run_until_complete_cb()", NULL);
    if (rc != 0)
        return rc;
    td__loop_run(loop);
    td_aio_future_remove_done_callback(fut, run_until_complete_cb, loop);
    if (!td_aio_future_done(fut))
        return -EINTR; /* RuntimeError('Event loop stopped before Future completed.') */
    return td__afut_outcome(fut, result);
}

/* runners.py's _cancel_all_tasks: cancel what is left and let it finish. */
static void cancel_all_tasks(td_loop_t *loop)
{
    size_t n = td_aio_all_tasks(loop, NULL, 0);
    td_aio_task_t **tasks = n ? malloc(n * sizeof *tasks) : NULL;
    if (!tasks)
        return; /* none (or no memory: td_loop_free closes them) */
    td_aio_all_tasks(loop, tasks, n);
    for (size_t i = 0; i < n; i++)
        td_aio_future_cancel(td_aio_future_ref(tasks[i]), NULL);
    td_aio_future_t *all;
    if (td_aio_gather(&all, tasks, n, true) == 0) {
        td_loop_run_until_complete(loop, all, NULL);
        td_aio_future_free(all);
    }
    for (size_t i = 0; i < n; i++)
        td_aio_future_free(tasks[i]);
    free(tasks);
}

int td_aio_run(td_aio_coro_t main, void **result, int *error)
{
    if (td__running_loop())
        return -EBUSY;
    if (!main.fn)
        return -EINVAL;
    td_loop_t *loop;
    int rc = td_loop_new(&loop);
    if (rc != 0)
        return rc;
    td_aio_set_event_loop(loop);
    td_aio_task_t *task = NULL;
    rc = td_loop_create_task(loop, &task, main);
    if (rc == 0)
        rc = td_loop_run_until_complete(loop, task, result);
    if (rc == TD_ETASK && error)
        td_aio_future_exception(task, error, NULL);
    cancel_all_tasks(loop);
    td_aio_future_free(task);
    td_aio_set_event_loop(NULL);
    td_loop_free(loop);
    return rc;
}
