/* SPDX-License-Identifier: MIT */
/* bench_queue.c - one producer, one consumer, 1,000,000 integers (--messages) through
 * a queue of the workload's capacity (10 and 1024 unless --capacity says); messages
 * per second.
 * The comparison is the textbook bounded buffer: a mutex and two condition
 * variables around a ring. queue-idle measures the CPU a consumer burns while it
 * waits 1 s on an empty queue. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <thrdemo/queue.h>

#include "bench.h"


struct ring {
    pthread_mutex_t mutex;
    pthread_cond_t not_empty, not_full;
    uintptr_t *items;
    size_t cap, head, count;
};

static void ring_put(struct ring *q, uintptr_t v)
{
    pthread_mutex_lock(&q->mutex);
    while (q->count == q->cap)
        pthread_cond_wait(&q->not_full, &q->mutex);
    q->items[(q->head + q->count++) % q->cap] = v;
    pthread_cond_signal(&q->not_empty);
    pthread_mutex_unlock(&q->mutex);
}

static uintptr_t ring_get(struct ring *q)
{
    pthread_mutex_lock(&q->mutex);
    while (q->count == 0)
        pthread_cond_wait(&q->not_empty, &q->mutex);
    uintptr_t v = q->items[q->head];
    q->head = (q->head + 1) % q->cap;
    q->count--;
    pthread_cond_signal(&q->not_full);
    pthread_mutex_unlock(&q->mutex);
    return v;
}

struct pipe_test {
    bool td;
    long messages;
    td_queue_t *queue;
    struct ring ring;
    uint64_t sent_sum, got_sum, got_count;
};

static void producer(void *arg)
{
    struct pipe_test *p = arg;
    bench_pin(0);
    for (uintptr_t i = 1; i <= (uintptr_t)p->messages; i++) {
        if (p->td)
            td_queue_put(p->queue, (void *)i, true, TD_FOREVER);
        else
            ring_put(&p->ring, i);
        p->sent_sum += i;
    }
}

static void consumer(void *arg)
{
    struct pipe_test *p = arg;
    bench_pin(1);
    for (long i = 0; i < p->messages; i++) {
        uintptr_t v;
        if (p->td) {
            void *item;
            if (td_queue_get(p->queue, &item, true, TD_FOREVER, NULL) != 0)
                break;
            v = (uintptr_t)item;
        } else {
            v = ring_get(&p->ring);
        }
        p->got_sum += v;
        p->got_count++;
    }
}

static void run(bool td, size_t capacity, bench_result_t *r)
{
    static struct pipe_test p;
    p = (struct pipe_test){ .td = td, .messages = r->messages };
    if (td && td_queue_new(&p.queue, (long)capacity, NULL) != 0) {
        r->ok = false;
        snprintf(r->note, sizeof r->note, "out of memory");
        return;
    }
    if (!td) {
        p.ring.items = calloc(capacity, sizeof *p.ring.items);
        if (!p.ring.items) {
            r->ok = false;
            snprintf(r->note, sizeof r->note, "out of memory");
            return;
        }
        p.ring.cap = capacity;
        pthread_mutex_init(&p.ring.mutex, NULL);
        pthread_cond_init(&p.ring.not_empty, NULL);
        pthread_cond_init(&p.ring.not_full, NULL);
    }
    void *c, *pr = NULL;
    double start = bench_now();
    if (bench_start(&c, consumer, &p, r) && !bench_start(&pr, producer, &p, r) && td)
        td_queue_shutdown(p.queue, false); /* no producer: let the consumer go */
    bench_join(pr);
    bench_join(c);
    double elapsed = bench_now() - start;
    r->value[0] = (double)p.messages / elapsed;
    if (r->ok && (p.got_count != (uint64_t)p.messages || p.got_sum != p.sent_sum)) {
        r->ok = false;
        snprintf(r->note, sizeof r->note, "%llu of %ld messages received, sums %s",
                 (unsigned long long)p.got_count, p.messages,
                 p.got_sum == p.sent_sum ? "equal" : "differ");
    }
    if (td) {
        td_queue_free(p.queue);
    } else {
        free(p.ring.items);
        pthread_mutex_destroy(&p.ring.mutex);
        pthread_cond_destroy(&p.ring.not_empty);
        pthread_cond_destroy(&p.ring.not_full);
    }
}

void bench_queue_td(bench_result_t *r)
{
    run(true, (size_t)r->param, r);
}

void bench_queue_ring(bench_result_t *r)
{
    run(false, (size_t)r->param, r);
}

struct idle {
    td_queue_t *queue;
    double cpu_ms, waited;
    int rc;
};

static double thread_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void idle_consumer(void *arg)
{
    struct idle *i = arg;
    double cpu = thread_cpu(), start = bench_now();
    void *item;
    i->rc = td_queue_get(i->queue, &item, true, 1.0, NULL);
    i->waited = bench_now() - start;
    i->cpu_ms = (thread_cpu() - cpu) * 1e3;
}

/* A consumer waiting 1 s on an empty queue must sleep, not spin: its CPU time. */
void bench_queue_idle(bench_result_t *r)
{
    struct idle i = { .rc = 0 };
    if (td_queue_new(&i.queue, 10, NULL) != 0)
        return;
    void *t;
    if (bench_start(&t, idle_consumer, &i, r))
        bench_join(t);
    td_queue_free(i.queue);
    r->value[0] = i.cpu_ms;
    if (r->ok && (i.rc != -ENODATA || i.waited < 0.999)) {
        r->ok = false;
        snprintf(r->note, sizeof r->note, "get returned %d after %.3f s", i.rc, i.waited);
    }
}
