/* SPDX-License-Identifier: MIT */
/* lock_counter.c - seed 002 "threading.Lock": one counter, +1 a million times in one
 * thread and -1 a million times in another, each step under a lock. The result is 0.
 *
 * --lock picks the guard: mutex (Python's Lock, the default), rlock, semaphore (a
 * Semaphore(1)), spin (a C11 atomic_flag spinlock), atomic (no lock: one atomic
 * fetch-and-add per step), none (no guard at all: the teaching counter-example).
 * Trace: "Final value of shared_resource: 0"; with none, a non-zero value and a line
 * saying why.
 *
 * Things to try: --lock none several times; --threads 8; --stats for the wall time.
 */
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <thrdemo/lock.h>
#include <thrdemo/log.h>
#include <thrdemo/semaphore.h>
#include <thrdemo/thread.h>

#include "scenarios.h"
#include "stats.h"

enum guard { MUTEX, RLOCK, SEMAPHORE, SPIN, ATOMIC, NONE };

struct counter {
    enum guard guard;
    long long iterations;
    /* The start gate: each thread moves to its own core, arrives, and spins until
     * all have, so they really run at the same moment. Without the pinning the
     * kernel now and then (1 run in 10, measured) stacks both on one core, where
     * the first does its million steps in one time slice before the second runs. */
    atomic_llong arrived;
    atomic_int next_cpu;
    long long threads;
    td_lock_t lock;
    td_rlock_t rlock;
    td_sem_t sem;
    atomic_flag spin;
    /* shared_resource. Always accessed atomically so the program stays defined C
     * (and ThreadSanitizer-clean); `none` does a separate load and store, which is
     * exactly the read-modify-write race of Python's `shared_resource += 1`. */
    atomic_llong shared_resource;
};

static void enter(struct counter *c)
{
    switch (c->guard) {
    case MUTEX: td_lock_acquire(&c->lock, true, TD_FOREVER); break;
    case RLOCK: td_rlock_acquire(&c->rlock, true, TD_FOREVER); break;
    case SEMAPHORE: td_sem_acquire(&c->sem, true, TD_FOREVER); break;
    case SPIN:
        while (atomic_flag_test_and_set_explicit(&c->spin, memory_order_acquire))
            ;
        break;
    default: break;
    }
}

static void leave(struct counter *c)
{
    switch (c->guard) {
    case MUTEX: td_lock_release(&c->lock); break;
    case RLOCK: td_rlock_release(&c->rlock); break;
    case SEMAPHORE: td_sem_release(&c->sem, 1); break;
    case SPIN: atomic_flag_clear_explicit(&c->spin, memory_order_release); break;
    default: break;
    }
}

static void add(struct counter *c, long long delta)
{
    if (c->guard == ATOMIC) {
        atomic_fetch_add_explicit(&c->shared_resource, delta, memory_order_relaxed);
        return;
    }
    enter(c);
    /* Load, add, store: without a guard another thread's store can land in between
     * and one of the two updates is lost. */
    long long v = atomic_load_explicit(&c->shared_resource, memory_order_relaxed);
    atomic_store_explicit(&c->shared_resource, v + delta, memory_order_relaxed);
    leave(c);
}

/* Pin the calling thread to the n-th CPU it may use (n modulo their number). */
static void move_to_own_cpu(struct counter *c)
{
    cpu_set_t allowed, mine;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0 || CPU_COUNT(&allowed) < 2)
        return; /* one core: the threads can only take turns */
    int n = atomic_fetch_add(&c->next_cpu, 1) % CPU_COUNT(&allowed);
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (CPU_ISSET(cpu, &allowed) && n-- == 0) {
            CPU_ZERO(&mine);
            CPU_SET(cpu, &mine);
            sched_setaffinity(0, sizeof mine, &mine); /* 0: the calling thread */
            return;
        }
    }
}

static void wait_at_gate(struct counter *c)
{
    move_to_own_cpu(c);
    atomic_fetch_add(&c->arrived, 1);
    while (atomic_load(&c->arrived) < c->threads)
        ; /* a few microseconds: the last thread is being started right now */
}

