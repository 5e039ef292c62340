/* SPDX-License-Identifier: MIT */
/* test_cpython_queue.c - CPython 3.13's Lib/test/test_queue.py for queue.Queue
 * (BaseQueueTestMixin with QueueTest), shutdown tests included, ported case by
 * case with their names. Every case runs at maxsize 0, 1, 2, 1024 and 65537, as
 * "QueueTest.<name>(maxsize=M)": 0 is the unbounded list of blocks, 1, 2 and 1024
 * the stamped ring, 65537 (past the largest ring) the list with a bound, so each of
 * CPython's promises is checked on every engine of a FIFO queue.
 *
 * How the port differs, once for all:
 * - CPython's cases pick their own maxsize (QUEUE_SIZE = 5, or 2); here the size
 *   is the parameter and each case keeps its meaning at every size: "fill it"
 *   means maxsize items (QUEUE_SIZE when unbounded), "put two" means
 *   min(2, maxsize). Where a case needs a full queue, the unbounded run checks that
 *   it never is.
 * - A blocking call that a correct queue answers at once (get on a shut-down empty
 *   queue, a join that must return) is given a long timeout instead of none, so a
 *   broken queue fails the case instead of hanging ctest; threads that may be left
 *   blocked are daemons, joined with a deadline.
 * - TD_FOREVER (INFINITY) is Python's None, so "timeout=-1" is -1 here too (it was
 *   written -2 while TD_FOREVER was -1.0: issue 21).
 * - Not ported: test_shrinking_queue (maxsize cannot change after creation in C),
 *   FailingQueueTest (it overrides _put/_get in a subclass); the LifoQueue,
 *   PriorityQueue and SimpleQueue classes are test_queue.c's.
 */
#include "helpers.h"

#include <stdint.h>
#include <stdlib.h>

#define ITEM(n) ((void *)(intptr_t)(n))
#define VALUE(p) ((intptr_t)(p))

enum { QUEUE_SIZE = 5 };
#define LONG_WAIT 10.0   /* for a call a correct queue answers at once */
#define JOIN_DEADLINE 60.0

static const long SIZES[] = { 0, 1, 2, 1024, 65537 };

static char Y[] = "Y", D[] = "D", E[] = "E", W[] = "W", L[] = "L", O[] = "O";

static long maxsize_of(void **state)
{
    return *(const long *)*state;
}

static td_queue_t *make_queue(long maxsize)
{
    td_queue_t *q = NULL;
    assert_int_equal(td_queue_new(&q, maxsize, NULL), 0);
    return q;
}

/* "Put two" at any size: two, or one when the queue holds only one. */
static int up_to_two(long maxsize)
{
    return maxsize == 1 ? 1 : 2;
}

static bool qfull(td_queue_t *q, long maxsize)
{
    return maxsize > 0 && td_queue_qsize(q) == (size_t)maxsize;
}

/* Join a thread that a broken queue may leave blocked: fail after a deadline. */
static void join_or_fail(td_thread_t *t)
{
    assert_int_equal(td_thread_join(t, JOIN_DEADLINE), 0);
    td_thread_free(t);
}

/* ---- BlockingTestMixin --------------------------------------------------------------- */

/* A thread that unclogs a blocked queue after a short pause (CPython: 0.1 s; the
 * pause only gives the blocking call a chance to really block, the verdict does
 * not depend on it). */
struct trigger {
    td_queue_t *q;
    bool put;       /* put item, else get one */
    void *item;
    td_event_t started;
    int rc;
};

static void trigger_run(void *arg)
{
    struct trigger *t = arg;
    test_pause(0.02);
    td_event_set(&t->started);
    void *got;
    t->rc = t->put ? td_queue_put(t->q, t->item, true, TD_FOREVER)
                   : td_queue_get(t->q, &got, true, TD_FOREVER, NULL);
}

static td_thread_t *trigger_start(struct trigger *t, td_queue_t *q, bool put, void *item)
{
    *t = (struct trigger){ .q = q, .put = put, .item = item, .rc = 1 };
    td_event_init(&t->started);
    return test_start_daemon(trigger_run, t);
}

