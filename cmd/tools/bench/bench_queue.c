/* SPDX-License-Identifier: MIT */
/* bench_queue.c - one producer, one consumer, 1,000,000 integers (--messages) through
 * a queue of the workload's capacity (10 and 1024 unless --capacity says); messages
 * per second. The comparison is the textbook bounded buffer: a mutex and two
 * condition variables around a ring (bench_channel.h; its making and shutdown are
 * here). queue-idle measures the CPU a consumer burns while it waits 1 s on an empty
 * queue. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench_channel.h"

bool bench_channel_open(bench_channel_t *c, bool td, size_t capacity, bench_result_t *r)
{
    *c = (bench_channel_t){ .cap = capacity };
    if (td ? td_queue_new(&c->queue, (long)capacity, NULL) != 0
           : (c->items = calloc(capacity, sizeof *c->items)) == NULL) {
        r->ok = false;
        snprintf(r->note, sizeof r->note, "out of memory");
        return false;
    }
    if (!td) {
        pthread_condattr_t monotonic;
        pthread_condattr_init(&monotonic);
        pthread_condattr_setclock(&monotonic, CLOCK_MONOTONIC);
        pthread_mutex_init(&c->mutex, NULL);
        pthread_cond_init(&c->not_empty, &monotonic);
        pthread_cond_init(&c->not_full, &monotonic);
        pthread_condattr_destroy(&monotonic);
    }
    return true;
}

void bench_channel_close(bench_channel_t *c)
{
    if (c->queue) {
        td_queue_free(c->queue);
        return;
    }
    free(c->items);
    pthread_mutex_destroy(&c->mutex);
    pthread_cond_destroy(&c->not_empty);
    pthread_cond_destroy(&c->not_full);
}

void bench_channel_shutdown(bench_channel_t *c)
{
    if (c->queue) {
        td_queue_shutdown(c->queue, false);
        return;
    }
    pthread_mutex_lock(&c->mutex);
    c->closed = true;
    pthread_cond_broadcast(&c->not_empty);
    pthread_cond_broadcast(&c->not_full);
    pthread_mutex_unlock(&c->mutex);
}

/* What each side counts is kept in its own locals and stored once at the end: two
 * threads adding to neighbouring fields would move their cache line back and forth
 * at every message, which is the benchmark's cost, not the queue's. */
struct pipe_test {
    long messages;
    bench_channel_t channel;
    uint64_t sent_sum, got_sum, got_count;
};

static void producer(void *arg)
{
    struct pipe_test *p = arg;
    bench_pin(0);
    uint64_t sum = 0;
    for (uintptr_t i = 1; i <= (uintptr_t)p->messages; i++) {
        if (!bench_channel_put(&p->channel, i))
            break;
        sum += i;
    }
    p->sent_sum = sum;
}

static void consumer(void *arg)
{
    struct pipe_test *p = arg;
    bench_pin(1);
    uintptr_t v;
    uint64_t sum = 0, count = 0;
    for (long i = 0; i < p->messages && bench_channel_get(&p->channel, &v); i++) {
        sum += v;
        count++;
    }
    p->got_sum = sum;
    p->got_count = count;
}

static void run(bool td, size_t capacity, bench_result_t *r)
{
    static struct pipe_test p;
    p = (struct pipe_test){ .messages = r->messages };
    if (!bench_channel_open(&p.channel, td, capacity, r))
        return;
    void *c, *pr = NULL;
    double start = bench_now();
    if (bench_start(&c, consumer, &p, r) && !bench_start(&pr, producer, &p, r))
        bench_channel_shutdown(&p.channel); /* no producer: let the consumer go */
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
    bench_channel_close(&p.channel);
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
