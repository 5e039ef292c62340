/* SPDX-License-Identifier: MIT */
/* test_aio_event.c - asyncio.Event (aio_event.h), after CPython's test_locks.py
 * EventTests: wait() on a set event returns at once without suspending; set() wakes
 * every waiter, in the order they began to wait; clear(); a cancelled waiter leaves
 * the others waiting. */
#include "helpers.h"

static test_trace_t trace;

struct waiter_arg {
    td_aio_event_t *event;
    const char *name;
};

static int waiter(void *arg, void **result)
{
    (void)result;
    struct waiter_arg *w = arg;
    int rc = td_aio_event_wait(w->event);
    test_trace_add(&trace, "%s%s", w->name, rc == 0 ? "" : "!");
    return rc;
}

static int set_wakes_all_body(void *arg, void **result)
{
    (void)arg, (void)result;
    /* static: the waiters use them while this task waits (task.h's pointer rule) */
    static td_aio_event_t ev;
    td_aio_event_init(&ev);
    CHECK(!td_aio_event_is_set(&ev));
    static struct waiter_arg a = { &ev, "a" }, b = { &ev, "b" }, c = { &ev, "c" };
    td_aio_task_t *ts[3];
    td_aio_create_task(&ts[0], TD_AIO_CORO(waiter, &a));
    td_aio_create_task(&ts[1], TD_AIO_CORO(waiter, &b));
    td_aio_create_task(&ts[2], TD_AIO_CORO(waiter, &c));
    CHECK_INT(td_aio_sleep(0), 0); /* all three wait now */
    td_aio_future_cancel(ts[1], NULL); /* b leaves; a and c wait on */
    CHECK_INT(td_aio_sleep(0), 0);
    test_trace_add(&trace, "set");
    td_aio_event_set(&ev);
    td_aio_event_set(&ev); /* a second set changes nothing */
    CHECK(td_aio_event_is_set(&ev));
    CHECK_INT(td_aio_wait(ts, 3, TD_FOREVER, TD_ALL_COMPLETED, (bool[3]){ 0 }), 3);
    CHECK_INT(td_aio_event_wait(&ev), 0); /* set: at once */
    test_trace_add(&trace, "now");
    td_aio_event_clear(&ev);
    CHECK(!td_aio_event_is_set(&ev));
    for (int i = 0; i < 3; i++)
        td_aio_future_free(ts[i]);
    td_aio_event_destroy(&ev);
    return 0;
}

static void set_wakes_every_waiter_in_order(void **state)
{
    (void)state;
    trace.text[0] = '\0';
    assert_int_equal(td_aio_run(TD_AIO_CORO(set_wakes_all_body, NULL), NULL, NULL), 0);
    test_assert_checks();
    assert_string_equal(trace.text, "b! set a c now");
}

/* An event that is set: wait() returns at once, without a turn of the loop in which
 * another task could run. */
static int set_first(void *arg, void **result)
{
    (void)result;
    td_aio_event_t *ev = arg;
    td_aio_event_set(ev);
    test_trace_add(&trace, "set");
    CHECK_INT(td_aio_event_wait(ev), 0);
    test_trace_add(&trace, "waited");
    return 0;
}

static int other(void *arg, void **result)
{
    (void)arg, (void)result;
    test_trace_add(&trace, "other");
    return 0;
}

static int no_suspension_body(void *arg, void **result)
{
    (void)arg, (void)result;
    static td_aio_event_t ev; /* static: set_first uses it while this task waits */
    td_aio_event_init(&ev);
    const td_aio_coro_t both[] = { TD_AIO_CORO(set_first, &ev), TD_AIO_CORO(other, NULL) };
    CHECK_INT(td_aio_gather_coros(both, 2, NULL, NULL), 0);
    td_aio_event_destroy(&ev);
    return 0;
}

static void waiting_on_a_set_event_does_not_suspend(void **state)
{
    (void)state;
    trace.text[0] = '\0';
    assert_int_equal(td_aio_run(TD_AIO_CORO(no_suspension_body, NULL), NULL, NULL), 0);
    test_assert_checks();
    assert_string_equal(trace.text, "set waited other");
    td_aio_event_t ev;
    td_aio_event_init(&ev);
    assert_int_equal(td_aio_event_wait(&ev), -EPERM); /* not in a task */
    td_aio_event_set(&ev);
    assert_int_equal(td_aio_event_wait(&ev), 0); /* set: nothing to wait for */
    td_aio_event_destroy(&ev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(set_wakes_every_waiter_in_order),
        cmocka_unit_test(waiting_on_a_set_event_does_not_suspend),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
