/* SPDX-License-Identifier: MIT */
/* gather.c - asyncio.gather (task.h): tasks.py's _GatheringFuture, with a done
 * callback on each child, and gather_coros, the await of a gather of new tasks.
 *
 * DESIGN. CPython 3.11's own construction, kept step for step because the order of
 * callbacks is what a trace shows: the outer future is a gathering one (its ops:
 * gather_ops, so futures reach its cancel and its freeing without naming them); each
 * distinct child gets _done_callback, holding a reference to the outer future, which
 * is released when the callback runs or is dropped. The first child to fail (unless
 * return_exceptions) finishes the outer future; otherwise the last child to finish
 * collects every result, in the order given. Cancelling the outer future cancels the
 * children, and it ends cancelled (bpo-32684) once they have.
 */
#include <stdlib.h>
#include <string.h>

#include "aio.h"

/* ---- helpers: which futures are distinct ------------------------------------------------- */

static int by_address(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t) * (td_aio_future_t *const *)a;
    uintptr_t y = (uintptr_t) * (td_aio_future_t *const *)b;
    return x < y ? -1 : x > y;
}

size_t td__mark_first(td_aio_future_t *const *futs, size_t n, bool *first)
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

int td__check_futures(td_aio_future_t *const *futs, size_t n, td_loop_t **loop)
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

/* tasks.py's _GatheringFuture: a future over its children. */
struct aio_gather {
    struct td_aio_future base;
    td_aio_future_t **children; /* references, duplicates included */
    size_t n, n_unique, finished;
    bool return_exceptions;
    bool cancel_requested;
    void **results;
};

static bool gather_cancel(td_aio_future_t *f, const char *msg);
static void gather_destroy(td_aio_future_t *f);

static const struct td__afut_ops gather_ops = {
    "_GatheringFuture", gather_cancel, gather_destroy, NULL, NULL, false
};

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

static bool gather_cancel(td_aio_future_t *f, const char *msg)
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

static void gather_destroy(td_aio_future_t *f)
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
                                         "gather.<locals>._done_callback()", td__afut_release);
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
    int rc = outer ? td__check_futures(futs, n, &loop) : -EINVAL;
    if (rc != 0)
        return rc;
    if (n == 0)
        return gather_nothing(outer);
    bool *first = malloc(n * sizeof *first);
    struct aio_gather *g = (struct aio_gather *)td__afut_alloc(loop, sizeof *g, &gather_ops);
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
        (!distinct && (g->n_unique = td__mark_first(futs, n, first)) == 0)) {
        free(first);
        td_aio_future_free(g ? &g->base : NULL);
        return -ENOMEM;
    }
    g->n = n;
    g->return_exceptions = return_exceptions;
    rc = gather_link(g, futs, first);
    free(first);
    if (rc != 0) {
        gather_cancel(&g->base, NULL);
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