/* After the blocking call returned: it must not have returned before the trigger
 * acted ("blocking function appeared not to block"). */
static void trigger_finish(struct trigger *t, td_thread_t *thread)
{
    assert_true(td_event_is_set(&t->started));
    join_or_fail(thread);
    assert_int_equal(t->rc, 0);
}

static void blocking_put(td_queue_t *q, void *item, double timeout)
{
    struct trigger t;
    td_thread_t *thread = trigger_start(&t, q, false, NULL);
    assert_int_equal(td_queue_put(q, item, true, timeout), 0);
    trigger_finish(&t, thread);
}

static void blocking_get(td_queue_t *q, void *expect, double timeout)
{
    struct trigger t;
    td_thread_t *thread = trigger_start(&t, q, true, expect);
    void *got = NULL;
    assert_int_equal(td_queue_get(q, &got, true, timeout, NULL), 0);
    assert_ptr_equal(got, expect);
    trigger_finish(&t, thread);
}

/* ---- BaseQueueTestMixin -------------------------------------------------------------- */

static void *get_now(td_queue_t *q)
{
    void *item = NULL;
    assert_int_equal(td_queue_get(q, &item, true, LONG_WAIT, NULL), 0);
    return item;
}

static void basic_queue_test(td_queue_t *q, long maxsize)
{
    assert_int_equal(td_queue_qsize(q), 0); /* "call this with an empty queue" */
    assert_true(td_queue_empty(q));
    assert_false(td_queue_full(q));
    /* I guess we better check things actually queue correctly a little :) (taking
     * from the front whenever a small queue is full) */
    const intptr_t order[3] = { 111, 333, 222 };
    intptr_t actual[3];
    int got = 0;
    for (int i = 0; i < 3; i++) {
        if (qfull(q, maxsize))
            actual[got++] = VALUE(get_now(q));
        assert_int_equal(td_queue_put(q, ITEM(order[i]), true, TD_FOREVER), 0);
    }
    while (got < 3)
        actual[got++] = VALUE(get_now(q));
    for (int i = 0; i < 3; i++)
        assert_int_equal(actual[i], order[i]); /* "Didn't seem to queue the correct data!" */
    long size = maxsize > 0 ? maxsize : QUEUE_SIZE;
    for (long i = 0; i < size - 1; i++) {
        td_queue_put(q, ITEM(i), true, TD_FOREVER);
        assert_true(td_queue_qsize(q) > 0); /* "Queue should not be empty" */
    }
    assert_false(qfull(q, maxsize)); /* "Queue should not be full" */
    const intptr_t last = 2 * QUEUE_SIZE, full = 3 * 2 * QUEUE_SIZE;
    td_queue_put(q, ITEM(last), true, TD_FOREVER);
    assert_false(td_queue_empty(q));
    if (maxsize > 0) {
        assert_true(qfull(q, maxsize)); /* "Queue should be full" */
        assert_true(td_queue_full(q));
        /* "Didn't appear to block with a full queue" / "to time-out" */
        assert_int_equal(td_queue_put(q, ITEM(full), false, TD_FOREVER), -ENOSPC);
        assert_int_equal(td_queue_put(q, ITEM(full), true, 0.01), -ENOSPC);
        /* Test a blocking put. */
        blocking_put(q, ITEM(full), TD_FOREVER);
        blocking_put(q, ITEM(full), 10);
    } else {
        assert_false(td_queue_full(q)); /* an unbounded queue is never full */
    }
    /* Empty it. */
    for (long i = 0; i < size; i++)
        get_now(q);
    assert_int_equal(td_queue_qsize(q), 0); /* "Queue should be empty" */
    void *item;
    assert_int_equal(td_queue_get(q, &item, false, TD_FOREVER, NULL), -ENODATA);
    assert_int_equal(td_queue_get(q, &item, true, 0.01, NULL), -ENODATA);
    /* Test a blocking get. */
    static char empty[] = "empty";
    blocking_get(q, empty, TD_FOREVER);
    blocking_get(q, empty, 10);
}

struct join_case {
    td_queue_t *q;
    td_lock_t cumlock;
    intptr_t cum; /* guarded by cumlock */
};

