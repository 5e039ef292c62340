/* SPDX-License-Identifier: MIT */
/* test_future.c - Future results kept apart from the wait's outcome (TD_ETASK),
 * concurrent.futures.wait with each return_when, as_completed, and Executor.map.
 * Tasks are gated by events the test opens, so every order asserted is causal. */
#include "helpers.h"

#include <math.h>
#include <stdint.h>

struct gate {
    td_event_t open;
    int rc;
    uintptr_t value;
};

static int gated(void *arg, void **result)
{
    struct gate *g = arg;
    td_event_wait(&g->open, TD_FOREVER);
    *result = (void *)g->value;
    return g->rc;
}

static void gates_init(struct gate *g, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        td_event_init(&g[i].open);
        g[i].rc = 0;
        g[i].value = i + 100;
    }
}

/* Bug fixed: a task that itself returned -ETIMEDOUT or -ECANCELED looked like a
 * timed-out or cancelled wait. */
static void task_codes_are_not_wait_outcomes(void **state)
{
    (void)state;
    td_pool_t *pool;
    assert_int_equal(td_pool_new(&pool, 2, NULL), 0);
    struct gate g[2];
    gates_init(g, 2);
    g[0].rc = -ETIMEDOUT;
    g[1].rc = -ECANCELED;
    td_future_t *f0, *f1;
    assert_int_equal(td_pool_submit(pool, gated, &g[0], &f0), 0);
    assert_int_equal(td_pool_submit(pool, gated, &g[1], &f1), 0);
    assert_int_equal(td_future_result(f0, 0.01, NULL), -ETIMEDOUT); /* a real timeout */
    int err = 0;
    assert_int_equal(td_future_exception(f0, 0, &err), -ETIMEDOUT);
    td_event_set(&g[0].open);
    td_event_set(&g[1].open);
    void *result = NULL;
    assert_int_equal(td_future_result(f0, TD_FOREVER, &result), TD_ETASK);
    assert_int_equal((uintptr_t)result, 100);
    assert_int_equal(td_future_exception(f0, TD_FOREVER, &err), 0);
    assert_int_equal(err, -ETIMEDOUT); /* the task's own code */
    assert_int_equal(td_future_result(f1, TD_FOREVER, NULL), TD_ETASK);
    assert_int_equal(td_future_exception(f1, TD_FOREVER, &err), 0);
    assert_int_equal(err, -ECANCELED);
    assert_false(td_future_cancelled(f1));
    /* Issue 21: Python's result(-2) does not wait; it is not a ValueError. */
    assert_int_equal(td_future_result(f1, -2, NULL), TD_ETASK);
    assert_int_equal(td_future_result(f1, NAN, NULL), -EINVAL);
    td_future_free(f0);
    td_future_free(f1);
    td_pool_free(pool);
}

/* Issue 24: *result is written on every return of td_future_result: the task's value
 * on 0 and TD_ETASK, NULL on a timeout, a cancel or a bad timeout (never stale). */
static void result_written_on_every_return(void **state)
{
    (void)state;
    static int stale;
    td_pool_t *pool;
    assert_int_equal(td_pool_new(&pool, 1, NULL), 0);
    struct gate g[2];
    gates_init(g, 2);
    g[0].rc = -EIO;
    td_future_t *f0, *f1;
    assert_int_equal(td_pool_submit(pool, gated, &g[0], &f0), 0);
    assert_int_equal(td_pool_submit(pool, gated, &g[1], &f1), 0); /* queued behind f0 */
    void *result = &stale;
    assert_int_equal(td_future_result(f0, 0, &result), -ETIMEDOUT);
    assert_null(result);
    result = &stale;
    assert_int_equal(td_future_result(f0, NAN, &result), -EINVAL);
    assert_null(result);
    result = &stale;
    assert_int_equal(td_future_result(f0, 1e300, &result), -EOVERFLOW);
    assert_null(result);
    assert_true(td_future_cancel(f1)); /* one worker, busy with f0: f1 has not started */
    result = &stale;
    assert_int_equal(td_future_result(f1, TD_FOREVER, &result), -ECANCELED);
    assert_null(result);
    td_event_set(&g[0].open);
    result = &stale;
    assert_int_equal(td_future_result(f0, TD_FOREVER, &result), TD_ETASK);
    assert_int_equal((uintptr_t)result, 100); /* what the failing task stored */
    td_future_free(f0);
    td_future_free(f1);
    td_pool_free(pool);
}

