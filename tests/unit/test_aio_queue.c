/* SPDX-License-Identifier: MIT */
/* test_aio_queue.c - asyncio.Queue (aio_queue.h), after CPython's test_queues.py:
 * first in first out with NULL as an item, put_nowait/get_nowait results, a bounded
 * queue suspends putters and a queue suspends getters (oldest woken first),
 * task_done/join, and cancellation: a cancelled getter takes nothing, one cancelled
 * after it was woken passes the wake-up on, a cancelled putter puts nothing. */
#include "helpers.h"

#include <stdio.h>

static test_trace_t trace;
static const int numbers[] = { 0, 1, 2, 3, 4, 5, 6, 7 };

static void run_ok(td_aio_fn body, void *arg)
{
    trace.text[0] = '\0';
    assert_int_equal(td_aio_run((td_aio_coro_t){ body, arg, "main", NULL, 0, 0, false }, NULL, NULL), 0);
    test_assert_checks();
}

static const char *show(const void *item)
{
    static char text[8][8];
    static int next;
    if (!item)
        return "None";
    char *t = text[next++ % 8];
    snprintf(t, sizeof text[0], "%d", *(const int *)item);
    return t;
}

static int nowait_body(void *arg, void **result)
{
    (void)arg, (void)result;
    td_aio_queue_t *q;
    CHECK_INT(td_aio_queue_new(&q, 2), 0);
    CHECK_INT(td_aio_queue_maxsize(q), 2);
    void *item = (void *)&numbers[7];
    CHECK_INT(td_aio_queue_get_nowait(q, &item), -ENODATA); /* QueueEmpty */
    CHECK(td_aio_queue_empty(q));
    CHECK_INT(td_aio_queue_put_nowait(q, (void *)&numbers[1]), 0);
    CHECK_INT(td_aio_queue_put_nowait(q, NULL), 0); /* None is an item like any */
    CHECK_INT(td_aio_queue_put_nowait(q, (void *)&numbers[2]), -ENOSPC); /* QueueFull */
    CHECK(td_aio_queue_full(q));
    CHECK_INT(td_aio_queue_qsize(q), 2);
    CHECK_INT(td_aio_queue_get_nowait(q, &item), 0);
    CHECK(item == &numbers[1]);
    CHECK_INT(td_aio_queue_get(q, &item), 0); /* not empty: no suspension */
    CHECK(item == NULL);
    CHECK_INT(td_aio_queue_task_done(q), 0);
    CHECK_INT(td_aio_queue_task_done(q), 0);
    CHECK_INT(td_aio_queue_task_done(q), -EINVAL); /* called too many times */
    CHECK_INT(td_aio_queue_join(q), 0);            /* nothing unfinished */
    td_aio_queue_free(q);
    CHECK_INT(td_aio_queue_new(NULL, 0), -EINVAL);
    return 0;
}

static void put_and_get_without_waiting(void **state)
{
    (void)state;
    run_ok(nowait_body, NULL);
}

/* ---- waiting: getters, putters, join ------------------------------------------------------ */

struct role {
    td_aio_queue_t *q;
    const char *name;
    int count;
};

static int getter(void *arg, void **result)
{
    (void)result;
    struct role *r = arg;
    for (int i = 0; i < r->count; i++) {
        void *item;
        int rc = td_aio_queue_get(r->q, &item);
        if (rc != 0) {
            test_trace_add(&trace, "%s!", r->name);
            return rc;
        }
        test_trace_add(&trace, "%s<%s", r->name, show(item));
        td_aio_queue_task_done(r->q);
    }
    return 0;
}

static int putter(void *arg, void **result)
{
    (void)result;
    struct role *r = arg;
    for (int i = 0; i < r->count; i++) {
        int rc = td_aio_queue_put(r->q, (void *)&numbers[i]);
        if (rc != 0) {
            test_trace_add(&trace, "%s!", r->name);
            return rc;
        }
        test_trace_add(&trace, "%s>%d", r->name, i);
    }
    return 0;
}

static int joiner(void *q, void **result)
{
    (void)result;
    int rc = td_aio_queue_join(q);
    test_trace_add(&trace, "joined");
    return rc;
}

