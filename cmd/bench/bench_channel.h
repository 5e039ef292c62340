/* SPDX-License-Identifier: MIT */
/* bench_channel.h - the queue the queue workloads send integers through (bench queue,
 * bench queue-mpmc): libthrdemo's Queue, or the textbook bounded buffer it is compared
 * with, a mutex and two condition variables around a ring (OSTEP's final producer/
 * consumer: waits in while loops, a signal on each condition, correct for any number
 * of producers and consumers). One copy of the ring serves both workloads.
 *
 * put and get are inline, so the ring's cost is its own code and glibc's, as the
 * Queue's is its one call into the library. A thread that could not start would
 * leave the others blocked for ever: bench_channel_shutdown() lets them all go, as
 * Queue.shutdown() does (the ring's `closed` is the same promise, under its mutex). */
#ifndef THRDEMO_BENCH_CHANNEL_H
#define THRDEMO_BENCH_CHANNEL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* Put v, blocking while the channel is full: false once it is shut down. */
static inline bool bench_channel_put(bench_channel_t *c, uintptr_t v)
{
    if (c->queue)
        return td_queue_put(c->queue, (void *)v, true, TD_FOREVER) == 0;
    pthread_mutex_lock(&c->mutex);
    while (c->count == c->cap && !c->closed)
        pthread_cond_wait(&c->not_full, &c->mutex);
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
        pthread_cond_wait(&c->not_empty, &c->mutex);
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
