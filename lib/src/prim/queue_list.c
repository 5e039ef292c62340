/* SPDX-License-Identifier: MIT */
/* queue_list.c - the unbounded FIFO engine (and the bounded one for a maxsize too
 * large to allocate a ring for): a linked list of blocks of BLOCK_CAP slots, as
 * crossbeam-channel's list flavor builds it (src/flavors/list.rs).
 *
 * Positions. head_index and tail_index count positions, shifted left by SHIFT bits
 * that carry marks. Each block covers LAP positions of which the last is never used:
 * a put that claims a block's last slot also installs the next block and moves tail
 * past that unused position, and puts that see tail on it wait until it has. A slot's
 * state has WRITE (the item is there), READ (a get has taken it) and DESTROY (the
 * block is being freed: the get still reading this slot frees it when done). The get
 * that reads a block's last slot frees the block, or leaves it to the last get still
 * reading one of its slots: so blocks are freed without locks or epochs.
 *
 * Marks. In tail_index, CLOSED: shut down (a put that sees it fails; its compare-
 * and-swap expects tail without it). In head_index, HAS_NEXT: the head block is not
 * the last, so a get need not look at tail to know a later slot exists; DRAINED: an
 * immediate shutdown has taken the items (set by compare-and-swap, never while head
 * sits on a block's unused position, where the get moving it to the next block
 * stores head with a plain store).
 *
 * Linearizable, as the ring is (queue_ring.c says why, point by point): a put at its
 * compare-and-swap on tail, a get at its compare-and-swap on head. A get may claim a
 * position whose put has claimed it but not yet written it (head != tail): it then
 * waits for the write, so it never says Empty while a completed put is queued. Empty
 * and shut down are concluded when a get reads tail equal to head; with a bound, full
 * when a put reads head fresh (after a fence) bound positions behind its tail.
 * Shutdown: tail.fetch_or(CLOSED); an immediate one marks head DRAINED first, so no get
 * claims a position after the items are gone.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "queue_engine.h"

enum { LAP = 32, BLOCK_CAP = LAP - 1, SHIFT = 2 };
enum { WRITE = 1, READ = 2, DESTROY = 4 };
#define CLOSED ((size_t)1)   /* tail_index: shut down */
#define HAS_NEXT ((size_t)1) /* head_index: the head block is not the last */
#define DRAINED ((size_t)2)  /* head_index: an immediate shutdown took every item */
#define MARKS ((size_t)3)
#define ONE ((size_t)1 << SHIFT)

struct slot {
    void *item;
    atomic_uint state;
};

struct td__qblock {
    _Atomic(struct td__qblock *) next;
    struct slot slots[BLOCK_CAP];
};

/* ---- positions and blocks ----------------------------------------------------------------- */

static size_t offset_of(size_t index)
{
    return (index >> SHIFT) % LAP;
}

/* How many slots come before index: its position less the unused ones. */
static size_t ordinal(size_t index)
{
    size_t pos = index >> SHIFT;
    return pos - pos / LAP;
}

static struct td__qblock *block_new(void)
{
    return calloc(1, sizeof(struct td__qblock));
}

static struct td__qblock *wait_next(struct td__qblock *block)
{
    td__backoff_t backoff = { 0 };
    struct td__qblock *next;
    while (!(next = atomic_load_explicit(&block->next, memory_order_acquire)))
        td__snooze(&backoff);
    return next;
}

static void wait_write(struct slot *slot)
{
    td__backoff_t backoff = { 0 };
    while (!(atomic_load_explicit(&slot->state, memory_order_acquire) & WRITE))
        td__snooze(&backoff);
}

/* Free the block unless a get still reads one of its slots from start on: that get
 * sees DESTROY when it is done and goes on from there. */
static void destroy(struct td__qblock *block, size_t start)
{
    /* The last slot's reader began this: its slot needs no mark. */
    for (size_t i = start; i < BLOCK_CAP - 1; i++) {
        atomic_uint *state = &block->slots[i].state;
        if (!(atomic_load_explicit(state, memory_order_acquire) & READ) &&
            !(atomic_fetch_or_explicit(state, DESTROY, memory_order_acq_rel) & READ))
            return;
    }
    free(block);
}

