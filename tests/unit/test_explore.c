/* SPDX-License-Identifier: MIT */
/* test_explore.c - the exploration engine (explore.h) through td_sched_explore: the
 * textbook counts of classes of schedules, deadlocks, the preemption bound, replay
 * policies, and a search stopped early.
 *
 * The counts are those of optimal DPOR (one run per class of equivalent schedules,
 * reads of one variable commuting), each derived where it is asserted; a
 * brute-force count of the classes of every interleaving (in Python, outside the
 * tree) gives the same numbers. Every run happens in a child process of its own
 * (td_sched_explore forks one per run; the replays fork here), so a deadlock ends a
 * run, not the test. */
#include "helpers.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thrdemo/explore.h>

enum { MAX_THREADS = 8 };

static const td_explore_options_t dpor = { .bounded = false };

/* ---- the programs (each run is a fresh child: globals start at zero) --------------- */

/* Start every target[i](arg[i]), join them all: 0, or 1 if a thread did not start. */
static int start_and_join(int n, td_thread_fn const *target, void *const *arg)
{
    td_thread_t *t[MAX_THREADS];
    for (int i = 0; i < n; i++)
        if (td_thread_new(&t[i], &(td_thread_attr_t){ .target = target[i], .arg = arg[i] }) != 0 ||
            td_thread_start(t[i]) != 0)
            return 1;
    for (int i = 0; i < n; i++) {
        td_thread_join(t[i], TD_FOREVER);
        td_thread_free(t[i]);
    }
    return 0;
}

/* readers(N): one writer of x, N readers; the outcome is what each reader saw. */
static int x, seen[MAX_THREADS];

static void write_x(void *arg)
{
    (void)arg;
    td_sched_write(&x);
    x = 1;
}

static void read_x(void *arg)
{
    td_sched_read(&x);
    *(int *)arg = x;
}

static int readers(void *arg, char *buf, size_t size)
{
    int n = *(int *)arg;
    td_thread_fn target[MAX_THREADS] = { write_x };
    void *args[MAX_THREADS] = { NULL };
    for (int i = 1; i <= n; i++) {
        target[i] = read_x;
        args[i] = &seen[i - 1];
    }
    if (start_and_join(n + 1, target, args) != 0)
        return 1;
    for (int i = 0; i < n; i++)
        snprintf(buf + i, size - (size_t)i, "%d", seen[i]);
    return 0;
}

/* lastzero(N): thread 0 scans array[N..0] for its last zero, thread j sets
 * array[j] = array[j-1] + 1; the outcome is where thread 0 stopped. */
static int array[MAX_THREADS], lastzero_n, last_zero;

static void find_last_zero(void *arg)
{
    (void)arg;
    int i = lastzero_n;
    for (;; i--) {
        td_sched_read(&array[i]);
        if (array[i] == 0)
            break;
    }
    last_zero = i;
}

static void increment_from_previous(void *arg)
{
    int *element = arg;
    td_sched_read(element - 1);
    int previous = element[-1];
    td_sched_write(element);
    *element = previous + 1;
}

static int lastzero(void *arg, char *buf, size_t size)
{
    lastzero_n = *(int *)arg;
    td_thread_fn target[MAX_THREADS] = { find_last_zero };
    void *args[MAX_THREADS] = { NULL };
    for (int j = 1; j <= lastzero_n; j++) {
        target[j] = increment_from_previous;
        args[j] = &array[j];
    }
    if (start_and_join(lastzero_n + 1, target, args) != 0)
        return 1;
    snprintf(buf, size, "%d", last_zero);
    return 0;
}

/* Two threads each doing x = x + 1 K times without a lock; the final value. */
static int increments;

static void increment(void *arg)
{
    (void)arg;
    for (int i = 0; i < increments; i++) {
        td_sched_read(&x);
        int loaded = x;
        td_sched_write(&x);
        x = loaded + 1;
    }
}

static int two_increments(void *arg, char *buf, size_t size)
{
    increments = *(int *)arg;
    if (start_and_join(2, (td_thread_fn[]){ increment, increment }, (void *[]){ NULL, NULL }) != 0)
        return 1;
    snprintf(buf, size, "%d", x);
    return 0;
}