static void submit_all(td_pool_t *pool, struct gate *g, td_future_t **f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        assert_int_equal(td_pool_submit(pool, gated, &g[i], &f[i]), 0);
}

static void free_all(td_future_t **f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        td_future_free(f[i]);
}

/* CPython's test_first_completed, test_first_exception, test_all_completed and
 * test_timeout (test_concurrent_futures/test_wait.py). */
static void wait_return_when(void **state)
{
    (void)state;
    enum { N = 3 };
    td_pool_t *pool;
    assert_int_equal(td_pool_new(&pool, N, NULL), 0);
    struct gate g[N];
    gates_init(g, N);
    g[2].rc = -EIO;
    td_future_t *f[N];
    submit_all(pool, g, f, N);
    bool done[N];

    assert_int_equal(td_futures_wait(f, N, 0.05, TD_ALL_COMPLETED, done), 0); /* timeout */
    td_event_set(&g[1].open);
    assert_int_equal(td_futures_wait(f, N, TD_FOREVER, TD_FIRST_COMPLETED, done), 1);
    assert_false(done[0]);
    assert_true(done[1]);
    assert_false(done[2]);
    /* FIRST_EXCEPTION waits past a success for the failure. */
    td_event_set(&g[2].open);
    assert_int_equal(td_futures_wait(f, N, TD_FOREVER, TD_FIRST_EXCEPTION, done), 2);
    assert_true(done[2]);
    assert_false(done[0]);
    td_event_set(&g[0].open);
    assert_int_equal(td_futures_wait(f, N, TD_FOREVER, TD_ALL_COMPLETED, done), N);
    assert_int_equal(td_futures_wait(f, N, 0, TD_FIRST_EXCEPTION, done), N);
    assert_int_equal(td_futures_wait(NULL, 0, TD_FOREVER, TD_ALL_COMPLETED, NULL), 0);
    assert_int_equal(td_futures_wait(f, N, TD_FOREVER, (td_return_when_t)9, done), -EINVAL);
    free_all(f, N);
    td_pool_free(pool);
}

/* FIRST_EXCEPTION with no failure is ALL_COMPLETED. */
static void first_exception_without_one(void **state)
{
    (void)state;
    enum { N = 2 };
    td_pool_t *pool;
    assert_int_equal(td_pool_new(&pool, N, NULL), 0);
    struct gate g[N];
    gates_init(g, N);
    td_future_t *f[N];
    submit_all(pool, g, f, N);
    td_event_set(&g[0].open);
    bool done[N];
    assert_int_equal(td_futures_wait(f, N, 0.05, TD_FIRST_EXCEPTION, done), 1);
    td_event_set(&g[1].open);
    assert_int_equal(td_futures_wait(f, N, TD_FOREVER, TD_FIRST_EXCEPTION, done), N);
    free_all(f, N);
    td_pool_free(pool);
}

/* as_completed gives the done futures first, then each as it completes (the order
 * the test opens the gates), once each even when listed twice, and a timeout for
 * the rest. CPython's test_as_completed.py. */
static void as_completed_order(void **state)
{
    (void)state;
    enum { N = 4 };
    td_pool_t *pool;
    assert_int_equal(td_pool_new(&pool, N, NULL), 0);
    struct gate g[N];
    gates_init(g, N);
    td_future_t *f[N];
    submit_all(pool, g, f, N);
    td_event_set(&g[2].open);
    assert_int_equal(td_future_result(f[2], TD_FOREVER, NULL), 0);
    td_future_t *listed[N + 1] = { f[0], f[1], f[2], f[3], f[2] };
    td_as_completed_t *it;
    assert_int_equal(td_as_completed_new(&it, listed, N + 1, TD_FOREVER), 0);
    assert_int_equal(td_as_completed_left(it), N);
    td_future_t *next;
    assert_int_equal(td_as_completed_next(it, &next), 0);
    assert_ptr_equal(next, f[2]);
    const int order[] = { 3, 0, 1 };
    for (int k = 0; k < 3; k++) {
        td_event_set(&g[order[k]].open);
        assert_int_equal(td_as_completed_next(it, &next), 0);
        assert_ptr_equal(next, f[order[k]]);
    }
    assert_int_equal(td_as_completed_next(it, &next), -ENODATA);
    td_as_completed_free(it);
    free_all(f, N);
    td_pool_free(pool);
}

