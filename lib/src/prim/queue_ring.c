/* SPDX-License-Identifier: MIT */
/* queue_ring.c - the bounded FIFO engine: Dmitry Vyukov's bounded multi-producer
 * multi-consumer queue, with crossbeam-channel's packing of positions and its
 * shutdown by a mark bit (crossbeam-channel src/flavors/array.rs).
 *
 * Positions. head and tail are not plain counters but stamps {lap, mark, index}:
 * index (< cap) in the low bits, then one mark bit (the power of two above cap),
 * then the lap. Moving to the next position is index + 1, or the next lap with index
 * 0 after the last slot, so no division is needed for any cap. Each slot carries a
 * stamp too. For the position p = {lap, 0, i}, slot i says:
 *   stamp == p               free: the put at p may claim it
 *   stamp == p + 1           holds the item put at p: the get at p may claim it
 *   stamp == p + one_lap     read: free for the put at p's position one lap later
 * A put claims p by moving tail from p to next(p) with a compare-and-swap, writes
 * the item, then stores p + 1 in the stamp; a get claims p by moving head, reads the
 * item, then stores p + one_lap. Only the thread that claimed a slot touches its item.
 *
 * Shutdown is one atomic operation: tail.fetch_or(mark). A put that sees the mark
 * fails; its compare-and-swap expects tail without it, so no put can claim a slot
 * after the mark is set. The mark in head means an immediate shutdown has taken the
 * items: head.fetch_or(mark) first (no get can claim a slot after it), then the
 * shutdown's own tail.fetch_or(mark), then the shutdown takes out the items between
 * head and tail, waiting for each to be written.
 *
 * Why each call is linearizable (takes effect at one instant between its start and
 * its return):
 * - a put that succeeds: at its compare-and-swap on tail (a get that claims that
 *   position later waits for the item to be written: the value was fixed at the call);
 * - a get that succeeds: at its compare-and-swap on head, which it makes only when the
 *   slot's stamp says the item is written;
 * - a put that says full: when it reads head (after its fence): tail can only have
 *   grown since it read it, so tail - head >= cap at that instant;
 * - a get that says empty (or shut down): when it reads tail: head was read before and
 *   head <= tail, so tail == head means nothing was put and not got at that instant,
 *   and the mark, if there, was set before it. A get that finds the head slot claimed
 *   by a put but not yet written (tail != head) never says empty: it waits the few
 *   nanoseconds until the slot is written (version 0.1.0 said Empty here while a later
 *   slot held a finished put: a false Empty);
 * - shutdown: at tail.fetch_or(mark). Immediate shutdown: at the same instant, as
 *   gets are already stopped by the mark in head: a get that sees it waits until the
 *   mark is in tail too, then says shut down, so it takes effect after the shutdown;
 *   every put that claimed a position before the mark is counted and its item dropped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "queue_engine.h"

/* try_put, try_get and the positions are in queue_ring.h, inlined where queue.c
 * calls them: a put or a get makes no call into this file. */

/* ---- making and freeing ------------------------------------------------------------------ */

int td__qring_init(td__qring_t *r, size_t cap)
{
    memset(r, 0, sizeof *r);
    size_t mark = 1;
    while (mark <= cap)
        mark <<= 1;
    r->cap = cap;
    r->mark = mark;
    r->one_lap = mark << 1;
    r->lap_shift = (unsigned)__builtin_ctzll((unsigned long long)r->one_lap);
    r->slots = aligned_alloc(64, (cap * sizeof *r->slots + 63) / 64 * 64);
    if (!r->slots)
        return -ENOMEM;
    for (size_t i = 0; i < cap; i++) {
        atomic_init(&r->slots[i].stamp, i); /* {lap 0, index i}: free */
        r->slots[i].item = NULL;
    }
    atomic_init(&r->head, 0);
    atomic_init(&r->tail, 0);
    return 0;
}

