/* SPDX-License-Identifier: MIT */
/* helpers.h - what the unit tests share. cmocka asserts only in the main thread:
 * workers record outcomes in structs the main thread checks after joining. */
#ifndef THRDEMO_TEST_HELPERS_H
#define THRDEMO_TEST_HELPERS_H

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <thrdemo/thrdemo.h>

#include "core/sanitizer.h" /* TD__ASAN, TD__TSAN: the library's one test of it */

/* Seconds on CLOCK_MONOTONIC. */
double test_now(void);
/* Create and start a thread running fn(arg); the test fails if that fails. */
td_thread_t *test_start(td_thread_fn fn, void *arg);
/* The same, as a daemon: for threads a failing test may have to leave behind. */
td_thread_t *test_start_daemon(td_thread_fn fn, void *arg);
/* Join (without limit) and free. */
void test_join(td_thread_t *thread);
/* The thread's name (a copy that stays valid for the next three calls). */
const char *test_name(td_thread_t *thread);
/* Let roughly seconds pass by waiting on an event nobody sets (pacing, never sync). */
void test_pause(double seconds);
/* Let roughly seconds pass with nanosleep, touching no library primitive (pacing in
 * the stress tests, which must not lean on what they test). */
void test_nap(double seconds);

/* What happened, in order, as one string ("a1 b1 a2") to compare with an expected
 * order; for code on one thread (an event loop's callbacks and coroutines). */
typedef struct test_trace {
    char text[4096];
} test_trace_t;
/* Append one word (printf format) to the trace, space-separated. */
void test_trace_add(test_trace_t *trace, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Checks for code that must not jump out of its stack as a failed assert_* does:
 * coroutines and loop callbacks. The first failure is kept (where, what, the values)
 * and test_assert_checks(), called by the test after the code has run, fails the test
 * with it and starts afresh. */
#define CHECK(expr) test_check(!!(expr), #expr, __FILE__, __LINE__)
#define CHECK_INT(got, want) \
    test_check_int((long long)(got), (long long)(want), #got, __FILE__, __LINE__)
#define CHECK_STR(got, want) test_check_str((got), (want), #got, __FILE__, __LINE__)
bool test_check(bool ok, const char *expr, const char *file, int line);
bool test_check_int(long long got, long long want, const char *expr, const char *file, int line);
bool test_check_str(const char *got, const char *want, const char *expr, const char *file,
                    int line);
void test_assert_checks(void);

/* Timing bounds: never early, and generous above for a loaded 2-core machine. */
#define TEST_SLACK 0.5
#define assert_elapsed(start, seconds)                                               \
    do {                                                                             \
        double el_ = test_now() - (start);                                           \
        assert_true(el_ >= (seconds) - 0.001);                                       \
        assert_true(el_ < (seconds) + TEST_SLACK);                                   \
    } while (0)

/* CPython's assertTimeout (lock_tests.py): at least 0.6x, at most 10x expected. */
#define assert_timeout_between(actual, expected)                                     \
    do {                                                                             \
        assert_true((actual) >= (expected) * 0.6);                                   \
        assert_true((actual) < (expected) * 10.0);                                   \
    } while (0)

/* How much work a stress test does: THRDEMO_STRESS_SCALE if set (a factor, e.g.
 * 10 for a long soak, 0.1 for a smoke run), else 1 in a plain build and less
 * under a sanitizer, which makes every operation many times slower. */
double test_stress_scale(void);
/* n scaled by test_stress_scale(), at least 1. */
long test_scaled(long n);
/* Whether this build runs under ThreadSanitizer or AddressSanitizer. */
bool test_under_sanitizer(void);

/* A latch on plain pthreads (CLOCK_MONOTONIC), independent of the library under
 * test, so a test can wait for "n threads got here" with a deadline even when a
 * library primitive has lost a wake-up. */
typedef struct test_latch {
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    long count;
} test_latch_t;

void test_latch_init(test_latch_t *latch);
void test_latch_destroy(test_latch_t *latch);
/* Count one arrival and wake the waiters. */
void test_latch_arrive(test_latch_t *latch);
/* Wait until at least n arrivals, at most seconds: true if they came. */
bool test_latch_wait(test_latch_t *latch, long n, double seconds);
/* How many have arrived (a snapshot). */
long test_latch_count(test_latch_t *latch);

/* CPython's lock_tests.Bunch: n threads running the same function, counted as
 * they start and finish; with wait_before_exit they linger after fn until
 * bunch_do_finish(), so a test can look at them while they are still alive. */
typedef struct test_bunch {
    td_thread_fn fn;
    void *arg;
    size_t n;
    bool wait_before_exit;
    test_latch_t started, finished; /* arrivals: before and after fn */
    td_event_t can_exit;
    td_thread_t **threads;
} test_bunch_t;

/* Start the bunch (the struct must outlive its threads). */
void bunch_start(test_bunch_t *bunch, td_thread_fn fn, void *arg, size_t n,
                 bool wait_before_exit);
/* Wait until every thread has started fn (CPython's wait_for_started). */
void bunch_wait_for_started(test_bunch_t *bunch);
/* Wait until every fn has returned; then join the threads unless they wait
 * before exit (CPython's wait_for_finished). */
void bunch_wait_for_finished(test_bunch_t *bunch);
/* How many fn calls have returned (CPython's len(b.finished)). */
long bunch_finished(test_bunch_t *bunch);
/* Let threads that wait before exit go, and join them. */
void bunch_do_finish(test_bunch_t *bunch);

/* Know, rather than guess with a sleep, that threads are blocked in a primitive:
 * an observer counts the TD_OBS_WAIT_BEGIN and _END reports of one object.
 * WAIT_BEGIN comes once a thread cannot go on at once: it has let go what it must
 * (a Condition's lock) and read the state it waits on (an Event's generation, a
 * Lock it failed to take), so anything done after it is seen counts for that wait.
 * Process-wide: one watch at a time. */
void test_watch(const void *object);
/* Remove the observer. */
void test_unwatch(void);
/* Wait until at least n threads are inside a wait on the watched object
 * (began and not yet ended); the test fails after 30 s. */
void test_wait_for_waiters(long n);
/* How many waits on the watched object have begun. */
long test_waits_begun(void);

/* Run only the cases whose names match THRDEMO_TEST_FILTER (cmocka's * and ?
 * wildcards), when it is set: for running one case of a file by hand. */
void test_filter_from_env(void);

/* Run a file's cases, as cmocka_run_group_tests(cases, NULL, NULL) does, with
 * THRDEMO_TEST_FILTER applied, and in a shuffled order when THRDEMO_TEST_SHUFFLE is
 * a seed (or "random": one from the clock); the seed is printed first, as a TAP
 * comment, so that an order that fails can be run again. No case may depend on
 * another having run before it (issue 11). Returns what cmocka returns. */
#define test_run_cases(cases) test__run_cases(#cases, cases, sizeof(cases) / sizeof((cases)[0]))
int test__run_cases(const char *name, const struct CMUnitTest *cases, size_t n);

/* Run program with one argument (arg may be NULL: none) in a child process,
 * capture its stdout into out (NUL-terminated, at most cap - 1 bytes) and kill it
 * if it is still running after seconds. Returns the wait status, or -1 if it had
 * to be killed (a hang). */
int test_run_child(const char *program, const char *arg, char *out, size_t cap,
                   double seconds);

#endif