static void worker(void *arg)
{
    struct join_case *c = arg;
    for (;;) {
        void *x = NULL;
        if (td_queue_get(c->q, &x, true, TD_FOREVER, NULL) != 0)
            return;
        if (VALUE(x) < 0) {
            td_queue_task_done(c->q);
            return;
        }
        td_lock_acquire(&c->cumlock, true, TD_FOREVER);
        c->cum += VALUE(x);
        td_lock_release(&c->cumlock);
        td_queue_task_done(c->q);
    }
}

static void queue_join_test(struct join_case *c)
{
    c->cum = 0;
    td_thread_t *threads[2];
    for (int i = 0; i < 2; i++)
        threads[i] = test_start_daemon(worker, c);
    for (int i = 0; i < 100; i++)
        assert_int_equal(td_queue_put(c->q, ITEM(i), true, TD_FOREVER), 0);
    assert_int_equal(td_queue_join(c->q, JOIN_DEADLINE), 0);
    /* "q.join() did not block until all tasks were done" */
    assert_int_equal(c->cum, 99 * 100 / 2);
    for (int i = 0; i < 2; i++)
        td_queue_put(c->q, ITEM(-1), true, TD_FOREVER); /* instruct the threads to close */
    assert_int_equal(td_queue_join(c->q, JOIN_DEADLINE), 0); /* you can join twice */
    for (int i = 0; i < 2; i++)
        join_or_fail(threads[i]);
}

/* task_done on a fresh queue: "Did not detect task count going negative". */
static void test_queue_task_done(void **state)
{
    td_queue_t *q = make_queue(maxsize_of(state));
    assert_int_equal(td_queue_task_done(q), -EINVAL); /* Python: ValueError */
    td_queue_free(q);
}

/* A queue join()s successfully, and before anything else (done twice). */
static void test_queue_join(void **state)
{
    struct join_case *c = calloc(1, sizeof *c);
    assert_non_null(c);
    c->q = make_queue(maxsize_of(state));
    td_lock_init(&c->cumlock);
    queue_join_test(c);
    queue_join_test(c);
    assert_int_equal(td_queue_task_done(c->q), -EINVAL);
    td_queue_free(c->q);
    free(c);
}

/* Done twice to make sure it works with the same instance reused. */
static void test_basic(void **state)
{
    long maxsize = maxsize_of(state);
    td_queue_t *q = make_queue(maxsize);
    basic_queue_test(q, maxsize);
    basic_queue_test(q, maxsize);
    td_queue_free(q);
}

static void test_negative_timeout_raises_exception(void **state)
{
    td_queue_t *q = make_queue(maxsize_of(state));
    assert_int_equal(td_queue_put(q, ITEM(1), true, -1), -EINVAL); /* ValueError */
    void *item;
    assert_int_equal(td_queue_get(q, &item, true, -1, NULL), -EINVAL);
    td_queue_free(q);
}

static void test_nowait(void **state)
{
    long maxsize = maxsize_of(state);
    long size = maxsize > 0 ? maxsize : QUEUE_SIZE;
    td_queue_t *q = make_queue(maxsize);
    for (long i = 0; i < size; i++)
        assert_int_equal(td_queue_put(q, ITEM(1), false, TD_FOREVER), 0);
    if (maxsize > 0)
        assert_int_equal(td_queue_put(q, ITEM(1), false, TD_FOREVER), -ENOSPC); /* Full */
    void *item;
    for (long i = 0; i < size; i++)
        assert_int_equal(td_queue_get(q, &item, false, TD_FOREVER, NULL), 0);
    assert_int_equal(td_queue_get(q, &item, false, TD_FOREVER, NULL), -ENODATA); /* Empty */
    td_queue_free(q);
}

static void test_shutdown_empty(void **state)
{
    td_queue_t *q = make_queue(maxsize_of(state));
    td_queue_shutdown(q, false);
    assert_int_equal(td_queue_put(q, Y, true, TD_FOREVER), -ESHUTDOWN);
    void *item;
    assert_int_equal(td_queue_get(q, &item, true, LONG_WAIT, NULL), -ESHUTDOWN);
    td_queue_free(q);
}

