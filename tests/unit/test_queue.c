/* SPDX-License-Identifier: MIT */
/* test_queue.c - queue.Queue: FIFO, full/empty codes, timeouts, task_done/join,
 * shutdown (3.13) waking every blocked thread, and a 4x4 stress run. */
#include "helpers.h"

#include <stdatomic.h>
#include <stdint.h>

#define ITEM(n) ((void *)(uintptr_t)(n))
#define VALUE(p) ((uintptr_t)(p))

static void fifo_and_sizes(void **state)
{
    (void)state;
    td_queue_t *q;
    assert_int_equal(td_queue_new(&q, 3, NULL), 0);
    assert_true(td_queue_empty(q));
    assert_false(td_queue_full(q));
    for (int i = 1; i <= 3; i++)
        assert_int_equal(td_queue_put(q, ITEM(i), true, TD_FOREVER), 0);
    assert_true(td_queue_full(q));
    assert_int_equal(td_queue_qsize(q), 3);
    assert_int_equal(td_queue_put(q, ITEM(4), false, TD_FOREVER), -ENOSPC);
    void *item;
    for (int i = 1; i <= 3; i++) {
        size_t left = 99;
        assert_int_equal(td_queue_get(q, &item, true, TD_FOREVER, &left), 0);
        assert_int_equal(VALUE(item), i);
        assert_int_equal(left, 3 - i); /* what qsize() would say right after */
    }
    assert_int_equal(td_queue_get(q, &item, false, TD_FOREVER, NULL), -ENODATA);
    assert_true(td_queue_empty(q));
    td_queue_free(q);
}

static void unbounded_grows_in_order(void **state)
{
    (void)state;
    td_queue_t *q;
    assert_int_equal(td_queue_new(&q, 0, NULL), 0);
    for (uintptr_t i = 0; i < 10000; i++) {
        assert_int_equal(td_queue_put(q, ITEM(i), false, TD_FOREVER), 0);
        if (i % 3 == 0) { /* interleave gets so the ring wraps while growing */
            void *item;
            assert_int_equal(td_queue_get(q, &item, false, TD_FOREVER, NULL), 0);
            assert_int_equal(VALUE(item), i / 3);
        }
    }
    assert_false(td_queue_full(q));
    void *item;
    uintptr_t expect = 3334;
    while (td_queue_get(q, &item, false, TD_FOREVER, NULL) == 0)
        assert_int_equal(VALUE(item), expect++);
    assert_int_equal(expect, 10000);
    td_queue_free(q);
}

static void timeouts(void **state)
{
    (void)state;
    td_queue_t *q;
    assert_int_equal(td_queue_new(&q, 1, NULL), 0);
    void *item;
    double start = test_now();
    assert_int_equal(td_queue_get(q, &item, true, 0.1, NULL), -ENODATA);
    assert_elapsed(start, 0.1);
    assert_int_equal(td_queue_put(q, ITEM(1), true, 0.1), 0);
    start = test_now();
    assert_int_equal(td_queue_put(q, ITEM(2), true, 0.1), -ENOSPC);
    assert_elapsed(start, 0.1);
    assert_int_equal(td_queue_put(q, ITEM(2), true, -1.5), -EINVAL);
    assert_int_equal(td_queue_get(q, &item, true, -0.5, NULL), -EINVAL);
    assert_int_equal(td_queue_put(q, ITEM(2), false, -7), -ENOSPC); /* ignored when not blocking */
    assert_int_equal(td_queue_get(q, &item, true, 0, NULL), 0);
    td_queue_free(q);
}

struct joiner {
    td_queue_t *q;
    int rc;
};

static void join_queue(void *arg)
{
    struct joiner *j = arg;
    j->rc = td_queue_join(j->q, 5.0);
}

