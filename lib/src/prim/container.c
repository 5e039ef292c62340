/* SPDX-License-Identifier: MIT */
/* container.c - the LIFO stack and the stable binary heap behind LifoQueue and
 * PriorityQueue (FIFO queues have lock-free engines of their own: queue_ring.c,
 * queue_list.c).
 *
 * Both double when full (a small bounded queue is given its maxsize as the first
 * capacity, so it never grows). The heap orders by the caller's cmp and,
 * for equal items, by put number: unlike heapq, which CPython's PriorityQueue uses,
 * equal priorities come out in the order they were put (queue.h says so).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"

enum { MIN_CAP = 16 };

int td__container_init(td__container_t *c, const td__container_ops_t *ops, size_t cap,
                       td_queue_cmp_fn cmp)
{
    memset(c, 0, sizeof *c);
    c->ops = ops;
    c->cmp = cmp;
    c->cap = cap < MIN_CAP ? MIN_CAP : cap;
    c->items = malloc(c->cap * sizeof *c->items);
    if (ops == &td__priority_ops)
        c->order = malloc(c->cap * sizeof *c->order);
    if (!c->items || (ops == &td__priority_ops && !c->order)) {
        td__container_destroy(c);
        return -ENOMEM;
    }
    return 0;
}

void td__container_destroy(td__container_t *c)
{
    free(c->items);
    free(c->order);
    c->items = NULL;
    c->order = NULL;
}

void td__container_swap(td__container_t *a, td__container_t *b)
{
    td__container_t tmp = *a;
    *a = *b;
    *b = tmp;
}

/* Double the storage, the items staying where they are. */
static int grow(td__container_t *c)
{
    size_t cap = c->cap * 2;
    void **items = realloc(c->items, cap * sizeof *items);
    if (!items)
        return -ENOMEM;
    c->items = items;
    if (c->order) {
        uint64_t *order = realloc(c->order, cap * sizeof *order);
        if (!order)
            return -ENOMEM; /* items grew, order did not: cap stays, the next push tries again */
        c->order = order;
    }
    c->cap = cap;
    return 0;
}

/* ---- LIFO: a stack ---------------------------------------------------------------- */

static int lifo_push(td__container_t *c, void *item, size_t n)
{
    if (n == c->cap && grow(c) != 0)
        return -ENOMEM;
    c->items[n] = item;
    return 0;
}

static void *lifo_pop(td__container_t *c, size_t n)
{
    return c->items[n - 1];
}

const td__container_ops_t td__lifo_ops = { "lifo", lifo_push, lifo_pop };

/* ---- priority: a binary min-heap on (cmp, put number) ----------------------------- */

static bool before(const td__container_t *c, size_t i, size_t j)
{
    int by_item = c->cmp(c->items[i], c->items[j]);
    return by_item != 0 ? by_item < 0 : c->order[i] < c->order[j];
}

static void swap_slots(td__container_t *c, size_t i, size_t j)
{
    void *item = c->items[i];
    c->items[i] = c->items[j];
    c->items[j] = item;
    uint64_t order = c->order[i];
    c->order[i] = c->order[j];
    c->order[j] = order;
}

static int heap_push(td__container_t *c, void *item, size_t n)
{
    if (n == c->cap && grow(c) != 0)
        return -ENOMEM;
    size_t i = n;
    c->items[i] = item;
    c->order[i] = c->next_order++;
    while (i > 0 && before(c, i, (i - 1) / 2)) {
        swap_slots(c, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
    return 0;
}

static void *heap_pop(td__container_t *c, size_t n)
{
    void *top = c->items[0];
    size_t size = n - 1;
    swap_slots(c, 0, size);
    size_t i = 0;
    for (;;) {
        size_t least = i, l = 2 * i + 1, r = l + 1;
        if (l < size && before(c, l, least))
            least = l;
        if (r < size && before(c, r, least))
            least = r;
        if (least == i)
            return top;
        swap_slots(c, i, least);
        i = least;
    }
}

const td__container_ops_t td__priority_ops = { "priority", heap_push, heap_pop };
