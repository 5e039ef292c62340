/* SPDX-License-Identifier: MIT */
/* bench_timer.c - 200 one-shot 10 ms timers, started 1 ms apart (so about ten
 * are pending at once and their due times never coincide: this measures how late
 * a timer fires, not how 20 threads woken at one instant queue for 2 cores); how
 * late each one fires, p50 and p99 in microseconds. The comparisons: a thread
 * sleeping with clock_nanosleep(TIMER_ABSTIME) until the same due time, and the
 * machine's floor, one thread that never sleeps but watches the clock through all
 * 200 due times: what it misses, no timer can catch (on a VM, the moments the
 * hypervisor runs another guest on this vCPU). */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <thrdemo/timer.h>

#include "bench.h"

enum { TIMERS = 200 };
#define DELAY 0.010
#define SPACING 0.001

struct shot {
    double due;
    double late;
    atomic_bool fired;
};

static void fire(void *arg)
{
    struct shot *s = arg;
    s->late = bench_now() - s->due;
    atomic_store(&s->fired, true);
}

static void sleep_until_due(void *arg)
{
    struct shot *s = arg;
    struct timespec due = { .tv_sec = (time_t)s->due };
    due.tv_nsec = (long)((s->due - (double)due.tv_sec) * 1e9);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL) == EINTR)
        ;
    fire(s);
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void report(struct shot *shots, bench_result_t *r)
{
    double late[TIMERS];
    int fired = 0;
    for (int i = 0; i < TIMERS; i++) {
        late[i] = shots[i].late * 1e6;
        fired += atomic_load(&shots[i].fired);
    }
    qsort(late, TIMERS, sizeof late[0], by_value);
    r->value[0] = late[TIMERS / 2];
    r->value[1] = late[TIMERS * 99 / 100];
    if (fired != TIMERS && r->ok) {
        r->ok = false;
        snprintf(r->note, sizeof r->note, "%d of %d timers fired", fired, TIMERS);
    }
}

/* Sleep (on the monotonic clock) until `at` seconds. */
static void sleep_until(double at)
{
    struct timespec ts = { .tv_sec = (time_t)at };
    ts.tv_nsec = (long)((at - (double)ts.tv_sec) * 1e9);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

void bench_timer_td(bench_result_t *r)
{
    static struct shot shots[TIMERS];
    static td_timer_t *timers[TIMERS];
    double first = bench_now();
    for (int i = 0; i < TIMERS; i++) {
        sleep_until(first + i * SPACING);
        struct shot *s = &shots[i];
        atomic_store(&s->fired, false);
        timers[i] = NULL;
        if (td_timer_new(&timers[i], DELAY, fire, s) != 0)
            continue;
        s->due = bench_now() + DELAY;
        td_timer_start(timers[i]);
    }
    for (int i = 0; i < TIMERS; i++) {
        if (timers[i]) {
            td_timer_join(timers[i], TD_FOREVER);
            td_timer_free(timers[i]);
        }
    }
    report(shots, r);
}

void bench_timer_nanosleep(bench_result_t *r)
{
    static struct shot shots[TIMERS];
    static void *threads[TIMERS];
    double first = bench_now();
    for (int i = 0; i < TIMERS; i++) {
        sleep_until(first + i * SPACING);
        struct shot *s = &shots[i];
        atomic_store(&s->fired, false);
        s->due = bench_now() + DELAY;
        bench_start(&threads[i], sleep_until_due, s, r);
    }
    for (int i = 0; i < TIMERS; i++)
        bench_join(threads[i]);
    report(shots, r);
}

void bench_timer_spin(bench_result_t *r)
{
    static struct shot shots[TIMERS];
    double first = bench_now() + DELAY;
    for (int i = 0; i < TIMERS; i++) {
        struct shot *s = &shots[i];
        s->due = first + i * SPACING;
        while (bench_now() < s->due)
            ;
        fire(s);
    }
    report(shots, r);
}