static void task_done_and_join(void **state)
{
    (void)state;
    td_queue_t *q;
    assert_int_equal(td_queue_new(&q, 0, NULL), 0);
    assert_int_equal(td_queue_task_done(q), -EINVAL); /* "called too many times" */
    assert_int_equal(td_queue_join(q, 0), 0);
    td_queue_put(q, ITEM(1), true, TD_FOREVER);
    td_queue_put(q, ITEM(2), true, TD_FOREVER);
    assert_int_equal(td_queue_join(q, 0.05), -ETIMEDOUT);
    struct joiner j = { .q = q, .rc = 1 };
    td_thread_t *t = test_start(join_queue, &j);
    void *item;
    td_queue_get(q, &item, true, TD_FOREVER, NULL);
    td_queue_get(q, &item, true, TD_FOREVER, NULL);
    assert_int_equal(td_queue_task_done(q), 0);
    assert_true(td_thread_is_alive(t)); /* one task still unfinished */
    assert_int_equal(td_queue_task_done(q), 0);
    test_join(t);
    assert_int_equal(j.rc, 0);
    assert_int_equal(td_queue_task_done(q), -EINVAL);
    td_queue_free(q);
}

enum { BLOCKED = 4 };

struct blocked {
    td_queue_t *q;
    td_sem_t in;
    atomic_int shut;
};

static void blocked_putter(void *arg)
{
    struct blocked *b = arg;
    td_sem_release(&b->in, 1);
    if (td_queue_put(b->q, ITEM(9), true, 10.0) == -ESHUTDOWN)
        atomic_fetch_add(&b->shut, 1);
}

static void blocked_getter(void *arg)
{
    struct blocked *b = arg;
    void *item;
    td_sem_release(&b->in, 1);
    if (td_queue_get(b->q, &item, true, 10.0, NULL) == -ESHUTDOWN)
        atomic_fetch_add(&b->shut, 1);
}

static void shutdown_wakes(td_thread_fn fn, long maxsize, int prefill)
{
    static struct blocked b;
    assert_int_equal(td_queue_new(&b.q, maxsize, NULL), 0);
    for (int i = 0; i < prefill; i++)
        td_queue_put(b.q, ITEM(i), true, TD_FOREVER);
    td_sem_init(&b.in, 0);
    atomic_init(&b.shut, 0);
    td_thread_t *threads[BLOCKED];
    for (int i = 0; i < BLOCKED; i++)
        threads[i] = test_start(fn, &b);
    for (int i = 0; i < BLOCKED; i++)
        td_sem_acquire(&b.in, true, TD_FOREVER);
    test_pause(0.02); /* let them block: the case under test */
    double start = test_now();
    td_queue_shutdown(b.q, false);
    for (int i = 0; i < BLOCKED; i++)
        test_join(threads[i]);
    assert_true(test_now() - start < 5.0);
    assert_int_equal(atomic_load(&b.shut), BLOCKED);
    td_queue_free(b.q);
}

static void shutdown_wakes_blocked_putters(void **state)
{
    (void)state;
    shutdown_wakes(blocked_putter, 1, 1); /* maxsize 1: the ring's smallest */
    shutdown_wakes(blocked_putter, 2, 2); /* maxsize 2: the ring */
    shutdown_wakes(blocked_putter, 65537, 65537); /* past the largest ring: a bounded list */
}

static void shutdown_wakes_blocked_getters(void **state)
{
    (void)state;
    shutdown_wakes(blocked_getter, 0, 0);
    shutdown_wakes(blocked_getter, 4, 0);
}

static void shutdown_drains_then_fails(void **state)
{
    (void)state;
    td_queue_t *q;
    assert_int_equal(td_queue_new(&q, 5, NULL), 0);
    td_queue_put(q, ITEM(1), true, TD_FOREVER);
    td_queue_put(q, ITEM(2), true, TD_FOREVER);
    td_queue_shutdown(q, false);
    assert_true(td_queue_is_shutdown(q));
    assert_int_equal(td_queue_put(q, ITEM(3), false, TD_FOREVER), -ESHUTDOWN);
    void *item;
    assert_int_equal(td_queue_get(q, &item, true, TD_FOREVER, NULL), 0);
    assert_int_equal(VALUE(item), 1);
    assert_int_equal(td_queue_get(q, &item, false, TD_FOREVER, NULL), 0);
    assert_int_equal(VALUE(item), 2);
    assert_int_equal(td_queue_get(q, &item, true, TD_FOREVER, NULL), -ESHUTDOWN);
    assert_int_equal(td_queue_get(q, &item, false, TD_FOREVER, NULL), -ESHUTDOWN);
    td_queue_free(q);
}

static int dropped;

static void count_drop(void *item)
{
    (void)item;
    dropped++;
}

