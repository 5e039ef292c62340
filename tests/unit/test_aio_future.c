/* SPDX-License-Identifier: MIT */
/* test_aio_future.c - asyncio.Future and Task (task.h), after CPython's
 * test_asyncio/test_futures.py and test_tasks.py: every state change, done callbacks
 * scheduled once each in order, results and exceptions through await (re-raised by a
 * body that returns TD_ETASK), cancellation thrown in at the await (caught, or
 * propagated), a task cancelled before it ran, Task-N names, reprs with the line a
 * task waits at, current_task and all_tasks, and misuse as error codes. */
#include "helpers.h"

#include <stdio.h>
#include <string.h>

/* Run coro as asyncio.run does; the test fails unless it gives want. */
static void run_expect(td_aio_coro_t coro, int want)
{
    int error = 0;
    assert_int_equal(td_aio_run(coro, NULL, &error), want);
    test_assert_checks();
}

/* ---- futures ------------------------------------------------------------------------ */

static test_trace_t cb_trace;

static void note_done(td_aio_future_t *f, void *name)
{
    void *value = NULL;
    int rc = td_aio_future_result(f, &value);
    test_trace_add(&cb_trace, "%s:%d", (const char *)name, rc);
}

static int states_body(void *arg, void **result)
{
    (void)arg, (void)result;
    td_aio_future_t *f;
    CHECK_INT(td_aio_future_new(&f, NULL), 0);
    void *value = NULL;
    CHECK(!(td_aio_future_done(f)));
    CHECK_INT(td_aio_future_result(f, &value), -EAGAIN); /* InvalidStateError */
    CHECK_INT(td_aio_future_exception(f, NULL, NULL), -EAGAIN);
    td_aio_future_add_done_callback(f, note_done, "a");
    td_aio_future_add_done_callback(f, note_done, "b");
    td_aio_future_add_done_callback(f, note_done, "gone");
    td_aio_future_add_done_callback(f, note_done, "c");
    CHECK_INT(td_aio_future_remove_done_callback(f, note_done, "gone"), 1);
    CHECK_INT(td_aio_future_set_result(f, "v"), 0);
    CHECK_STR(cb_trace.text, ""); /* callbacks are scheduled, not called */
    CHECK_INT(td_aio_future_set_result(f, "w"), -EINVAL);
    CHECK_INT(td_aio_future_set_exception(f, -EIO, NULL), -EINVAL);
    CHECK(!(td_aio_future_cancel(f, NULL)));
    CHECK_INT(td_aio_sleep(0), 0); /* one turn: the callbacks run */
    CHECK_STR(cb_trace.text, "a:0 b:0 c:0");
    td_aio_future_add_done_callback(f, note_done, "late"); /* done: scheduled at once */
    CHECK_INT(td_aio_sleep(0), 0);
    CHECK_STR(cb_trace.text, "a:0 b:0 c:0 late:0");
    CHECK_INT(td_aio_future_result(f, &value), 0);
    CHECK_STR(value, "v");
    td_aio_future_free(f);
    return 0;
}

static void future_states_and_callbacks(void **state)
{
    (void)state;
    cb_trace.text[0] = '\0';
    run_expect(TD_AIO_CORO(states_body, NULL), 0);
}

static int exception_body(void *arg, void **result)
{
    (void)arg, (void)result;
    td_aio_future_t *f, *c;
    td_loop_t *loop = td_aio_get_running_loop();
    CHECK_INT(td_aio_future_new(&f, loop), 0);
    CHECK_INT(td_aio_future_new(&c, loop), 0);
    CHECK_INT(td_aio_future_set_exception(f, 0, "not an error"), -EINVAL);
    CHECK_INT(td_aio_future_set_exception(f, TD_EEXCEPTION, "went wrong"), 0);
    int code = 0;
    const char *message = NULL;
    CHECK_INT(td_aio_future_exception(f, &code, &message), 0);
    CHECK_INT(code, TD_EEXCEPTION);
    CHECK_STR(message, "went wrong");
    CHECK_INT(td_aio_future_result(f, NULL), TD_ETASK);
    CHECK_INT(td_aio_await(f, NULL), TD_ETASK); /* done: no suspension */
    CHECK(td_aio_future_cancel(c, "why"));
    CHECK(td_aio_future_cancelled(c));
    CHECK(td_aio_future_done(c));
    CHECK(!(td_aio_future_cancel(c, NULL))); /* once */
    CHECK_INT(td_aio_future_result(c, NULL), -ECANCELED);
    CHECK_INT(td_aio_future_exception(c, NULL, NULL), -ECANCELED);
    CHECK_INT(td_aio_future_set_result(c, NULL), -EINVAL);
    CHECK_INT(td_aio_await(c, NULL), -ECANCELED);
    char repr[256];
    td_aio_future_repr(f, repr, sizeof repr);
    CHECK_STR(repr, "<Future finished exception=Exception('went wrong')>");
    td_aio_future_repr(c, repr, sizeof repr);
    CHECK_STR(repr, "<Future cancelled>");
    td_aio_future_free(f);
    td_aio_future_free(c);
    return 0;
}