static void test_shutdown_nonempty(void **state)
{
    td_queue_t *q = make_queue(maxsize_of(state));
    assert_int_equal(td_queue_put(q, Y, true, TD_FOREVER), 0);
    td_queue_shutdown(q, false);
    void *item = NULL;
    assert_int_equal(td_queue_get(q, &item, true, LONG_WAIT, NULL), 0);
    assert_ptr_equal(item, Y);
    assert_int_equal(td_queue_get(q, &item, true, LONG_WAIT, NULL), -ESHUTDOWN);
    td_queue_free(q);
}

static void test_shutdown_immediate(void **state)
{
    td_queue_t *q = make_queue(maxsize_of(state));
    assert_int_equal(td_queue_put(q, Y, true, TD_FOREVER), 0);
    td_queue_shutdown(q, true);
    void *item;
    assert_int_equal(td_queue_get(q, &item, true, LONG_WAIT, NULL), -ESHUTDOWN);
    td_queue_free(q);
}

/* Allowed transitions: from alive via shutdown to immediate. */
static void test_shutdown_allowed_transitions(void **state)
{
    td_queue_t *q = make_queue(maxsize_of(state));
    assert_false(td_queue_is_shutdown(q));
    td_queue_shutdown(q, false);
    assert_true(td_queue_is_shutdown(q));
    td_queue_shutdown(q, true);
    assert_true(td_queue_is_shutdown(q));
    td_queue_shutdown(q, false);
    assert_true(td_queue_is_shutdown(q));
    td_queue_free(q);
}

static void shutdown_all_methods_in_one_thread(long maxsize, bool immediate)
{
    td_queue_t *q = make_queue(maxsize);
    int n = up_to_two(maxsize);
    assert_int_equal(td_queue_put(q, L, true, TD_FOREVER), 0);
    if (n == 2)
        assert_int_equal(td_queue_put(q, O, false, TD_FOREVER), 0);
    td_queue_shutdown(q, immediate);
    assert_int_equal(td_queue_put(q, E, true, TD_FOREVER), -ESHUTDOWN);
    assert_int_equal(td_queue_put(q, W, false, TD_FOREVER), -ESHUTDOWN);
    void *item = NULL;
    if (immediate) {
        assert_int_equal(td_queue_get(q, &item, true, LONG_WAIT, NULL), -ESHUTDOWN);
        assert_int_equal(td_queue_get(q, &item, false, TD_FOREVER, NULL), -ESHUTDOWN);
        assert_int_equal(td_queue_task_done(q), -EINVAL); /* ValueError */
        assert_int_equal(td_queue_join(q, LONG_WAIT), 0);
    } else {
        for (int i = 0; i < n; i++) {
            assert_int_equal(td_queue_get(q, &item, true, LONG_WAIT, NULL), 0);
            assert_true(item == L || item == O);
            assert_int_equal(td_queue_task_done(q), 0);
        }
        assert_int_equal(td_queue_join(q, LONG_WAIT), 0);
        /* On shutdown(immediate=False), when the queue is empty: ShutDown. */
        assert_int_equal(td_queue_get(q, &item, true, LONG_WAIT, NULL), -ESHUTDOWN);
        assert_int_equal(td_queue_get(q, &item, false, TD_FOREVER, NULL), -ESHUTDOWN);
        assert_int_equal(td_queue_get(q, &item, true, 1.0, NULL), -ESHUTDOWN);
    }
    td_queue_free(q);
}

static void test_shutdown_all_methods_in_one_thread(void **state)
{
    shutdown_all_methods_in_one_thread(maxsize_of(state), false);
}

static void test_shutdown_immediate_all_methods_in_one_thread(void **state)
{
    shutdown_all_methods_in_one_thread(maxsize_of(state), true);
}

/* ---- _shutdown_all_methods_in_many_threads ------------------------------------------- */

enum { WRITE_THREADS = 4, READ_THREADS = 6, JOIN_THREADS = 2 };

struct many {
    td_queue_t *q;
    bool immediate;
    long nb_msgs_w, when_exec_shutdown;
    long before_barrier[WRITE_THREADS]; /* puts each writer makes before the barrier */
    atomic_int writer_ids;
    td_barrier_t barrier_start;
    td_event_t ev_exec_shutdown;
    atomic_int res_puts_true, res_gets_true, res_shutdown_true, res_shutdown_false;
    atomic_int joins_ok;
};