static void shutdown_immediate_drops_and_releases_join(void **state)
{
    (void)state;
    td_queue_t *q;
    assert_int_equal(td_queue_new(&q, 0, count_drop), 0);
    for (int i = 0; i < 5; i++)
        td_queue_put(q, ITEM(i), true, TD_FOREVER);
    struct joiner j = { .q = q, .rc = 1 };
    td_thread_t *t = test_start(join_queue, &j);
    dropped = 0;
    td_queue_shutdown(q, true);
    test_join(t);
    assert_int_equal(j.rc, 0);
    assert_int_equal(dropped, 5);
    assert_int_equal(td_queue_qsize(q), 0);
    void *item;
    assert_int_equal(td_queue_get(q, &item, true, TD_FOREVER, NULL), -ESHUTDOWN);
    td_queue_free(q);
    /* Freeing a queue with items drops them too. */
    assert_int_equal(td_queue_new(&q, 0, count_drop), 0);
    td_queue_put(q, ITEM(1), true, TD_FOREVER);
    dropped = 0;
    td_queue_free(q);
    assert_int_equal(dropped, 1);
}

/* Issue 21, item 6: an immediate shutdown of a PriorityQueue without a drop function
 * popped its items one by one (a heap's pop compares log n times each: 1 M items took
 * 0.24 s against 0.002 s for FIFO). The comparisons are the proof: forgetting the
 * items makes none. */
static atomic_size_t comparisons;

static int counting_cmp(const void *a, const void *b)
{
    atomic_fetch_add_explicit(&comparisons, 1, memory_order_relaxed);
    return (VALUE(a) > VALUE(b)) - (VALUE(a) < VALUE(b));
}

static void shutdown_immediate_priority_forgets_in_one_step(void **state)
{
    (void)state;
    enum { N = 100000 };
    td_queue_t *q;
    assert_int_equal(td_priorityqueue_new(&q, 0, counting_cmp, NULL), 0);
    for (uintptr_t i = 0; i < N; i++)
        assert_int_equal(td_queue_put(q, ITEM((i * 7919) % N + 1), false, TD_FOREVER), 0);
    struct joiner j = { .q = q, .rc = 1 };
    td_thread_t *t = test_start(join_queue, &j);
    atomic_store(&comparisons, 0);
    td_queue_shutdown(q, true);
    assert_int_equal(atomic_load(&comparisons), 0);
    test_join(t);
    assert_int_equal(j.rc, 0); /* the dropped items count as done */
    assert_int_equal(td_queue_qsize(q), 0);
    void *item;
    assert_int_equal(td_queue_get(q, &item, true, TD_FOREVER, NULL), -ESHUTDOWN);
    assert_int_equal(td_queue_join(q, 0), 0);
    td_queue_free(q);
}

/* ---- stress: 4 producers, 4 consumers, maxsize 10 ---------------------------------- */

#define STRESS_MESSAGES (TD__TSAN ? 40000 : 1000000)
enum { SIDES = 4 };

struct stress {
    td_queue_t *q;
    atomic_uint next_producer;
    atomic_uint_fast64_t produced_sum, consumed_sum, consumed_count;
};

static void produce(void *arg)
{
    struct stress *s = arg;
    uint64_t id = atomic_fetch_add(&s->next_producer, 1);
    uint64_t sum = 0;
    for (uint64_t i = id; i < STRESS_MESSAGES; i += SIDES) {
        uint64_t value = i * 2654435761u % 1000003 + 1; /* a spread of values */
        td_queue_put(s->q, ITEM(value), true, TD_FOREVER);
        sum += value;
    }
    atomic_fetch_add(&s->produced_sum, sum);
}

static void consume(void *arg)
{
    struct stress *s = arg;
    uint64_t sum = 0, count = 0;
    void *item;
    while (td_queue_get(s->q, &item, true, TD_FOREVER, NULL) == 0) {
        sum += VALUE(item);
        count++;
    }
    atomic_fetch_add(&s->consumed_sum, sum);
    atomic_fetch_add(&s->consumed_count, count);
}