/* Two threads taking two locks, in opposite orders or (ordered) in one order. */
static td_lock_t locks[2];

static void take_both(void *arg)
{
    int first = *(int *)arg;
    td_lock_acquire(&locks[first], true, TD_FOREVER);
    td_lock_acquire(&locks[1 - first], true, TD_FOREVER);
    td_lock_release(&locks[1 - first]);
    td_lock_release(&locks[first]);
}

static int two_locks(void *arg, char *buf, size_t size)
{
    bool ordered = *(bool *)arg;
    static int first[2] = { 0, 1 };
    td_lock_init(&locks[0]);
    td_lock_init(&locks[1]);
    if (start_and_join(2, (td_thread_fn[]){ take_both, take_both },
                       (void *[]){ &first[0], &first[ordered ? 0 : 1] }) != 0)
        return 1;
    snprintf(buf, size, "done");
    return 0;
}

/* readers(N) again, the outcome now the order in which the threads ran their steps
 * (m: main starts a thread, j: main joins one, s/W/e: the writer starts, writes,
 * ends, a/A and b/B: a reader starts and reads), so that every schedule, not only
 * every class, ends differently: the bounded search is seen schedule by schedule. */
static char order[64];
static size_t order_len;

static void mark(char c)
{
    if (order_len + 1 < sizeof order)
        order[order_len++] = c;
}

static void write_x_marked(void *arg)
{
    (void)arg;
    mark('s');
    td_sched_write(&x);
    mark('W');
    x = 1;
    mark('e');
}

static void read_x_marked(void *arg)
{
    char name = *(char *)arg;
    mark(name);
    td_sched_read(&x);
    mark((char)(name - 'a' + 'A'));
}

static int readers_marked(void *arg, char *buf, size_t size)
{
    int n = *(int *)arg;
    static char names[] = "ab";
    td_thread_t *t[3];
    for (int i = 0; i <= n; i++) {
        td_thread_attr_t attr = { .target = write_x_marked };
        if (i > 0)
            attr = (td_thread_attr_t){ .target = read_x_marked, .arg = &names[i - 1] };
        if (td_thread_new(&t[i], &attr) != 0)
            return 1;
    }
    for (int i = 0; i <= n; i++) {
        mark('m');
        if (td_thread_start(t[i]) != 0)
            return 1;
    }
    for (int i = 0; i <= n; i++) {
        mark('j');
        td_thread_join(t[i], TD_FOREVER);
        td_thread_free(t[i]);
    }
    snprintf(buf, size, "%s", order);
    return 0;
}

/* ---- helpers -------------------------------------------------------------------------- */

/* Explore fn(arg) to the end: the test fails unless it was exhaustive and no run failed. */
static void explore_all(const td_explore_options_t *options,
                        int (*fn)(void *, char *, size_t), void *arg, td_explore_report_t *r)
{
    assert_int_equal(td_sched_explore(options, 0, fn, arg, r), 0);
    assert_true(r->exhaustive);
    assert_int_equal(r->failures, 0);
}

/* The count of outcome value in a report (0: not among its outcomes). */
static uint64_t count_of(const td_explore_report_t *r, const char *value)
{
    for (size_t i = 0; i < r->n_outcomes; i++)
        if (strcmp(r->outcomes[i].value, value) == 0)
            return r->outcomes[i].count;
    return 0;
}

/* The sum of the outcomes' counts, which must be the number of schedules. */
static uint64_t total(const td_explore_report_t *r)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < r->n_outcomes; i++)
        sum += r->outcomes[i].count;
    return sum;
}

