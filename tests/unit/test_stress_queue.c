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
 * Every case runs at maxsize 0 (the unbounded list of blocks), 1, 2 and 1024 (the
 * stamped ring) and 65537 (past the largest ring: the list with a bound):
 *   test_many_producers_consumers     4 producers, 4 consumers, drained at the end
 *   test_shutdown_mid_flight          ...shut down halfway
 *   test_shutdown_immediate_mid_flight ...shut down halfway with immediate=True
 *   test_get_nowait_sees_completed_puts 3 producers, 1 consumer polling get_nowait
 *   test_shutdown_races               150 short runs, each shut down after a few items
 * Producers mix blocking, timed and non-blocking puts; consumers mix blocking,
 * timed and non-blocking gets. Runs are bounded in time (THRDEMO_STRESS_SCALE) and
 * run once as they are and once with "the freezer", which stops producers at
 * random instructions. The main thread is the watchdog (a pthread latch with a
 * generous deadline): a run whose threads do not finish fails and is left behind.
 *
 * "Before" and "after" are read from counters the threads update around each
 * call, so every check holds for any interleaving a correct queue allows: an
 * Empty answer is wrong only if more puts had completed before the get began than
 * gets (or drops) could possibly have happened before it returned.
 *
 * Issue 11: the lock-free ring that served maxsize >= 2 in version 0.1.0 failed this file
 * on every run (measured 5 of 5): puts that succeeded after a reader had seen the
 * queue shut down and drained, so their items were stranded and join() never
 * returned; a non-empty queue after shutdown(immediate=True), whose later gets
 * returned items; ShutDown and Empty reported while a completed put was unconsumed.
 */
#include "helpers.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { MAX_SIDE = 8, PRODUCERS = 4, CONSUMERS = 4 }; /* the long runs' counts */
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
    "put() succeeded although it began after a get had reported ShutDown (drained)",
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
    int producers, consumers;
    bool nowait_gets;             /* consumers use only get_nowait */
    long per_producer;            /* at most; they stop early at stop_producing */
    double stop_producing;        /* test_now() time; 0: never */
    atomic_int producer_tid[MAX_SIDE]; /* kernel ids while they produce, for the freezer */
    atomic_long attempted[MAX_SIDE];   /* items each producer tried to put */
    atomic_uchar *put_ok, *got, *dropped; /* per item */
    atomic_long completed_puts, gets_started, failed_gets, dropped_count, consumed;
    atomic_bool shutdown_started, shutdown_returned, reader_saw_shutdown;
    atomic_long violations[VIOLATIONS];
    char first[VIOLATIONS][160];
    atomic_bool first_taken[VIOLATIONS];
    atomic_int producer_ids, consumer_ids;
    /* Each consumer's -ESHUTDOWN, judged after the run (see consumer()). */
    struct { bool seen; long puts_before, gets_bound; } shutdown_seen[MAX_SIDE];
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
    atomic_store(&r->producer_tid[p], (int)td_get_native_id());
    for (long seq = 0; seq < r->per_producer; seq++) {
        if (seq % 64 == 0 && r->stop_producing > 0 && test_now() > r->stop_producing)
            break;
        atomic_store(&r->attempted[p], seq + 1);
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
    atomic_store(&r->producer_tid[p], 0);
    test_latch_arrive(&r->producers_done);
}

/* ---- consumers ----------------------------------------------------------------------- */

/* The most items that can have left the queue by now through gets other than
 * the one in progress: every get started (but ours and those known to have failed
 * before ours began). Drops are added where they are known in full. */
static long most_got(struct run *r, long failed_before)
{
    return atomic_load(&r->gets_started) - 1 - failed_before;
}