static void four_by_four_stress(void **state)
{
    (void)state;
    static struct stress s;
    assert_int_equal(td_queue_new(&s.q, 10, NULL), 0);
    td_thread_t *producers[SIDES], *consumers[SIDES];
    for (int i = 0; i < SIDES; i++) {
        consumers[i] = test_start(consume, &s);
        producers[i] = test_start(produce, &s);
    }
    for (int i = 0; i < SIDES; i++)
        test_join(producers[i]);
    td_queue_shutdown(s.q, false); /* consumers drain what is left, then stop */
    for (int i = 0; i < SIDES; i++)
        test_join(consumers[i]);
    assert_int_equal(atomic_load(&s.consumed_count), STRESS_MESSAGES);
    assert_int_equal(atomic_load(&s.consumed_sum), atomic_load(&s.produced_sum));
    assert_int_equal(td_queue_qsize(s.q), 0);
    td_queue_free(s.q);
}

/* queue.LifoQueue: last in, first out, with every Queue rule (bound, shutdown). */
static void lifo_order(void **state)
{
    (void)state;
    td_queue_t *q;
    assert_int_equal(td_lifoqueue_new(&q, 3, NULL), 0);
    for (int i = 1; i <= 3; i++)
        assert_int_equal(td_queue_put(q, ITEM(i), false, TD_FOREVER), 0);
    assert_int_equal(td_queue_put(q, ITEM(4), false, TD_FOREVER), -ENOSPC);
    void *item;
    for (int i = 3; i >= 1; i--) {
        assert_int_equal(td_queue_get(q, &item, false, TD_FOREVER, NULL), 0);
        assert_int_equal(VALUE(item), i);
    }
    for (int i = 0; i < 100; i++) /* unbounded growth keeps the order too */
        assert_int_equal(td_queue_put(q, ITEM(i), false, TD_FOREVER), i < 3 ? 0 : -ENOSPC);
    td_queue_free(q);
    assert_int_equal(td_lifoqueue_new(&q, 0, NULL), 0);
    for (int i = 0; i < 100; i++)
        assert_int_equal(td_queue_put(q, ITEM(i), false, TD_FOREVER), 0);
    for (int i = 99; i >= 0; i--) {
        assert_int_equal(td_queue_get(q, &item, false, TD_FOREVER, NULL), 0);
        assert_int_equal(VALUE(item), i);
    }
    td_queue_free(q);
}

struct job {
    int priority;
    int serial;
};

static int by_priority(const void *a, const void *b)
{
    const struct job *x = a, *y = b;
    return (x->priority > y->priority) - (x->priority < y->priority);
}

/* queue.PriorityQueue: smallest first; equal priorities in put order (a documented
 * difference: heapq, which CPython uses, is not stable). */
static void priority_order_and_ties(void **state)
{
    (void)state;
    enum { N = 200 };
    struct job jobs[N];
    td_queue_t *q;
    assert_int_equal(td_priorityqueue_new(&q, 0, NULL, NULL), -EINVAL);
    assert_int_equal(td_priorityqueue_new(&q, 0, by_priority, NULL), 0);
    for (int i = 0; i < N; i++) {
        jobs[i] = (struct job){ .priority = (i * 37) % 11, .serial = i };
        assert_int_equal(td_queue_put(q, &jobs[i], false, TD_FOREVER), 0);
    }
    struct job *last = NULL;
    for (int i = 0; i < N; i++) {
        void *item;
        assert_int_equal(td_queue_get(q, &item, false, TD_FOREVER, NULL), 0);
        struct job *j = item;
        if (last) {
            assert_true(last->priority <= j->priority);
            if (last->priority == j->priority)
                assert_true(last->serial < j->serial);
        }
        last = j;
    }
    assert_true(td_queue_empty(q));
    td_queue_free(q);
}

static void get_simple(void *arg)
{
    td_simplequeue_t *q = arg;
    void *item = NULL;
    if (td_simplequeue_get(q, &item, true, TD_FOREVER) == 0)
        td_simplequeue_put(q, (void *)((uintptr_t)item + 1));
}

