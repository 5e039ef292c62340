/* SPDX-License-Identifier: MIT */
/* queue_ring.h - the bounded FIFO engine's state and its put and get, which are
 * inline: a put or a get costs little more than the cache line of its slot coming
 * from the other core, so a call between queue.c and queue_ring.c would be a
 * visible part of it. queue_ring.c explains the design and has the rest.
 */
#ifndef THRDEMO_QUEUE_RING_H
#define THRDEMO_QUEUE_RING_H

#include <errno.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "prim.h"
#include "thrdemo/queue.h"

/* The largest maxsize a ring is made for (its slots are allocated at once, 16 bytes
 * each): a Queue bounded above this uses the list engine with a bound. */
#define TD__RING_MAX ((size_t)1 << 16)

typedef struct td__qslot {
    atomic_size_t stamp;
    void *item;
} td__qslot_t;

typedef struct td__qring {
    alignas(64) atomic_size_t head; /* the next get's position; mark: immediately shut down */
    alignas(64) atomic_size_t tail; /* the next put's position; mark: shut down */
    alignas(64) td__qslot_t *slots; /* cap slots; the fields below never change */
    size_t cap;
    size_t mark;    /* the mark bit: the power of two above cap */
    size_t one_lap; /* 2 * mark: one lap added to a position */
    unsigned lap_shift;
} td__qring_t;

int td__qring_init(td__qring_t *ring, size_t cap);
void td__qring_destroy(td__qring_t *ring, td_queue_drop_fn drop);
size_t td__qring_close(td__qring_t *ring, bool immediate, td_queue_drop_fn drop);
bool td__qring_is_closed(td__qring_t *ring);
size_t td__qring_len(td__qring_t *ring);
size_t td__qring_puts(td__qring_t *ring);
/* For a put (get) that waits: whether the slot n positions past tail (head) is free
 * (written) already, read from that slot alone, so the looking takes no cache line
 * the other side is writing. */
bool td__qring_ahead(td__qring_t *ring, bool put, size_t n);

/* An immediate shutdown has taken every item: wait until it has shut puts out too,
 * then -ESHUTDOWN. */
int td__qring_drained(td__qring_t *ring);

/* ---- positions (queue_ring.c's top) ---------------------------------------------------- */

static inline size_t td__qring_index_of(const td__qring_t *r, size_t pos)
{
    return pos & (r->mark - 1);
}

/* The position after pos (pos without the mark bit). */
static inline size_t td__qring_next_pos(const td__qring_t *r, size_t pos)
{
    if (td__qring_index_of(r, pos) + 1 < r->cap)
        return pos + 1;
    return (pos & ~(r->one_lap - 1)) + r->one_lap;
}

/* How many positions come before pos: its lap times cap, plus its index (the mark
 * bit is ignored). */
static inline size_t td__qring_ordinal(const td__qring_t *r, size_t pos)
{
    return (pos >> r->lap_shift) * r->cap + td__qring_index_of(r, pos);
}

static inline td__qslot_t *td__qring_slot_at(const td__qring_t *r, size_t pos)
{
    return &r->slots[td__qring_index_of(r, pos)];
}

/* ---- put and get ---------------------------------------------------------------------- */

static inline int td__qring_try_put(td__qring_t *r, void *item)
{
    td__backoff_t backoff = { 0 };
    size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    for (;;) {
        if (tail & r->mark)
            return -ESHUTDOWN;
        td__qslot_t *slot = td__qring_slot_at(r, tail);
        size_t stamp = atomic_load_explicit(&slot->stamp, memory_order_acquire);
        if (stamp == tail) {
            if (atomic_compare_exchange_weak_explicit(&r->tail, &tail, td__qring_next_pos(r, tail),
                                                      memory_order_seq_cst,
                                                      memory_order_relaxed)) {
                slot->item = item;
                atomic_store_explicit(&slot->stamp, tail + 1, memory_order_release);
                return 0;
            }
            td__cpu_relax(); /* another put took tail: try the next position */
        } else if (stamp + r->one_lap == tail + 1) {
            /* The slot still holds the item put one lap ago: full, unless a get has
             * claimed it already and is reading it. */
            atomic_thread_fence(memory_order_seq_cst);
            size_t head = atomic_load_explicit(&r->head, memory_order_relaxed) & ~r->mark;
            if (head + r->one_lap == tail)
                return -ENOSPC;
            td__snooze(&backoff);
            tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
        } else {
            /* tail is stale (another put claimed this slot), or the get of one lap
             * ago has not finished reading it: look again. */
            td__snooze(&backoff);
            tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
        }
    }
}

/* The items the get that claimed head leaves: what qsize() right after it would say,
 * but for puts that came since (at most cap - 1: its slot is not free yet). */
static inline size_t td__qring_left_after(td__qring_t *r, size_t head)
{
    size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    size_t n = td__qring_ordinal(r, tail) - td__qring_ordinal(r, head) - 1;
    return n < r->cap ? n : r->cap - 1;
}

static inline int td__qring_try_get(td__qring_t *r, void **item, size_t *left)
{
    td__backoff_t backoff = { 0 };
    size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
    for (;;) {
        if (head & r->mark)
            return td__qring_drained(r);
        td__qslot_t *slot = td__qring_slot_at(r, head);
        size_t stamp = atomic_load_explicit(&slot->stamp, memory_order_acquire);
        if (stamp == head + 1) {
            if (atomic_compare_exchange_weak_explicit(&r->head, &head, td__qring_next_pos(r, head),
                                                      memory_order_seq_cst,
                                                      memory_order_relaxed)) {
                void *got = slot->item;
                if (left)
                    *left = td__qring_left_after(r, head);
                atomic_store_explicit(&slot->stamp, head + r->one_lap, memory_order_release);
                *item = got;
                return 0;
            }
            td__cpu_relax(); /* another get took head: try the next position */
        } else if (stamp == head) {
            /* Not written in this lap: empty, unless a put has claimed it already. */
            atomic_thread_fence(memory_order_seq_cst);
            size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
            if ((tail & ~r->mark) == head)
                return tail & r->mark ? -ESHUTDOWN : -ENODATA;
            td__snooze(&backoff); /* claimed, being written: no false Empty */
            head = atomic_load_explicit(&r->head, memory_order_relaxed);
        } else {
            td__snooze(&backoff); /* head is stale: another get claimed this slot */
            head = atomic_load_explicit(&r->head, memory_order_relaxed);
        }
    }
}

#endif
