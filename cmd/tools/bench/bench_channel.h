/* SPDX-License-Identifier: MIT */
/* bench_channel.h - the queue the queue workloads send integers through (bench queue,
 * bench queue-mpmc): libthrdemo's Queue, or the textbook bounded buffer it is compared
 * with, a mutex and two condition variables around a ring (OSTEP's final producer/
 * consumer: waits in while loops, a signal on each condition, correct for any number
 * of producers and consumers). One copy of the ring serves both workloads.
 *
 * put and get are inline, so the ring's cost is its own code and glibc's, as the
 * Queue's is its one call into the library. The ring's waits are timed (10 ms, then
 * the predicate is checked again): glibc's condition variables can lose a signal
 * (sourceware bug 25847), which here, glibc 2.36, left queue-mpmc's four producers
 * asleep waiting for room in an empty ring and its four consumers asleep waiting for
 * an item, for ever; a lost signal now costs the ring 10 ms, once in millions of
 * hand-offs, instead of the run. A thread that could not start would
 * leave the others blocked for ever: bench_channel_shutdown() lets them all go, as
 * Queue.shutdown() does (the ring's `closed` is the same promise, under its mutex). */
#ifndef THRDEMO_BENCH_CHANNEL_H
#define THRDEMO_BENCH_CHANNEL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <thrdemo/queue.h>

#include "bench.h"

typedef struct bench_channel {
    td_queue_t *queue; /* libthrdemo's; NULL: the ring below */
    pthread_mutex_t mutex;
    pthread_cond_t not_empty, not_full;
    uintptr_t *items;
    size_t cap, head, count; /* guarded by mutex */
    bool closed;             /* guarded by mutex */
} bench_channel_t;

/* Make a channel of the given capacity, the Queue (td) or the ring: true, or false
 * with r failed and a note. */
bool bench_channel_open(bench_channel_t *c, bool td, size_t capacity, bench_result_t *r);
/* Free what bench_channel_open made (no thread may use it any more). */
void bench_channel_close(bench_channel_t *c);
/* Let every blocked put and get go: puts fail from now on, gets once it is empty. */
void bench_channel_shutdown(bench_channel_t *c);

enum { BENCH_RING_WAIT_NS = 10 * 1000 * 1000 };

/* Wait on one of the ring's conditions (made on CLOCK_MONOTONIC), at most
 * BENCH_RING_WAIT_NS: the caller checks its predicate again either way. */
static inline void bench_ring_wait(pthread_cond_t *cond, pthread_mutex_t *mutex)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += BENCH_RING_WAIT_NS;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    pthread_cond_timedwait(cond, mutex, &until);
}

/* Put v, blocking while the channel is full: false once it is shut down. */
static inline bool bench_channel_put(bench_channel_t *c, uintptr_t v)
{
    if (c->queue)
        return td_queue_put(c->queue, (void *)v, true, TD_FOREVER) == 0;
    pthread_mutex_lock(&c->mutex);
    while (c->count == c->cap && !c->closed)
        bench_ring_wait(&c->not_full, &c->mutex);
    bool open = !c->closed;
    if (open) {
        c->items[(c->head + c->count++) % c->cap] = v;
        pthread_cond_signal(&c->not_empty);
    }
    pthread_mutex_unlock(&c->mutex);
    return open;
}

/* Take the oldest item into *v, blocking while the channel is empty: false once it
 * is shut down and empty. */
static inline bool bench_channel_get(bench_channel_t *c, uintptr_t *v)
{
    if (c->queue) {
        void *item;
        if (td_queue_get(c->queue, &item, true, TD_FOREVER, NULL) != 0)
            return false;
        *v = (uintptr_t)item;
        return true;
    }
    pthread_mutex_lock(&c->mutex);
    while (c->count == 0 && !c->closed)
        bench_ring_wait(&c->not_empty, &c->mutex);
    if (c->count == 0) {
        pthread_mutex_unlock(&c->mutex);
        return false;
    }
    *v = c->items[c->head];
    c->head = (c->head + 1) % c->cap;
    c->count--;
    pthread_cond_signal(&c->not_full);
    pthread_mutex_unlock(&c->mutex);
    return true;
}

#endif
