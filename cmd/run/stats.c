/* SPDX-License-Identifier: MIT */
/* stats.c - the --stats summary, built on the library's observer hook.
 *
 * The observer counts thread starts and records each thread's written lines when it
 * exits; scenarios add their own counters. Both lists are guarded by stats_lock.
 * The summary is printed by an atexit handler, so it runs after td_exit has joined
 * every non-daemon thread and sees their final counts.
 * stats_lock is a plain mutex, never held across a scheduling point: counting must
 * not add scheduling points, or --stats would change a --schedule run's trace, and a
 * daemon thread frozen at exit must not hold it when the summary is printed.
 */
#include "stats.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pthread.h>

#include <thrdemo/observer.h>
#include <thrdemo/schedule.h>
#include <thrdemo/thread.h>

#include "cli/cli.h"

enum { MAX_ENTRIES = 256, NAME_LEN = 64 };

struct entry {
    char name[NAME_LEN];
    uint64_t value;
};

static bool enabled;
static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;
static double started_at;
static double virtual_start; /* td_monotonic(): virtual under --schedule */
static atomic_ulong threads_started;
static atomic_ulong tasks_started; /* asyncio tasks: coroutines, not threads */
static struct entry lines[MAX_ENTRIES];
static size_t n_lines;
static struct entry counters[MAX_ENTRIES];
static size_t n_counters;
enum { MAX_LINES = 16, LINE_LEN = 160 };
static char extra_lines[MAX_LINES][LINE_LEN];
static size_t n_extra;
static struct {
    const char *what;
    double sum, max;
    uint64_t n;
} lateness; /* guarded by stats_lock */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Add value to the entry called name in table (stats_lock held). */
static void add(struct entry *table, size_t *n, const char *name, uint64_t value)
{
    for (size_t i = 0; i < *n; i++) {
        if (strcmp(table[i].name, name) == 0) {
            table[i].value += value;
            return;
        }
    }
    if (*n == MAX_ENTRIES)
        return;
    snprintf(table[*n].name, NAME_LEN, "%s", name);
    table[*n].value = value;
    (*n)++;
}

static void record_lines(td_thread_t *thread)
{
    pthread_mutex_lock(&stats_lock);
    char name[CLI_NAME_MAX];
    add(lines, &n_lines, cli_thread_name(thread, name), td_thread_lines(thread));
    pthread_mutex_unlock(&stats_lock);
}

static void observe(const td_obs_event_t *ev, void *ctx)
{
    (void)ctx;
    if (ev->kind == TD_OBS_THREAD_START)
        atomic_fetch_add(&threads_started, 1);
    else if (ev->kind == TD_OBS_AIO_TASK_NEW)
        atomic_fetch_add(&tasks_started, 1);
    else if (ev->kind == TD_OBS_THREAD_EXIT)
        record_lines(ev->thread);
}

static const td_observer_t observer = { .notify = observe };

static void print_summary(void)
{
    enum { MAX_LIVE = 64 };
    td_thread_t *live[MAX_LIVE];
    size_t n_live = td_enumerate(live, MAX_LIVE);
    if (n_live > MAX_LIVE)
        n_live = MAX_LIVE;
    pthread_mutex_lock(&stats_lock);
    fprintf(stderr, "thrdemo: stats\n");
    fprintf(stderr, "  wall time: %.3f s\n", now() - started_at);
    if (td_sched_active())
        fprintf(stderr, "  schedule: %llu scheduling points, %llu switches, virtual time %.6f s\n",
                (unsigned long long)td_sched_steps(), (unsigned long long)td_sched_switches(),
                td_monotonic() - virtual_start);
    fprintf(stderr, "  threads started: %lu\n", atomic_load(&threads_started));
    if (atomic_load(&tasks_started) > 0)
        fprintf(stderr, "  asyncio tasks started (on the main thread): %lu\n",
                atomic_load(&tasks_started));
    for (size_t i = 0; i < n_lines; i++)
        fprintf(stderr, "  lines written by %s: %llu\n", lines[i].name,
                (unsigned long long)lines[i].value);
    for (size_t i = 0; i < n_live; i++) {
        char name[CLI_NAME_MAX];
        fprintf(stderr, "  lines written by %s: %llu%s\n", cli_thread_name(live[i], name),
                (unsigned long long)td_thread_lines(live[i]),
                live[i] == td_main_thread() ? "" : " (still running at exit)");
        td_thread_free(live[i]);
    }
    for (size_t i = 0; i < n_counters; i++)
        fprintf(stderr, "  %s: %llu\n", counters[i].name,
                (unsigned long long)counters[i].value);
    for (size_t i = 0; i < n_extra; i++)
        fprintf(stderr, "  %s\n", extra_lines[i]);
    if (lateness.n > 0)
        fprintf(stderr, "  %s lateness: mean %.1f us, max %.1f us over %llu firings\n",
                lateness.what, lateness.sum / (double)lateness.n * 1e6, lateness.max * 1e6,
                (unsigned long long)lateness.n);
    pthread_mutex_unlock(&stats_lock);
}

void stats_enable(void)
{
    started_at = now();
    virtual_start = td_monotonic();
    enabled = true;
    td_observer_set(&observer);
    atexit(print_summary);
}

void stats_count(const char *name, uint64_t n)
{
    if (!enabled)
        return;
    pthread_mutex_lock(&stats_lock);
    add(counters, &n_counters, name, n);
    pthread_mutex_unlock(&stats_lock);
}

void stats_line(const char *fmt, ...)
{
    if (!enabled)
        return;
    pthread_mutex_lock(&stats_lock);
    if (n_extra < MAX_LINES) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(extra_lines[n_extra++], LINE_LEN, fmt, ap);
        va_end(ap);
    }
    pthread_mutex_unlock(&stats_lock);
}

void stats_lateness(const char *what, double late)
{
    if (!enabled)
        return;
    pthread_mutex_lock(&stats_lock);
    lateness.what = what;
    lateness.sum += late;
    lateness.max = lateness.n++ == 0 || late > lateness.max ? late : lateness.max;
    pthread_mutex_unlock(&stats_lock);
}

int stats_enabled(void)
{
    return enabled;
}