/* A get has taken the item at offset: mark it read, freeing the block if it was the
 * last slot, or if the block's destruction waited for this one. */
static void finish_read(struct td__qblock *block, size_t offset)
{
    if (offset + 1 == BLOCK_CAP)
        destroy(block, 0);
    else if (atomic_fetch_or_explicit(&block->slots[offset].state, READ, memory_order_acq_rel) &
             DESTROY)
        destroy(block, offset + 1);
}

/* ---- making and freeing ------------------------------------------------------------------- */

int td__qlist_init(td__qlist_t *l, size_t bound)
{
    memset(l, 0, sizeof *l);
    atomic_init(&l->head_index, 0);
    atomic_init(&l->tail_index, 0);
    atomic_init(&l->head_block, NULL);
    atomic_init(&l->tail_block, NULL);
    l->bound = bound;
    return 0;
}

void td__qlist_destroy(td__qlist_t *l, td_queue_drop_fn drop)
{
    size_t head = atomic_load_explicit(&l->head_index, memory_order_acquire) & ~MARKS;
    size_t tail = atomic_load_explicit(&l->tail_index, memory_order_acquire) & ~MARKS;
    struct td__qblock *block = atomic_load_explicit(&l->head_block, memory_order_acquire);
    for (; head != tail; head += ONE) {
        size_t offset = offset_of(head);
        if (offset < BLOCK_CAP) {
            if (drop)
                drop(block->slots[offset].item);
        } else {
            struct td__qblock *next = atomic_load_explicit(&block->next, memory_order_relaxed);
            free(block);
            block = next;
        }
    }
    free(block);
}

/* ---- put ---------------------------------------------------------------------------------- */

/* A bounded list: whether tail is bound positions ahead of head. "Not full" from a
 * stale head is safe (head only grows: there is even more room); "full" is concluded
 * only from a head read after a fence, when tail (read before) can only have grown. */
static bool full(td__qlist_t *l, size_t tail)
{
    size_t head = atomic_load_explicit(&l->head_index, memory_order_relaxed);
    if (ordinal(tail) - ordinal(head) < l->bound)
        return false;
    atomic_thread_fence(memory_order_seq_cst);
    head = atomic_load_explicit(&l->head_index, memory_order_relaxed);
    return ordinal(tail) - ordinal(head) >= l->bound;
}

/* The first put of all makes the first block: it, or the one a put that beat it to
 * it made (then the block made here is kept as spare); NULL when out of memory. */
static struct td__qblock *first_block(td__qlist_t *l, struct td__qblock **spare)
{
    struct td__qblock *first = *spare ? *spare : block_new(), *none = NULL;
    if (!first)
        return NULL;
    *spare = NULL;
    if (atomic_compare_exchange_strong_explicit(&l->tail_block, &none, first,
                                                memory_order_release, memory_order_acquire)) {
        atomic_store_explicit(&l->head_block, first, memory_order_release);
        return first;
    }
    *spare = first; /* kept for the next block */
    return none;
}

/* The put that claimed a block's last slot: link the next block and move tail past
 * the block's unused position. */
static void install_next(td__qlist_t *l, struct td__qblock *block, struct td__qblock *next)
{
    atomic_store_explicit(&l->tail_block, next, memory_order_release);
    atomic_fetch_add_explicit(&l->tail_index, ONE, memory_order_release);
    atomic_store_explicit(&block->next, next, memory_order_release);
}

