/* SPDX-License-Identifier: MIT */
/* wait.c - the awaits of tasks.py (task.h): sleep, wait, wait_for.
 *
 * DESIGN. Each is CPython 3.11's own construction, kept step for step because the
 * order of callbacks is what a trace shows: sleep is a future and a call_later that
 * sets it; wait a waiter future released by the children's callbacks (or a timeout);
 * wait_for a waiter released by the future or a timer, then _cancel_and_wait on a
 * timeout. Where CPython's closures keep state alive for callbacks that may run after
 * the awaiting coroutine has moved on, the state here is on the heap with a reference
 * per registered callback (released when it runs or is dropped), never on the
 * awaiting coroutine's stack.
 */
#include <math.h>
#include <stdlib.h>

#include "aio.h"

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
        /* Reported as a sleep, not as an await: only the clock (or a cancel) ends it,
         * and a trace or timeline shows it as such. */
        TD__OBSERVE_WAIT(TD_OBS_WAIT_BEGIN, "sleep", future, 0, delay);
        rc = td__await(future, NULL);
        TD__OBSERVE(TD_OBS_WAIT_END, "sleep", future, rc == 0 ? -ETIMEDOUT : 0);
        td_loop_handle_cancel(timer); /* finally: h.cancel() */
        td_loop_handle_free(timer);
    }
    td_aio_future_free(future);
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
    return rc != 0 ? rc : td__check_futures(futs, n, loop);
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
    if (!first || !w || (w->counter = td__mark_first(futs, n, first)) == 0 ||
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
                                     "_release_waiter()", td__afut_release);
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
