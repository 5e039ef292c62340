/* SPDX-License-Identifier: MIT */
/* test_schedule.c - the controlled scheduler: policies as text, byte-identical
 * replay, virtual time, the deadlock report, the step limit, interrupts, and a
 * planted check-then-act race that a real run almost never hits and pct finds.
 * Every run under a schedule happens in a child process (fork), as td_sched_check
 * does, so a deadlock cannot hang the test and each run starts alike. */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- running a program under a policy in a child, capturing its output ---------- */

static int stuck_fd = -1;
/* on_decide for the runs run_child makes (NULL: none). */
static unsigned (*decide_hook)(const td_sched_decision_t *d, void *ctx);

static void write_report(int why, const char *report, void *ctx)
{
    (void)ctx;
    dprintf(stuck_fd, "STUCK %d\n%s", why, report);
    _exit(3);
}

/* Run fn under policy in a child whose td_print lines (and a stuck report) go to a
 * pipe; returns the child's exit status and its output in out. */
static int run_child(const char *policy, uint64_t max_steps, int (*fn)(void), char *out,
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
        td_log_set_fd(fds[1]);
        stuck_fd = fds[1];
        td_sched_config_t config = { .max_steps = max_steps, .on_stuck = write_report,
                                     .on_decide = decide_hook };
        if (td_policy_parse(policy, &config.policy) != 0 || td_sched_begin(&config) != 0)
            _exit(9);
        int rc = fn();
        td_shutdown();
        _exit(rc);
    }
    close(fds[1]);
    size_t len = 0;
    ssize_t n;
    while (len + 1 < size && (n = read(fds[0], out + len, size - 1 - len)) > 0)
        len += (size_t)n;
    out[len] = '\0';
    close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* ---- policies as text ----------------------------------------------------------------- */

static void policies_parse_and_print_back(void **state)
{
    (void)state;
    const char *good[] = { "fifo", "random:0", "random:18446744073709551615", "pct:7",
                           "pct:7:2", "pct:7:5:300" };
    const char *printed[] = { "fifo", "random:0", "random:18446744073709551615", "pct:7:3",
                              "pct:7:2", "pct:7:5:300" };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        td_policy_t p;
        char buf[64];
        assert_int_equal(td_policy_parse(good[i], &p), 0);
        td_policy_format(&p, buf, sizeof buf);
        assert_string_equal(buf, printed[i]);
    }
    const char *bad[] = { "", "FIFO", "fifo:1", "random", "random:", "random:x", "random:1:",
                          "random:-1", "random:18446744073709551616", "pct:", "pct:1:",
                          "pct:1:0", "pct:1:65", "pct:1:3:1", "pct:1:3:9:9", "rr:1", "random: 1" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        td_policy_t p;
        assert_int_equal(td_policy_parse(bad[i], &p), -EINVAL);
    }
}

/* ---- a thread that could only block is held back ----------------------------------- */

static td_lock_t counter_lock;
static long counter;
static atomic_int lock_waits;

static void count_lock_waits(const td_obs_event_t *ev, void *ctx)
{
    (void)ctx;
    if (ev->kind == TD_OBS_WAIT_BEGIN && ev->object == &counter_lock)
        atomic_fetch_add(&lock_waits, 1);
}

static const td_observer_t lock_wait_counter = { .notify = count_lock_waits };

static void add_under_lock(void *arg)
{
    for (int i = 0; i < 200; i++) {
        td_lock_acquire(&counter_lock, true, TD_FOREVER);
        counter += (long)(intptr_t)arg;
        td_lock_release(&counter_lock);
    }
}

/* Exit status: how many times a thread blocked in the Lock (at most 100), or 101
 * when the counter is wrong. */
static int two_adders(void)
{
    td_lock_init(&counter_lock);
    td_observer_set(&lock_wait_counter);
    td_thread_t *t[2];
    for (int i = 0; i < 2; i++)
        if (td_thread_new(&t[i], &(td_thread_attr_t){ TD_TARGET(add_under_lock),
                                                      .arg = (void *)(intptr_t)(i ? -1 : 1) }) != 0 ||
            td_thread_start(t[i]) != 0)
            return 102;
    for (int i = 0; i < 2; i++) {
        td_thread_join(t[i], TD_FOREVER);
        td_thread_free(t[i]);
    }
    td_observer_set(NULL);
    int waits = atomic_load(&lock_waits);
    return counter != 0 ? 101 : waits > 100 ? 100 : waits;
}

