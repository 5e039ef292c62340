/* SPDX-License-Identifier: MIT */
/* bench_lock.c - two threads, 1,000,000 increments and 1,000,000 decrements of one
 * counter under a lock, each thread on its own core, behind a spinning start gate.
 * The counter sits on its own cache line: a lock word sharing a line with the data
 * it guards makes every implementation pay for the other thread's writes. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#include <thrdemo/lock.h>

#include "bench.h"

enum { ITERATIONS = 1000000 };

struct counter {
    _Alignas(64) td_lock_t lock;
    _Alignas(64) td_rlock_t rlock;
    _Alignas(64) pthread_mutex_t mutex;
    _Alignas(64) pthread_spinlock_t spin;
    _Alignas(64) atomic_llong atomic_value;
    _Alignas(64) long long value;
    _Alignas(64) atomic_int arrived;
    atomic_int next_cpu;
    int kind;
};

enum { TD_LOCK, TD_RLOCK, MUTEX, SPIN, ATOMIC };

static void add(struct counter *c, long long delta)
{
    switch (c->kind) {
    case TD_LOCK:
        td_lock_acquire(&c->lock, true, TD_FOREVER);
        c->value += delta;
        td_lock_release(&c->lock);
        break;
    case TD_RLOCK:
        td_rlock_acquire(&c->rlock, true, TD_FOREVER);
        c->value += delta;
        td_rlock_release(&c->rlock);
        break;
    case MUTEX:
        pthread_mutex_lock(&c->mutex);
        c->value += delta;
        pthread_mutex_unlock(&c->mutex);
        break;
    case SPIN:
        pthread_spin_lock(&c->spin);
        c->value += delta;
        pthread_spin_unlock(&c->spin);
        break;
    default:
        atomic_fetch_add_explicit(&c->atomic_value, delta, memory_order_relaxed);
    }
}

static void work(struct counter *c, long long delta)
{
    bench_pin(atomic_fetch_add(&c->next_cpu, 1));
    atomic_fetch_add(&c->arrived, 1);
    while (atomic_load(&c->arrived) < 2)
        ;
    for (int i = 0; i < ITERATIONS; i++)
        add(c, delta);
}

static void increment(void *arg)
{
    work(arg, +1);
}

static void decrement(void *arg)
{
    work(arg, -1);
}

static void run_kind(int kind, bench_result_t *r)
{
    static struct counter c;
    td_lock_init(&c.lock);
    td_rlock_init(&c.rlock);
    pthread_mutex_init(&c.mutex, NULL);
    pthread_spin_init(&c.spin, PTHREAD_PROCESS_PRIVATE);
    atomic_store(&c.atomic_value, 0);
    c.value = 0;
    atomic_store(&c.arrived, 0);
    atomic_store(&c.next_cpu, 0);
    c.kind = kind;
    void *a, *b = NULL;
    double start = bench_now();
    if (bench_start(&a, increment, &c, r) && !bench_start(&b, decrement, &c, r))
        atomic_store(&c.arrived, 2); /* let the first one finish */
    bench_join(a);
    bench_join(b);
    r->value[0] = (bench_now() - start) * 1e3;
    long long final = kind == ATOMIC ? atomic_load(&c.atomic_value) : c.value;
    if (final != 0 && r->note[0] == '\0') {
        r->ok = false;
        snprintf(r->note, sizeof r->note, "final counter %lld, not 0", final);
    }
    pthread_mutex_destroy(&c.mutex);
    pthread_spin_destroy(&c.spin);
}

void bench_lock_td(bench_result_t *r)
{
    run_kind(TD_LOCK, r);
}

void bench_lock_rlock(bench_result_t *r)
{
    run_kind(TD_RLOCK, r);
}

void bench_lock_mutex(bench_result_t *r)
{
    run_kind(MUTEX, r);
}

void bench_lock_spin(bench_result_t *r)
{
    run_kind(SPIN, r);
}

void bench_lock_atomic(bench_result_t *r)
{
    run_kind(ATOMIC, r);
}

/* One thread, all 2,000,000 lock/unlock pairs of a libthrdemo Lock, uncontended. */
void bench_lock_floor(bench_result_t *r)
{
    static struct counter c;
    td_lock_init(&c.lock);
    c.value = 0;
    double start = bench_now();
    for (int i = 0; i < 2 * ITERATIONS; i++) {
        td_lock_acquire(&c.lock, true, TD_FOREVER);
        c.value += i % 2 ? -1 : 1;
        td_lock_release(&c.lock);
    }
    r->value[0] = (bench_now() - start) * 1e3;
    if (c.value != 0) {
        r->ok = false;
        snprintf(r->note, sizeof r->note, "final counter %lld, not 0", c.value);
    }
}
