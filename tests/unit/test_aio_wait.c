/* SPDX-License-Identifier: MIT */
/* test_aio_wait.c - the awaits of task.h, after CPython's test_tasks.py: sleep's
 * order and sleep(0)'s round robin, gather (results in argument order, the first
 * exception at once while the others run on, return_exceptions, cancelling it cancels
 * the children, duplicates, nothing), gather_coros, wait (FIRST_COMPLETED,
 * FIRST_EXCEPTION, ALL_COMPLETED, a timeout), and wait_for (in time, timed out and
 * cancelled, a task that swallows the cancellation, the caller cancelled, timeout 0);
 * gather_coros, wait and gather writing into arrays that are the caller's locals on
 * the loop's shared stack while other tasks' frames use it.
 * Checks inside coroutines use CHECK (helpers.h), asserted after the run. No
 * outcome depends on how late the loop wakes: tasks that must still be running are
 * held by a gate (a future the test sets), and orders between sleeps follow from
 * their deadlines, which hold even when several fall due in one turn. */
#include "helpers.h"

#include <math.h>
#include <string.h>

static test_trace_t trace;

static void run_ok(td_aio_fn body, void *arg)
{
    trace.text[0] = '\0';
    assert_int_equal(td_aio_run((td_aio_coro_t){ body, arg, "main", NULL, 0, 0, false }, NULL, NULL), 0);
    test_assert_checks();
}

/* A coroutine that sleeps ms milliseconds (or, with ms < 0, waits for the gate to
 * open), says so, and returns its name. */
struct nap {
    const char *name;
    int ms;
    int code; /* raised after the nap when not 0 */
};

static td_aio_future_t *gate; /* made by a test's main; set to let gated naps end */

static td_aio_future_t *new_gate(void)
{
    CHECK_INT(td_aio_future_new(&gate, NULL), 0);
    return gate;
}

static int napper(void *arg, void **result)
{
    const struct nap *n = arg;
    int rc = n->ms < 0 ? td_aio_await(gate, NULL) : td_aio_sleep(n->ms / 1000.0);
    test_trace_add(&trace, "%s%s", n->name, rc == -ECANCELED ? "!" : "");
    if (rc != 0)
        return rc;
    *result = (void *)n->name;
    return n->code ? td_aio_raise(n->code, n->name) : 0;
}

static td_aio_task_t *nap(const struct nap *n)
{
    td_aio_task_t *t = NULL;
    CHECK_INT(td_aio_create_task(&t, TD_AIO_CORO(napper, (void *)n)), 0);
    return t;
}

static void free_all(td_aio_future_t **fs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        td_aio_future_free(fs[i]);
}

/* ---- sleep ---------------------------------------------------------------------------- */

static int ping(void *arg, void **result)
{
    (void)result;
    for (int i = 0; i < 3; i++) {
        test_trace_add(&trace, "%s%d", (const char *)arg, i);
        CHECK_INT(td_aio_sleep(0), 0); /* everyone ready runs once first */
    }
    return 0;
}

static int sleep_body(void *arg, void **result)
{
    (void)arg, (void)result;
    static const struct nap c = { "c30", 30, 0 }, a = { "a10", 10, 0 }, b = { "b20", 20, 0 };
    td_aio_task_t *ts[3]; /* made in this order (an initializer list's is unspecified) */
    ts[0] = nap(&c), ts[1] = nap(&a), ts[2] = nap(&b);
    CHECK_INT(td_aio_wait(ts, 3, TD_FOREVER, TD_ALL_COMPLETED, (bool[3]){ 0 }), 3);
    free_all(ts, 3);
    const td_aio_coro_t two[] = { TD_AIO_CORO(ping, "a"), TD_AIO_CORO(ping, "b") };
    CHECK_INT(td_aio_gather_coros(two, 2, NULL, NULL), 0);
    CHECK_INT(td_aio_sleep(NAN), -EINVAL);
    return 0;
}

static void sleeps_end_in_deadline_order_and_sleep0_takes_turns(void **state)
{
    (void)state;
    run_ok(sleep_body, NULL);
    assert_string_equal(trace.text, "a10 b20 c30 a0 b0 a1 b1 a2 b2");
}

/* ---- gather --------------------------------------------------------------------------- */

