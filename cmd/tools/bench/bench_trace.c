/* SPDX-License-Identifier: MIT */
/* bench_trace.c - what recording a run costs (--trace, --timeline): the lock
 * workload's two threads, 200,000 increments and decrements each under a Lock,
 * with no recorder, with one keeping every event (each acquire and release is one),
 * and with one whose limit is spent, so that every event is counted as dropped.
 * "added per event" is a run's time less that of a run without a recorder, measured
 * just before it, over the events the recorder was told of. */
#include <stdatomic.h>
#include <stdio.h>

#include <thrdemo/lock.h>
#include <thrdemo/trace.h>

#include "bench.h"

enum { ITERATIONS = 200000 };
#define ROOMY_LIMIT ((uint64_t)256 << 20) /* holds every event of a run */

struct counter {
    _Alignas(64) td_lock_t lock;
    _Alignas(64) long long value;
    _Alignas(64) atomic_int arrived;
    atomic_int next_cpu;
};

static void work(struct counter *c, long long delta)
{
    bench_pin(atomic_fetch_add(&c->next_cpu, 1));
    atomic_fetch_add(&c->arrived, 1);
    while (atomic_load(&c->arrived) < 2)
        ;
    for (int i = 0; i < ITERATIONS; i++) {
        td_lock_acquire(&c->lock, true, TD_FOREVER);
        c->value += delta;
        td_lock_release(&c->lock);
    }
}

static void increment(void *arg)
{
    work(arg, +1);
}

static void decrement(void *arg)
{
    work(arg, -1);
}

/* One run of the two threads: its time in seconds (the result failed if it went
 * wrong). */
static double run_once(bench_result_t *r)
{
    static struct counter c;
    td_lock_init(&c.lock);
    c.value = 0;
    atomic_store(&c.arrived, 0);
    atomic_store(&c.next_cpu, 0);
    void *a, *b = NULL;
    double start = bench_now();
    if (bench_start(&a, increment, &c, r) && !bench_start(&b, decrement, &c, r))
        atomic_store(&c.arrived, 2); /* let the first one finish */
    bench_join(a);
    bench_join(b);
    double took = bench_now() - start;
    if (c.value != 0 && r->ok) {
        r->ok = false;
        snprintf(r->note, sizeof r->note, "final counter %lld, not 0", c.value);
    }
    return took;
}

/* A run with a recorder of this limit (0: none): value[0] its time in ms, value[1]
 * what it added per event in ns. */
static void measure(bench_result_t *r, uint64_t limit)
{
    double bare = run_once(r);
    if (limit == 0) {
        r->value[0] = bare * 1e3;
        r->value[1] = 0;
        return;
    }
    td_trace_t *trace;
    int rc = td_trace_new(&trace, limit);
    if (rc == 0 && (rc = td_trace_start(trace)) != 0)
        td_trace_free(trace);
    if (rc != 0) {
        r->ok = false;
        snprintf(r->note, sizeof r->note, "cannot record: %s", td_strerror(rc));
        return;
    }
    double took = run_once(r);
    td_trace_stop(trace);
    uint64_t events = td_trace_recorded(trace) + td_trace_dropped(trace);
    td_trace_free(trace);
    r->value[0] = took * 1e3;
    r->value[1] = events ? (took - bare) / (double)events * 1e9 : 0;
    if (events < 4 * (uint64_t)ITERATIONS && r->ok) {
        r->ok = false;
        snprintf(r->note, sizeof r->note, "the recorder heard of %llu events, not %d",
                 (unsigned long long)events, 4 * ITERATIONS);
    }
}

void bench_trace_off(bench_result_t *r)
{
    measure(r, 0);
}

void bench_trace_on(bench_result_t *r)
{
    measure(r, ROOMY_LIMIT);
}

void bench_trace_full(bench_result_t *r)
{
    measure(r, TD_TRACE_MIN_LIMIT);
}