/* random and pct never hand the token to a thread that would only block in a Lock
 * another holds; fifo keeps its plain order, in which such a thread blocks. */
static void a_thread_that_could_only_block_is_held_back(void **state)
{
    (void)state;
    char out[512];
    const char *choosy[] = { "random:1", "random:2", "random:3", "pct:1", "pct:2:5" };
    for (size_t i = 0; i < sizeof choosy / sizeof choosy[0]; i++)
        assert_int_equal(run_child(choosy[i], 0, two_adders, out, sizeof out), 0);
    int fifo = run_child("fifo", 0, two_adders, out, sizeof out);
    assert_true(fifo > 0 && fifo <= 100);
}

/* ---- a small racy program -------------------------------------------------------------- */

static td_lock_t print_lock;

static void chatter(void *arg)
{
    const char *who = arg;
    for (int i = 0; i < 5; i++) {
        td_lock_acquire(&print_lock, true, TD_FOREVER);
        td_print("%s %d at %.6f", who, i, td_monotonic());
        td_lock_release(&print_lock);
    }
}

static int three_chatterers(void)
{
    td_lock_init(&print_lock);
    td_thread_t *t[3];
    const char *names[3] = { "a", "b", "c" };
    for (int i = 0; i < 3; i++) {
        if (td_thread_new(&t[i], &(td_thread_attr_t){ TD_TARGET(chatter),
                                                      .arg = (void *)names[i] }) != 0 ||
            td_thread_start(t[i]) != 0)
            return 1;
    }
    for (int i = 0; i < 3; i++) {
        td_thread_join(t[i], TD_FOREVER);
        td_thread_free(t[i]);
    }
    td_print("ident %lu native %ld", td_get_ident(), td_get_native_id());
    return 0;
}

/* The same policy prints the same bytes; different seeds interleave differently. */
static void same_policy_same_bytes(void **state)
{
    (void)state;
    static char first[8192], again[8192];
    assert_int_equal(run_child("random:42", 0, three_chatterers, first, sizeof first), 0);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(run_child("random:42", 0, three_chatterers, again, sizeof again), 0);
        assert_string_equal(first, again);
    }
    assert_non_null(strstr(first, "ident 1 native 10001\n"));
    int distinct = 0;
    for (int seed = 1; seed <= 10 && distinct == 0; seed++) {
        char policy[32];
        snprintf(policy, sizeof policy, "random:%d", seed);
        assert_int_equal(run_child(policy, 0, three_chatterers, again, sizeof again), 0);
        distinct += strcmp(first, again) != 0;
    }
    assert_true(distinct > 0);
    assert_int_equal(run_child("fifo", 0, three_chatterers, first, sizeof first), 0);
    assert_int_equal(run_child("fifo", 0, three_chatterers, again, sizeof again), 0);
    assert_string_equal(first, again);
    /* fifo is round robin: the three threads' first lines come a, b, c. */
    assert_true(strstr(first, "a 0") < strstr(first, "b 0"));
    assert_true(strstr(first, "b 0") < strstr(first, "c 0"));
}

/* ---- virtual time ------------------------------------------------------------------- */

static int sleep_long(void)
{
    td_event_t never;
    td_event_init(&never);
    double start = td_monotonic(), wall = td_time();
    bool set = td_event_wait(&never, 3600.0); /* an hour, virtually */
    double slept = td_monotonic() - start;
    td_print("set %d slept %.3f wall %.0f", set, slept, td_time() - wall);
    td_print("start %.6f wall %.0f", start, wall);
    return set || slept < 3600.0 || slept > 3600.01;
}

static void sleeps_cost_no_wall_time(void **state)
{
    (void)state;
    char out[1024];
    double start = test_now();
    assert_int_equal(run_child("fifo", 0, sleep_long, out, sizeof out), 0);
    assert_true(test_now() - start < 2.0);
    assert_non_null(strstr(out, "set 0 slept 3600.000 wall 3600\n"));
    /* Both clocks start at fixed points: 1000 s, and 2000-01-01 00:00:00 UTC. */
    assert_non_null(strstr(out, "start 1000.000000 wall 946684800\n"));
}

/* ---- stuck runs ------------------------------------------------------------------------ */

static td_lock_t lock_a, lock_b;
static td_barrier_t both_hold_one;

static void take_in_order(void *arg)
{
    bool a_first = arg != NULL;
    td_lock_t *first = a_first ? &lock_a : &lock_b, *second = a_first ? &lock_b : &lock_a;
    td_lock_acquire(first, true, TD_FOREVER);
    td_barrier_wait(&both_hold_one, TD_FOREVER);
    td_lock_acquire(second, true, TD_FOREVER);
}