/* queue.SimpleQueue: unbounded FIFO, put never blocks, get with block/timeout. */
static void simple_queue(void **state)
{
    (void)state;
    td_simplequeue_t *q;
    assert_int_equal(td_simplequeue_new(&q, NULL), 0);
    void *item;
    assert_int_equal(td_simplequeue_get(q, &item, false, TD_FOREVER), -ENODATA);
    double start = test_now();
    assert_int_equal(td_simplequeue_get(q, &item, true, 0.05), -ENODATA);
    assert_elapsed(start, 0.05);
    assert_int_equal(td_simplequeue_get(q, &item, true, -1.5), -EINVAL);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(td_simplequeue_put(q, ITEM(i)), 0);
    assert_int_equal(td_simplequeue_qsize(q), 1000);
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(td_simplequeue_get(q, &item, false, TD_FOREVER), 0);
        assert_int_equal(VALUE(item), i);
    }
    assert_true(td_simplequeue_empty(q));
    td_thread_t *t = test_start(get_simple, q);
    assert_int_equal(td_simplequeue_put(q, ITEM(41)), 0);
    test_join(t);
    assert_int_equal(td_simplequeue_get(q, &item, true, TD_FOREVER), 0);
    assert_int_equal(VALUE(item), 42);
    td_simplequeue_free(q);
}

/* Orders NULL first: a PriorityQueue's cmp sees NULL items too (queue.h). */
static int null_first(const void *a, const void *b)
{
    return (VALUE(a) > VALUE(b)) - (VALUE(a) < VALUE(b));
}

/* Issue 24: a NULL item is an item (Python's None sentinel), not "no item", in every
 * queue kind: it is counted, got back in its place, and dropped like any other. */
static void null_items_round_trip(void **state)
{
    (void)state;
    td_queue_t *queues[4];
    assert_int_equal(td_queue_new(&queues[0], 3, count_drop), 0);       /* ring */
    assert_int_equal(td_queue_new(&queues[1], 0, count_drop), 0);       /* list */
    assert_int_equal(td_lifoqueue_new(&queues[2], 3, count_drop), 0);
    assert_int_equal(td_priorityqueue_new(&queues[3], 3, null_first, count_drop), 0);
    const uintptr_t want[4][3] = { { 7, 0, 8 }, { 7, 0, 8 }, { 8, 0, 7 }, { 0, 7, 8 } };
    for (int k = 0; k < 4; k++) {
        td_queue_t *q = queues[k];
        assert_int_equal(td_queue_put(q, ITEM(7), true, TD_FOREVER), 0);
        assert_int_equal(td_queue_put(q, NULL, true, TD_FOREVER), 0);
        assert_int_equal(td_queue_put(q, ITEM(8), true, TD_FOREVER), 0);
        assert_int_equal(td_queue_qsize(q), 3);
        for (int i = 0; i < 3; i++) {
            void *item = ITEM(99);
            assert_int_equal(td_queue_get(q, &item, false, TD_FOREVER, NULL), 0);
            assert_int_equal(VALUE(item), want[k][i]);
        }
        assert_true(td_queue_empty(q));
        assert_int_equal(td_queue_put(q, NULL, true, TD_FOREVER), 0);
        dropped = 0;
        td_queue_free(q); /* a NULL left in the queue is still an item to drop */
        assert_int_equal(dropped, 1);
    }
    td_simplequeue_t *sq;
    assert_int_equal(td_simplequeue_new(&sq, NULL), 0);
    assert_int_equal(td_simplequeue_put(sq, NULL), 0);
    assert_int_equal(td_simplequeue_put(sq, ITEM(5)), 0);
    assert_int_equal(td_simplequeue_qsize(sq), 2);
    void *item = ITEM(99);
    assert_int_equal(td_simplequeue_get(sq, &item, false, TD_FOREVER), 0);
    assert_null(item);
    assert_int_equal(td_simplequeue_get(sq, &item, false, TD_FOREVER), 0);
    assert_int_equal(VALUE(item), 5);
    assert_true(td_simplequeue_empty(sq));
    td_simplequeue_free(sq);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fifo_and_sizes),
        cmocka_unit_test(unbounded_grows_in_order),
        cmocka_unit_test(timeouts),
        cmocka_unit_test(task_done_and_join),
        cmocka_unit_test(shutdown_wakes_blocked_putters),
        cmocka_unit_test(shutdown_wakes_blocked_getters),
        cmocka_unit_test(shutdown_drains_then_fails),
        cmocka_unit_test(shutdown_immediate_drops_and_releases_join),
        cmocka_unit_test(shutdown_immediate_priority_forgets_in_one_step),
        cmocka_unit_test(four_by_four_stress),
        cmocka_unit_test(lifo_order),
        cmocka_unit_test(priority_order_and_ties),
        cmocka_unit_test(simple_queue),
        cmocka_unit_test(null_items_round_trip),
    };
    return test_run_cases(tests);
}
