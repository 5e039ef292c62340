/* SPDX-License-Identifier: MIT */
/* bench_common.c - helpers every workload shares, and the table of them all. */
#include "bench.h"

#include <sched.h>
#include <stdio.h>
#include <time.h>

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

void bench_join(void *thread)
{
    if (thread) {
        td_thread_join(thread, TD_FOREVER);
        td_thread_free(thread);
    }
}

#define ONE(w, i, m, u, hb, ref, fn) { w, i, { m, NULL }, { u, NULL }, { hb, false }, ref, fn }
#define TWO(w, i, m1, u1, m2, u2, ref, fn) { w, i, { m1, m2 }, { u1, u2 }, { false, false }, ref, fn }

const bench_impl_t bench_impls[] = {
    ONE("lock", "libthrdemo Lock", "2x1M inc/dec", "ms", false, true, bench_lock_td),
    ONE("lock", "libthrdemo RLock", "2x1M inc/dec", "ms", false, false, bench_lock_rlock),
    ONE("lock", "pthread_mutex", "2x1M inc/dec", "ms", false, false, bench_lock_mutex),
    ONE("lock", "pthread spinlock", "2x1M inc/dec", "ms", false, false, bench_lock_spin),
    ONE("lock", "C11 atomic fetch_add", "2x1M inc/dec", "ms", false, false, bench_lock_atomic),
    ONE("lock", "uncontended floor", "2M lock/unlock", "ms", false, false, bench_lock_floor),
    ONE("event", "libthrdemo Event", "round trip", "us", false, true, bench_event_td),
    ONE("event", "mutex+condvar event", "round trip", "us", false, false, bench_event_condvar),
    ONE("event", "raw futex", "round trip", "us", false, false, bench_event_futex),
    ONE("event-sleep", "libthrdemo Event", "round trip", "us", false, true, bench_event_sleep_td),
    ONE("event-sleep", "raw futex", "round trip", "us", false, false, bench_event_sleep_futex),
    ONE("queue", "libthrdemo Queue(10)", "1M ints", "msg/s", true, true, bench_queue10_td),
    ONE("queue", "mutex+2 condvar ring(10)", "1M ints", "msg/s", true, false, bench_queue10_ring),
    ONE("queue", "libthrdemo Queue(1024)", "1M ints", "msg/s", true, false, bench_queue1024_td),
    ONE("queue", "mutex+2 condvar ring(1024)", "1M ints", "msg/s", true, false, bench_queue1024_ring),
    ONE("queue-idle", "libthrdemo Queue", "CPU of a 1 s empty get", "ms", false, true, bench_queue_idle),
    TWO("timer", "libthrdemo Timer", "lateness p50", "us", "lateness p99", "us", true, bench_timer_td),
    TWO("timer", "clock_nanosleep", "lateness p50", "us", "lateness p99", "us", false, bench_timer_nanosleep),
    TWO("threads", "libthrdemo threads", "10,000 threads", "ms", "peak RSS", "MB", true, bench_threads_td),
    TWO("threads", "raw pthreads", "10,000 threads", "ms", "peak RSS", "MB", false, bench_threads_pthread),
    ONE("coro", "libthrdemo coroutine", "resume+yield", "ns", false, true, bench_coro_td),
    ONE("coro", "libthrdemo generator", "next() round trip", "ns", false, false, bench_coro_gen),
    ONE("coro", "glibc swapcontext pair", "resume+yield", "ns", false, false, bench_coro_swapcontext),
    TWO("coro-sleep", "libthrdemo coroutines", "RSS, 10,000 asleep", "MB", "stack touched each", "B", true, bench_coro_sleepers),
};
const size_t bench_n_impls = sizeof bench_impls / sizeof bench_impls[0];
