/* SPDX-License-Identifier: MIT */
/* bench_common.c - helpers every workload shares, and the tables of them all. */
#include "bench.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <thrdemo/thread.h>

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static cpu_set_t allowed; /* written once by bench_init, before any thread */
static bool pinning;

void bench_init(void)
{
    pinning = sched_getaffinity(0, sizeof allowed, &allowed) == 0 && CPU_COUNT(&allowed) >= 2;
}

void bench_unpin(void)
{
    if (pinning)
        sched_setaffinity(0, sizeof allowed, &allowed);
}

void bench_pin(int n)
{
    cpu_set_t mine;
    if (!pinning)
        return;
    n %= CPU_COUNT(&allowed);
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (CPU_ISSET(cpu, &allowed) && n-- == 0) {
            CPU_ZERO(&mine);
            CPU_SET(cpu, &mine);
            sched_setaffinity(0, sizeof mine, &mine);
            return;
        }
    }
}

void bench_reset_peak_rss(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (f) {
        fputs("5", f); /* 5: reset the peak resident set size */
        fclose(f);
    }
}

/* A number from /proc/self/status, such as "VmHWM:" (kB) or "Threads:". */
long bench_status_value(const char *key)
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

bool bench_start(void **thread, void (*fn)(void *), void *arg, bench_result_t *r)
{
    td_thread_t *t;
    int rc = td_thread_new(&t, &(td_thread_attr_t){ .target = fn, .arg = arg,
                                                    .name = "bench" });
    if (rc == 0 && (rc = td_thread_start(t)) != 0)
        td_thread_free(t);
    if (rc != 0) {
        snprintf(r->note, sizeof r->note, "cannot start a thread: %s", td_strerror(rc));
        r->ok = false;
        *thread = NULL;
        return false;
    }
    *thread = t;
    return true;
}

/* The first line of a small file, without its newline: true if there was one. */
static bool read_line(const char *path, char *line, size_t size)
{
    FILE *f = fopen(path, "r");
    bool ok = f && fgets(line, (int)size, f);
    if (f)
        fclose(f);
    if (ok)
        line[strcspn(line, "\n")] = '\0';
    return ok;
}

/* The path of a file of this process's cgroup (v2): true if it exists. */
static bool cgroup_file(const char *name, char *path, size_t size)
{
    char line[400];
    bool found = false;
    FILE *f = fopen("/proc/self/cgroup", "r");
    while (f && !found && fgets(line, sizeof line, f))
        found = strncmp(line, "0::", 3) == 0; /* the unified (v2) hierarchy */
    if (f)
        fclose(f);
    if (!found)
        return false;
    line[strcspn(line, "\n")] = '\0';
    snprintf(path, size, "/sys/fs/cgroup%s/%s", strcmp(line + 3, "/") == 0 ? "" : line + 3, name);
    return access(path, R_OK) == 0;
}

void bench_join(void *thread)
{
    if (thread) {
        td_thread_join(thread, TD_FOREVER);
        td_thread_free(thread);
    }
}

/* Why thread `index` of `total` could not start, beyond the error's own words: the
 * limit that was most likely reached. Root is not held to RLIMIT_NPROC. */
static void limit_hint(int error, char *hint, size_t size)
{
    struct rlimit nproc;
    char path[512], text[24]; /* a number, or "max" */
    if (error == ENOMEM) {
        snprintf(hint, size, " (no memory left for another thread's stack)");
        return;
    }
    if (error != EAGAIN)
        return;
    if (geteuid() != 0 && getrlimit(RLIMIT_NPROC, &nproc) == 0 && nproc.rlim_cur != RLIM_INFINITY) {
        snprintf(hint, size, " (the process limit is %llu; raise ulimit -u)",
                 (unsigned long long)nproc.rlim_cur);
        return;
    }
    if (cgroup_file("pids.max", path, sizeof path) && read_line(path, text, sizeof text) &&
        strcmp(text, "max") != 0) {
        snprintf(hint, size, " (the cgroup's pids.max is %s)", text);
        return;
    }
    if (read_line("/proc/sys/vm/max_map_count", text, sizeof text))
        snprintf(hint, size, " (no ulimit -u or cgroup limit applies: memory for stacks, or "
                             "vm.max_map_count = %s, each thread taking two mappings)", text);
}