static void write_msg_thread(void *arg)
{
    struct many *m = arg;
    int w = atomic_fetch_add(&m->writer_ids, 1);
    /* All write threads put several items into the queue... */
    long i = 0;
    for (; i < m->before_barrier[w]; i++)
        td_queue_put(m->q, ITEM(i + 1), true, TD_FOREVER);
    /* ...and wait for the barrier to be complete. */
    td_barrier_wait(&m->barrier_start, TD_FOREVER);
    for (; i < m->nb_msgs_w; i++) {
        if (td_queue_put(m->q, ITEM(i + 1), true, TD_FOREVER) == -ESHUTDOWN)
            break; /* results.append(False) */
        /* Trigger queue shutdown; only one thread should call shutdown(). */
        if (i == m->when_exec_shutdown && !td_event_is_set(&m->ev_exec_shutdown)) {
            td_event_set(&m->ev_exec_shutdown);
            atomic_fetch_add(&m->res_puts_true, 1);
        }
    }
}

static void read_msg_thread(void *arg)
{
    struct many *m = arg;
    void *item;
    /* Get at least one item. */
    if (td_queue_get(m->q, &item, true, TD_FOREVER, NULL) == 0)
        td_queue_task_done(m->q);
    td_barrier_wait(&m->barrier_start, TD_FOREVER);
    for (;;) {
        int rc = td_queue_get(m->q, &item, false, TD_FOREVER, NULL);
        if (rc == 0) {
            td_queue_task_done(m->q);
        } else if (rc == -ESHUTDOWN) {
            atomic_fetch_add(&m->res_gets_true, 1);
            break;
        }
    }
}

static void shutdown_thread(void *arg)
{
    struct many *m = arg;
    td_event_wait(&m->ev_exec_shutdown, TD_FOREVER);
    td_queue_shutdown(m->q, m->immediate);
    if (td_queue_qsize(m->q) == 0)
        atomic_fetch_add(&m->res_shutdown_true, 1);
    else
        atomic_fetch_add(&m->res_shutdown_false, 1);
}

static void join_thread(void *arg)
{
    struct many *m = arg;
    td_barrier_wait(&m->barrier_start, TD_FOREVER);
    if (td_queue_join(m->q, JOIN_DEADLINE) == 0)
        atomic_fetch_add(&m->joins_ok, 1);
}

/* A multi-producer/consumer use case with enough items in the queue; when it is
 * shut down, all running threads must end. At a bounded size the writers put
 * only what fits before the barrier (the readers take one each, the rest must
 * fit in the queue), else they would block before it and never let it open. */
static void shutdown_all_methods_in_many_threads(long maxsize, bool immediate)
{
    struct many *m = calloc(1, sizeof *m);
    assert_non_null(m);
    m->q = make_queue(maxsize);
    m->immediate = immediate;
    long nb_msgs = test_scaled(1024 * 64);
    m->nb_msgs_w = nb_msgs / WRITE_THREADS;
    m->when_exec_shutdown = m->nb_msgs_w / 2;
    long before = WRITE_THREADS * (m->when_exec_shutdown / 2);
    if (maxsize > 0 && before > maxsize + READ_THREADS)
        before = maxsize + READ_THREADS;
    assert_true(before >= READ_THREADS);
    for (int w = 0; w < WRITE_THREADS; w++)
        m->before_barrier[w] = before / WRITE_THREADS + (w < before % WRITE_THREADS);
    size_t nparties = WRITE_THREADS + READ_THREADS + (immediate ? JOIN_THREADS : 0);
    assert_int_equal(td_barrier_init(&m->barrier_start, nparties, NULL, NULL, TD_FOREVER), 0);
    td_event_init(&m->ev_exec_shutdown);
    td_thread_t *threads[WRITE_THREADS + READ_THREADS + 1 + JOIN_THREADS];
    size_t n = 0;
    for (int i = 0; i < WRITE_THREADS; i++)
        threads[n++] = test_start_daemon(write_msg_thread, m);
    for (int i = 0; i < READ_THREADS; i++)
        threads[n++] = test_start_daemon(read_msg_thread, m);
    threads[n++] = test_start_daemon(shutdown_thread, m);
    if (immediate)
        for (int i = 0; i < JOIN_THREADS; i++)
            threads[n++] = test_start_daemon(join_thread, m);
    for (size_t i = 0; i < n; i++)
        join_or_fail(threads[i]);
    assert_true(atomic_load(&m->res_puts_true) >= 1); /* True in res_puts */
    assert_int_equal(atomic_load(&m->res_gets_true), READ_THREADS);
    if (immediate) {
        assert_int_equal(atomic_load(&m->res_shutdown_true), 1); /* [True] */
        assert_int_equal(atomic_load(&m->res_shutdown_false), 0);
        assert_true(td_queue_empty(m->q));
        assert_int_equal(atomic_load(&m->joins_ok), JOIN_THREADS);
    }
    td_barrier_destroy(&m->barrier_start);
    td_queue_free(m->q);
    free(m);
}

