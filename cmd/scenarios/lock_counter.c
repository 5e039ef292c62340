/* SPDX-License-Identifier: MIT */
/* lock_counter.c - seed 002 "threading.Lock": one counter, +1 a million times in one
 * thread and -1 a million times in another, each step under a lock. The result is 0.
 *
 * --lock picks the guard: mutex (Python's Lock, the default), rlock, semaphore (a
 * Semaphore(1)), spin (a C11 atomic_flag spinlock), atomic (no lock: one atomic
 * fetch-and-add per step), none (no guard at all: the teaching counter-example).
 * The threads start behind a gate (race.h), so they really run at the same moment.
 * Under --schedule an unguarded `+= 1` has a scheduling point between its load, add
 * and store, so each seed loses its own updates, the same on every run; --explain
 * then prints the steps that lost the first one.
 * Trace: "Final value of shared_resource: 0"; with none, a non-zero value and a line
 * saying why. For --trace and --timeline the value is sampled a hundred times per
 * thread, as a counter.
 * Things to try: --lock none several times; --lock none --iterations 3 --schedule
 * random:1 --explain; `thrdemo explore lock-counter --lock none --iterations 3`;
 * --threads 8; --stats for the wall time.
 */
#include <limits.h>

#include <thrdemo/log.h>
#include <thrdemo/schedule.h>
#include <thrdemo/thread.h>

#include "support/race.h"
#include "scenarios.h"

/* Its options, one enumerator per row of the table at the end, by which the story
 * reads them: a name mistyped does not compile. */
enum {
    LOCK_COUNTER_ITERATIONS,
    LOCK_COUNTER_THREADS,
    LOCK_COUNTER_LOCK,
    LOCK_COUNTER_EXPLAIN,
};

struct counter {
    guard_t guard;
    start_gate_t gate;
    long long iterations;
    long long sample_every; /* steps between two samples of the value for a trace */
    race_counter_t shared_resource; /* load, add, store: Python's `+= 1` (race.h) */
};

struct racer {
    struct counter *c;
    int who;
};

/* The value as a trace draws it (--trace, --timeline): a counter, sampled. */
static void sample(struct counter *c)
{
    long long value = race_counter_value(&c->shared_resource);
    int shown = value > INT_MAX ? INT_MAX : value < -INT_MAX ? -INT_MAX : (int)value;
    td_observe(TD_OBS_COUNTER, "counter", &c->shared_resource, shown, -1);
}

static void add(struct counter *c, int who, long long delta, bool sampled)
{
    if (c->guard.kind == GUARD_ATOMIC) {
        race_counter_add_atomic(&c->shared_resource, delta);
        if (sampled)
            sample(c);
        return;
    }
    guard_enter(&c->guard); /* with lock: */
    /* Load, add, store: without a guard another thread's store can land in between
     * and one of the two updates is lost. */
    race_counter_add(&c->shared_resource, who, delta);
    if (sampled)
        sample(c); /* still under the guard: the value as it is */
    guard_leave(&c->guard);
}

/* delta, iterations times or until Ctrl-C, sampling the value now and then (a
 * countdown, not a division, in the loop) and at the last step: the steps done. */
static long long count(const struct racer *r, long long delta)
{
    struct counter *c = r->c;
    race_counter_enter(&c->shared_resource, r->who);
    gate_wait(&c->gate);
    long long countdown = 1, i = 0;
    /* The stop is one flag read per step: 300 million steps take half a minute
     * (issue 21). Under --schedule it is set at a scheduling point of add(). */
    for (; i < c->iterations && !runner_stopping(); i++) {
        bool sampled = --countdown == 0 || i == c->iterations - 1; /* and the last */
        if (sampled)
            countdown = c->sample_every;
        add(c, r->who, delta, sampled); /* with lock: shared_resource += delta */
    }
    return i;
}

static void increment(void *arg)
{
    const struct racer *r = arg;
    stats_count("increments", (uint64_t)count(r, +1));
}

static void decrement(void *arg)
{
    const struct racer *r = arg;
    stats_count("decrements", (uint64_t)count(r, -1));
}

static int check_lock_counter(const cli_args_t *args)
{
    if (cli_int(args, LOCK_COUNTER_THREADS) % 2 != 0)
        return cli_usage_error("lock-counter", "--threads must be even (half add, half subtract)");
    return 0;
}