static int gather_body(void *arg, void **result)
{
    (void)arg, (void)result;
    static const struct nap slow = { "slow", 30, 0 }, quick = { "quick", 10, 0 },
                            bad = { "bad", 20, -EIO };
    td_aio_future_t *ts[3], *g;
    ts[0] = nap(&slow), ts[1] = nap(&quick);
    /* results in argument order, whatever order they finished in; duplicates too */
    td_aio_future_t *args[3] = { ts[0], ts[1], ts[0] };
    CHECK_INT(td_aio_gather(&g, args, 3, false), 0);
    void *r = NULL;
    CHECK_INT(td_aio_await(g, &r), 0);
    void **results = r;
    CHECK_STR(results[0], "slow");
    CHECK_STR(results[1], "quick");
    CHECK_STR(results[2], "slow");
    td_aio_future_free(g);
    free_all(ts, 2);
    /* the first exception, at once; the others run on */
    static const struct nap held = { "held", -1, 0 };
    new_gate();
    ts[0] = nap(&held), ts[1] = nap(&bad), ts[2] = nap(&quick);
    CHECK_INT(td_aio_gather(&g, ts, 3, false), 0);
    CHECK_INT(td_aio_await(g, NULL), TD_ETASK);
    int code = 0;
    td_aio_future_exception(g, &code, NULL);
    CHECK_INT(code, -EIO);
    CHECK(!td_aio_future_done(ts[0]));
    td_aio_future_set_result(gate, NULL);
    CHECK_INT(td_aio_await(ts[0], NULL), 0);
    td_aio_future_free(gate);
    td_aio_future_free(g);
    /* return_exceptions: every child's outcome, none raised */
    CHECK_INT(td_aio_gather(&g, ts, 3, true), 0);
    CHECK_INT(td_aio_await(g, &r), 0);
    results = r;
    CHECK(results[1] == NULL);
    CHECK_STR(results[2], "quick");
    td_aio_future_free(g);
    free_all(ts, 3);
    CHECK_INT(td_aio_gather(&g, NULL, 0, false), 0); /* nothing: done at once */
    CHECK(td_aio_future_done(g));
    td_aio_future_free(g);
    return 0;
}

static void gather_results_exceptions_and_order(void **state)
{
    (void)state;
    run_ok(gather_body, NULL);
    assert_string_equal(trace.text, "quick slow quick bad held");
}

static int gather_cancel_body(void *arg, void **result)
{
    (void)arg, (void)result;
    static const struct nap a = { "a", -1, 0 }, b = { "b", -1, 0 };
    new_gate();
    td_aio_future_t *ts[2], *g;
    ts[0] = nap(&a), ts[1] = nap(&b);
    CHECK_INT(td_aio_gather(&g, ts, 2, true), 0);
    CHECK_INT(td_aio_sleep(0), 0);
    CHECK(td_aio_future_cancel(g, NULL)); /* cancels the children */
    CHECK_INT(td_aio_await(g, NULL), -ECANCELED); /* even with return_exceptions */
    CHECK(td_aio_future_cancelled(ts[0]) && td_aio_future_cancelled(ts[1]));
    td_aio_future_free(g);
    free_all(ts, 2);
    td_aio_future_free(gate);
    /* gather_coros: results and codes for each */
    static const struct nap x = { "x", 5, 0 }, y = { "y", 1, TD_EEXCEPTION };
    const td_aio_coro_t coros[] = { TD_AIO_CORO(napper, (void *)&x), TD_AIO_CORO(napper, (void *)&y) };
    void *results[2];
    int errors[2];
    CHECK_INT(td_aio_gather_coros(coros, 2, results, errors), TD_ETASK);
    CHECK_STR(results[0], "x");
    CHECK_INT(errors[0], 0);
    CHECK(results[1] == NULL);
    CHECK_INT(errors[1], TD_EEXCEPTION);
    return 0;
}

static void cancelling_gather_cancels_the_children(void **state)
{
    (void)state;
    run_ok(gather_cancel_body, NULL);
    assert_string_equal(trace.text, "a! b! y x");
}

/* ---- wait ---------------------------------------------------------------------------- */

