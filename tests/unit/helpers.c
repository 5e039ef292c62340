/* SPDX-License-Identifier: MIT */
#include "helpers.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

double test_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static td_thread_t *start_with(td_thread_fn fn, void *arg, int daemon)
{
    td_thread_t *t = NULL;
    assert_int_equal(td_thread_new(&t, &(td_thread_attr_t){ .target = fn, .arg = arg,
                                                            .daemon = daemon }), 0);
    assert_int_equal(td_thread_start(t), 0);
    return t;
}

td_thread_t *test_start(td_thread_fn fn, void *arg)
{
    return start_with(fn, arg, TD_DAEMON_INHERIT);
}

td_thread_t *test_start_daemon(td_thread_fn fn, void *arg)
{
    return start_with(fn, arg, TD_DAEMON_YES);
}

void test_join(td_thread_t *thread)
{
    assert_int_equal(td_thread_join(thread, TD_FOREVER), 0);
    td_thread_free(thread);
}

void test_pause(double seconds)
{
    td_event_t never;
    td_event_init(&never);
    td_event_wait(&never, seconds);
}

const char *test_name(td_thread_t *thread)
{
    /* A few buffers in turn, so one assertion can compare two names. */
    static _Thread_local char names[4][128];
    static _Thread_local unsigned next;
    char *buf = names[next++ % 4];
    td_thread_get_name(thread, buf, sizeof names[0]);
    return buf;
}

void test_nap(double seconds)
{
    struct timespec ts = { .tv_sec = (time_t)seconds,
                           .tv_nsec = (long)((seconds - (double)(time_t)seconds) * 1e9) };
    while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) != 0) {
    }
}

/* ---- scale ------------------------------------------------------------------------- */

bool test_under_sanitizer(void)
{
    return TD__TSAN || TD__ASAN;
}

double test_stress_scale(void)
{
    const char *env = getenv("THRDEMO_STRESS_SCALE");
    if (env && *env) {
        char *end;
        double scale = strtod(env, &end);
        if (*end == '\0' && scale > 0)
            return scale;
    }
    return test_under_sanitizer() ? 0.2 : 1.0;
}

long test_scaled(long n)
{
    double scaled = (double)n * test_stress_scale();
    return scaled < 1 ? 1 : (long)scaled;
}

/* ---- latch ------------------------------------------------------------------------- */

void test_latch_init(test_latch_t *latch)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&latch->cond, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&latch->mutex, NULL);
    latch->count = 0;
}

void test_latch_destroy(test_latch_t *latch)
{
    pthread_cond_destroy(&latch->cond);
    pthread_mutex_destroy(&latch->mutex);
}

void test_latch_arrive(test_latch_t *latch)
{
    pthread_mutex_lock(&latch->mutex);
    latch->count++;
    pthread_cond_broadcast(&latch->cond);
    pthread_mutex_unlock(&latch->mutex);
}

bool test_latch_wait(test_latch_t *latch, long n, double seconds)
{
    struct timespec at;
    clock_gettime(CLOCK_MONOTONIC, &at);
    at.tv_sec += (time_t)seconds;
    at.tv_nsec += (long)((seconds - (double)(time_t)seconds) * 1e9);
    if (at.tv_nsec >= 1000000000L) {
        at.tv_sec++;
        at.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&latch->mutex);
    int rc = 0;
    while (latch->count < n && rc == 0)
        rc = pthread_cond_timedwait(&latch->cond, &latch->mutex, &at);
    bool reached = latch->count >= n;
    pthread_mutex_unlock(&latch->mutex);
    return reached;
}

long test_latch_count(test_latch_t *latch)
{
    pthread_mutex_lock(&latch->mutex);
    long n = latch->count;
    pthread_mutex_unlock(&latch->mutex);
    return n;
}

/* ---- bunch ------------------------------------------------------------------------- */

enum { BUNCH_DEADLINE = 60 };

