/* SPDX-License-Identifier: MIT */
/* ring.c - a FIFO of pointers growing by doubling: the loop's ready queue and an
 * asyncio.Queue's items.
 *
 * DESIGN. count items from index head, wrapping at cap; a full ring doubles into new
 * memory with the oldest item at index 0, so the order survives growing. Pushing may
 * fail (-ENOMEM) and leaves the ring as it was; popping never fails (the caller knows
 * the ring is not empty). Used by one thread at a time: no lock.
 */
#include <errno.h>
#include <stdlib.h>

#include "aio.h"

int td__ring_init(td__ring_t *r, size_t cap)
{
    r->items = malloc(cap * sizeof *r->items);
    r->cap = r->items ? cap : 0;
    r->head = r->count = 0;
    return r->items ? 0 : -ENOMEM;
}

void td__ring_destroy(td__ring_t *r)
{
    free(r->items);
    r->items = NULL;
}

int td__ring_push(td__ring_t *r, void *item)
{
    if (r->count == r->cap) { /* double, oldest first from index 0 */
        size_t cap = r->cap ? r->cap * 2 : 16;
        void **items = malloc(cap * sizeof *items);
        if (!items)
            return -ENOMEM;
        for (size_t i = 0; i < r->count; i++)
            items[i] = r->items[(r->head + i) % r->cap];
        free(r->items);
        r->items = items;
        r->cap = cap;
        r->head = 0;
    }
    r->items[(r->head + r->count++) % r->cap] = item;
    return 0;
}

void *td__ring_pop(td__ring_t *r)
{
    void *item = r->items[r->head];
    r->head = (r->head + 1) % r->cap;
    r->count--;
    return item;
}