int td__qlist_try_put(td__qlist_t *l, void *item)
{
    td__backoff_t backoff = { 0 };
    size_t tail = atomic_load_explicit(&l->tail_index, memory_order_acquire);
    struct td__qblock *block = atomic_load_explicit(&l->tail_block, memory_order_acquire);
    struct td__qblock *spare = NULL; /* made before the claim that needs it */
    int rc;
    for (;;) {
        if (tail & CLOSED) {
            rc = -ESHUTDOWN;
            break;
        }
        size_t offset = offset_of(tail);
        if (offset == BLOCK_CAP) { /* the next block is being linked */
            td__snooze(&backoff);
            tail = atomic_load_explicit(&l->tail_index, memory_order_acquire);
            block = atomic_load_explicit(&l->tail_block, memory_order_acquire);
            continue;
        }
        if (l->bound && full(l, tail)) {
            rc = -ENOSPC;
            break;
        }
        if (offset + 1 == BLOCK_CAP && !spare && !(spare = block_new())) {
            rc = -ENOMEM;
            break;
        }
        if (!block && !(block = first_block(l, &spare))) {
            rc = -ENOMEM;
            break;
        }
        if (atomic_compare_exchange_weak_explicit(&l->tail_index, &tail, tail + ONE,
                                                  memory_order_seq_cst,
                                                  memory_order_acquire)) {
            if (offset + 1 == BLOCK_CAP) {
                install_next(l, block, spare);
                spare = NULL;
            }
            block->slots[offset].item = item;
            atomic_fetch_or_explicit(&block->slots[offset].state, WRITE, memory_order_release);
            rc = 0;
            break;
        }
        block = atomic_load_explicit(&l->tail_block, memory_order_acquire);
        td__cpu_relax();
    }
    free(spare);
    return rc;
}

/* ---- get ---------------------------------------------------------------------------------- */

/* An immediate shutdown has taken every item: once it has set CLOSED too (right
 * after DRAINED), the queue is empty for good. */
static int drained(td__qlist_t *l)
{
    td__backoff_t backoff = { 0 };
    while (!(atomic_load_explicit(&l->tail_index, memory_order_acquire) & CLOSED))
        td__snooze(&backoff);
    return -ESHUTDOWN;
}

/* The get that claimed the block's last position: head to the next block. */
static void advance_head(td__qlist_t *l, struct td__qblock *block, size_t new_head)
{
    struct td__qblock *next = wait_next(block);
    size_t index = (new_head & ~MARKS) + ONE;
    if (atomic_load_explicit(&next->next, memory_order_relaxed))
        index |= HAS_NEXT;
    atomic_store_explicit(&l->head_block, next, memory_order_release);
    atomic_store_explicit(&l->head_index, index, memory_order_release);
}

/* Take the item at offset of block, claimed by this get: waits for its write. */
static void *take(td__qlist_t *l, struct td__qblock *block, size_t head, size_t *left)
{
    size_t offset = offset_of(head);
    if (left) {
        size_t tail = atomic_load_explicit(&l->tail_index, memory_order_relaxed);
        *left = ordinal(tail) - ordinal(head) - 1;
    }
    struct slot *slot = &block->slots[offset];
    wait_write(slot);
    void *item = slot->item;
    finish_read(block, offset);
    return item;
}

int td__qlist_try_get(td__qlist_t *l, void **item, size_t *left)
{
    td__backoff_t backoff = { 0 };
    size_t head = atomic_load_explicit(&l->head_index, memory_order_acquire);
    struct td__qblock *block = atomic_load_explicit(&l->head_block, memory_order_acquire);
    for (;;) {
        if (head & DRAINED)
            return drained(l);
        size_t offset = offset_of(head);
        if (offset == BLOCK_CAP) { /* the get of the block's last slot is moving head on */
            td__snooze(&backoff);
            head = atomic_load_explicit(&l->head_index, memory_order_acquire);
            block = atomic_load_explicit(&l->head_block, memory_order_acquire);
            continue;
        }
        size_t new_head = head + ONE;
        if (!(head & HAS_NEXT)) {
            atomic_thread_fence(memory_order_seq_cst);
            size_t tail = atomic_load_explicit(&l->tail_index, memory_order_relaxed);
            if ((head >> SHIFT) == (tail >> SHIFT))
                return tail & CLOSED ? -ESHUTDOWN : -ENODATA;
            if ((head >> SHIFT) / LAP != (tail >> SHIFT) / LAP)
                new_head |= HAS_NEXT;
        }
        if (!block) { /* the first put is installing the first block */
            td__snooze(&backoff);
            head = atomic_load_explicit(&l->head_index, memory_order_acquire);
            block = atomic_load_explicit(&l->head_block, memory_order_acquire);
            continue;
        }
        if (atomic_compare_exchange_weak_explicit(&l->head_index, &head, new_head,
                                                  memory_order_seq_cst,
                                                  memory_order_acquire)) {
            if (offset + 1 == BLOCK_CAP)
                advance_head(l, block, new_head);
            *item = take(l, block, head, left);
            return 0;
        }
        block = atomic_load_explicit(&l->head_block, memory_order_acquire);
        td__cpu_relax();
    }
}