/* Run fn(arg) once under policy text in a child: its outcome in out. */
static void replay(const char *policy, int (*fn)(void *, char *, size_t), void *arg, char *out,
                   size_t size)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        alarm(30);
        static char buf[4096];
        td_sched_config_t config = { 0 };
        if (td_policy_parse(policy, &config.policy) != 0 || td_sched_begin(&config) != 0 ||
            fn(arg, buf, sizeof buf) != 0 || td_sched_end() != 0)
            _exit(1);
        ssize_t n = write(fds[1], buf, strlen(buf));
        _exit(n == (ssize_t)strlen(buf) ? 0 : 1);
    }
    close(fds[1]);
    size_t len = 0;
    ssize_t n;
    while (len + 1 < size && (n = read(fds[0], out + len, size - 1 - len)) > 0)
        len += (size_t)n;
    out[len] = '\0';
    close(fds[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* ---- the tests ------------------------------------------------------------------------ */

/* Each reader reads before or after the write and nothing else tells two schedules
 * apart: 2^N classes, all ending differently, and none redundant (Source-DPOR with
 * sleep sets is optimal on this program: every race is between the write and one
 * read, so no branch it asks for can repeat a class). */
static void readers_give_two_to_the_n(void **state)
{
    (void)state;
    for (int n = 1; n <= 4; n++) {
        td_explore_report_t r;
        explore_all(&dpor, readers, &n, &r);
        assert_int_equal(r.schedules, 1u << n);
        assert_int_equal(r.redundant, 0);
        assert_int_equal(r.n_outcomes, 1u << n);
        assert_int_equal(total(&r), 1u << n);
        assert_int_equal(r.deadlocks, 0);
        td_explore_report_free(&r);
    }
}

/* lastzero(N) has (N + 3) * 2^(N-2) classes (examples/c/lastzero.c derives it): the
 * N - 1 orders of thread j's read of array[j-1] against thread j-1's write are free
 * when thread 0 stops at 0 or N, one is forced when it stops at 0 < r < N. So 2, 5,
 * 12, 28, 64, with 2^(N-1) classes ending at 0 and at N and 2^(N-2) at each r
 * between. Optimal DPOR's counts (Abdulla et al. 2014), which the lead measured. */
static void lastzero_gives_the_optimal_counts(void **state)
{
    (void)state;
    static const uint64_t classes[] = { 0, 2, 5, 12, 28, 64 };
    for (int n = 1; n <= 5; n++) {
        td_explore_report_t r;
        explore_all(&dpor, lastzero, &n, &r);
        assert_int_equal(r.schedules, classes[n]);
        assert_int_equal(total(&r), classes[n]);
        assert_int_equal(r.n_outcomes, (size_t)n + 1);
        for (int at = 0; at <= n; at++) {
            char value[16];
            snprintf(value, sizeof value, "%d", at);
            uint64_t want = at == 0 || at == n ? 1u << (n - 1) : 1u << (n - 2);
            assert_int_equal(count_of(&r, value), want);
        }
        td_explore_report_free(&r);
    }
}

/* Two unlocked increments of K each end at exactly 2..2K for K >= 2 (the argument is
 * in examples/c/two_increments.c), and at 1 or 2 for K = 1. The class counts per
 * value (12, 16, 6 for K = 2) are the brute-force counts. */
static void two_increments_reach_what_the_theory_says(void **state)
{
    (void)state;
    static const struct {
        int k;
        uint64_t schedules;
        uint64_t count[7]; /* per final value */
    } cases[] = {
        { 1, 4, { [1] = 2, [2] = 2 } },
        { 2, 34, { [2] = 12, [3] = 16, [4] = 6 } },
        { 3, 328, { [2] = 2, [3] = 82, [4] = 134, [5] = 90, [6] = 20 } },
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        td_explore_report_t r;
        int k = cases[c].k;
        explore_all(&dpor, two_increments, &k, &r);
        assert_int_equal(r.schedules, cases[c].schedules);
        size_t values = 0;
        for (int v = 0; v <= 6; v++) {
            char value[16];
            snprintf(value, sizeof value, "%d", v);
            assert_int_equal(count_of(&r, value), cases[c].count[v]);
            values += cases[c].count[v] != 0;
        }
        assert_int_equal(r.n_outcomes, values);
        assert_int_equal(values, k == 1 ? 2 : 2 * k - 1);
        td_explore_report_free(&r);
    }
}

/* Two locks taken in opposite orders: some class ends with each thread holding one
 * lock and waiting for the other, reported as the outcome "deadlock"; in one order,
 * no class does. */
static void opposite_lock_orders_deadlock(void **state)
{
    (void)state;
    bool ordered = false;
    td_explore_report_t r;
    explore_all(&dpor, two_locks, &ordered, &r);
    assert_true(r.deadlocks > 0);
    assert_int_equal(count_of(&r, "deadlock"), r.deadlocks);
    assert_true(count_of(&r, "done") > 0);
    assert_int_equal(r.n_outcomes, 2);
    td_explore_report_free(&r);

    ordered = true;
    explore_all(&dpor, two_locks, &ordered, &r);
    assert_int_equal(r.deadlocks, 0);
    assert_int_equal(count_of(&r, "deadlock"), 0);
    assert_int_equal(r.n_outcomes, 1);
    assert_int_equal(count_of(&r, "done"), r.schedules);
    td_explore_report_free(&r);
}

/* Every schedule with at most K preemptions, each once. A preemption is a switch
 * away from a thread that could go on; a switch where the running thread blocks (in
 * a join) or ends is free. main starts the threads (a point after each start: the
 * new thread may run there), then joins them in order.
 *
 * readers(1), K = 0: main runs until it blocks joining the writer; there the writer
 * or the reader goes. The writer runs to its end; then main (its join is done) or
 * the reader: main blocks at the reader's join and the reader ends, or the reader
 * ends first and main finishes: 2. The reader first runs to its end; main still
 * waits for the writer, which runs, then main: 1. In all 3.
 *
 * readers(1), K = 1: the 3 above, and 9 with one preemption:
 * - main preempted after starting the writer: the writer runs to its end, main
 *   starts the reader, joins the writer and blocks on the reader, which ends: 1;
 * - main preempted after starting the reader, by the writer or by the reader: that
 *   thread runs to its end, then main or the other thread goes: 2 x 2 = 4;
 * - main blocked at the writer's join, the writer chosen and preempted at its write
 *   by the reader, which runs to its end, then the writer: 1; or the writer ends,
 *   the reader is chosen and preempted at its read by main, which blocks on it: 1;
 * - main blocked, the reader chosen and preempted at its read by the writer, which
 *   ends; then main or the reader: 2.
 * 3 + 1 + 4 + 1 + 1 + 2 = 12.
 *
 * readers(2), K = 0 (writer W, readers A and B; each thread runs to its end, main
 * goes only when the thread it joins has ended): by the order the three end,
 * W A B: main can go after W, after A, after B (4 ways); W B A: 3; A W B: 2;
 * A B W: 1; B W A: 2; B A W: 1. In all 13.
 *
 * The outcome is the order of the threads' steps, so every schedule is an outcome
 * of its own, and none has more than K preemptions. */
static void a_preemption_bound_runs_every_bounded_schedule(void **state)
{
    (void)state;
    static const struct {
        int readers, bound;
        uint64_t schedules;
    } cases[] = { { 1, 0, 3 }, { 1, 1, 12 }, { 2, 0, 13 } };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        td_explore_report_t r;
        int n = cases[c].readers;
        explore_all(&(td_explore_options_t){ .bounded = true, .max_preemptions = (unsigned)cases[c].bound }, readers_marked, &n,
                    &r);
        assert_int_equal(r.schedules, cases[c].schedules);
        assert_int_equal(r.redundant, 0);
        assert_int_equal(r.n_outcomes, cases[c].schedules);
        for (size_t i = 0; i < r.n_outcomes; i++) {
            assert_int_equal(r.outcomes[i].count, 1);
            assert_true(r.outcomes[i].preemptions <= (unsigned)cases[c].bound);
        }
        td_explore_report_free(&r);
    }
}

/* A bound at least the most preemptions a schedule can have runs every schedule:
 * the orders of the classes the reduced search runs are among them. */
static void a_large_bound_covers_the_classes(void **state)
{
    (void)state;
    int n = 1;
    td_explore_report_t reduced, bounded;
    explore_all(&dpor, readers_marked, &n, &reduced);
    assert_int_equal(reduced.schedules, 2);
    explore_all(&(td_explore_options_t){ .bounded = true, .max_preemptions = 8 }, readers_marked, &n, &bounded);
    assert_true(bounded.schedules > reduced.schedules);
    for (size_t i = 0; i < reduced.n_outcomes; i++)
        assert_int_equal(count_of(&bounded, reduced.outcomes[i].value), 1);
    td_explore_report_free(&reduced);
    td_explore_report_free(&bounded);
}

static void replay_policies_parse(void **state)
{
    (void)state;
    static const char *good[] = { "replay:", "replay:2@7,1@15", "replay:1@0" };
    static const char *bad[] = { "replay:0@1",  "replay:2@7,1@7", "replay:2@7,1@3",
                                 "replay:x",    "replay:1@",      "replay:@3",
                                 "replay:2@7,", "replay:2@-1",    "replay" };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        td_policy_t policy;
        char text[64];
        assert_int_equal(td_policy_parse(good[i], &policy), 0);
        assert_int_equal(policy.kind, TD_POLICY_REPLAY);
        assert_int_equal(td_policy_format(&policy, text, sizeof text), strlen(good[i]));
        assert_string_equal(text, good[i]);
    }
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        td_policy_t policy;
        if (td_policy_parse(bad[i], &policy) != -EINVAL)
            fail_msg("td_policy_parse accepted \"%s\"", bad[i]);
    }
}

