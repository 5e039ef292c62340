/* SPDX-License-Identifier: MIT */
/* test_stress_queue.c - many producers and consumers on one queue.Queue, checked
 * against what CPython 3.13 promises, not against timing:
 *
 *   - every item whose put() returned 0 comes out exactly once (got, or dropped by
 *     an immediate shutdown), and no item whose put() failed ever comes out;
 *   - one consumer sees one producer's items in the order they were put (FIFO);
 *   - once shutdown() has returned, every put fails with -ESHUTDOWN; and once a get
 *     has reported -ESHUTDOWN (shut down and drained), no later put succeeds;
 *   - a get reports -ESHUTDOWN, and a non-blocking or timed get reports -ENODATA,
 *     only when no item whose put() had returned is still in the queue;
 *   - shutdown(immediate=True) leaves the queue empty: qsize() is 0 when it
 *     returns, and no get that starts afterwards returns an item;
 *   - join() returns once every item is done: nothing is stranded.
 *
 * Producers mix blocking, timed and non-blocking puts; consumers mix blocking,
 * timed and non-blocking gets. Each size (0, 1: the mutex queue; 2, 1024: the
 * lock-free ring) runs three ways: drained (shutdown after the producers finish),
 * shut down mid-flight, and shut down mid-flight with immediate=True. The main
 * thread is the watchdog (a pthread latch with a generous deadline): a run whose
 * threads do not finish fails and is left behind.
 *
 * "Before" and "after" are read from counters the threads update around each
 * call, so every check holds for any interleaving a correct queue allows: an
 * Empty answer is wrong only if more puts had completed before the get began than
 * gets (or drops) could possibly have happened before it returned.
 *
 * Known to fail before issue 11's fix, at maxsize 2 and 1024 (the ring): puts
 * that succeed after shutdown() returned, items stranded after a reader saw the
 * queue drained (join() never returns), a non-empty queue after
 * shutdown(immediate=True), and Empty reported while a completed put is unconsumed.
 */
#include "helpers.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PRODUCERS = 4, CONSUMERS = 4 };
enum { DRAINED, MIDFLIGHT, IMMEDIATE, MODES };
static const char *const MODE_NAMES[MODES] = { "drained", "shutdown mid-flight",
                                               "shutdown(immediate=True) mid-flight" };

/* The promises, each with a count and the first case seen. */
enum {
    PUT_AFTER_SHUTDOWN,     /* a put began after shutdown() returned and succeeded */
    PUT_AFTER_DRAINED,      /* ...after a get had reported shut down and empty */
    GET_AFTER_IMMEDIATE,    /* a get began after shutdown(immediate) and got an item */
    NOT_EMPTY_AFTER_IMMEDIATE,
    EMPTY_WITH_ITEMS,       /* -ENODATA although a completed put was unconsumed */
    SHUTDOWN_WITH_ITEMS,    /* -ESHUTDOWN although a completed put was unconsumed */
    OUT_OF_ORDER,           /* one producer's items out of order at one consumer */
    UNEXPECTED_CODE,
    VIOLATIONS
};
static const char *const VIOLATION_NAMES[VIOLATIONS] = {
    "put() succeeded although it began after shutdown() had returned",
    "put() succeeded although it began after a get had reported the queue shut down "
    "and empty",
    "get() returned an item although it began after shutdown(immediate=True) returned",
    "the queue was not empty when shutdown(immediate=True) returned",
    "get() reported Empty (-ENODATA) while an item whose put() had returned was unconsumed",
    "get() reported ShutDown while an item whose put() had returned was unconsumed",
    "a consumer got one producer's items out of order",
    "an operation returned an unexpected code",
};

struct run {
    td_queue_t *q;
    long maxsize;
    int mode;
    long per_producer;
    atomic_uchar *put_ok, *got, *dropped; /* per item */
    atomic_long completed_puts, gets_started, failed_gets, dropped_count, consumed;
    atomic_bool shutdown_started, shutdown_returned, reader_saw_shutdown;
    atomic_long violations[VIOLATIONS];
    char first[VIOLATIONS][160];
    atomic_bool first_taken[VIOLATIONS];
    atomic_int producer_ids, consumer_ids;
    test_latch_t producers_done, consumers_done;
};

static struct run *current; /* for the drop function, which has no context */