static void future_exception_and_cancel(void **state)
{
    (void)state;
    run_expect(TD_AIO_CORO(exception_body, NULL), 0);
}

/* ---- tasks: results, exceptions, propagation -------------------------------------------- */

static int raises(void *arg, void **result)
{
    (void)result;
    int rc = td_aio_sleep(0.001);
    if (rc != 0)
        return rc;
    return td_aio_raise(*(const int *)arg, "from raises");
}

static int middle(void *arg, void **result)
{
    (void)result;
    td_aio_task_t *inner;
    int rc = td_aio_create_task(&inner, TD_AIO_CORO(raises, arg));
    if (rc == 0)
        rc = td_aio_await(inner, NULL); /* TD_ETASK: returning it re-raises */
    td_aio_future_free(inner);
    return rc;
}

static int propagation_body(void *arg, void **result)
{
    (void)arg, (void)result;
    static const int code = -ENOENT;
    td_aio_task_t *t;
    CHECK_INT(td_aio_create_task(&t, TD_AIO_CORO(middle, (void *)&code)), 0);
    CHECK_INT(td_aio_await(t, NULL), TD_ETASK);
    int got = 0;
    const char *message = NULL;
    CHECK_INT(td_aio_future_exception(t, &got, &message), 0);
    CHECK_INT(got, -ENOENT); /* the inner task's, through two awaits */
    CHECK_STR(message, "from raises");
    td_aio_future_free(t);
    return td_aio_raise(TD_EEXCEPTION, "main's own");
}

static void exceptions_propagate_through_awaits(void **state)
{
    (void)state;
    int error = 0;
    assert_int_equal(td_aio_run(TD_AIO_CORO(propagation_body, NULL), NULL, &error), TD_ETASK);
    test_assert_checks();
    assert_int_equal(error, TD_EEXCEPTION);
}

static int returns_value(void *arg, void **result)
{
    *result = arg;
    return 0;
}

static void run_gives_the_result(void **state)
{
    (void)state;
    void *result = NULL;
    assert_int_equal(td_aio_run(TD_AIO_CORO(returns_value, "done"), &result, NULL), 0);
    assert_string_equal(result, "done");
    assert_int_equal(td_aio_run((td_aio_coro_t){ 0 }, NULL, NULL), -EINVAL);
}

/* ---- cancellation ------------------------------------------------------------------------ */

struct cancel_probe {
    int sleep_rc;  /* what the await gave */
    bool catches;  /* carry on after CancelledError */
    int ran;
};

static int sleeps_long(void *arg, void **result)
{
    struct cancel_probe *p = arg;
    p->ran++;
    p->sleep_rc = td_aio_sleep(3600);
    if (p->sleep_rc == -ECANCELED && !p->catches)
        return -ECANCELED;
    *result = "carried on";
    return 0;
}

static int cancel_body(void *arg, void **result)
{
    (void)arg, (void)result;
    /* static: the tasks use them while this one waits (task.h's pointer rule) */
    static struct cancel_probe propagates, catches, never;
    propagates = never = (struct cancel_probe){ 0 };
    catches = (struct cancel_probe){ .catches = true };
    td_aio_task_t *a, *b, *c;
    td_aio_create_task(&a, TD_AIO_CORO(sleeps_long, &propagates));
    td_aio_create_task(&b, TD_AIO_CORO(sleeps_long, &catches));
    td_aio_create_task(&c, TD_AIO_CORO(sleeps_long, &never));
    CHECK(td_aio_future_cancel(c, "before it ran")); /* it never will */
    CHECK_INT(td_aio_task_cancelling(c), 1);
    CHECK_INT(td_aio_sleep(0), 0); /* a and b run to their sleeps */
    CHECK(td_aio_future_cancel(a, "stop"));
    CHECK(td_aio_future_cancel(b, NULL));
    char repr[256];
    td_aio_future_repr(a, repr, sizeof repr);
    CHECK((strstr(repr, "<Task cancelling name=")) != NULL);
    void *value = NULL;
    CHECK_INT(td_aio_await(a, NULL), -ECANCELED);
    CHECK_INT(td_aio_await(b, &value), 0);
    CHECK_INT(td_aio_await(c, NULL), -ECANCELED);
    CHECK_INT(propagates.sleep_rc, -ECANCELED);
    CHECK(td_aio_future_cancelled(a));
    CHECK_INT(catches.sleep_rc, -ECANCELED);
    CHECK(!(td_aio_future_cancelled(b))); /* caught: it finished normally */
    CHECK_STR(value, "carried on");
    CHECK_INT(never.ran, 0);
    CHECK(!(td_aio_future_cancel(a, NULL))); /* done */
    td_aio_future_free(a);
    td_aio_future_free(b);
    td_aio_future_free(c);
    return 0;
}

