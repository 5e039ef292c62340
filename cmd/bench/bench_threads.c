/* SPDX-License-Identifier: MIT */
/* bench_threads.c - start 10,000 threads that all wait on one event, set it, join
 * them all: milliseconds, and the process's peak resident memory (VmHWM, reset
 * before each run through /proc/self/clear_refs).
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

enum { THREADS = 10000 };

static td_event_t td_go;
static atomic_uint futex_go;
static atomic_int ran;

static void reset_peak_rss(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (f) {
        fputs("5", f); /* 5: reset the peak resident set size */
        fclose(f);
    }
}

/* A number from /proc/self/status, such as "VmHWM:" (kB) or "Threads:". */
static long status_value(const char *key)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long value = 0;
    size_t len = strlen(key);
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, key, len) == 0)
            value = strtol(line + len, NULL, 10);
    if (f)
        fclose(f);
    return value;
}

static double peak_rss_mb(void)
{
    return (double)status_value("VmHWM:") / 1024.0;
}

/* Wait until the kernel has finished the threads' exits (a bounded wait). */
static void wait_threads_gone(long before)
{
    double give_up = bench_now() + 10;
    while (status_value("Threads:") > before && bench_now() < give_up)
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

static void check(int started, bench_result_t *r)
{
    if (r->ok && (started != THREADS || atomic_load(&ran) != THREADS)) {
        r->ok = false;
        snprintf(r->note, sizeof r->note, "%d started, %d ran and joined, of %d", started,
                 atomic_load(&ran), THREADS);
    }
}

void bench_threads_td(bench_result_t *r)
{
    static td_thread_t *threads[THREADS];
    td_event_init(&td_go);
    atomic_store(&ran, 0);
    long threads_before = status_value("Threads:");
    reset_peak_rss();
    double start = bench_now();
    int started = 0;
    for (; started < THREADS; started++) {
        if (td_thread_new(&threads[started], &(td_thread_attr_t){ TD_TARGET(td_waiter) }) != 0)
            break;
        if (td_thread_start(threads[started]) != 0) {
            td_thread_free(threads[started]);
            break;
        }
    }
    td_event_set(&td_go);
    for (int i = 0; i < started; i++) {
        td_thread_join(threads[i], TD_FOREVER);
        td_thread_free(threads[i]);
    }
    wait_threads_gone(threads_before);
    r->value[0] = (bench_now() - start) * 1e3;
    r->value[1] = peak_rss_mb();
    check(started, r);
}

void bench_threads_pthread(bench_result_t *r)
{
    static pthread_t threads[THREADS];
    atomic_store(&futex_go, 0);
    atomic_store(&ran, 0);
    reset_peak_rss();
    double start = bench_now();
    int started = 0;
    for (; started < THREADS; started++)
        if (pthread_create(&threads[started], NULL, pthread_waiter, NULL) != 0)
            break;
    atomic_store(&futex_go, 1);
    syscall(SYS_futex, &futex_go, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    r->value[0] = (bench_now() - start) * 1e3;
    r->value[1] = peak_rss_mb();
    check(started, r);
}