#define ITEM(p, seq) ((void *)(uintptr_t)(((uintptr_t)(p) << 24 | (uintptr_t)(seq)) + 1))
#define PRODUCER_OF(item) ((int)(((uintptr_t)(item) - 1) >> 24))
#define SEQ_OF(item) ((long)(((uintptr_t)(item) - 1) & 0xffffff))

static long index_of(struct run *r, void *item)
{
    return PRODUCER_OF(item) * r->per_producer + SEQ_OF(item);
}

static void violation(struct run *r, int kind, const char *fmt, ...) TD_PRINTF(3, 4);

static void violation(struct run *r, int kind, const char *fmt, ...)
{
    atomic_fetch_add(&r->violations[kind], 1);
    if (atomic_exchange(&r->first_taken[kind], true))
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->first[kind], sizeof r->first[kind], fmt, ap);
    va_end(ap);
}

static void drop(void *item)
{
    struct run *r = current;
    atomic_fetch_add(&r->dropped[index_of(r, item)], 1);
    atomic_fetch_add(&r->dropped_count, 1);
}

/* ---- producers ----------------------------------------------------------------------- */

/* One put, in the style seq picks: blocking, timed (retried), or non-blocking
 * (retried as timed). Returns 0 or -ESHUTDOWN (or an unexpected code). */
static int put_one(struct run *r, void *item, long seq)
{
    int rc;
    switch (seq % 3) {
    case 0:
        return td_queue_put(r->q, item, true, TD_FOREVER);
    case 1:
        while ((rc = td_queue_put(r->q, item, true, 0.001)) == -ENOSPC) {
        }
        return rc;
    default:
        rc = td_queue_put(r->q, item, false, TD_FOREVER);
        while (rc == -ENOSPC)
            rc = td_queue_put(r->q, item, true, 0.001);
        return rc;
    }
}

static void producer(void *arg)
{
    struct run *r = arg;
    int p = atomic_fetch_add(&r->producer_ids, 1);
    for (long seq = 0; seq < r->per_producer; seq++) {
        void *item = ITEM(p, seq);
        bool after_shutdown = atomic_load(&r->shutdown_returned);
        bool after_drained = atomic_load(&r->reader_saw_shutdown);
        int rc = put_one(r, item, seq);
        if (rc == -ESHUTDOWN)
            break;
        if (rc != 0) {
            violation(r, UNEXPECTED_CODE, "put returned %d", rc);
            break;
        }
        atomic_store(&r->put_ok[index_of(r, item)], 1);
        atomic_fetch_add(&r->completed_puts, 1);
        if (after_shutdown)
            violation(r, PUT_AFTER_SHUTDOWN, "producer %d, item %ld", p, seq);
        if (after_drained)
            violation(r, PUT_AFTER_DRAINED, "producer %d, item %ld", p, seq);
    }
    test_latch_arrive(&r->producers_done);
}

/* ---- consumers ----------------------------------------------------------------------- */

/* The most items that can have left the queue by now, other than through the get
 * in progress: every get started (but ours and those known to have failed before
 * ours began), plus every drop. */
static long most_removed(struct run *r, long failed_before)
{
    return atomic_load(&r->gets_started) - 1 - failed_before +
           atomic_load(&r->dropped_count);
}