static void test_shutdown_all_methods_in_many_threads(void **state)
{
    shutdown_all_methods_in_many_threads(maxsize_of(state), false);
}

static void test_shutdown_immediate_all_methods_in_many_threads(void **state)
{
    shutdown_all_methods_in_many_threads(maxsize_of(state), true);
}

/* ---- _get, _put, _join helpers and the cases built on them -------------------------- */

struct party {
    td_queue_t *q;
    td_event_t go;
    atomic_int results_true, results_false;
    atomic_int res_true, res_false; /* _get_task_done's own list in _shutdown_join */
    void *msg;
    bool expect_shutdown;
};

static void result(struct party *p, bool ok)
{
    atomic_fetch_add(ok ? &p->results_true : &p->results_false, 1);
}

/* _get / _get_shutdown: True when the outcome is the one expected. */
static void get_expecting(void *arg)
{
    struct party *p = arg;
    td_event_wait(&p->go, TD_FOREVER);
    void *item;
    int rc = td_queue_get(p->q, &item, true, LONG_WAIT, NULL);
    result(p, rc == 0 ? !p->expect_shutdown : rc == -ESHUTDOWN && p->expect_shutdown);
}

/* _put_shutdown: True when the put fails with ShutDown. */
static void put_expecting_shutdown(void *arg)
{
    struct party *p = arg;
    td_event_wait(&p->go, TD_FOREVER);
    result(p, td_queue_put(p->q, p->msg, true, LONG_WAIT) == -ESHUTDOWN);
}

/* _get_task_done: True when it got an item (and marked it done). */
static void get_task_done(void *arg)
{
    struct party *p = arg;
    td_event_wait(&p->go, TD_FOREVER);
    void *item;
    if (td_queue_get(p->q, &item, true, LONG_WAIT, NULL) == 0) {
        td_queue_task_done(p->q);
        atomic_fetch_add(&p->res_true, 1);
    } else {
        atomic_fetch_add(&p->res_false, 1);
    }
}

/* _join: True when join() returns. */
static void join_expecting_return(void *arg)
{
    struct party *p = arg;
    result(p, td_queue_join(p->q, JOIN_DEADLINE) == 0);
}

static struct party *party_new(long maxsize)
{
    struct party *p = calloc(1, sizeof *p);
    assert_non_null(p);
    p->q = make_queue(maxsize);
    td_event_init(&p->go);
    return p;
}

static void party_free(struct party *p)
{
    td_queue_free(p->q);
    free(p);
}

static void join_all(td_thread_t **threads, size_t n)
{
    for (size_t i = 0; i < n; i++)
        join_or_fail(threads[i]);
}

