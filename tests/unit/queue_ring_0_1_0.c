/* SPDX-License-Identifier: MIT */
/* queue_ring_0_1_0.c - thrdemo 0.1.0's lock-free ring (Dmitry Vyukov's bounded MPMC
 * queue), copied for test_queue_linearizability with its two defects (see the header).
 *
 * Each cell carries a sequence number: cell (pos % cap) is free for the put at
 * position pos when seq == pos, holds that put's item when seq == pos + 1, and is free
 * again for the put at pos + cap once the get sets seq = pos + cap. `tail` and `head`
 * hand out positions by compare-and-swap. try_put, try_get, attempt and the shutdown
 * are 0.1.0's, line for line; so are its defects: attempt() reads the shutdown flag
 * and then calls try_put, with nothing tying the two together, and try_get says
 * Empty when the head cell's put has claimed it (moved tail) but not yet written it.
 *
 * What differs, none of it touching the defects: 0.1.0 slept on futex words through
 * the library's internal calls; the copy uses only the public API, so a blocked put or
 * get sleeps on a Condition (each change to the ring notifies it after the change,
 * under its lock, so no wake-up is lost); no spinning before sleeping, no task_done,
 * join or qsize, no unbounded mode (0.1.0 sent maxsize < 2 to its mutex queue).
 * The windows (the header's RING010_WINDOW_*) are td_yield_now() calls where the
 * defects live: without a schedule they do nothing; under one, another thread may
 * run exactly there, and under pct the thread in the window drops below every other,
 * so the others run on while it is open: a schedule opens a defect on purpose
 * instead of by luck. The claim window opens at every other position only, so that
 * of two puts in a row one stalls in it while the other completes (were both to
 * stall, no put would have returned, and an Empty would be legal).
 */
#include "queue_ring_0_1_0.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include <thrdemo/thrdemo.h>

struct cell {
    atomic_size_t seq;
    void *item;
};

struct ring010 {
    size_t cap;
    struct cell *cells;
    unsigned windows;
    atomic_size_t tail; /* the next put's position */
    atomic_size_t head; /* the next get's position */
    atomic_bool shutdown;
    td_lock_t lock;     /* the sleepers' Condition's */
    td_cond_t changed;  /* notified after every change to the ring */
};

static void window(ring010_t *q, unsigned which)
{
    if (q->windows & which)
        td_yield_now();
}

/* ---- the ring, as 0.1.0 had it ----------------------------------------------------- */

static int try_put(ring010_t *q, void *item)
{
    size_t pos = atomic_load_explicit(&q->tail, memory_order_relaxed);
    for (;;) {
        struct cell *c = &q->cells[pos % q->cap];
        size_t seq = atomic_load_explicit(&c->seq, memory_order_acquire);
        intptr_t dif = (intptr_t)seq - (intptr_t)pos;
        if (dif == 0) {
            if (atomic_compare_exchange_weak_explicit(&q->tail, &pos, pos + 1,
                                                      memory_order_relaxed,
                                                      memory_order_relaxed)) {
                if (pos % 2 == 0) /* one of two puts in a row stalls, the other not */
                    window(q, RING010_WINDOW_CLAIM); /* the slot is claimed, not written */
                c->item = item;
                atomic_store_explicit(&c->seq, pos + 1, memory_order_release);
                return 0;
            }
        } else if (dif < 0) {
            return -ENOSPC; /* the cell still holds the item of the lap before */
        } else {
            pos = atomic_load_explicit(&q->tail, memory_order_relaxed);
        }
    }
}

static int try_get(ring010_t *q, void **item)
{
    size_t pos = atomic_load_explicit(&q->head, memory_order_relaxed);
    for (;;) {
        struct cell *c = &q->cells[pos % q->cap];
        size_t seq = atomic_load_explicit(&c->seq, memory_order_acquire);
        intptr_t dif = (intptr_t)seq - (intptr_t)(pos + 1);
        if (dif == 0) {
            if (atomic_compare_exchange_weak_explicit(&q->head, &pos, pos + 1,
                                                      memory_order_relaxed,
                                                      memory_order_relaxed)) {
                *item = c->item;
                atomic_store_explicit(&c->seq, pos + q->cap, memory_order_release);
                return 0;
            }
        } else if (dif < 0) {
            return -ENODATA; /* not put yet: the defect when a later cell holds one */
        } else {
            pos = atomic_load_explicit(&q->head, memory_order_relaxed);
        }
    }
}