static int wait_body(void *arg, void **result)
{
    (void)arg, (void)result;
    static const struct nap a = { "a", 10, 0 }, b = { "b", -1, 0 }, c = { "c", -1, 0 },
                            e = { "e", 15, -EPIPE };
    bool done[3];
    new_gate();
    td_aio_task_t *ts[3]; /* made in this order (an initializer list's is unspecified) */
    ts[0] = nap(&c), ts[1] = nap(&a), ts[2] = nap(&b);
    CHECK_INT(td_aio_wait(ts, 3, TD_FOREVER, TD_FIRST_COMPLETED, done), 1);
    CHECK(!done[0] && done[1] && !done[2]);
    CHECK_INT(td_aio_wait(ts, 3, 0.005, TD_ALL_COMPLETED, done), 1); /* timed out */
    td_aio_future_set_result(gate, NULL);
    CHECK_INT(td_aio_wait(ts, 3, TD_FOREVER, TD_ALL_COMPLETED, done), 3);
    free_all(ts, 3);
    td_aio_future_free(gate);
    new_gate();
    ts[0] = nap(&c), ts[1] = nap(&e), ts[2] = nap(&a);
    CHECK_INT(td_aio_wait(ts, 3, TD_FOREVER, TD_FIRST_EXCEPTION, done), 2);
    CHECK(!done[0] && done[1] && done[2]);
    CHECK_INT(td_aio_wait(ts, 0, TD_FOREVER, TD_ALL_COMPLETED, done), -EINVAL);
    /* Python's call_later(-1.5): no error, one turn of the loop (issue 21) */
    CHECK_INT(td_aio_wait(ts, 3, -1.5, TD_ALL_COMPLETED, done), 2);
    CHECK_INT(td_aio_wait(ts, 3, NAN, TD_ALL_COMPLETED, done), -EINVAL);
    CHECK_INT(td_aio_wait(ts, 3, 1e100, TD_ALL_COMPLETED, done), -EOVERFLOW);
    CHECK_INT(td_aio_wait(ts, 3, TD_FOREVER, (td_return_when_t)7, done), -EINVAL);
    td_aio_future_set_result(gate, NULL);
    CHECK_INT(td_aio_wait(ts, 3, TD_FOREVER, TD_ALL_COMPLETED, done), 3);
    free_all(ts, 3);
    td_aio_future_free(gate);
    return 0;
}

static void wait_first_completed_first_exception_all_and_timeout(void **state)
{
    (void)state;
    run_ok(wait_body, NULL);
    assert_string_equal(trace.text, "a c b a e c"); /* the gated in the order they waited */
}

/* ---- wait_for ---------------------------------------------------------------------- */

static int swallows_cancel(void *arg, void **result)
{
    (void)arg;
    int rc = td_aio_sleep(10); /* cancelled here... */
    CHECK_INT(rc, -ECANCELED);
    *result = "swallowed"; /* ...and returns a value all the same */
    return 0;
}

static int wait_for_body(void *arg, void **result)
{
    (void)arg, (void)result;
    /* quick and bad end in the turns right after they start, before any timer */
    static const struct nap quick = { "quick", 0, 0 }, slow = { "slow", 10000, 0 },
                            bad = { "bad", 0, -ENOENT };
    void *r = NULL;
    td_aio_task_t *t = nap(&quick);
    CHECK_INT(td_aio_wait_for(t, 1, &r), 0);
    CHECK_STR(r, "quick");
    td_aio_future_free(t);
    t = nap(&slow);
    double start = td_monotonic();
    CHECK_INT(td_aio_wait_for(t, 0.02, &r), -ETIMEDOUT);
    CHECK(td_monotonic() - start >= 0.02);
    CHECK(td_aio_future_cancelled(t)); /* and it was waited for: done already */
    td_aio_future_free(t);
    t = nap(&bad);
    CHECK_INT(td_aio_wait_for(t, 1, &r), TD_ETASK); /* its own error, not the wait's */
    td_aio_future_free(t);
    CHECK_INT(td_aio_create_task(&t, TD_AIO_CORO(swallows_cancel, NULL)), 0);
    CHECK_INT(td_aio_wait_for(t, 0.01, &r), 0); /* bpo-40607: its result goes up */
    CHECK_STR(r, "swallowed");
    td_aio_future_free(t);
    t = nap(&slow);
    CHECK_INT(td_aio_wait_for(t, 0, &r), -ETIMEDOUT); /* timeout 0: cancelled at once */
    CHECK(td_aio_future_cancelled(t));
    CHECK_INT(td_aio_wait_for(t, 0, &r), -ECANCELED); /* done: its outcome */
    td_aio_future_free(t);
    /* Issue 21: negative is Python's `timeout <= 0`; NaN and overflow are refused
     * before the future is touched. */
    t = nap(&slow);
    CHECK_INT(td_aio_wait_for(t, NAN, &r), -EINVAL);
    CHECK_INT(td_aio_wait_for(t, TD_TIMEOUT_MAX * 2, &r), -EOVERFLOW);
    CHECK(!td_aio_future_cancelled(t));
    CHECK_INT(td_aio_wait_for(t, -1.0, &r), -ETIMEDOUT);
    CHECK(td_aio_future_cancelled(t));
    td_aio_future_free(t);
    return 0;
}

static void wait_for_in_time_timed_out_or_swallowed(void **state)
{
    (void)state;
    run_ok(wait_for_body, NULL);
    assert_string_equal(trace.text, "quick slow! bad"); /* the last never started */
}