void bench_thread_failed(bench_result_t *r, long index, long total, int error)
{
    char hint[200] = "";
    if (!r->ok)
        return; /* the first failure says it */
    limit_hint(error, hint, sizeof hint);
    r->ok = false;
    snprintf(r->note, sizeof r->note, "cannot start thread %ld of %ld: %s%s", index, total,
             strerror(error), hint);
}

#define ONE(w, i, m, u, k, ref, fn) { w, i, { m, NULL }, { u, NULL }, { k, k }, ref, fn }
#define TWO(w, i, m1, u1, k1, m2, u2, k2, ref, fn) { w, i, { m1, m2 }, { u1, u2 }, { k1, k2 }, ref, fn }

const bench_workload_t bench_workloads[] = {
    { "lock", NULL, { 0 }, 0 },
    { "event", NULL, { 0 }, 0 },
    { "event-sleep", NULL, { 0 }, 0 },
    { "queue", "capacity", { 10, 1024, 0 }, 1000000 },
    { "queue-mpmc", "capacity", { 1, 1024, 0 }, 5000000 },
    { "queue-idle", NULL, { 0 }, 0 },
    { "timer", NULL, { 0 }, 0 },
    { "threads", "count", { 10000, 0 }, 0 },
    { "coro", NULL, { 0 }, 0 },
    { "coro-sleep", NULL, { 0 }, 0 },
    { "async-switch", NULL, { 0 }, 0 },
    { "async", "tasks", { 100000, 0 }, 0 },
    { "async-sleep", NULL, { 0 }, 0 },
    { "schedule", NULL, { 0 }, 0 },
    { "schedule-lock", NULL, { 0 }, 0 },
    { "trace", NULL, { 0 }, 0 },
};
const size_t bench_n_workloads = sizeof bench_workloads / sizeof bench_workloads[0];