static bool is_down(ring010_t *q)
{
    return atomic_load_explicit(&q->shutdown, memory_order_acquire);
}

/* One attempt of a put or a get: 0 done, -ENOSPC/-ENODATA not now, -ESHUTDOWN. */
static int attempt(ring010_t *q, bool put, void **item)
{
    if (put) {
        if (is_down(q))
            return -ESHUTDOWN;
        window(q, RING010_WINDOW_SHUTDOWN); /* the flag was read; a shutdown may pass */
        return try_put(q, *item);
    }
    int rc = try_get(q, item);
    if (rc == -ENODATA && is_down(q)) {
        rc = try_get(q, item); /* once more, for a put that landed just before */
        if (rc == -ENODATA)
            rc = -ESHUTDOWN;
    }
    return rc;
}

/* ---- waiting, on the public API ------------------------------------------------------- */

static void announce_change(ring010_t *q)
{
    td_lock_acquire(&q->lock, true, TD_FOREVER);
    td_cond_notify_all(&q->changed);
    td_lock_release(&q->lock);
}

/* Attempt until it is not "busy" or the timeout passes (tried under the lock, so a
 * change announced after a failed attempt finds this thread waiting). */
static int wait_for(ring010_t *q, bool put, void **item, double timeout)
{
    int busy = put ? -ENOSPC : -ENODATA;
    double deadline = td_monotonic() + timeout;
    td_lock_acquire(&q->lock, true, TD_FOREVER);
    int rc;
    for (;;) {
        rc = attempt(q, put, item);
        if (rc != busy)
            break;
        double left = timeout == TD_FOREVER ? TD_FOREVER : deadline - td_monotonic();
        if (timeout != TD_FOREVER && left <= 0)
            break;
        td_cond_wait(&q->changed, left);
    }
    td_lock_release(&q->lock);
    return rc;
}

static int ring_op(ring010_t *q, bool put, void **item, bool block, double timeout)
{
    int busy = put ? -ENOSPC : -ENODATA;
    int rc = attempt(q, put, item);
    if (rc == busy && block)
        rc = wait_for(q, put, item, timeout);
    if (rc == 0)
        announce_change(q);
    return rc;
}

/* ---- the API ------------------------------------------------------------------------- */

int ring010_new(ring010_t **out, long capacity, unsigned windows)
{
    if (capacity < 2)
        return -EINVAL;
    ring010_t *q = calloc(1, sizeof *q);
    if (!q)
        return -ENOMEM;
    q->cap = (size_t)capacity;
    q->windows = windows;
    q->cells = malloc(q->cap * sizeof *q->cells);
    if (!q->cells) {
        free(q);
        return -ENOMEM;
    }
    for (size_t i = 0; i < q->cap; i++)
        atomic_init(&q->cells[i].seq, i);
    td_lock_init(&q->lock);
    td_cond_init(&q->changed, &q->lock);
    *out = q;
    return 0;
}

void ring010_free(ring010_t *q)
{
    td_cond_destroy(&q->changed);
    td_lock_destroy(&q->lock);
    free(q->cells);
    free(q);
}

int ring010_put(ring010_t *q, void *item, bool block, double timeout)
{
    return ring_op(q, true, &item, block, timeout);
}

int ring010_get(ring010_t *q, void **item, bool block, double timeout)
{
    return ring_op(q, false, item, block, timeout);
}

void ring010_shutdown(ring010_t *q, bool immediate)
{
    atomic_store_explicit(&q->shutdown, true, memory_order_seq_cst); /* apart from the ring */
    if (immediate) {
        void *item;
        while (try_get(q, &item) == 0) {
        }
    }
    announce_change(q);
}
