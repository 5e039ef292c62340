/* SPDX-License-Identifier: MIT */
/* queue_locked.c - the engine of LifoQueue and PriorityQueue: CPython's own
 * construction, one lock around a container (a stack or a heap, container.h). Their
 * order makes both ends one place, so a lock-free ring would not help them; they are
 * for teaching the order, not for throughput.
 *
 * `lock` guards the container and every write of n, puts and closed; those three
 * are atomics so that len, puts and is_closed may read them without it. Each call
 * takes effect at one instant, inside the lock (linearizable). A successful put or
 * get, and close, end with a seq_cst fence after letting go of the lock: the
 * read-modify-write queue_engine.h promises, in the form of a fence.
 */
#include <errno.h>
#include <string.h>

#include "queue_engine.h"

/* The first storage of a bounded queue: its bound, up to this (then it grows). */
enum { MAX_FIRST_CAP = 4096 };

int td__qlocked_init(td__qlocked_t *k, const td__container_ops_t *ops, size_t maxsize,
                     td_queue_cmp_fn cmp)
{
    memset(k, 0, sizeof *k);
    size_t first = maxsize && maxsize < MAX_FIRST_CAP ? maxsize : MAX_FIRST_CAP;
    if (td__container_init(&k->items, ops, first, cmp) != 0)
        return -ENOMEM;
    td_lock_init(&k->lock);
    k->maxsize = maxsize;
    atomic_init(&k->n, 0);
    atomic_init(&k->puts, 0);
    atomic_init(&k->closed, false);
    return 0;
}

/* Drop the n items of a container no thread can reach any more. Without a drop
 * function there is nothing to do for each item. */
static void drop_all(td__container_t *c, size_t n, td_queue_drop_fn drop)
{
    for (; drop && n > 0; n--)
        drop(c->ops->pop(c, n));
}

void td__qlocked_destroy(td__qlocked_t *k, td_queue_drop_fn drop)
{
    drop_all(&k->items, atomic_load_explicit(&k->n, memory_order_relaxed), drop);
    td__container_destroy(&k->items);
    td_lock_destroy(&k->lock);
}

/* Let go of the lock after a change other threads may sleep on. */
static void give_changed(td__qlocked_t *k)
{
    td__lock_give(&k->lock);
    atomic_thread_fence(memory_order_seq_cst);
}

int td__qlocked_try_put(td__qlocked_t *k, void *item)
{
    td__lock_take(&k->lock);
    size_t n = atomic_load_explicit(&k->n, memory_order_relaxed);
    int rc = atomic_load_explicit(&k->closed, memory_order_relaxed) ? -ESHUTDOWN
           : k->maxsize && n >= k->maxsize                         ? -ENOSPC
                                                                   : k->items.ops->push(&k->items, item, n);
    if (rc != 0) {
        td__lock_give(&k->lock);
        return rc;
    }
    atomic_store_explicit(&k->n, n + 1, memory_order_relaxed);
    atomic_store_explicit(&k->puts, atomic_load_explicit(&k->puts, memory_order_relaxed) + 1,
                          memory_order_relaxed);
    give_changed(k);
    return 0;
}

int td__qlocked_try_get(td__qlocked_t *k, void **item, size_t *left)
{
    td__lock_take(&k->lock);
    size_t n = atomic_load_explicit(&k->n, memory_order_relaxed);
    if (n == 0) {
        bool closed = atomic_load_explicit(&k->closed, memory_order_relaxed);
        td__lock_give(&k->lock);
        return closed ? -ESHUTDOWN : -ENODATA;
    }
    *item = k->items.ops->pop(&k->items, n);
    atomic_store_explicit(&k->n, n - 1, memory_order_relaxed);
    if (left)
        *left = n - 1;
    give_changed(k);
    return 0;
}

size_t td__qlocked_close(td__qlocked_t *k, bool immediate, td_queue_drop_fn drop)
{
    /* The items an immediate shutdown removes are dropped after the lock is let go
     * (drop is the caller's code): swap them out into a fresh container. */
    td__container_t gone;
    bool have_spare = immediate && drop &&
                      td__container_init(&gone, k->items.ops, 0, k->items.cmp) == 0;
    td__lock_take(&k->lock);
    atomic_store_explicit(&k->closed, true, memory_order_relaxed);
    size_t n = immediate ? atomic_load_explicit(&k->n, memory_order_relaxed) : 0;
    if (have_spare)
        td__container_swap(&k->items, &gone);
    else if (drop)
        drop_all(&k->items, n, drop); /* out of memory for a spare: drop them here */
    if (immediate) /* without a drop function, the items are just forgotten: O(1) */
        atomic_store_explicit(&k->n, 0, memory_order_relaxed);
    give_changed(k);
    if (have_spare) {
        drop_all(&gone, n, drop);
        td__container_destroy(&gone);
    }
    return n;
}

bool td__qlocked_is_closed(td__qlocked_t *k)
{
    return atomic_load_explicit(&k->closed, memory_order_acquire);
}

size_t td__qlocked_len(td__qlocked_t *k)
{
    return atomic_load_explicit(&k->n, memory_order_seq_cst);
}

size_t td__qlocked_puts(td__qlocked_t *k)
{
    return atomic_load_explicit(&k->puts, memory_order_seq_cst);
}
