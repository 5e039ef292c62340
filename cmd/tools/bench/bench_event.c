/* SPDX-License-Identifier: MIT */
/* bench_event.c - two threads hand a token back and forth through two events,
 * 100,000 round trips; microseconds per round trip. In event-sleep each side first
 * works 50 us before passing the token, so the waiter must really sleep. */
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <thrdemo/event.h>

#include "bench.h"

enum { ROUNDS = 100000, SLEEP_ROUNDS = 4000 };

/* ---- the three events -------------------------------------------------------------- */

struct cv_event {
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    bool flag;
};

static void cv_set(struct cv_event *e)
{
    pthread_mutex_lock(&e->mutex);
    e->flag = true;
    pthread_cond_broadcast(&e->cond);
    pthread_mutex_unlock(&e->mutex);
}

static void cv_wait_clear(struct cv_event *e)
{
    pthread_mutex_lock(&e->mutex);
    while (!e->flag)
        pthread_cond_wait(&e->cond, &e->mutex);
    e->flag = false;
    pthread_mutex_unlock(&e->mutex);
}

static void futex_set(atomic_uint *w)
{
    atomic_store(w, 1);
    syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

static void futex_wait_clear(atomic_uint *w)
{
    while (atomic_load(w) == 0)
        syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    atomic_store(w, 0);
}

enum { TD, CONDVAR, FUTEX };

struct ping_pong {
    int kind;
    int rounds;
    double work_us; /* busy work before each hand-off */
    _Alignas(64) td_event_t td[2];
    _Alignas(64) struct cv_event cv[2];
    _Alignas(64) atomic_uint fx[2];
    int passes[2];
};

static void give(struct ping_pong *p, int i)
{
    if (p->kind == TD)
        td_event_set(&p->td[i]);
    else if (p->kind == CONDVAR)
        cv_set(&p->cv[i]);
    else
        futex_set(&p->fx[i]);
}

static void take(struct ping_pong *p, int i)
{
    if (p->kind == TD) {
        td_event_wait(&p->td[i], TD_FOREVER);
        td_event_clear(&p->td[i]);
    } else if (p->kind == CONDVAR) {
        cv_wait_clear(&p->cv[i]);
    } else {
        futex_wait_clear(&p->fx[i]);
    }
}

static void busy(double us)
{
    double end = bench_now() + us / 1e6;
    while (bench_now() < end)
        ;
}

/* Side `me` waits on event me and answers on the other one. */
static void side(struct ping_pong *p, int me, bool starts)
{
    bench_pin(me);
    for (int i = 0; i < p->rounds; i++) {
        if (!starts || i > 0)
            take(p, me);
        busy(p->work_us);
        p->passes[me]++;
        give(p, 1 - me);
    }
    if (!starts)
        return;
    take(p, me); /* the last answer */
}

static void responder(void *arg)
{
    side(arg, 1, false);
}

static void run_kind(int kind, int rounds, double work_us, bench_result_t *r)
{
    static struct ping_pong p;
    p.kind = kind;
    p.rounds = rounds;
    p.work_us = work_us;
    p.passes[0] = p.passes[1] = 0;
    for (int i = 0; i < 2; i++) {
        td_event_init(&p.td[i]);
        pthread_mutex_init(&p.cv[i].mutex, NULL);
        pthread_cond_init(&p.cv[i].cond, NULL);
        p.cv[i].flag = false;
        atomic_store(&p.fx[i], 0);
    }
    void *t;
    if (!bench_start(&t, responder, &p, r))
        return;
    double start = bench_now();
    side(&p, 0, true);
    double elapsed = bench_now() - start;
    bench_join(t);
    bench_unpin(); /* the main thread ran side 0 */
    r->value[0] = elapsed / rounds * 1e6 - 2 * work_us;
    if (p.passes[0] != rounds || p.passes[1] != rounds) {
        r->ok = false;
        snprintf(r->note, sizeof r->note, "%d and %d passes, not %d each", p.passes[0],
                 p.passes[1], rounds);
    }
}

void bench_event_td(bench_result_t *r)
{
    run_kind(TD, ROUNDS, 0, r);
}

void bench_event_condvar(bench_result_t *r)
{
    run_kind(CONDVAR, ROUNDS, 0, r);
}

void bench_event_futex(bench_result_t *r)
{
    run_kind(FUTEX, ROUNDS, 0, r);
}

void bench_event_sleep_td(bench_result_t *r)
{
    run_kind(TD, SLEEP_ROUNDS, 50, r);
}

void bench_event_sleep_futex(bench_result_t *r)
{
    run_kind(FUTEX, SLEEP_ROUNDS, 50, r);
}