static void bunch_task(void *arg)
{
    test_bunch_t *b = arg;
    test_latch_arrive(&b->started);
    b->fn(b->arg);
    test_latch_arrive(&b->finished);
    if (b->wait_before_exit)
        td_event_wait(&b->can_exit, TD_FOREVER);
}

void bunch_start(test_bunch_t *b, td_thread_fn fn, void *arg, size_t n, bool wait_before_exit)
{
    b->fn = fn;
    b->arg = arg;
    b->n = n;
    b->wait_before_exit = wait_before_exit;
    test_latch_init(&b->started);
    test_latch_init(&b->finished);
    td_event_init(&b->can_exit);
    b->threads = calloc(n, sizeof *b->threads);
    assert_non_null(b->threads);
    for (size_t i = 0; i < n; i++)
        b->threads[i] = test_start(bunch_task, b);
}

void bunch_wait_for_started(test_bunch_t *b)
{
    assert_true(test_latch_wait(&b->started, (long)b->n, BUNCH_DEADLINE));
}

static void bunch_join(test_bunch_t *b)
{
    for (size_t i = 0; i < b->n; i++)
        test_join(b->threads[i]);
    free(b->threads);
    b->threads = NULL;
    test_latch_destroy(&b->started);
    test_latch_destroy(&b->finished);
}

void bunch_wait_for_finished(test_bunch_t *b)
{
    assert_true(test_latch_wait(&b->finished, (long)b->n, BUNCH_DEADLINE));
    if (!b->wait_before_exit)
        bunch_join(b);
}

long bunch_finished(test_bunch_t *b)
{
    return test_latch_count(&b->finished);
}

void bunch_do_finish(test_bunch_t *b)
{
    td_event_set(&b->can_exit);
    bunch_join(b);
}

/* ---- watching waits --------------------------------------------------------------- */

static _Atomic(const void *) watched;
static atomic_long waits_begun, waits_ended;

static void count_waits(const td_obs_event_t *ev, void *ctx)
{
    (void)ctx;
    if (ev->object != atomic_load(&watched))
        return;
    if (ev->kind == TD_OBS_WAIT_BEGIN)
        atomic_fetch_add(&waits_begun, 1);
    else if (ev->kind == TD_OBS_WAIT_END)
        atomic_fetch_add(&waits_ended, 1);
}

static const td_observer_t wait_counter = { .notify = count_waits };

void test_watch(const void *object)
{
    atomic_store(&waits_begun, 0);
    atomic_store(&waits_ended, 0);
    atomic_store(&watched, object);
    td_observer_set(&wait_counter);
}

void test_unwatch(void)
{
    td_observer_set(NULL);
    atomic_store(&watched, NULL);
}

void test_wait_for_waiters(long n)
{
    double deadline = test_now() + 30;
    while (atomic_load(&waits_begun) - atomic_load(&waits_ended) < n) {
        assert_true(test_now() < deadline);
        test_nap(0.0002);
    }
}

long test_waits_begun(void)
{
    return atomic_load(&waits_begun);
}

void test_filter_from_env(void)
{
    const char *pattern = getenv("THRDEMO_TEST_FILTER");
    if (pattern && *pattern)
        cmocka_set_test_filter(pattern);
}

/* One step of splitmix64: the next number of the shuffle. */
static uint64_t shuffle_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

