/* bench_threads.c - start 10,000 threads that all wait on one event, set it, join
 * them all: milliseconds, and the process's peak resident memory (VmHWM, reset
 * before each run through /proc/self/clear_refs). */
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
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

static double peak_rss_mb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0)
            kb = strtol(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return (double)kb / 1024.0;
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