static void cancellation_is_thrown_in_at_the_await(void **state)
{
    (void)state;
    run_expect(TD_AIO_CORO(cancel_body, NULL), 0);
}

static int awaits_task(void *task, void **result)
{
    (void)result;
    return td_aio_await(task, NULL);
}

static int chain_body(void *arg, void **result)
{
    (void)arg, (void)result;
    static struct cancel_probe inner_probe; /* static: inner uses it while we wait */
    inner_probe = (struct cancel_probe){ 0 };
    td_aio_task_t *inner, *outer;
    td_aio_create_task(&inner, TD_AIO_CORO(sleeps_long, &inner_probe));
    td_aio_create_task(&outer, TD_AIO_CORO(awaits_task, inner));
    td_aio_sleep(0);
    td_aio_future_cancel(outer, NULL); /* cancels what it awaits: the inner task */
    CHECK_INT(td_aio_await(outer, NULL), -ECANCELED);
    CHECK(td_aio_future_cancelled(inner));
    CHECK_INT(inner_probe.sleep_rc, -ECANCELED);
    td_aio_future_free(inner);
    td_aio_future_free(outer);
    return 0;
}

static void cancelling_a_waiting_task_cancels_what_it_awaits(void **state)
{
    (void)state;
    run_expect(TD_AIO_CORO(chain_body, NULL), 0);
}

/* ---- names, repr, current_task, all_tasks, misuse --------------------------------------- */

static int line_of_sleep;

static int naps(void *arg, void **result)
{
    (void)arg, (void)result;
    line_of_sleep = __LINE__ + 1;
    return td_aio_sleep(3600);
}

static int names_body(void *arg, void **result)
{
    (void)arg, (void)result;
    td_aio_task_t *me = td_aio_current_task(), *t;
    char name[32], repr[512], expected[512];
    td_aio_task_get_name(me, name, sizeof name);
    unsigned long n = 0;
    CHECK_INT(sscanf(name, "Task-%lu", &n), 1);
    CHECK_INT(td_aio_create_task(&t, TD_AIO_CORO(naps, NULL)), 0);
    td_aio_task_get_name(t, name, sizeof name);
    snprintf(expected, sizeof expected, "Task-%lu", n + 1); /* counted as CPython does */
    CHECK_STR(name, expected);
    CHECK_STR(td_aio_task_coro_name(t), "naps");
    CHECK(td_aio_is_task(t));
    td_aio_task_t *all[4];
    CHECK_INT(td_aio_all_tasks(NULL, all, 4), 2);
    CHECK(all[0] == me);
    CHECK(all[1] == t);
    td_aio_sleep(0);
    td_aio_future_repr(t, repr, sizeof repr);
    snprintf(expected, sizeof expected,
             "<Task pending name='Task-%lu' coro=<naps() running at %s:%d> "
             "wait_for=<Future pending cb=[Task.task_wakeup()]>>",
             n + 1, __FILE__, line_of_sleep);
    CHECK_STR(repr, expected);
    CHECK_INT(td_aio_task_set_name(t, "it's"), 0);
    td_aio_future_cancel(t, NULL);
    td_aio_await(t, NULL);
    td_aio_future_repr(t, repr, sizeof repr);
    CHECK((strstr(repr, "<Task cancelled name=\"it's\" coro=<naps() done, defined at ")) != NULL);
    CHECK_INT(td_aio_await(me, NULL), -EINVAL); /* a task cannot await itself */
    CHECK_INT(td_aio_all_tasks(NULL, NULL, 0), 1);
    td_aio_future_free(t);
    return 0;
}

static void names_reprs_and_the_current_task(void **state)
{
    (void)state;
    run_expect(TD_AIO_CORO(names_body, NULL), 0);
    assert_null(td_aio_current_task());
}

static int runs_nested(void *arg, void **result)
{
    (void)arg, (void)result;
    CHECK_INT(td_aio_run(TD_AIO_CORO(returns_value, NULL), NULL, NULL), -EBUSY);
    return 0;
}