static void shutdown_get(long maxsize, bool immediate)
{
    struct party *p = party_new(maxsize);
    int items = up_to_two(maxsize);
    td_queue_put(p->q, Y, true, TD_FOREVER);
    if (items == 2)
        td_queue_put(p->q, D, true, TD_FOREVER);
    /* immediate: every get fails; else one more getter than items, and exactly
     * that one fails. */
    p->expect_shutdown = immediate;
    size_t n = immediate ? 2 : (size_t)items + 1;
    td_thread_t *threads[3];
    for (size_t i = 0; i < n; i++)
        threads[i] = test_start_daemon(get_expecting, p);
    td_queue_shutdown(p->q, immediate);
    td_event_set(&p->go);
    join_all(threads, n);
    if (immediate) {
        assert_int_equal(atomic_load(&p->results_true), 2); /* [True, True] */
    } else {
        assert_int_equal(atomic_load(&p->results_false), 1); /* [False] + [True] * n */
        assert_int_equal(atomic_load(&p->results_true), items);
    }
    party_free(p);
}

static void test_shutdown_get(void **state)
{
    shutdown_get(maxsize_of(state), false);
}

static void test_shutdown_immediate_get(void **state)
{
    shutdown_get(maxsize_of(state), true);
}

/* CPython's _shutdown_put calls q.shutdown() without its immediate argument (so
 * both of its cases test the same thing); this port passes it on. */
static void shutdown_put(long maxsize, bool immediate)
{
    struct party *p = party_new(maxsize);
    for (int i = 0; i < up_to_two(maxsize); i++)
        td_queue_put(p->q, i ? D : Y, true, TD_FOREVER); /* queue filled */
    td_thread_t *threads[2];
    p->msg = E;
    threads[0] = test_start_daemon(put_expecting_shutdown, p);
    threads[1] = test_start_daemon(put_expecting_shutdown, p);
    td_queue_shutdown(p->q, immediate);
    td_event_set(&p->go);
    join_all(threads, 2);
    assert_int_equal(atomic_load(&p->results_true), 2);
    party_free(p);
}

static void test_shutdown_put(void **state)
{
    shutdown_put(maxsize_of(state), false);
}

static void test_shutdown_immediate_put(void **state)
{
    shutdown_put(maxsize_of(state), true);
}

static void shutdown_join(long maxsize, bool immediate)
{
    struct party *p = party_new(maxsize);
    td_queue_put(p->q, Y, true, TD_FOREVER);
    td_thread_t *threads[3];
    size_t n = 0;
    threads[n++] = test_start_daemon(join_expecting_return, p);
    threads[n++] = test_start_daemon(join_expecting_return, p);
    if (!immediate)
        threads[n++] = test_start_daemon(get_task_done, p);
    td_queue_shutdown(p->q, immediate);
    td_event_set(&p->go);
    join_all(threads, n);
    assert_int_equal(atomic_load(&p->results_true), 2);
    if (!immediate)
        assert_int_equal(atomic_load(&p->res_true), 1);
    party_free(p);
}

static void test_shutdown_immediate_join(void **state)
{
    shutdown_join(maxsize_of(state), true);
}

static void test_shutdown_join(void **state)
{
    shutdown_join(maxsize_of(state), false);
}

static void shutdown_put_join(long maxsize, bool immediate)
{
    struct party *p = party_new(maxsize);
    td_queue_put(p->q, Y, true, TD_FOREVER); /* queue not filled (at maxsize >= 2) */
    p->msg = E;
    td_thread_t *threads[2];
    threads[0] = test_start_daemon(put_expecting_shutdown, p);
    threads[1] = test_start_daemon(join_expecting_return, p);
    /* q.unfinished_tasks == 1: no such accessor here; a join that cannot return. */
    assert_int_equal(td_queue_join(p->q, 0), -ETIMEDOUT);
    td_queue_shutdown(p->q, immediate);
    td_event_set(&p->go);
    void *item = NULL;
    if (immediate) {
        assert_int_equal(td_queue_get(p->q, &item, false, TD_FOREVER, NULL), -ESHUTDOWN);
    } else {
        assert_int_equal(td_queue_get(p->q, &item, true, LONG_WAIT, NULL), 0);
        assert_ptr_equal(item, Y);
        assert_int_equal(td_queue_task_done(p->q), 0);
    }
    join_all(threads, 2);
    assert_int_equal(atomic_load(&p->results_true), 2);
    party_free(p);
}

static void test_shutdown_immediate_put_join(void **state)
{
    shutdown_put_join(maxsize_of(state), true);
}

static void test_shutdown_put_join(void **state)
{
    shutdown_put_join(maxsize_of(state), false);
}