void td__qring_destroy(td__qring_t *r, td_queue_drop_fn drop)
{
    size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
    size_t tail = atomic_load_explicit(&r->tail, memory_order_acquire) & ~r->mark;
    for (size_t pos = head; drop && !(head & r->mark) && pos != tail; pos = td__qring_next_pos(r, pos))
        drop(td__qring_slot_at(r, pos)->item);
    free(r->slots);
    r->slots = NULL;
}

/* An immediate shutdown has taken every item: once it has shut puts out too (it
 * sets the mark in tail right after the one in head), the queue is empty for good. */
int td__qring_drained(td__qring_t *r)
{
    td__backoff_t backoff = { 0 };
    while (!(atomic_load_explicit(&r->tail, memory_order_acquire) & r->mark))
        td__snooze(&backoff);
    return -ESHUTDOWN;
}

/* ---- looking ahead ----------------------------------------------------------------------- */

/* The position n past pos (n < cap). */
static size_t pos_after(const td__qring_t *r, size_t pos, size_t n)
{
    size_t index = td__qring_index_of(r, pos) + n;
    if (index < r->cap)
        return pos + n;
    return (pos & ~(r->one_lap - 1)) + r->one_lap + (index - r->cap);
}

bool td__qring_ahead(td__qring_t *r, bool put, size_t n)
{
    atomic_size_t *end = put ? &r->tail : &r->head;
    size_t pos = pos_after(r, atomic_load_explicit(end, memory_order_relaxed) & ~r->mark, n);
    size_t stamp = atomic_load_explicit(&td__qring_slot_at(r, pos)->stamp, memory_order_relaxed);
    return stamp == (put ? pos : pos + 1);
}

/* ---- shutdown ----------------------------------------------------------------------------- */

/* Take out the items of positions [head, tail), which no put or get can reach any
 * more, waiting for each to be written: how many there were. */
static size_t drain(td__qring_t *r, size_t head, size_t tail, td_queue_drop_fn drop)
{
    size_t n = 0;
    for (size_t pos = head; pos != tail; pos = td__qring_next_pos(r, pos), n++) {
        td__qslot_t *slot = td__qring_slot_at(r, pos);
        td__backoff_t backoff = { 0 };
        while (atomic_load_explicit(&slot->stamp, memory_order_acquire) != pos + 1)
            td__snooze(&backoff);
        void *item = slot->item;
        atomic_store_explicit(&slot->stamp, pos + r->one_lap, memory_order_release);
        if (drop)
            drop(item);
    }
    return n;
}

size_t td__qring_close(td__qring_t *r, bool immediate, td_queue_drop_fn drop)
{
    size_t head = 0;
    if (immediate) {
        head = atomic_fetch_or_explicit(&r->head, r->mark, memory_order_seq_cst);
        if (head & r->mark) { /* another immediate shutdown took them */
            td__qring_drained(r);
            return 0;
        }
    }
    size_t tail = atomic_fetch_or_explicit(&r->tail, r->mark, memory_order_seq_cst);
    return immediate ? drain(r, head, tail & ~r->mark, drop) : 0;
}

bool td__qring_is_closed(td__qring_t *r)
{
    return atomic_load_explicit(&r->tail, memory_order_acquire) & r->mark;
}

size_t td__qring_len(td__qring_t *r)
{
    for (;;) {
        size_t tail = atomic_load_explicit(&r->tail, memory_order_seq_cst);
        size_t head = atomic_load_explicit(&r->head, memory_order_seq_cst);
        if (atomic_load_explicit(&r->tail, memory_order_seq_cst) != tail)
            continue; /* a put came between: look again, so head and tail are of one instant */
        if ((head & r->mark) && (tail & r->mark))
            return 0;
        return td__qring_ordinal(r, tail) - td__qring_ordinal(r, head);
    }
}

size_t td__qring_puts(td__qring_t *r)
{
    return td__qring_ordinal(r, atomic_load_explicit(&r->tail, memory_order_seq_cst));
}