static void consumer(void *arg)
{
    struct run *r = arg;
    int c = atomic_fetch_add(&r->consumer_ids, 1);
    long last_seq[PRODUCERS];
    for (int p = 0; p < PRODUCERS; p++)
        last_seq[p] = -1;
    for (long n = 0;; n++) {
        bool after_immediate = r->mode == IMMEDIATE && atomic_load(&r->shutdown_returned);
        long puts_before = atomic_load(&r->completed_puts);
        long failed_before = atomic_load(&r->failed_gets);
        atomic_fetch_add(&r->gets_started, 1);
        void *item = NULL;
        int rc = n % 3 == 0 ? td_queue_get(r->q, &item, true, TD_FOREVER, NULL)
               : n % 3 == 1 ? td_queue_get(r->q, &item, true, 0.001, NULL)
                            : td_queue_get(r->q, &item, false, TD_FOREVER, NULL);
        if (rc == 0) {
            int p = PRODUCER_OF(item);
            long seq = SEQ_OF(item);
            atomic_fetch_add(&r->got[index_of(r, item)], 1);
            atomic_fetch_add(&r->consumed, 1);
            td_queue_task_done(r->q);
            if (seq <= last_seq[p])
                violation(r, OUT_OF_ORDER, "consumer %d: producer %d's item %ld after %ld", c,
                          p, seq, last_seq[p]);
            last_seq[p] = seq;
            if (after_immediate)
                violation(r, GET_AFTER_IMMEDIATE, "consumer %d got producer %d's item %ld", c,
                          p, seq);
            continue;
        }
        long removable = most_removed(r, failed_before);
        bool shut = atomic_load(&r->shutdown_started);
        atomic_fetch_add(&r->failed_gets, 1);
        if (rc == -ESHUTDOWN) {
            atomic_store(&r->reader_saw_shutdown, true);
            if (puts_before > removable)
                violation(r, SHUTDOWN_WITH_ITEMS, "consumer %d: %ld puts done, at most %ld "
                          "removed", c, puts_before, removable);
            break;
        }
        if (rc != -ENODATA) {
            violation(r, UNEXPECTED_CODE, "get returned %d", rc);
            break;
        }
        /* Empty is only CPython's answer before shutdown: after it, ShutDown. */
        if (!shut && puts_before > removable)
            violation(r, EMPTY_WITH_ITEMS, "consumer %d (%s get): %ld puts done, at most %ld "
                      "removed", c, n % 3 == 1 ? "timed" : "non-blocking", puts_before,
                      removable);
    }
    test_latch_arrive(&r->consumers_done);
}

/* ---- one run ------------------------------------------------------------------------- */

static double deadline_for_threads(void)
{
    return test_under_sanitizer() ? 120.0 : 30.0;
}

static void shut_down(struct run *r)
{
    atomic_store(&r->shutdown_started, true);
    td_queue_shutdown(r->q, r->mode == IMMEDIATE);
    atomic_store(&r->shutdown_returned, true);
    size_t left = td_queue_qsize(r->q);
    if (r->mode == IMMEDIATE && left != 0)
        violation(r, NOT_EMPTY_AFTER_IMMEDIATE, "qsize() was %zu", left);
}

/* Shut down mid-flight: once a third of the items has been consumed. */
static void shut_down_midway(struct run *r)
{
    long target = PRODUCERS * r->per_producer / 3;
    double deadline = test_now() + deadline_for_threads();
    while (atomic_load(&r->consumed) < target && test_now() < deadline &&
           test_latch_count(&r->producers_done) < PRODUCERS)
        test_nap(0.0001);
    shut_down(r);
}

static struct run *abandoned[8];
static int n_abandoned;

/* Every item accounted for: out exactly once if its put succeeded, never if not. */
static void check_items(struct run *r, char *msg, size_t size)
{
    long stranded = 0, doubled = 0, phantom = 0, first = -1;
    long n = PRODUCERS * r->per_producer;
    for (long i = 0; i < n; i++) {
        int out = atomic_load(&r->got[i]) + atomic_load(&r->dropped[i]);
        bool in = atomic_load(&r->put_ok[i]);
        if (in && out == 0)
            stranded++;
        else if (out > 1)
            doubled++;
        else if (!in && out > 0)
            phantom++;
        else
            continue;
        if (first < 0)
            first = i;
    }
    if (stranded + doubled + phantom > 0)
        snprintf(msg, size, "%ld items stranded (put() returned 0, never came out), %ld "
                 "came out twice, %ld came out although their put failed; first: producer "
                 "%ld's item %ld", stranded, doubled, phantom, first / r->per_producer,
                 first % r->per_producer);
}