static int bounded_body(void *arg, void **result)
{
    (void)arg, (void)result;
    td_aio_queue_t *q;
    CHECK_INT(td_aio_queue_new(&q, 1), 0);
    /* static: the tasks use them while this one waits (task.h's pointer rule) */
    static struct role g1, g2, p;
    g1 = (struct role){ q, "g1", 2 };
    g2 = (struct role){ q, "g2", 1 };
    p = (struct role){ q, "p", 3 };
    td_aio_task_t *ts[4];
    td_aio_create_task(&ts[0], TD_AIO_CORO(getter, &g1)); /* oldest getter: woken first */
    td_aio_create_task(&ts[1], TD_AIO_CORO(getter, &g2));
    CHECK_INT(td_aio_sleep(0), 0); /* both wait on the empty queue */
    td_aio_create_task(&ts[2], TD_AIO_CORO(putter, &p));
    td_aio_create_task(&ts[3], TD_AIO_CORO(joiner, q));
    CHECK_INT(td_aio_wait(ts, 4, TD_FOREVER, TD_ALL_COMPLETED, (bool[4]){ 0 }), 4);
    for (int i = 0; i < 4; i++)
        td_aio_future_free(ts[i]);
    td_aio_queue_free(q);
    return 0;
}

static void a_bounded_queue_suspends_putters_and_getters(void **state)
{
    (void)state;
    run_ok(bounded_body, NULL);
    /* p puts 0 and wakes g1; the queue (maxsize 1) is full, so p waits for room; g1's
     * task_done leaves nothing unfinished for a moment, which is all join() waits
     * for. CPython 3.11 prints this very order for the same program. */
    assert_string_equal(trace.text, "p>0 g1<0 p>1 joined g2<1 p>2 g1<2");
}

/* ---- cancellation ----------------------------------------------------------------------- */

static int cancel_body(void *arg, void **result)
{
    (void)arg, (void)result;
    td_aio_queue_t *q;
    CHECK_INT(td_aio_queue_new(&q, 1), 0);
    static struct role a, b, p; /* static: the tasks use them while this one waits */
    a = (struct role){ q, "a", 1 };
    b = (struct role){ q, "b", 1 };
    td_aio_task_t *ta, *tb;
    td_aio_create_task(&ta, TD_AIO_CORO(getter, &a));
    td_aio_create_task(&tb, TD_AIO_CORO(getter, &b));
    CHECK_INT(td_aio_sleep(0), 0);
    /* a is woken by the put, then cancelled before it runs: b gets the item */
    CHECK_INT(td_aio_queue_put_nowait(q, (void *)&numbers[5]), 0);
    td_aio_future_cancel(ta, NULL);
    CHECK_INT(td_aio_await(tb, NULL), 0);
    CHECK(td_aio_future_cancelled(ta));
    CHECK(td_aio_queue_empty(q));
    /* a putter cancelled while the queue is full puts nothing */
    CHECK_INT(td_aio_queue_put_nowait(q, (void *)&numbers[6]), 0);
    p = (struct role){ q, "p", 1 };
    td_aio_task_t *tp;
    td_aio_create_task(&tp, TD_AIO_CORO(putter, &p));
    CHECK_INT(td_aio_sleep(0), 0);
    td_aio_future_cancel(tp, NULL);
    CHECK_INT(td_aio_await(tp, NULL), -ECANCELED);
    CHECK_INT(td_aio_queue_qsize(q), 1);
    void *item;
    CHECK_INT(td_aio_queue_get_nowait(q, &item), 0);
    CHECK(item == &numbers[6]);
    td_aio_future_free(ta);
    td_aio_future_free(tb);
    td_aio_future_free(tp);
    td_aio_queue_free(q);
    return 0;
}

static void cancelled_waiters_take_and_give_nothing(void **state)
{
    (void)state;
    run_ok(cancel_body, NULL);
    assert_string_equal(trace.text, "a! b<5 p!");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(put_and_get_without_waiting),
        cmocka_unit_test(a_bounded_queue_suspends_putters_and_getters),
        cmocka_unit_test(cancelled_waiters_take_and_give_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