static void misuse_is_an_error_code(void **state)
{
    (void)state;
    td_aio_future_t *f;
    td_loop_t *loop;
    assert_int_equal(td_loop_new(&loop), 0);
    assert_int_equal(td_aio_future_new(&f, loop), 0);
    assert_int_equal(td_aio_await(f, NULL), -EPERM); /* await outside a coroutine */
    assert_int_equal(td_aio_sleep(1), -EPERM);
    assert_int_equal(td_aio_create_task(NULL, TD_AIO_CORO(returns_value, NULL)), -EPERM);
    assert_int_equal(td_loop_create_task(loop, NULL, (td_aio_coro_t){ 0 }), -EINVAL);
    assert_int_equal(td_aio_raise(-EIO, "outside"), -EIO);
    td_aio_future_free(f);
    td_loop_free(loop);
    run_expect(TD_AIO_CORO(runs_nested, NULL), 0);
    assert_string_equal(td_strerror(TD_EEXCEPTION),
                        "an exception was raised (its message says what)");
}

/* ---- what the observer hears: tasks as tracks of their own ---------------------------- */

struct heard {
    int news, ends, resumes_as_task, suspends_as_task, loop_waits;
    int first_n, ends_cancelled;
    const void *task_resumed; /* the object of the first task switch */
};

static void hear(const td_obs_event_t *ev, void *ctx)
{
    struct heard *h = ctx;
    switch (ev->kind) {
    case TD_OBS_AIO_TASK_NEW:
        if (h->news++ == 0)
            h->first_n = ev->result;
        break;
    case TD_OBS_AIO_TASK_END:
        h->ends++;
        h->ends_cancelled += ev->result == -ECANCELED;
        break;
    case TD_OBS_CORO_RESUME:
        if (strcmp(ev->primitive, "task") == 0 && h->resumes_as_task++ == 0)
            h->task_resumed = ev->object;
        break;
    case TD_OBS_CORO_SUSPEND:
        h->suspends_as_task += strcmp(ev->primitive, "task") == 0;
        break;
    case TD_OBS_WAIT_BEGIN:
        h->loop_waits += strcmp(ev->primitive, "loop") == 0;
        break;
    default:
        break;
    }
}

static int naps_briefly(void *arg, void **result)
{
    (void)arg, (void)result;
    return td_aio_sleep(0.001);
}

static int observed_body(void *arg, void **result)
{
    (void)result;
    td_aio_task_t **main_task = arg;
    *main_task = td_aio_current_task();
    td_aio_task_t *a, *b;
    td_aio_create_task(&a, TD_AIO_CORO(naps_briefly, NULL));
    static struct cancel_probe probe; /* static: b uses it while this task waits */
    probe = (struct cancel_probe){ 0 };
    td_aio_create_task(&b, TD_AIO_CORO(sleeps_long, &probe));
    td_aio_await(a, NULL); /* the loop waits for the 1 ms timer */
    td_aio_future_cancel(b, NULL);
    td_aio_await(b, NULL);
    td_aio_future_free(a);
    td_aio_future_free(b);
    return 0;
}

static void the_observer_sees_tasks_and_their_switches(void **state)
{
    (void)state;
    struct heard h = { 0 };
    td_observer_t obs = { .notify = hear, .ctx = &h };
    const td_observer_t *before = td_observer_set(&obs);
    td_aio_task_t *main_task = NULL;
    int rc = td_aio_run(TD_AIO_CORO(observed_body, &main_task), NULL, NULL);
    td_observer_set(before);
    assert_int_equal(rc, 0);
    assert_int_equal(h.news, 3);  /* main, a, b: each with its N */
    assert_true(h.first_n > 0);
    assert_int_equal(h.ends, 3);
    assert_int_equal(h.ends_cancelled, 1);
    assert_ptr_equal(h.task_resumed, main_task); /* switches are the task's, not a coro's */
    assert_int_equal(h.resumes_as_task, h.suspends_as_task);
    assert_true(h.resumes_as_task >= 5);
    assert_true(h.loop_waits >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(future_states_and_callbacks),
        cmocka_unit_test(future_exception_and_cancel),
        cmocka_unit_test(exceptions_propagate_through_awaits),
        cmocka_unit_test(run_gives_the_result),
        cmocka_unit_test(cancellation_is_thrown_in_at_the_await),
        cmocka_unit_test(cancelling_a_waiting_task_cancels_what_it_awaits),
        cmocka_unit_test(names_reprs_and_the_current_task),
        cmocka_unit_test(misuse_is_an_error_code),
        cmocka_unit_test(the_observer_sees_tasks_and_their_switches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