static void as_completed_timeout(void **state)
{
    (void)state;
    td_pool_t *pool;
    assert_int_equal(td_pool_new(&pool, 1, NULL), 0);
    struct gate g[1];
    gates_init(g, 1);
    td_future_t *f[1];
    submit_all(pool, g, f, 1);
    td_as_completed_t *it;
    assert_int_equal(td_as_completed_new(&it, f, 1, 0.05), 0);
    td_future_t *next;
    double start = test_now();
    assert_int_equal(td_as_completed_next(it, &next), -ETIMEDOUT);
    assert_elapsed(start, 0.05);
    assert_int_equal(td_as_completed_left(it), 1);
    td_as_completed_free(it);
    td_event_set(&g[0].open);
    free_all(f, 1);
    td_pool_free(pool);
}

static int square(void *arg, void **result)
{
    uintptr_t n = (uintptr_t)arg;
    *result = (void *)(n * n);
    return n == 13 ? -EDOM : 0;
}

/* Executor.map: results in argument order; the first failure in order stops it
 * and cancels what has not started. CPython's test_map and test_map_exception. */
static void map_in_order(void **state)
{
    (void)state;
    enum { N = 50 };
    td_pool_t *pool;
    assert_int_equal(td_pool_new(&pool, 4, NULL), 0);
    void *args[N], *results[N];
    int errors[N];
    for (uintptr_t i = 0; i < N; i++)
        args[i] = (void *)i;
    args[13] = (void *)(uintptr_t)12; /* no failure this time */
    assert_int_equal(td_pool_map(pool, square, args, N, TD_FOREVER, results, errors), 0);
    for (uintptr_t i = 0; i < N; i++) {
        uintptr_t n = (uintptr_t)args[i];
        assert_int_equal((uintptr_t)results[i], n * n);
        assert_int_equal(errors[i], 0);
    }
    args[13] = (void *)(uintptr_t)13;
    assert_int_equal(td_pool_map(pool, square, args, N, TD_FOREVER, results, errors), TD_ETASK);
    assert_int_equal(errors[13], -EDOM);
    for (int i = 0; i < 13; i++)
        assert_int_equal(errors[i], 0);
    for (int i = 14; i < N; i++) { /* cancelled, still running, or finished */
        assert_true(errors[i] == -ECANCELED || errors[i] == -EINPROGRESS || errors[i] == 0);
        if (errors[i] == 0)
            assert_int_equal((uintptr_t)results[i], (uintptr_t)i * i);
    }
    assert_int_equal(td_pool_map(pool, square, args, 0, TD_FOREVER, NULL, NULL), 0);
    td_pool_free(pool);
}

/* map's timeout covers all the results, from the end of the submits. */
static void map_timeout(void **state)
{
    (void)state;
    td_pool_t *pool;
    assert_int_equal(td_pool_new(&pool, 2, NULL), 0);
    struct gate g[2];
    gates_init(g, 2);
    void *args[2] = { &g[0], &g[1] };
    int errors[2];
    td_event_set(&g[0].open);
    double start = test_now();
    assert_int_equal(td_pool_map(pool, gated, args, 2, 0.05, NULL, errors), -ETIMEDOUT);
    assert_elapsed(start, 0.05);
    assert_int_equal(errors[0], 0);
    assert_int_equal(errors[1], -ETIMEDOUT);
    td_event_set(&g[1].open);
    td_pool_free(pool); /* waits for the task still running */
}

struct idents {
    td_event_t first_started, stop;
    atomic_int ran[3]; /* first, second, third */
};

struct ident_arg {
    struct idents *log;
    int ident;
};

static int log_n_wait(void *arg, void **result)
{
    (void)result;
    struct ident_arg *a = arg;
    atomic_fetch_add(&a->log->ran[a->ident], 1);
    if (a->ident == 0)
        td_event_set(&a->log->first_started);
    td_event_wait(&a->log->stop, TD_FOREVER);
    return 0;
}

/* Issue 21, bug fixed: map cancelled the futures after the one it timed out on but
 * not that one, so "second" ran after map had returned. CPython's test of this
 * name: one worker, held by "first", so "second" and "third" cannot start before
 * map gives up; neither may run afterwards. */