static int lock_order_inversion(void)
{
    td_lock_init(&lock_a);
    td_lock_init(&lock_b);
    td_object_set_name(&lock_a, "lock_a");
    td_object_set_name(&lock_b, "lock_b");
    td_barrier_init(&both_hold_one, 2, NULL, NULL, TD_FOREVER);
    td_thread_t *t1, *t2;
    td_thread_new(&t1, &(td_thread_attr_t){ TD_TARGET(take_in_order), .arg = &lock_a,
                                            .name = "T1" });
    td_thread_new(&t2, &(td_thread_attr_t){ TD_TARGET(take_in_order), .name = "T2" });
    td_thread_start(t1);
    td_thread_start(t2);
    td_thread_join(t1, TD_FOREVER);
    return 0;
}

/* A lock-order inversion: the report names both threads, the lock each waits for
 * and who holds it, and the main thread's join. */
static void deadlock_is_reported(void **state)
{
    (void)state;
    char out[8192];
    assert_int_equal(run_child("random:3", 0, lock_order_inversion, out, sizeof out), 3);
    assert_non_null(strstr(out, "STUCK 1\ndeadlock: every thread is blocked"));
    assert_non_null(strstr(out, "  MainThread waits to join T1\n"));
    assert_non_null(strstr(out, "  T1 waits for lock lock_b, held by T2\n"));
    assert_non_null(strstr(out, "  T2 waits for lock lock_a, held by T1\n"));
}

static int spin_forever(void)
{
    for (;;) /* until the step limit stops the run */
        td_yield_now();
    return 0;
}

static void step_limit_stops_a_run(void **state)
{
    (void)state;
    char out[4096];
    assert_int_equal(run_child("fifo", 1000, spin_forever, out, sizeof out), 3);
    assert_non_null(strstr(out, "STUCK 2\nstopped after 1001 scheduling points"));
}

/* ---- interrupts ------------------------------------------------------------------------ */

static atomic_bool interrupted_flag;
static atomic_bool looping;

static void set_flag(void *ctx)
{
    (void)ctx;
    atomic_store(&interrupted_flag, true);
}

static void interrupt_from_outside(void *arg)
{
    (void)arg;
    while (!atomic_load(&looping))
        ;
    td_sched_interrupt();
}

/* td_sched_interrupt from a thread the schedule does not control: on_interrupt runs
 * on a controlled thread at its next scheduling point. */
static void interrupt_reaches_a_controlled_thread(void **state)
{
    (void)state;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        alarm(30);
        td_thread_t *outside;
        td_thread_new(&outside, &(td_thread_attr_t){ TD_TARGET(interrupt_from_outside) });
        td_thread_start(outside); /* started before the schedule: not controlled */
        td_sched_config_t config = { .on_interrupt = set_flag };
        td_policy_parse("fifo", &config.policy);
        td_sched_begin(&config);
        atomic_store(&looping, true);
        while (!atomic_load(&interrupted_flag))
            td_yield_now();
        /* Only controlled threads may wait under a schedule: end it, then join. */
        int ended = td_sched_end();
        td_thread_join(outside, TD_FOREVER);
        td_thread_free(outside);
        _exit(ended == 0 ? 0 : 1);
    }
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* ---- td_sched_point against td_yield_now under pct ------------------------------------- */

static td_event_t both_started;

static void points_between_lines(void *arg)
{
    td_event_wait(&both_started, TD_FOREVER);
    for (int i = 0; i < 3; i++) {
        td_print("%s %d", (const char *)arg, i);
        td_sched_point();
    }
}

static void yields_between_lines(void *arg)
{
    td_event_wait(&both_started, TD_FOREVER);
    for (int i = 0; i < 3; i++) {
        td_print("%s %d", (const char *)arg, i);
        td_yield_now();
    }
}

static td_thread_fn between;

/* Two writers, released together once both are started. */
static int two_writers(void)
{
    td_thread_t *t[2];
    const char *names[2] = { "a", "b" };
    td_event_init(&both_started);
    for (int i = 0; i < 2; i++)
        if (td_thread_new(&t[i], &(td_thread_attr_t){ .target = between,
                                                      .arg = (void *)names[i] }) != 0 ||
            td_thread_start(t[i]) != 0)
            return 1;
    td_event_set(&both_started);
    for (int i = 0; i < 2; i++) {
        td_thread_join(t[i], TD_FOREVER);
        td_thread_free(t[i]);
    }
    return 0;
}

