/* SPDX-License-Identifier: MIT */
/* container.h - the order a LifoQueue or PriorityQueue hands items out in, chosen once
 * when the queue is made: CPython's LifoQueue and PriorityQueue differ from Queue only
 * in _put and _get, and so do these. A container knows nothing of threads: the lock
 * engine (queue_locked.c) holds the count and the lock, and passes n, the number of
 * items in the container, to every call. FIFO queues do not use a container: they
 * are lock-free rings (queue_ring.c, queue_list.c).
 */
#ifndef THRDEMO_CONTAINER_H
#define THRDEMO_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "thrdemo/queue.h"

struct td__container;

typedef struct td__container_ops {
    const char *kind; /* "lifo", "priority" */
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
    uint64_t next_order; /* priority: the next put number */
    td_queue_cmp_fn cmp; /* priority */
} td__container_t;

extern const td__container_ops_t td__lifo_ops, td__priority_ops;

/* Make an empty container of the given order with room for cap items (more are
 * made as needed): 0 or -ENOMEM. */
int td__container_init(td__container_t *c, const td__container_ops_t *ops, size_t cap,
                       td_queue_cmp_fn cmp);
/* Free the container's storage (not the items). */
void td__container_destroy(td__container_t *c);
/* Swap two containers' contents (a queue empties itself in O(1) this way). */
void td__container_swap(td__container_t *a, td__container_t *b);

#endif
