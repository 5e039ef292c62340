/* SPDX-License-Identifier: MIT */
/* container.h - the order a queue hands items out in, chosen once when the queue is
 * made: CPython's Queue, LifoQueue and PriorityQueue differ only in _put and _get,
 * and so do these. A container knows nothing of threads: the queue engine (queue.c)
 * holds the count and the locks, and passes n, the number of items in the container,
 * to every call.
 * FIFO keeps a ring with separate head and tail, so a put (which moves only tail) and
 * a get (which moves only head) may run at once under the engine's two locks, except
 * when a put must grow the ring, which the engine does holding both.
 */
#ifndef THRDEMO_CONTAINER_H
#define THRDEMO_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "thrdemo/queue.h"

struct td__container;

typedef struct td__container_ops {
    const char *kind;     /* "fifo", "lifo", "priority" */
    bool two_locks;       /* puts and gets may run at once (FIFO) */
    /* Add an item to the n there are, growing the storage when n == cap: 0 or -ENOMEM. */
    int (*push)(struct td__container *c, void *item, size_t n);
    /* Remove and return the next of the n > 0 items. */
    void *(*pop)(struct td__container *c, size_t n);
} td__container_ops_t;

typedef struct td__container {
    const td__container_ops_t *ops;
    void **items;
    uint64_t *order;     /* priority: the put number of each item (ties in put order) */
    size_t cap;
    size_t head, tail;   /* fifo: where the next get and the next put go */
    uint64_t next_order; /* priority: the next put number */
    td_queue_cmp_fn cmp; /* priority */
} td__container_t;

extern const td__container_ops_t td__fifo_ops, td__lifo_ops, td__priority_ops;

/* Make an empty container of the given order with room for cap items (more are
 * made as needed): 0 or -ENOMEM. */
int td__container_init(td__container_t *c, const td__container_ops_t *ops, size_t cap,
                       td_queue_cmp_fn cmp);
/* Free the container's storage (not the items). */
void td__container_destroy(td__container_t *c);
/* Swap two containers' contents (a queue empties itself in O(1) this way). */
void td__container_swap(td__container_t *a, td__container_t *b);
/* Whether adding to n items must grow the storage. */
static inline bool td__container_full(const td__container_t *c, size_t n)
{
    return n >= c->cap;
}

#endif