static void run_stress(long maxsize, int mode)
{
    struct run *r = calloc(1, sizeof *r);
    assert_non_null(r);
    r->maxsize = maxsize;
    r->mode = mode;
    r->per_producer = test_scaled(20000);
    long n = PRODUCERS * r->per_producer;
    r->put_ok = calloc((size_t)n, 1);
    r->got = calloc((size_t)n, 1);
    r->dropped = calloc((size_t)n, 1);
    assert_true(r->put_ok && r->got && r->dropped);
    test_latch_init(&r->producers_done);
    test_latch_init(&r->consumers_done);
    current = r;
    assert_int_equal(td_queue_new(&r->q, maxsize, drop), 0);
    td_thread_t *threads[PRODUCERS + CONSUMERS];
    for (int i = 0; i < CONSUMERS; i++)
        threads[i] = test_start_daemon(consumer, r);
    for (int i = 0; i < PRODUCERS; i++)
        threads[CONSUMERS + i] = test_start_daemon(producer, r);
    if (mode == DRAINED) {
        if (test_latch_wait(&r->producers_done, PRODUCERS, deadline_for_threads()))
            shut_down(r);
    } else {
        shut_down_midway(r);
    }
    bool finished = test_latch_wait(&r->producers_done, PRODUCERS, deadline_for_threads()) &&
                    test_latch_wait(&r->consumers_done, CONSUMERS, deadline_for_threads());
    if (!finished) {
        if (n_abandoned < 8)
            abandoned[n_abandoned++] = r;
        fail_msg("maxsize %ld, %s: hang: %ld of %d producers and %ld of %d consumers "
                 "still blocked after %.0f s (qsize %zu)", maxsize, MODE_NAMES[mode],
                 PRODUCERS - test_latch_count(&r->producers_done), PRODUCERS,
                 CONSUMERS - test_latch_count(&r->consumers_done), CONSUMERS,
                 deadline_for_threads(), td_queue_qsize(r->q));
    }
    for (int i = 0; i < PRODUCERS + CONSUMERS; i++) {
        assert_int_equal(td_thread_join(threads[i], deadline_for_threads()), 0);
        td_thread_free(threads[i]);
    }
    /* Every check, then one report of all that failed. */
    char report[2048] = "";
    size_t len = 0;
    for (int k = 0; k < VIOLATIONS; k++)
        if (atomic_load(&r->violations[k]) > 0)
            len += (size_t)snprintf(report + len, sizeof report - len, "\n  %ld x %s (first: %s)",
                                    atomic_load(&r->violations[k]), VIOLATION_NAMES[k],
                                    r->first[k]);
    char items[512] = "";
    check_items(r, items, sizeof items);
    if (items[0])
        len += (size_t)snprintf(report + len, sizeof report - len, "\n  %s", items);
    if (td_queue_join(r->q, 10) != 0)
        len += (size_t)snprintf(report + len, sizeof report - len,
                                "\n  join() did not return within 10 s: an item was never "
                                "marked done");
    if (td_queue_qsize(r->q) != 0)
        len += (size_t)snprintf(report + len, sizeof report - len,
                                "\n  qsize() is %zu after every consumer saw ShutDown",
                                td_queue_qsize(r->q));
    if (mode == DRAINED && atomic_load(&r->consumed) != n)
        len += (size_t)snprintf(report + len, sizeof report - len,
                                "\n  drained run: %ld of %ld items consumed",
                                atomic_load(&r->consumed), n);
    current = NULL;
    td_queue_free(r->q);
    test_latch_destroy(&r->producers_done);
    test_latch_destroy(&r->consumers_done);
    free(r->put_ok);
    free(r->got);
    free(r->dropped);
    free(r);
    if (len > 0)
        fail_msg("maxsize %ld, %s, %d producers x %ld items, %d consumers:%s", maxsize,
                 MODE_NAMES[mode], PRODUCERS, n / PRODUCERS, CONSUMERS, report);
}

static void test_many_producers_consumers(void **state)
{
    run_stress(*(const long *)*state, DRAINED);
}

static void test_shutdown_mid_flight(void **state)
{
    run_stress(*(const long *)*state, MIDFLIGHT);
}

static void test_shutdown_immediate_mid_flight(void **state)
{
    run_stress(*(const long *)*state, IMMEDIATE);
}

static const long SIZES[] = { 0, 1, 2, 1024 };

#define EACH_SIZE(fn)                                                           \
    { #fn "(maxsize=0)", fn, NULL, NULL, (void *)&SIZES[0] },                   \
    { #fn "(maxsize=1)", fn, NULL, NULL, (void *)&SIZES[1] },                   \
    { #fn "(maxsize=2)", fn, NULL, NULL, (void *)&SIZES[2] },                   \
    { #fn "(maxsize=1024)", fn, NULL, NULL, (void *)&SIZES[3] }

int main(void)
{
    const struct CMUnitTest tests[] = {
        EACH_SIZE(test_many_producers_consumers),
        EACH_SIZE(test_shutdown_mid_flight),
        EACH_SIZE(test_shutdown_immediate_mid_flight),
    };
    test_filter_from_env();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