static void increment(void *arg)
{
    struct counter *c = arg;
    wait_at_gate(c);
    for (long long i = 0; i < c->iterations; i++)
        add(c, +1); /* with lock: shared_resource += 1 */
    stats_count("increments", (uint64_t)c->iterations);
}

static void decrement(void *arg)
{
    struct counter *c = arg;
    wait_at_gate(c);
    for (long long i = 0; i < c->iterations; i++)
        add(c, -1); /* with lock: shared_resource -= 1 */
    stats_count("decrements", (uint64_t)c->iterations);
}

static enum guard parse_guard(const char *name)
{
    const char *names[] = { "mutex", "rlock", "semaphore", "spin", "atomic", "none" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0)
            return (enum guard)i;
    return MUTEX; /* the parser has already checked the word */
}

enum { MAX_THREADS = 64 };

static int run(const cli_args_t *args)
{
    long long n = cli_int(args, "threads");
    if (n % 2 != 0)
        return cli_usage_error("lock-counter", "--threads must be even (half add, half subtract)");
    static struct counter c; /* static: workers may outlive a failed run() */
    c.guard = parse_guard(cli_text(args, "lock"));
    c.iterations = cli_int(args, "iterations");
    c.threads = n;
    atomic_init(&c.arrived, 0);
    atomic_init(&c.next_cpu, 0);
    td_lock_init(&c.lock);
    td_rlock_init(&c.rlock);
    td_sem_init(&c.sem, 1);
    atomic_flag_clear(&c.spin);
    atomic_init(&c.shared_resource, 0);

    td_thread_t *threads[MAX_THREADS] = { 0 };
    int rc = 0;
    for (long long i = 0; i < n && rc == 0; i++) {
        td_thread_attr_t attr = { TD_TARGET(increment), .arg = &c };
        if (i % 2)
            attr = (td_thread_attr_t){ TD_TARGET(decrement), .arg = &c };
        rc = td_thread_new(&threads[i], &attr);
        if (rc == 0)
            rc = td_thread_start(threads[i]);
    }
    if (rc != 0)
        atomic_store(&c.arrived, n); /* open the gate for those that did start */
    for (long long i = 0; i < n; i++) {
        if (threads[i] && td_thread_is_alive(threads[i]))
            td_thread_join(threads[i], TD_FOREVER);
        td_thread_free(threads[i]);
    }
    if (rc != 0) {
        cli_error("cannot start a thread: %s", td_strerror(rc));
        return EXIT_RUNTIME;
    }
    long long final = atomic_load(&c.shared_resource);
    td_print("Final value of shared_resource: %lld", final);
    if (c.guard == NONE && final != 0)
        td_print("Lost updates: without a lock, += and -= are a read, an add and a write "
                 "that the other thread can interleave, so the result is not 0");
    else if (c.guard == NONE)
        td_print("No update was lost this time, by luck: without a lock nothing "
                 "guarantees 0; run it again");
    return EXIT_OK;
}

static const cli_option_t options[] = {
    { "iterations", OPT_INT, "1000000", "increments (or decrements) per thread", NULL, 0, 1e12, false, 0 },
    { "threads", OPT_INT, "2", "threads, half adding and half subtracting (even)", NULL, 2, MAX_THREADS, false, 0 },
    { "lock", OPT_CHOICE, "mutex", "the guard: mutex rlock semaphore spin atomic none", NULL, 0, 0, false,
      "mutex rlock semaphore spin atomic none" },
    { 0 },
};

const scenario_t scenario_lock_counter = {
    .name = "lock-counter",
    .seed = "002",
    .summary = "+1 and -1 a million times each under a Lock; the result is 0",
    .options = options,
    .run = run,
    .help = "Seed 002 \"threading.Lock\": two threads update one counter under a lock.\n"
            "--lock none shows lost updates on a multi-core machine.\n"
            "Things to try: --lock none (several times), --threads 8, --stats.\n",
};
