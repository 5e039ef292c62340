/* SPDX-License-Identifier: MIT */
/* bench.h - the workloads of `thrdemo bench`. Each implementation runs one
 * measurement and says whether its result checks out (final counter 0, every
 * message received once, every thread joined). Comparison implementations use
 * pthreads and futexes directly: measuring them against libthrdemo is the point. */
#ifndef THRDEMO_BENCH_H
#define THRDEMO_BENCH_H

#include <stdbool.h>
#include <stddef.h>

enum { BENCH_METRICS = 2 };

typedef struct bench_result {
    double value[BENCH_METRICS];
    bool ok;
    char note[120]; /* why the self-check failed */
} bench_result_t;

typedef struct bench_impl {
    const char *workload;
    const char *impl;
    const char *metric[BENCH_METRICS]; /* NULL when unused */
    const char *unit[BENCH_METRICS];
    bool higher_is_better[BENCH_METRICS];
    bool reference;                    /* libthrdemo's own: the ratio's denominator */
    void (*run)(bench_result_t *result);
} bench_impl_t;

/* Every implementation of every workload, in the order they run. */
extern const bench_impl_t bench_impls[];
extern const size_t bench_n_impls;

/* Seconds on CLOCK_MONOTONIC. */
double bench_now(void);
/* Remember the CPUs the process may use (call once, before any pinning). */
void bench_init(void);
/* Pin the calling thread to the n-th allowed CPU, so two threads really overlap. */
void bench_pin(int n);
/* Let the calling thread run on every allowed CPU again. */
void bench_unpin(void);
/* Start fn(arg) on a libthrdemo thread; false (and a note) if it could not start. */
bool bench_start(void **thread, void (*fn)(void *), void *arg, bench_result_t *r);
/* Join and free a thread from bench_start. */
void bench_join(void *thread);

/* The workloads, one file each. */
void bench_lock_td(bench_result_t *r);
void bench_lock_rlock(bench_result_t *r);
void bench_lock_mutex(bench_result_t *r);
void bench_lock_spin(bench_result_t *r);
void bench_lock_atomic(bench_result_t *r);
void bench_lock_floor(bench_result_t *r);
void bench_event_td(bench_result_t *r);
void bench_event_condvar(bench_result_t *r);
void bench_event_futex(bench_result_t *r);
void bench_event_sleep_td(bench_result_t *r);
void bench_event_sleep_futex(bench_result_t *r);
void bench_queue10_td(bench_result_t *r);
void bench_queue10_ring(bench_result_t *r);
void bench_queue1024_td(bench_result_t *r);
void bench_queue1024_ring(bench_result_t *r);
void bench_queue_idle(bench_result_t *r);
void bench_timer_td(bench_result_t *r);
void bench_timer_nanosleep(bench_result_t *r);
void bench_threads_td(bench_result_t *r);
void bench_threads_pthread(bench_result_t *r);
void bench_coro_td(bench_result_t *r);
void bench_coro_gen(bench_result_t *r);
void bench_coro_swapcontext(bench_result_t *r);
void bench_coro_sleepers(bench_result_t *r);

#endif
