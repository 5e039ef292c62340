/* SPDX-License-Identifier: MIT */
/* container.c - FIFO ring, LIFO stack and stable binary heap behind the queues.
 *
 * The ring and the stack double when full (a bounded queue is given its maxsize as
 * the first capacity, so it never grows). The heap orders by the caller's cmp and,
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

/* Double the storage, keeping the n items in order from index 0. */
static int grow(td__container_t *c, size_t n, bool ring)
{
    size_t cap = c->cap * 2;
    void **items = malloc(cap * sizeof *items);
    uint64_t *order = c->order ? malloc(cap * sizeof *order) : NULL;
    if (!items || (c->order && !order)) {
        free(items);
        free(order);
        return -ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        items[i] = c->items[ring ? (c->head + i) % c->cap : i];
    if (order)
        memcpy(order, c->order, n * sizeof *order);
    free(c->items);
    free(c->order);
    c->items = items;
    c->order = order;
    c->cap = cap;
    c->head = 0;
    c->tail = n;
    return 0;
}

/* ---- FIFO: a ring, gets at head, puts at tail ------------------------------------ */

static int fifo_push(td__container_t *c, void *item, size_t n)
{
    if (n == c->cap && grow(c, n, true) != 0)
        return -ENOMEM;
    c->items[c->tail] = item;
    c->tail = c->tail + 1 == c->cap ? 0 : c->tail + 1;
    return 0;
}

static void *fifo_pop(td__container_t *c, size_t n)
{
    (void)n;
    void *item = c->items[c->head];
    c->head = c->head + 1 == c->cap ? 0 : c->head + 1;
    return item;
}

const td__container_ops_t td__fifo_ops = { "fifo", true, fifo_push, fifo_pop };

/* ---- LIFO: a stack ---------------------------------------------------------------- */

static int lifo_push(td__container_t *c, void *item, size_t n)
{
    if (n == c->cap && grow(c, n, false) != 0)
        return -ENOMEM;
    c->items[n] = item;
    return 0;
}

static void *lifo_pop(td__container_t *c, size_t n)
{
    return c->items[n - 1];
}

const td__container_ops_t td__lifo_ops = { "lifo", false, lifo_push, lifo_pop };

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
    if (n == c->cap && grow(c, n, false) != 0)
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

const td__container_ops_t td__priority_ops = { "priority", false, heap_push, heap_pop };