static int run_lock_counter(const cli_args_t *args)
{
    long long n = cli_int(args, LOCK_COUNTER_THREADS);
    static struct counter c; /* static: workers may outlive a failed run() */
    static struct racer racers[MAX_THREADS];
    guard_init(&c.guard, cli_text(args, LOCK_COUNTER_LOCK));
    gate_init(&c.gate, n);
    c.iterations = cli_int(args, LOCK_COUNTER_ITERATIONS);
    c.sample_every = c.iterations / 100 > 0 ? c.iterations / 100 : 1;
    bool unguarded = c.guard.kind == GUARD_NONE;
    /* --explain is also the global option (every scheduled run step by step), which
     * the parser takes first: this row's flag is that one. */
    bool explain = cli_globals.explain;
    race_counter_init(&c.shared_resource, unguarded && td_sched_active(),
                      explain);
    td_object_set_name(&c.shared_resource, "shared_resource");

    td_thread_t *threads[MAX_THREADS] = { 0 };
    int rc = 0;
    for (long long i = 0; i < n && rc == 0; i++) {
        racers[i] = (struct racer){ &c, (int)i };
        td_thread_attr_t attr = { TD_TARGET(increment), .arg = &racers[i] };
        if (i % 2) /* half add, half subtract */
            attr = (td_thread_attr_t){ TD_TARGET(decrement), .arg = &racers[i] };
        rc = runner_start(&threads[i], &attr);
    }
    if (rc != 0)
        gate_open(&c.gate); /* for those that did start */
    for (long long i = 0; i < n; i++)
        runner_join(threads[i]);
    if (rc != 0 || runner_stopping())
        return rc; /* stopped: a final value of part of the steps would mislead */
    long long final = race_counter_value(&c.shared_resource);
    td_print("Final value of shared_resource: %lld", final);
    if (unguarded && final != 0)
        td_print("Lost updates: without a lock, += and -= are a read, an add and a write "
                 "that the other thread can interleave, so the result is not 0");
    else if (unguarded)
        td_print("No update was lost this time, by luck: without a lock nothing "
                 "guarantees 0; %s", td_sched_active() ? "try another seed" : "run it again");
    if (explain)
        race_counter_explain(&c.shared_resource, !unguarded);
    return EXIT_OK;
}

/* `thrdemo lock-counter`: its variants, options, lesson and Python calls, which the
 * parser, the help and `list` read (cli.h). */
const cli_command_t scenario_lock_counter = {
    .name = "lock-counter", .kind = CMD_SCENARIO, .seed = "002", .check = check_lock_counter,
    .outcome = "Final value of shared_resource: ",
    .summary = "+1 and -1 a million times each under a Lock; the result is 0",
    .about = "\"threading.Lock\": two threads update one counter, each step under a lock. "
             "--lock none shows lost updates on a multi-core machine.",
    .lesson = "shared_resource += 1 is a read, an add and a write: two threads can both "
              "read 5 and both write their result, and one update is lost. A lock makes "
              "the three one step that no other thread can interleave.",
    .variants = (const cli_variant_t[]){
        { NULL, "+1 and -1 a million times each under a Lock; the result is 0",
          .example = "lock-counter --lock none", .run = run_lock_counter },
        { 0 } },
    .options = (const cli_option_t[]){
        [LOCK_COUNTER_ITERATIONS] = { "iterations", OPT_INT, "1000000", .max = 1e12,
          .help = "increments (or decrements) per thread" },
        [LOCK_COUNTER_THREADS] = { "threads", OPT_INT, "2", 2, MAX_THREADS,
          .help = "threads, half adding and half subtracting (even)" },
        [LOCK_COUNTER_LOCK] = { "lock", OPT_CHOICE, "mutex", .choices = GUARD_NAMES,
          .help = "the guard: Lock, RLock, Semaphore(1), a spinlock, an atomic add, or none" },
        [LOCK_COUNTER_EXPLAIN] = { "explain", OPT_FLAG,
          .help = "after the trace, the steps that lost the first update (exact under "
                  "--schedule, where an unguarded += has a scheduling point between its "
                  "load, add and store)" },
        { 0 } },
    .python = (const cli_pycall_t[]){
        { "threading.Lock()", "td_lock_init" },
        { "with lock: (acquire)", "td_lock_acquire(&lock, true, TD_FOREVER)" },
        { "with lock: (release)", "td_lock_release" },
        { "threading.RLock()", "td_rlock_init, td_rlock_acquire, td_rlock_release" },
        { "threading.Semaphore(1)", "td_sem_init, td_sem_acquire, td_sem_release" },
        { "threading.Thread(target=...).start", "td_thread_new, td_thread_start" },
        { "threading.Thread.join", "td_thread_join" },
        { 0 } },
};
