/* SPDX-License-Identifier: MIT */
/* bench_threads.c - start N threads (10,000 unless --count says) that all wait on
 * one event, set it, join them all: milliseconds, and the process's peak resident
 * memory (VmHWM, reset before each run through /proc/self/clear_refs). A thread that
 * cannot start fails the run with the reason and the limit that was reached
 * ("cannot start thread 1234 of 10000: ... (the process limit is 2000; raise
 * ulimit -u)"); the threads already started are still released and joined.
 * td_thread_join returns once the thread's function is done, as Python's join
 * does, while the kernel thread may still be tearing down; pthread_join waits for
 * that too. So the libthrdemo run also waits until the process has as many
 * threads as before it started: otherwise the next run would pay for the exits. */
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <thrdemo/event.h>
#include <thrdemo/thread.h>

#include "bench.h"

static td_event_t td_go;
static atomic_uint futex_go;
static atomic_int ran;

static double peak_rss_mb(void)
{
    return (double)bench_status_value("VmHWM:") / 1024.0;
}

/* Wait until the kernel has finished the threads' exits (a bounded wait). */
static void wait_threads_gone(long before)
{
    double give_up = bench_now() + 10;
    while (bench_status_value("Threads:") > before && bench_now() < give_up)
        sched_yield();
}

static void td_waiter(void *arg)
{
    (void)arg;
    td_event_wait(&td_go, TD_FOREVER);
    atomic_fetch_add(&ran, 1);
}

static void *pthread_waiter(void *arg)
{
    (void)arg;
    while (atomic_load(&futex_go) == 0)
        syscall(SYS_futex, &futex_go, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    atomic_fetch_add(&ran, 1);
    return NULL;
}

static void check(long started, long count, bench_result_t *r)
{
    if (r->ok && (started != count || atomic_load(&ran) != count)) {
        r->ok = false;
        snprintf(r->note, sizeof r->note, "%ld started, %d ran and joined, of %ld", started,
                 atomic_load(&ran), count);
    }
}

/* An array for count thread handles, or NULL after failing r. */
static void *handles(long count, size_t size, bench_result_t *r)
{
    void *array = calloc((size_t)count, size);
    if (!array) {
        r->ok = false;
        snprintf(r->note, sizeof r->note, "no memory for %ld thread handles", count);
    }
    return array;
}

void bench_threads_td(bench_result_t *r)
{
    long count = r->param;
    td_thread_t **threads = handles(count, sizeof *threads, r);
    if (!threads)
        return;
    td_event_init(&td_go);
    atomic_store(&ran, 0);
    long threads_before = bench_status_value("Threads:");
    bench_reset_peak_rss();
    double start = bench_now();
    long started = 0;
    for (; started < count; started++) {
        int rc = td_thread_new(&threads[started], &(td_thread_attr_t){ TD_TARGET(td_waiter) });
        if (rc == 0 && (rc = td_thread_start(threads[started])) != 0)
            td_thread_free(threads[started]);
        if (rc != 0) {
            bench_thread_failed(r, started + 1, count, -rc);
            break;
        }
    }
    td_event_set(&td_go);
    for (long i = 0; i < started; i++) {
        td_thread_join(threads[i], TD_FOREVER);
        td_thread_free(threads[i]);
    }
    wait_threads_gone(threads_before);
    r->value[0] = (bench_now() - start) * 1e3;
    r->value[1] = peak_rss_mb();
    check(started, count, r);
    free(threads);
}

void bench_threads_pthread(bench_result_t *r)
{
    long count = r->param;
    pthread_t *threads = handles(count, sizeof *threads, r);
    if (!threads)
        return;
    atomic_store(&futex_go, 0);
    atomic_store(&ran, 0);
    bench_reset_peak_rss();
    double start = bench_now();
    long started = 0;
    for (; started < count; started++) {
        int rc = pthread_create(&threads[started], NULL, pthread_waiter, NULL);
        if (rc != 0) {
            bench_thread_failed(r, started + 1, count, rc);
            break;
        }
    }
    atomic_store(&futex_go, 1);
    syscall(SYS_futex, &futex_go, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
    for (long i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    r->value[0] = (bench_now() - start) * 1e3;
    r->value[1] = peak_rss_mb();
    check(started, count, r);
    free(threads);
}