/* pct with DEPTH 1 changes no priority: a thread racing through td_sched_point keeps
 * running until it ends, for every seed; one spinning through td_yield_now lets the
 * other run at each yield. */
static void sched_point_keeps_pct_priority(void **state)
{
    (void)state;
    char out[1024], policy[32];
    for (int seed = 1; seed <= 8; seed++) {
        snprintf(policy, sizeof policy, "pct:%d:1", seed);
        between = points_between_lines;
        assert_int_equal(run_child(policy, 0, two_writers, out, sizeof out), 0);
        assert_true(strcmp(out, "a 0\na 1\na 2\nb 0\nb 1\nb 2\n") == 0 ||
                    strcmp(out, "b 0\nb 1\nb 2\na 0\na 1\na 2\n") == 0);
        between = yields_between_lines;
        assert_int_equal(run_child(policy, 0, two_writers, out, sizeof out), 0);
        assert_true(strcmp(out, "a 0\nb 0\na 1\nb 1\na 2\nb 2\n") == 0 ||
                    strcmp(out, "b 0\na 0\nb 1\na 1\nb 2\na 2\n") == 0);
    }
}

/* ---- td_exit under a schedule ------------------------------------------------------------ */

static void print_forever(void *arg)
{
    (void)arg;
    for (;;)
        td_print("daemon");
}

static td_lock_t exit_lock;

static void lock_at_exit(void)
{
    td_lock_acquire(&exit_lock, true, TD_FOREVER); /* a scheduling point in an exit handler */
    td_lock_release(&exit_lock);
}

/* td_exit freezes the daemon threads where they stand: the exit handlers' scheduling
 * points never hand the run to one of them (which would block for ever on the output
 * lock td_exit holds), and nothing they print comes after main's last line. */
static void exit_freezes_daemon_threads(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        alarm(30);
        td_log_set_fd(fds[1]);
        td_lock_init(&exit_lock);
        atexit(lock_at_exit);
        td_sched_config_t config = { .on_stuck = write_report };
        stuck_fd = fds[1];
        td_policy_parse("random:11", &config.policy);
        td_sched_begin(&config);
        td_thread_t *t;
        td_thread_new(&t, &(td_thread_attr_t){ TD_TARGET(print_forever),
                                               .daemon = TD_DAEMON_YES });
        td_thread_start(t);
        for (int i = 0; i < 5; i++)
            td_print("main %d", i);
        td_print("main ends");
        td_exit(7);
    }
    close(fds[1]);
    char out[8192];
    size_t len = 0;
    ssize_t n;
    while (len + 1 < sizeof out && (n = read(fds[0], out + len, sizeof out - 1 - len)) > 0)
        len += (size_t)n;
    out[len] = '\0';
    close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 7);
    assert_non_null(strstr(out, "main 4\n"));
    assert_true(len >= 10 && strcmp(out + len - 10, "main ends\n") == 0);
}

/* ---- the planted bug -------------------------------------------------------------------- */

static int slot_taken, takers;

static void take_slot_once(void *arg)
{
    (void)arg;
    for (int i = 0; i < 20; i++)
        td_yield_now(); /* unrelated work */
    if (slot_taken == 0) { /* check ... */
        td_yield_now();    /* (the window a real run almost never hits) */
        slot_taken = 1;    /* ... then act */
        takers++;
    }
    for (int i = 0; i < 20; i++)
        td_yield_now();
}

static int check_then_act(void *arg)
{
    (void)arg;
    slot_taken = takers = 0;
    td_thread_t *t[2];
    for (int i = 0; i < 2; i++) {
        td_thread_new(&t[i], &(td_thread_attr_t){ TD_TARGET(take_slot_once) });
        td_thread_start(t[i]);
    }
    for (int i = 0; i < 2; i++) {
        td_thread_join(t[i], TD_FOREVER);
        td_thread_free(t[i]);
    }
    return takers == 1 ? 0 : 1;
}

/* pct finds the race within a bounded number of runs and names the seed; replaying
 * that seed fails again; fifo (one fixed order) never finds it. */