/* Every outcome's schedule, run again as an ordinary schedule, ends the same: with
 * the steps' order as the outcome, byte for byte the same run. */
static void a_reported_schedule_replays_its_outcome(void **state)
{
    (void)state;
    int n = 1;
    td_explore_report_t r;
    explore_all(&(td_explore_options_t){ .bounded = true, .max_preemptions = 1 }, readers_marked, &n, &r);
    for (size_t i = 0; i < r.n_outcomes; i++) {
        char out[4096];
        replay(r.outcomes[i].schedule, readers_marked, &n, out, sizeof out);
        assert_string_equal(out, r.outcomes[i].value);
    }
    td_explore_report_free(&r);

    int k = 2;
    explore_all(&dpor, two_increments, &k, &r);
    for (size_t i = 0; i < r.n_outcomes; i++) {
        char out[4096];
        replay(r.outcomes[i].schedule, two_increments, &k, out, sizeof out);
        assert_string_equal(out, r.outcomes[i].value);
    }
    td_explore_report_free(&r);
}

/* max_runs stops the search: not exhaustive, no more runs than that. A limit the
 * search needs exactly is not a stop: it ends exhaustive. */
static void max_runs_stops_early(void **state)
{
    (void)state;
    int n = 4;
    td_explore_report_t r;
    assert_int_equal(td_sched_explore(&dpor, 3, readers, &n, &r), 0);
    assert_false(r.exhaustive);
    assert_true(r.schedules + r.redundant <= 3);
    assert_true(r.schedules >= 1);
    assert_int_equal(total(&r), r.schedules);
    td_explore_report_free(&r);

    assert_int_equal(td_sched_explore(&dpor, 16, readers, &n, &r), 0); /* 16 classes, 0 redundant */
    assert_true(r.exhaustive);
    assert_int_equal(r.schedules, 16);
    td_explore_report_free(&r);
}

