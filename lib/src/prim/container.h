/* SPDX-License-Identifier: MIT */
/* container.h - the order a queue hands items out in, chosen once when the queue is
 * made: CPython's Queue, LifoQueue and PriorityQueue differ only in _put and _get,
 * and so do these. The queue engine (queue.c) holds its lock around every call;
 * a container knows nothing of threads. */
#ifndef THRDEMO_CONTAINER_H
#define THRDEMO_CONTAINER_H

#include <stddef.h>
#include <stdint.h>

#include "thrdemo/queue.h"

struct td__container;

typedef struct td__container_ops {
    const char *kind; /* "fifo", "lifo", "priority" */
    /* Add an item; there is room (bounded) or room is made: 0 or -ENOMEM. */
    int (*push)(struct td__container *c, void *item);
    /* Remove and return the next item; the container is not empty. */
    void *(*pop)(struct td__container *c);
} td__container_ops_t;

typedef struct td__container {
    const td__container_ops_t *ops;
    void **items;
    uint64_t *order;     /* priority: the put number of each item (ties in put order) */
    size_t cap, head, count;
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

#endif