static void pct_finds_the_planted_race(void **state)
{
    (void)state;
    td_policy_t pct;
    assert_int_equal(td_policy_parse("pct:1:2:100", &pct), 0);
    td_sched_failure_t failure;
    assert_int_equal(td_sched_check(&pct, 300, 0, check_then_act, NULL, &failure), 1);
    assert_int_equal(failure.status, 0);
    assert_int_equal(failure.code, 1);
    assert_int_equal(failure.policy.seed, 1 + failure.run);
    td_sched_failure_t again;
    assert_int_equal(td_sched_check(&failure.policy, 1, 0, check_then_act, NULL, &again), 1);
    td_policy_t fifo;
    assert_int_equal(td_policy_parse("fifo", &fifo), 0);
    assert_int_equal(td_sched_check(&fifo, 3, 0, check_then_act, NULL, NULL), 0);
    char text[64];
    td_policy_format(&failure.policy, text, sizeof text);
    print_message("pct found the race in run %u: replay with --schedule %s\n", failure.run,
                  text);
}

/* ---- a program as the scheduler (on_decide) -------------------------------------- */

static long racy; /* read and written with a scheduling point before each */
static char overrides[256]; /* the choices on_decide made that the policy did not */

static void racy_increment(void *arg)
{
    (void)arg;
    td_sched_read(&racy);
    long loaded = racy;
    td_sched_write(&racy);
    racy = loaded + 1;
}

static int two_racy_increments(void)
{
    racy = 0;
    td_thread_t *t[2];
    for (int i = 0; i < 2; i++) {
        td_thread_new(&t[i], &(td_thread_attr_t){ TD_TARGET(racy_increment) });
        td_thread_start(t[i]);
    }
    for (int i = 0; i < 2; i++) {
        td_thread_join(t[i], TD_FOREVER);
        td_thread_free(t[i]);
    }
    td_print("racy=%ld overrides=%s", racy, overrides);
    return 0;
}

/* While main starts the workers, the policy's choice; then a worker that has not
 * read yet before one that would write (both read 0: an update is lost). Where none
 * is, a number that names no thread: ignored. */
static unsigned lose_an_update(const td_sched_decision_t *d, void *ctx)
{
    (void)ctx;
    unsigned pick = 0;
    for (size_t i = 0; i < d->n; i++) {
        const td_sched_thread_view_t *v = &d->threads[i];
        if (v->number == 1 && v->can_go)
            return 0;
        if (!pick && v->can_go && (strcmp(v->verb, "reads") == 0 || strcmp(v->verb, "starts") == 0))
            pick = v->number;
    }
    if (!pick)
        return (unsigned)d->n + 5;
    if (pick != d->chosen) {
        size_t len = strlen(overrides);
        snprintf(overrides + len, sizeof overrides - len, "%s%u@%llu", len ? "," : "", pick,
                 (unsigned long long)d->decision);
    }
    return pick;
}

/* on_decide makes the lost update happen; the choices it made, replayed, make it
 * again; the plain order alone loses nothing. */
static void on_decide_chooses_and_replay_repeats_it(void **state)
{
    (void)state;
    char out[512], again[512], plain[512];
    overrides[0] = '\0';
    decide_hook = lose_an_update;
    int rc = run_child("replay:", 0, two_racy_increments, out, sizeof out);
    decide_hook = NULL;
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "racy=1 overrides="));
    const char *choices = strstr(out, "overrides=") + strlen("overrides=");
    char policy[300];
    snprintf(policy, sizeof policy, "replay:%.*s", (int)strcspn(choices, "\n"), choices);
    assert_true(strlen(policy) > strlen("replay:"));
    assert_int_equal(run_child(policy, 0, two_racy_increments, again, sizeof again), 0);
    assert_non_null(strstr(again, "racy=1 overrides=\n"));
    assert_int_equal(run_child("replay:", 0, two_racy_increments, plain, sizeof plain), 0);
    assert_non_null(strstr(plain, "racy=2 overrides=\n"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(policies_parse_and_print_back),
        cmocka_unit_test(same_policy_same_bytes),
        cmocka_unit_test(sleeps_cost_no_wall_time),
        cmocka_unit_test(deadlock_is_reported),
        cmocka_unit_test(step_limit_stops_a_run),
        cmocka_unit_test(interrupt_reaches_a_controlled_thread),
        cmocka_unit_test(sched_point_keeps_pct_priority),
        cmocka_unit_test(exit_freezes_daemon_threads),
        cmocka_unit_test(pct_finds_the_planted_race),
        cmocka_unit_test(a_thread_that_could_only_block_is_held_back),
        cmocka_unit_test(on_decide_chooses_and_replay_repeats_it),
    };
    return test_run_cases(tests);
}