static int waits_for_slow(void *arg, void **result)
{
    (void)result;
    return td_aio_wait_for(arg, 100, NULL);
}

static int wait_for_cancel_body(void *arg, void **result)
{
    (void)arg, (void)result;
    static const struct nap slow = { "slow", 10000, 0 };
    td_aio_task_t *inner = nap(&slow), *outer;
    CHECK_INT(td_aio_create_task(&outer, TD_AIO_CORO(waits_for_slow, inner)), 0);
    CHECK_INT(td_aio_sleep(0.01), 0);
    CHECK(td_aio_future_cancel(outer, NULL));
    CHECK_INT(td_aio_await(outer, NULL), -ECANCELED);
    CHECK(td_aio_future_cancelled(inner)); /* cancelled with its waiter, and done */
    td_aio_future_free(inner);
    td_aio_future_free(outer);
    return 0;
}

/* ---- the caller's arrays are its locals, on the loop's shared stack ------------------------ */

/* Deep frames of its own over the shared stack while the caller waits, then a result
 * made from its argument. */
static __attribute__((noinline)) intptr_t scribble(int depth)
{
    volatile intptr_t frame[64];
    for (int i = 0; i < 64; i++)
        frame[i] = -1 - i;
    return depth == 0 ? frame[3] : scribble(depth - 1) + frame[depth % 64];
}

static int doubles(void *arg, void **result)
{
    intptr_t n = (intptr_t)arg;
    CHECK(scribble(20) < 0);
    int rc = td_aio_sleep(n % 3 ? 0.001 * (double)(n % 3) : 0);
    CHECK(scribble(10) < 0);
    *result = (void *)(2 * n);
    return rc != 0 ? rc : n == 5 ? td_aio_raise(TD_EEXCEPTION, "five") : 0;
}

enum { LOCALS = 8 };

static int locals_body(void *arg, void **result)
{
    (void)arg, (void)result;
    /* every array here is a local of this task, which runs on the shared stack */
    td_aio_coro_t coros[LOCALS];
    void *results[LOCALS];
    int errors[LOCALS];
    bool done[LOCALS];
    td_aio_task_t *tasks[LOCALS];
    CHECK(td_coro_stack_holds(td_coro_shared_stack(td_coro_current()), results));
    for (intptr_t i = 0; i < LOCALS; i++)
        coros[i] = TD_AIO_CORO(doubles, (void *)i);
    memset(results, 0xaa, sizeof results);
    CHECK_INT(td_aio_gather_coros(coros, LOCALS, results, errors), TD_ETASK);
    for (intptr_t i = 0; i < LOCALS; i++) {
        CHECK_INT(errors[i], i == 5 ? TD_EEXCEPTION : 0);
        CHECK(results[i] == (i == 5 ? NULL : (void *)(2 * i)));
    }
    for (intptr_t i = 0; i < LOCALS; i++)
        CHECK_INT(td_aio_create_task(&tasks[i], TD_AIO_CORO(doubles, (void *)i)), 0);
    memset(done, 0, sizeof done);
    CHECK_INT(td_aio_wait(tasks, LOCALS, TD_FOREVER, TD_ALL_COMPLETED, done), LOCALS);
    for (int i = 0; i < LOCALS; i++)
        CHECK(done[i]);
    td_aio_future_t *all;
    CHECK_INT(td_aio_gather(&all, tasks, LOCALS, true), 0);
    void *list = NULL;
    CHECK_INT(td_aio_await(all, &list), 0);
    for (intptr_t i = 0; i < LOCALS; i++)
        CHECK(((void **)list)[i] == (i == 5 ? NULL : (void *)(2 * i)));
    td_aio_future_free(all);
    free_all(tasks, LOCALS);
    return 0;
}

static void results_into_the_callers_locals(void **state)
{
    (void)state;
    run_ok(locals_body, NULL);
}

static void cancelling_wait_for_cancels_the_awaited(void **state)
{
    (void)state;
    run_ok(wait_for_cancel_body, NULL);
    assert_string_equal(trace.text, "slow!");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sleeps_end_in_deadline_order_and_sleep0_takes_turns),
        cmocka_unit_test(gather_results_exceptions_and_order),
        cmocka_unit_test(cancelling_gather_cancels_the_children),
        cmocka_unit_test(wait_first_completed_first_exception_all_and_timeout),
        cmocka_unit_test(wait_for_in_time_timed_out_or_swallowed),
        cmocka_unit_test(cancelling_wait_for_cancels_the_awaited),
        cmocka_unit_test(results_into_the_callers_locals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
