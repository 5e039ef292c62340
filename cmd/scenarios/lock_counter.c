/* SPDX-License-Identifier: MIT */
/* lock_counter.c - seed 002 "threading.Lock": one counter, +1 a million times in one
 * thread and -1 a million times in another, each step under a lock. The result is 0.
 *
 * --lock picks the guard: mutex (Python's Lock, the default), rlock, semaphore (a
 * Semaphore(1)), spin (a C11 atomic_flag spinlock), atomic (no lock: one atomic
 * fetch-and-add per step), none (no guard at all: the teaching counter-example).
 * The threads start behind a gate (race.h), so they really run at the same moment.
 * Trace: "Final value of shared_resource: 0"; with none, a non-zero value and a line
 * saying why.
 * Things to try: --lock none several times; --threads 8; --stats for the wall time.
 */
#include <stdatomic.h>

#include <thrdemo/log.h>
#include <thrdemo/thread.h>

#include "race.h"
#include "scenarios.h"

struct counter {
    guard_t guard;
    start_gate_t gate;
    long long iterations;
    /* shared_resource. Always accessed atomically so the program stays defined C
     * (and ThreadSanitizer-clean); `none` does a separate load and store, which is
     * exactly the read-modify-write race of Python's `shared_resource += 1`. */
    atomic_llong shared_resource;
};

static void add(struct counter *c, long long delta)
{
    if (c->guard.kind == GUARD_ATOMIC) {
        atomic_fetch_add_explicit(&c->shared_resource, delta, memory_order_relaxed);
        return;
    }
    guard_enter(&c->guard); /* with lock: */
    /* Load, add, store: without a guard another thread's store can land in between
     * and one of the two updates is lost. */
    long long v = atomic_load_explicit(&c->shared_resource, memory_order_relaxed);
    atomic_store_explicit(&c->shared_resource, v + delta, memory_order_relaxed);
    guard_leave(&c->guard);
}

static void increment(void *arg)
{
    struct counter *c = arg;
    gate_wait(&c->gate);
    for (long long i = 0; i < c->iterations; i++)
        add(c, +1); /* with lock: shared_resource += 1 */
    stats_count("increments", (uint64_t)c->iterations);
}

static void decrement(void *arg)
{
    struct counter *c = arg;
    gate_wait(&c->gate);
    for (long long i = 0; i < c->iterations; i++)
        add(c, -1); /* with lock: shared_resource -= 1 */
    stats_count("decrements", (uint64_t)c->iterations);
}

int check_lock_counter(const cli_args_t *args)
{
    if (cli_int(args, "threads") % 2 != 0)
        return cli_usage_error("lock-counter", "--threads must be even (half add, half subtract)");
    return 0;
}

int run_lock_counter(const cli_args_t *args)
{
    long long n = cli_int(args, "threads");
    static struct counter c; /* static: workers may outlive a failed run() */
    guard_init(&c.guard, cli_text(args, "lock"));
    gate_init(&c.gate, n);
    c.iterations = cli_int(args, "iterations");
    atomic_init(&c.shared_resource, 0);

    td_thread_t *threads[MAX_THREADS] = { 0 };
    int rc = 0;
    for (long long i = 0; i < n && rc == 0; i++) {
        td_thread_attr_t attr = { TD_TARGET(increment), .arg = &c };
        if (i % 2) /* half add, half subtract */
            attr = (td_thread_attr_t){ TD_TARGET(decrement), .arg = &c };
        rc = runner_start(&threads[i], &attr);
    }
    if (rc != 0)
        gate_open(&c.gate); /* for those that did start */
    for (long long i = 0; i < n; i++)
        runner_join(threads[i]);
    if (rc != 0)
        return rc;
    long long final = atomic_load(&c.shared_resource);
    td_print("Final value of shared_resource: %lld", final);
    if (c.guard.kind == GUARD_NONE && final != 0)
        td_print("Lost updates: without a lock, += and -= are a read, an add and a write "
                 "that the other thread can interleave, so the result is not 0");
    else if (c.guard.kind == GUARD_NONE)
        td_print("No update was lost this time, by luck: without a lock nothing "
                 "guarantees 0; run it again");
    return EXIT_OK;
}