int test__run_cases(const char *name, const struct CMUnitTest *cases, size_t n)
{
    test_filter_from_env();
    const char *shuffle = getenv("THRDEMO_TEST_SHUFFLE");
    if (!shuffle || !*shuffle)
        return _cmocka_run_group_tests(name, cases, n, NULL, NULL);
    uint64_t seed = strcmp(shuffle, "random") == 0 ? (uint64_t)time(NULL) ^ (uint64_t)getpid()
                                                   : strtoull(shuffle, NULL, 10);
    printf("# THRDEMO_TEST_SHUFFLE=%llu\n", (unsigned long long)seed);
    fflush(stdout);
    struct CMUnitTest *order = malloc(n * sizeof *order);
    if (!order)
        return _cmocka_run_group_tests(name, cases, n, NULL, NULL);
    memcpy(order, cases, n * sizeof *order);
    for (size_t i = n; i > 1; i--) { /* Fisher-Yates */
        size_t j = (size_t)(shuffle_next(&seed) % i);
        struct CMUnitTest t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
    int rc = _cmocka_run_group_tests(name, order, n, NULL, NULL);
    free(order);
    return rc;
}

/* ---- child processes --------------------------------------------------------------- */

int test_run_child(const char *program, const char *arg, char *out, size_t cap,
                   double seconds)
{
    int fds[2];
    assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    /* Its own process group, so a kill also takes the processes it forked. */
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    pid_t pid;
    char *argv[] = { (char *)program, (char *)arg, NULL };
    int rc = posix_spawn(&pid, program, &actions, &attr, argv, environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    assert_int_equal(rc, 0);
    size_t len = 0;
    double deadline = test_now() + seconds;
    bool killed = false;
    for (;;) {
        double left = deadline - test_now();
        if (left <= 0) {
            kill(-pid, SIGKILL);
            killed = true;
            break;
        }
        struct pollfd p = { .fd = fds[0], .events = POLLIN };
        if (poll(&p, 1, (int)(left * 1000) + 1) <= 0)
            continue;
        char scratch[256];
        char *dst = len + 1 < cap ? out + len : scratch;
        size_t room = len + 1 < cap ? cap - 1 - len : sizeof scratch;
        ssize_t n = read(fds[0], dst, room);
        if (n <= 0)
            break; /* end of output: the child has closed stdout (exited) */
        if (dst == out + len)
            len += (size_t)n;
    }
    close(fds[0]);
    out[len] = '\0';
    /* Output ended; the child may still hang in its exit: same deadline for that. */
    int status = 0;
    while (!killed && waitpid(pid, &status, WNOHANG) == 0) {
        if (test_now() >= deadline) {
            kill(-pid, SIGKILL);
            killed = true;
            break;
        }
        test_nap(0.005);
    }
    if (killed)
        waitpid(pid, &status, 0);
    return killed ? -1 : status;
}

void test_trace_add(test_trace_t *trace, const char *fmt, ...)
{
    size_t len = strlen(trace->text);
    if (len > 0 && len + 1 < sizeof trace->text)
        trace->text[len++] = ' ';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(trace->text + len, sizeof trace->text - len, fmt, ap);
    va_end(ap);
}

static char first_failure[512]; /* empty while every check passed */

bool test_check(bool ok, const char *expr, const char *file, int line)
{
    if (!ok && !first_failure[0])
        snprintf(first_failure, sizeof first_failure, "%s:%d: CHECK(%s) failed", file, line, expr);
    return ok;
}

bool test_check_int(long long got, long long want, const char *expr, const char *file, int line)
{
    if (got != want && !first_failure[0])
        snprintf(first_failure, sizeof first_failure, "%s:%d: %s is %lld, expected %lld", file,
                 line, expr, got, want);
    return got == want;
}

bool test_check_str(const char *got, const char *want, const char *expr, const char *file,
                    int line)
{
    bool ok = got && want && strcmp(got, want) == 0;
    if (!ok && !first_failure[0])
        snprintf(first_failure, sizeof first_failure, "%s:%d: %s is \"%s\", expected \"%s\"",
                 file, line, expr, got ? got : "(null)", want ? want : "(null)");
    return ok;
}

void test_assert_checks(void)
{
    char failure[sizeof first_failure];
    memcpy(failure, first_failure, sizeof failure);
    first_failure[0] = '\0';
    if (failure[0])
        fail_msg("%s", failure);
}