static void test_executor_map_current_future_cancel(void **state)
{
    (void)state;
    td_pool_t *pool;
    assert_int_equal(td_pool_new(&pool, 1, NULL), 0);
    struct idents log;
    td_event_init(&log.first_started);
    td_event_init(&log.stop);
    for (int i = 0; i < 3; i++)
        atomic_init(&log.ran[i], 0);
    struct ident_arg first = { &log, 0 }, second = { &log, 1 }, third = { &log, 2 };
    td_future_t *fut;
    assert_int_equal(td_pool_submit(pool, log_n_wait, &first, &fut), 0);
    td_event_wait(&log.first_started, TD_FOREVER);
    void *args[2] = { &second, &third };
    int errors[2];
    assert_int_equal(td_pool_map(pool, log_n_wait, args, 2, 0, NULL, errors), -ETIMEDOUT);
    td_event_set(&log.stop);
    assert_int_equal(td_future_result(fut, TD_FOREVER, NULL), 0);
    td_future_free(fut);
    td_pool_shutdown(pool, true, false); /* every task that will ever run has run */
    assert_int_equal(errors[0], -ETIMEDOUT);
    assert_int_equal(errors[1], -ECANCELED);
    assert_int_equal(atomic_load(&log.ran[0]), 1);
    assert_int_equal(atomic_load(&log.ran[1]), 0); /* cancelled: it timed out */
    assert_int_equal(atomic_load(&log.ran[2]), 0); /* cancelled: after it */
    td_pool_free(pool);
}

/* Issue 21, bug fixed: when a submit failed, the results and codes of the arguments
 * never submitted were left as they were (here: every one, the pool being shut). */
static void map_submit_fails(void **state)
{
    (void)state;
    enum { N = 3 };
    td_pool_t *pool;
    assert_int_equal(td_pool_new(&pool, 1, NULL), 0);
    td_pool_shutdown(pool, true, false);
    void *args[N] = { (void *)1, (void *)2, (void *)3 };
    static int unwritten;
    void *results[N] = { &unwritten, &unwritten, &unwritten };
    int errors[N] = { 12345, 12345, 12345 };
    assert_int_equal(td_pool_map(pool, square, args, N, TD_FOREVER, results, errors),
                     -ESHUTDOWN);
    for (int i = 0; i < N; i++) {
        assert_int_equal(errors[i], -ESHUTDOWN);
        assert_null(results[i]);
    }
    td_pool_free(pool);
}

struct wait_call {
    td_future_t **futures;
    size_t n;
    int marked;
};

static void wait_all_forever(void *arg)
{
    struct wait_call *c = arg;
    bool done[8];
    c->marked = td_futures_wait(c->futures, c->n, TD_FOREVER, TD_ALL_COMPLETED, done);
}

/* Issue 21, bug fixed: shutdown(cancel_futures) left the queued futures cancelled
 * but never noticed, so a wait() without timeout on them never returned. The wait
 * runs in a thread joined with a generous limit: a hang fails, it does not hang. */
static void wait_after_shutdown_cancel_futures(void **state)
{
    (void)state;
    enum { N = 4 };
    td_pool_t *pool;
    assert_int_equal(td_pool_new(&pool, 1, NULL), 0);
    static struct idents log; /* static: a wait that hangs outlives this frame */
    td_event_init(&log.first_started);
    td_event_init(&log.stop);
    static struct ident_arg args[N];
    static td_future_t *f[N];
    for (int i = 0; i < N; i++) {
        args[i] = (struct ident_arg){ &log, i ? 1 : 0 };
        assert_int_equal(td_pool_submit(pool, log_n_wait, &args[i], &f[i]), 0);
    }
    td_event_wait(&log.first_started, TD_FOREVER); /* one worker: the rest queued */
    td_pool_shutdown(pool, false, true);
    static struct wait_call call = { f + 1, N - 1, -1 };
    td_thread_t *t = test_start_daemon(wait_all_forever, &call);
    int joined = td_thread_join(t, 30);
    td_event_set(&log.stop);
    td_pool_free(pool);
    assert_int_equal(joined, 0);
    td_thread_free(t);
    assert_int_equal(call.marked, N - 1);
    assert_int_equal(td_future_result(f[0], TD_FOREVER, NULL), 0);
    for (int i = 1; i < N; i++)
        assert_true(td_future_cancelled(f[i]));
    free_all(f, N);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(task_codes_are_not_wait_outcomes),
        cmocka_unit_test(wait_return_when),
        cmocka_unit_test(first_exception_without_one),
        cmocka_unit_test(as_completed_order),
        cmocka_unit_test(as_completed_timeout),
        cmocka_unit_test(map_in_order),
        cmocka_unit_test(map_timeout),
        cmocka_unit_test(test_executor_map_current_future_cancel),
        cmocka_unit_test(map_submit_fails),
        cmocka_unit_test(result_written_on_every_return),
        cmocka_unit_test(wait_after_shutdown_cancel_futures),
    };
    return test_run_cases(tests);
}