const bench_impl_t bench_impls[] = {
    ONE("lock", "libthrdemo Lock", "2x1M inc/dec", "ms", BENCH_TIME, true, bench_lock_td),
    ONE("lock", "libthrdemo RLock", "2x1M inc/dec", "ms", BENCH_TIME, false, bench_lock_rlock),
    ONE("lock", "pthread_mutex", "2x1M inc/dec", "ms", BENCH_TIME, false, bench_lock_mutex),
    ONE("lock", "pthread spinlock", "2x1M inc/dec", "ms", BENCH_TIME, false, bench_lock_spin),
    ONE("lock", "C11 atomic fetch_add", "2x1M inc/dec", "ms", BENCH_TIME, false, bench_lock_atomic),
    ONE("lock", "uncontended floor", "2M lock/unlock", "ms", BENCH_TIME, false, bench_lock_floor),
    ONE("event", "libthrdemo Event", "round trip", "us", BENCH_TIME, true, bench_event_td),
    ONE("event", "mutex+condvar event", "round trip", "us", BENCH_TIME, false, bench_event_condvar),
    ONE("event", "raw futex", "round trip", "us", BENCH_TIME, false, bench_event_futex),
    ONE("event-sleep", "libthrdemo Event", "round trip", "us", BENCH_TIME, true, bench_event_sleep_td),
    ONE("event-sleep", "raw futex", "round trip", "us", BENCH_TIME, false, bench_event_sleep_futex),
    ONE("queue", "libthrdemo Queue(%N)", "%M ints", "msg/s", BENCH_RATE, true, bench_queue_td),
    ONE("queue", "mutex+2 condvar ring(%N)", "%M ints", "msg/s", BENCH_RATE, false, bench_queue_ring),
    ONE("queue-mpmc", "libthrdemo Queue(%N)", "%M ints", "msg/s", BENCH_RATE, true,
        bench_queue_mpmc_td),
    ONE("queue-mpmc", "mutex+2 condvar ring(%N)", "%M ints", "msg/s", BENCH_RATE, false,
        bench_queue_mpmc_ring),
    ONE("queue-idle", "libthrdemo Queue", "CPU of a 1 s empty get", "ms", BENCH_CPU, true, bench_queue_idle),
    TWO("timer", "libthrdemo Timer", "lateness p50", "us", BENCH_LATENESS, "lateness p99", "us",
        BENCH_LATENESS, true, bench_timer_td),
    TWO("timer", "clock_nanosleep", "lateness p50", "us", BENCH_LATENESS, "lateness p99", "us",
        BENCH_LATENESS, false, bench_timer_nanosleep),
    TWO("timer", "busy-wait floor", "lateness p50", "us", BENCH_LATENESS, "lateness p99", "us",
        BENCH_LATENESS, false, bench_timer_spin),
    TWO("threads", "libthrdemo threads", "%N threads", "ms", BENCH_TIME, "peak RSS", "MB",
        BENCH_MEMORY, true, bench_threads_td),
    TWO("threads", "raw pthreads", "%N threads", "ms", BENCH_TIME, "peak RSS", "MB", BENCH_MEMORY,
        false, bench_threads_pthread),
    ONE("coro", "libthrdemo coroutine", "resume+yield", "ns", BENCH_TIME, true, bench_coro_td),
    ONE("coro", "libthrdemo generator", "next() round trip", "ns", BENCH_TIME, false, bench_coro_gen),
    ONE("coro", "glibc swapcontext pair", "resume+yield", "ns", BENCH_TIME, false,
        bench_coro_swapcontext),
    TWO("coro-sleep", "libthrdemo coroutines", "RSS, 10,000 asleep", "MB", BENCH_MEMORY,
        "stack touched each", "B", BENCH_MEMORY, true, bench_coro_sleepers),
    ONE("async-switch", "libthrdemo task, copied stack", "resume+suspend", "ns", BENCH_TIME, true,
        bench_switch_copied),
    ONE("async-switch", "libthrdemo coroutine, own stack", "resume+suspend", "ns", BENCH_TIME,
        false, bench_switch_own),
    TWO("async", "libthrdemo asyncio", "%S tasks gathered", "ms", BENCH_TIME, "peak RSS", "MB",
        BENCH_MEMORY, true, bench_async_gather),
    TWO("async", "libthrdemo asyncio task", "memory per live task", "B", BENCH_MEMORY,
        "stack saved each", "B", BENCH_MEMORY, false, bench_async_per_task),
    TWO("async-sleep", "libthrdemo asyncio", "peak RSS, 10k asleep", "MB", BENCH_MEMORY,
        "stack saved each", "B", BENCH_MEMORY, true, bench_async_sleepers),
    ONE("schedule", "libthrdemo switch", "fifo, 2 threads", "us", BENCH_TIME, true,
        bench_schedule_switch),
    ONE("schedule", "raw futex, one CPU", "hand-off", "us", BENCH_TIME, false, bench_schedule_futex),
    ONE("schedule", "libthrdemo point", "same thread goes on", "us", BENCH_TIME, false,
        bench_schedule_point),
    TWO("schedule-lock", "libthrdemo random:1", "2x1M Lock inc/dec", "ms", BENCH_TIME,
        "scheduling points", "M", BENCH_TIME, true, bench_schedule_counter),
    TWO("trace", "libthrdemo Lock, recorded", "2x200k inc/dec", "ms", BENCH_TIME,
        "added per event", "ns", BENCH_TIME, true, bench_trace_on),
    ONE("trace", "libthrdemo Lock, not recorded", "2x200k inc/dec", "ms", BENCH_TIME, false,
        bench_trace_off),
    TWO("trace", "libthrdemo Lock, past the limit", "2x200k inc/dec", "ms", BENCH_TIME,
        "added per event", "ns", BENCH_TIME, false, bench_trace_full),
};
const size_t bench_n_impls = sizeof bench_impls / sizeof bench_impls[0];