/* ---- shutdown ----------------------------------------------------------------------------- */

/* Mark head DRAINED (waiting while a get moves it to the next block): head as it was,
 * or 0 with *already set if another immediate shutdown did it first. */
static size_t stop_gets(td__qlist_t *l, bool *already)
{
    td__backoff_t backoff = { 0 };
    size_t head = atomic_load_explicit(&l->head_index, memory_order_acquire);
    for (;;) {
        if (head & DRAINED) {
            *already = true;
            return 0;
        }
        if (offset_of(head) == BLOCK_CAP) {
            td__snooze(&backoff);
            head = atomic_load_explicit(&l->head_index, memory_order_acquire);
            continue;
        }
        if (atomic_compare_exchange_weak_explicit(&l->head_index, &head, head | DRAINED,
                                                  memory_order_seq_cst, memory_order_acquire))
            return head;
    }
}

/* Take out the items of positions [head, tail), which no put or get can reach any
 * more, as gets would (freeing each block read to its end): how many there were. */
static size_t drain(td__qlist_t *l, size_t head, size_t tail, td_queue_drop_fn drop)
{
    struct td__qblock *block = atomic_load_explicit(&l->head_block, memory_order_acquire);
    size_t pos = head >> SHIFT, end = tail >> SHIFT, n = 0;
    while (pos < end) {
        size_t offset = pos % LAP;
        struct slot *slot = &block->slots[offset];
        wait_write(slot);
        void *item = slot->item;
        struct td__qblock *next = offset + 1 == BLOCK_CAP ? wait_next(block) : NULL;
        finish_read(block, offset);
        if (drop)
            drop(item);
        n++;
        pos++;
        if (next) { /* past the unused position, into the next block */
            block = next;
            pos++;
        }
    }
    atomic_store_explicit(&l->head_block, block, memory_order_release);
    atomic_store_explicit(&l->head_index, pos << SHIFT | DRAINED, memory_order_release);
    return n;
}

size_t td__qlist_close(td__qlist_t *l, bool immediate, td_queue_drop_fn drop)
{
    size_t head = 0;
    if (immediate) {
        bool already = false;
        head = stop_gets(l, &already);
        if (already) {
            drained(l);
            return 0;
        }
    }
    size_t tail = atomic_fetch_or_explicit(&l->tail_index, CLOSED, memory_order_seq_cst);
    return immediate ? drain(l, head, tail, drop) : 0;
}

bool td__qlist_is_closed(td__qlist_t *l)
{
    return atomic_load_explicit(&l->tail_index, memory_order_acquire) & CLOSED;
}

size_t td__qlist_len(td__qlist_t *l)
{
    for (;;) {
        size_t tail = atomic_load_explicit(&l->tail_index, memory_order_seq_cst);
        size_t head = atomic_load_explicit(&l->head_index, memory_order_seq_cst);
        if (atomic_load_explicit(&l->tail_index, memory_order_seq_cst) != tail)
            continue; /* a put came between: look again */
        if ((head & DRAINED) && (tail & CLOSED))
            return 0;
        return ordinal(tail) - ordinal(head);
    }
}

size_t td__qlist_puts(td__qlist_t *l)
{
    return ordinal(atomic_load_explicit(&l->tail_index, memory_order_seq_cst));
}