static void test_shutdown_get_task_done_join(void **state)
{
    long maxsize = maxsize_of(state);
    struct party *p = party_new(maxsize);
    int items = up_to_two(maxsize);
    td_queue_put(p->q, Y, true, TD_FOREVER);
    if (items == 2)
        td_queue_put(p->q, D, true, TD_FOREVER);
    assert_int_equal(td_queue_qsize(p->q), (size_t)items); /* unfinished_tasks == qsize */
    td_thread_t *threads[4];
    size_t n = 0;
    for (int i = 0; i < items; i++)
        threads[n++] = test_start_daemon(get_task_done, p);
    threads[n++] = test_start_daemon(join_expecting_return, p);
    threads[n++] = test_start_daemon(join_expecting_return, p);
    td_event_set(&p->go);
    td_queue_shutdown(p->q, false);
    join_all(threads, n);
    assert_int_equal(atomic_load(&p->res_true), items);
    assert_int_equal(atomic_load(&p->results_true), 2);
    party_free(p);
}

struct pending {
    td_queue_t *q;
    int rc;
};

static void pending_get(void *arg)
{
    struct pending *p = arg;
    void *item;
    p->rc = td_queue_get(p->q, &item, true, TD_FOREVER, NULL);
}

static void test_shutdown_pending_get(void **state)
{
    struct pending *p = calloc(1, sizeof *p);
    assert_non_null(p);
    p->q = make_queue(maxsize_of(state));
    p->rc = 1;
    td_thread_t *t = test_start_daemon(pending_get, p);
    td_queue_shutdown(p->q, false);
    assert_int_equal(td_thread_join(t, 10.0), 0); /* get_thread.join(timeout=10.0) */
    assert_false(td_thread_is_alive(t));
    td_thread_free(t);
    assert_int_equal(p->rc, -ESHUTDOWN); /* isinstance(results[0], ShutDown) */
    td_queue_free(p->q);
    free(p);
}

/* ---- the table: every case at every size --------------------------------------------- */

#define EACH_SIZE(fn) \
    { "QueueTest." #fn "(maxsize=0)", fn, NULL, NULL, (void *)&SIZES[0] },    \
    { "QueueTest." #fn "(maxsize=1)", fn, NULL, NULL, (void *)&SIZES[1] },    \
    { "QueueTest." #fn "(maxsize=2)", fn, NULL, NULL, (void *)&SIZES[2] },    \
    { "QueueTest." #fn "(maxsize=1024)", fn, NULL, NULL, (void *)&SIZES[3] }, \
    { "QueueTest." #fn "(maxsize=65537)", fn, NULL, NULL, (void *)&SIZES[4] }

int main(void)
{
    const struct CMUnitTest tests[] = {
        EACH_SIZE(test_queue_task_done),
        EACH_SIZE(test_queue_join),
        EACH_SIZE(test_basic),
        EACH_SIZE(test_negative_timeout_raises_exception),
        EACH_SIZE(test_nowait),
        EACH_SIZE(test_shutdown_empty),
        EACH_SIZE(test_shutdown_nonempty),
        EACH_SIZE(test_shutdown_immediate),
        EACH_SIZE(test_shutdown_allowed_transitions),
        EACH_SIZE(test_shutdown_all_methods_in_one_thread),
        EACH_SIZE(test_shutdown_immediate_all_methods_in_one_thread),
        EACH_SIZE(test_shutdown_all_methods_in_many_threads),
        EACH_SIZE(test_shutdown_immediate_all_methods_in_many_threads),
        EACH_SIZE(test_shutdown_get),
        EACH_SIZE(test_shutdown_immediate_get),
        EACH_SIZE(test_shutdown_put),
        EACH_SIZE(test_shutdown_immediate_put),
        EACH_SIZE(test_shutdown_immediate_join),
        EACH_SIZE(test_shutdown_join),
        EACH_SIZE(test_shutdown_immediate_put_join),
        EACH_SIZE(test_shutdown_put_join),
        EACH_SIZE(test_shutdown_get_task_done_join),
        EACH_SIZE(test_shutdown_pending_get),
    };
    return test_run_cases(tests);
}