static void consumer(void *arg)
{
    struct run *r = arg;
    int c = atomic_fetch_add(&r->consumer_ids, 1);
    long last_seq[MAX_SIDE];
    for (int p = 0; p < MAX_SIDE; p++)
        last_seq[p] = -1;
    for (long n = 0;; n++) {
        bool after_immediate = r->mode == IMMEDIATE && atomic_load(&r->shutdown_returned);
        long puts_before = atomic_load(&r->completed_puts);
        long failed_before = atomic_load(&r->failed_gets);
        atomic_fetch_add(&r->gets_started, 1);
        void *item = NULL;
        int style = r->nowait_gets ? 2 : (int)(n % 3);
        int rc = style == 0 ? td_queue_get(r->q, &item, true, TD_FOREVER, NULL)
               : style == 1 ? td_queue_get(r->q, &item, true, 0.001, NULL)
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
        long removable = most_got(r, failed_before);
        bool shut = atomic_load(&r->shutdown_started);
        atomic_fetch_add(&r->failed_gets, 1);
        if (rc == -ESHUTDOWN) {
            /* An immediate shutdown empties the queue at once but calls the drop
             * function afterwards, so the drops are only all known once the run is
             * over: the check is made then, with every drop counted. */
            atomic_store(&r->reader_saw_shutdown, true);
            r->shutdown_seen[c].seen = true;
            r->shutdown_seen[c].puts_before = puts_before;
            r->shutdown_seen[c].gets_bound = removable;
            break;
        }
        if (rc != -ENODATA) {
            violation(r, UNEXPECTED_CODE, "get returned %d", rc);
            break;
        }
        /* Empty is only CPython's answer before shutdown (so nothing was dropped):
         * after it, ShutDown. */
        if (!shut && puts_before > removable)
            violation(r, EMPTY_WITH_ITEMS, "consumer %d (%s get): %ld puts done, at most %ld "
                      "removed", c, style == 1 ? "timed" : "non-blocking", puts_before,
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

/* Shut down mid-flight: once target items have been consumed, or at time at. */
static void shut_down_midway(struct run *r, long target, double at)
{
    double deadline = test_now() + deadline_for_threads();
    while (atomic_load(&r->consumed) < target && test_now() < at && test_now() < deadline &&
           test_latch_count(&r->producers_done) < r->producers)
        test_nap(0.0001);
    shut_down(r);
}

static struct run *abandoned[8];
static int n_abandoned;

/* Every item accounted for: out exactly once if its put succeeded, never if not.
 * (Items no producer got to cannot come out: the queue never saw their values.) */
static void check_items(struct run *r, char *msg, size_t size)
{
    long stranded = 0, doubled = 0, phantom = 0, first = -1;
    for (long i = 0; i < r->producers * r->per_producer; i++) {
        if (i % r->per_producer == atomic_load(&r->attempted[i / r->per_producer])) {
            i = (i / r->per_producer + 1) * r->per_producer - 1; /* the next producer */
            continue;
        }
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

/* The freezer: a thread that, every 20 us, stops one producer where it happens to
 * be for 50 us (a signal whose handler sleeps), while the others run on. A
 * producer stopped between two steps of a put is exactly where an unlinearizable
 * queue shows it; without the freezer that window is a few nanoseconds wide and
 * only a rare preemption hits it. */
static void freeze_here(int sig)
{
    (void)sig;
    struct timespec ts = { .tv_nsec = 50000 };
    nanosleep(&ts, NULL); /* async-signal-safe */
}

struct freezer {
    struct run *r;
    pthread_t thread;
    atomic_bool stop;
};

static void *freeze_producers(void *arg)
{
    struct freezer *f = arg;
    pid_t pid = getpid();
    for (unsigned i = 0; !atomic_load(&f->stop); i++) {
        int tid = atomic_load(&f->r->producer_tid[i % (unsigned)f->r->producers]);
        if (tid != 0)
            syscall(SYS_tgkill, pid, tid, SIGUSR1); /* ESRCH if it is gone: fine */
        test_nap(20e-6);
    }
    return NULL;
}

static void freezer_start(struct freezer *f, struct run *r)
{
    /* Installed for good: a late signal to a thread must never kill the process. */
    struct sigaction sa = { .sa_handler = freeze_here, .sa_flags = SA_RESTART };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    f->r = r;
    atomic_init(&f->stop, false);
    assert_int_equal(pthread_create(&f->thread, NULL, freeze_producers, f), 0);
}

static void freezer_stop(struct freezer *f)
{
    atomic_store(&f->stop, true);
    pthread_join(f->thread, NULL);
}

/* What a run looks like. */
struct shape {
    int producers, consumers;
    long per_producer; /* at most this many items each */
    double seconds;    /* producing stops after this long (0: when all are put) */
    long target;       /* mid-flight shutdown once this many items were consumed... */
    double shutdown_after; /* ...or this many seconds after the start */
    bool nowait_gets;
    bool freeze;       /* run the freezer beside the producers */
};

static size_t appendf(char *buf, size_t size, size_t len, const char *fmt, ...) TD_PRINTF(4, 5);

static size_t appendf(char *buf, size_t size, size_t len, const char *fmt, ...)
{
    if (len >= size)
        return len;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + len, size - len, fmt, ap);
    va_end(ap);
    return n < 0 ? len : len + (size_t)n;
}

/* Check a finished run: every promise, then one report of all that failed. */
static size_t check_run(struct run *r, char *report, size_t size)
{
    for (int c = 0; c < r->consumers; c++) {
        long removable = r->shutdown_seen[c].gets_bound + atomic_load(&r->dropped_count);
        if (r->shutdown_seen[c].seen && r->shutdown_seen[c].puts_before > removable)
            violation(r, SHUTDOWN_WITH_ITEMS, "consumer %d: %ld puts done, at most %ld "
                      "got or dropped", c, r->shutdown_seen[c].puts_before, removable);
    }
    size_t len = 0;
    for (int k = 0; k < VIOLATIONS; k++)
        if (atomic_load(&r->violations[k]) > 0)
            len = appendf(report, size, len, "\n  %ld x %s (first: %s)",
                          atomic_load(&r->violations[k]), VIOLATION_NAMES[k], r->first[k]);
    char items[512] = "";
    check_items(r, items, sizeof items);
    if (items[0])
        len = appendf(report, size, len, "\n  %s", items);
    /* Every item was got and marked done, or dropped: join returns at once, and the
     * limit only tells a lost task_done from a loaded machine. */
    if (td_queue_join(r->q, deadline_for_threads()) != 0)
        len = appendf(report, size, len, "\n  join() did not return within %.0f s: an "
                      "item was never marked done", deadline_for_threads());
    if (td_queue_qsize(r->q) != 0)
        len = appendf(report, size, len, "\n  qsize() is %zu after every consumer saw "
                      "ShutDown", td_queue_qsize(r->q));
    if (r->mode == DRAINED && atomic_load(&r->consumed) != atomic_load(&r->completed_puts))
        len = appendf(report, size, len, "\n  drained run: %ld of %ld items consumed",
                      atomic_load(&r->consumed), atomic_load(&r->completed_puts));
    return len;
}

/* One run of a shape at maxsize, shut down as mode says. True if every promise
 * held; else false, and report says which did not. A run that hangs is left
 * behind (its threads are daemons). */
static bool run_stress(long maxsize, int mode, const struct shape *shape, char *report,
                       size_t size)
{
    struct run *r = calloc(1, sizeof *r);
    assert_non_null(r);
    r->maxsize = maxsize;
    r->mode = mode;
    r->producers = shape->producers;
    r->consumers = shape->consumers;
    r->per_producer = shape->per_producer;
    r->nowait_gets = shape->nowait_gets;
    long n = r->producers * r->per_producer;
    r->put_ok = calloc((size_t)n, 1);
    r->got = calloc((size_t)n, 1);
    r->dropped = calloc((size_t)n, 1);
    assert_true(r->put_ok && r->got && r->dropped);
    test_latch_init(&r->producers_done);
    test_latch_init(&r->consumers_done);
    current = r;
    assert_int_equal(td_queue_new(&r->q, maxsize, drop), 0);
    double start = test_now();
    r->stop_producing = shape->seconds > 0 ? start + shape->seconds : 0;
    struct freezer freezer;
    if (shape->freeze)
        freezer_start(&freezer, r);
    td_thread_t *threads[2 * MAX_SIDE];
    int n_threads = r->producers + r->consumers;
    for (int i = 0; i < r->consumers; i++)
        threads[i] = test_start_daemon(consumer, r);
    for (int i = 0; i < r->producers; i++)
        threads[r->consumers + i] = test_start_daemon(producer, r);
    if (mode == DRAINED) {
        if (test_latch_wait(&r->producers_done, r->producers, deadline_for_threads()))
            shut_down(r);
    } else {
        double at = shape->shutdown_after > 0 ? start + shape->shutdown_after : 1e300;
        shut_down_midway(r, shape->target, at);
    }
    bool producers_done = test_latch_wait(&r->producers_done, r->producers,
                                          deadline_for_threads());
    if (shape->freeze)
        freezer_stop(&freezer);
    if (!producers_done ||
        !test_latch_wait(&r->consumers_done, r->consumers, deadline_for_threads())) {
        snprintf(report, size, "\n  hang: %ld of %d producers and %ld of %d consumers still "
                 "blocked after %.0f s (qsize %zu)",
                 r->producers - test_latch_count(&r->producers_done), r->producers,
                 r->consumers - test_latch_count(&r->consumers_done), r->consumers,
                 deadline_for_threads(), td_queue_qsize(r->q));
        if (n_abandoned < 8)
            abandoned[n_abandoned++] = r;
        return false;
    }
    for (int i = 0; i < n_threads; i++) {
        assert_int_equal(td_thread_join(threads[i], deadline_for_threads()), 0);
        td_thread_free(threads[i]);
    }
    size_t len = check_run(r, report, size);
    td_queue_free(r->q); /* drops what a broken queue still holds: current is r */
    current = NULL;
    test_latch_destroy(&r->producers_done);
    test_latch_destroy(&r->consumers_done);
    free(r->put_ok);
    free(r->got);
    free(r->dropped);
    free(r);
    return len == 0;
}

/* Run a shape twice: as it is, then with the freezer. Fails the test with the
 * report of the first run that broke a promise. */
static void run_both_ways(long maxsize, int mode, const struct shape *shape, const char *what)
{
    char report[2048] = "";
    for (int freeze = 0; freeze < 2; freeze++) {
        struct shape this = *shape;
        this.freeze = freeze;
        if (!run_stress(maxsize, mode, &this, report, sizeof report))
            fail_msg("maxsize %ld, %s, %s%s:%s", maxsize, MODE_NAMES[mode], what,
                     freeze ? ", producers frozen at random points" : "", report);
    }
}

/* Seconds a time-bounded run produces for: less under sanitizers. */
static double run_seconds(void)
{
    return 0.05 * test_stress_scale();
}

/* Four producers and four consumers, every kind of put and get, for a while. */
static void long_run(long maxsize, int mode)
{
    const struct shape shape = { .producers = PRODUCERS, .consumers = CONSUMERS,
                                 .per_producer = test_scaled(1 << 18), .seconds = run_seconds(),
                                 .target = LONG_MAX, .shutdown_after = run_seconds() / 2 };
    run_both_ways(maxsize, mode, &shape, "4 producers, 4 consumers");
}

static void test_many_producers_consumers(void **state)
{
    long_run(*(const long *)*state, DRAINED);
}

static void test_shutdown_mid_flight(void **state)
{
    long_run(*(const long *)*state, MIDFLIGHT);
}

static void test_shutdown_immediate_mid_flight(void **state)
{
    long_run(*(const long *)*state, IMMEDIATE);
}

/* Three producers and one consumer that only polls with get_nowait: an Empty answer
 * while an item whose put() returned is still queued is what a ring gives whose
 * slot is claimed before it is written. */
static void test_get_nowait_sees_completed_puts(void **state)
{
    const struct shape shape = { .producers = 3, .consumers = 1,
                                 .per_producer = test_scaled(1 << 18),
                                 .seconds = 3 * run_seconds(), .nowait_gets = true };
    run_both_ways(*(const long *)*state, DRAINED, &shape,
                  "3 producers, 1 consumer polling with get_nowait");
}

/* Many short runs (two producers, one consumer, the freezer), each shut down
 * after a different small number of items, the two kinds of shutdown in turn: a
 * shutdown meets puts and gets in flight many times over, where a long run meets
 * them once. */
static void test_shutdown_races(void **state)
{
    long maxsize = *(const long *)*state;
    long rounds = test_scaled(150);
    char report[2048] = "";
    for (long k = 0; k < rounds; k++) {
        int mode = k % 2 ? IMMEDIATE : MIDFLIGHT;
        const struct shape shape = { .producers = 2, .consumers = 1, .per_producer = 1000,
                                     .target = (k * 7) % 31, .freeze = true };
        if (!run_stress(maxsize, mode, &shape, report, sizeof report))
            fail_msg("maxsize %ld, %s after %ld items (round %ld of %ld):%s", maxsize,
                     MODE_NAMES[mode], shape.target, k + 1, rounds, report);
    }
}

static const long SIZES[] = { 0, 1, 2, 1024, 65537 };

#define EACH_SIZE(fn)                                                           \
    { #fn "(maxsize=0)", fn, NULL, NULL, (void *)&SIZES[0] },                   \
    { #fn "(maxsize=1)", fn, NULL, NULL, (void *)&SIZES[1] },                   \
    { #fn "(maxsize=2)", fn, NULL, NULL, (void *)&SIZES[2] },                   \
    { #fn "(maxsize=1024)", fn, NULL, NULL, (void *)&SIZES[3] },                \
    { #fn "(maxsize=65537)", fn, NULL, NULL, (void *)&SIZES[4] }

int main(void)
{
    const struct CMUnitTest tests[] = {
        EACH_SIZE(test_many_producers_consumers),
        EACH_SIZE(test_shutdown_mid_flight),
        EACH_SIZE(test_shutdown_immediate_mid_flight),
        EACH_SIZE(test_get_nowait_sees_completed_puts),
        EACH_SIZE(test_shutdown_races),
    };
    return test_run_cases(tests);
}