static void bad_arguments_are_refused(void **state)
{
    (void)state;
    td_explore_t *ex;
    assert_int_equal(td_explore_new(&ex, &(td_explore_options_t){ .bounded = true, .max_preemptions = 65 }), -EINVAL);
    td_explore_report_t r;
    assert_int_equal(td_sched_explore(&dpor, 0, NULL, NULL, &r), -EINVAL);
    int n = 1;
    assert_int_equal(td_sched_explore(&dpor, 0, readers, &n, NULL), -EINVAL);
    assert_int_equal(td_explore_new(&ex, NULL), 0);
    td_explore_stats_t stats;
    td_explore_stats(ex, &stats);
    assert_int_equal(stats.runs, 0);
    td_explore_free(ex);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(readers_give_two_to_the_n),
        cmocka_unit_test(lastzero_gives_the_optimal_counts),
        cmocka_unit_test(two_increments_reach_what_the_theory_says),
        cmocka_unit_test(opposite_lock_orders_deadlock),
        cmocka_unit_test(a_preemption_bound_runs_every_bounded_schedule),
        cmocka_unit_test(a_large_bound_covers_the_classes),
        cmocka_unit_test(replay_policies_parse),
        cmocka_unit_test(a_reported_schedule_replays_its_outcome),
        cmocka_unit_test(max_runs_stops_early),
        cmocka_unit_test(bad_arguments_are_refused),
    };
    return test_run_cases(tests);
}
