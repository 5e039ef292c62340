/* SPDX-License-Identifier: MIT */
/* queue_engine.h - the three engines under queue.c, which holds what they share
 * (sleeping and waking, task counting, the observer and the scheduler).
 *
 *   engine   used for                               file
 *   ring     Queue(maxsize) up to TD__RING_MAX      queue_ring.c: Vyukov's stamped ring,
 *                                                   as crossbeam's array flavor builds it
 *   list     Queue(0), a larger maxsize, and        queue_list.c: linked blocks of slots,
 *            SimpleQueue                            as crossbeam's list flavor builds it
 *   locked   LifoQueue, PriorityQueue               queue_locked.c: one lock around a
 *                                                   container (container.h), as CPython
 *
 * Every engine offers the same calls, none of which blocks for longer than another
 * thread takes to finish a step it has begun (writing a slot it claimed, linking the
 * next block, or the few instructions under the locked engine's lock):
 *   try_put   0, -ENOSPC (full), -ESHUTDOWN, or -ENOMEM (list and locked only)
 *   try_get   0 with *item (and *left, if not NULL: the items left right after it),
 *             -ENODATA (empty), -ESHUTDOWN (shut down and empty)
 *   close     the shutdown itself; with immediate, also takes out every item (calling
 *             drop on each, if not NULL) and returns how many
 *   len       the items held (a snapshot); puts: successful puts ever made
 * Each call takes effect at one instant between its start and its return (it is
 * linearizable): the files say where that instant is.
 * For sleeping (queue.c's top says why no wake-up is lost) every engine keeps one
 * promise: that instant is a seq_cst read-modify-write (a put's claim of a position
 * in tail, a get's in head, close's mark; the locked engine's seq_cst fence after
 * its lock), and a try that answers full or empty (-ENOSPC, -ENODATA) has read, after
 * a seq_cst fence, the word the other side's claims change: a put that finds the
 * queue full reads head, a get that finds it empty reads tail. A try that sees a
 * claim whose write is not finished waits for it, it does not answer busy.
 */
#ifndef THRDEMO_QUEUE_ENGINE_H
#define THRDEMO_QUEUE_ENGINE_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "container.h"
#include "prim.h"
#include "thrdemo/queue.h"

#include "queue_ring.h"

/* ---- list ------------------------------------------------------------------------------ */

struct td__qblock;

typedef struct td__qlist {
    alignas(64) atomic_size_t head_index; /* position << 2 | drained | has next */
    _Atomic(struct td__qblock *) head_block;
    alignas(64) atomic_size_t tail_index; /* position << 2 | shut down */
    _Atomic(struct td__qblock *) tail_block;
    alignas(64) size_t bound; /* 0: none; never changes */
} td__qlist_t;

int td__qlist_init(td__qlist_t *list, size_t bound);
void td__qlist_destroy(td__qlist_t *list, td_queue_drop_fn drop);
int td__qlist_try_put(td__qlist_t *list, void *item);
int td__qlist_try_get(td__qlist_t *list, void **item, size_t *left);
size_t td__qlist_close(td__qlist_t *list, bool immediate, td_queue_drop_fn drop);
bool td__qlist_is_closed(td__qlist_t *list);
size_t td__qlist_len(td__qlist_t *list);
size_t td__qlist_puts(td__qlist_t *list);

/* ---- locked ---------------------------------------------------------------------------- */

typedef struct td__qlocked {
    td_lock_t lock;        /* guards items, and the writes of n, puts and closed */
    td__container_t items;
    size_t maxsize;        /* 0: none */
    atomic_size_t n;       /* the items held */
    atomic_size_t puts;
    atomic_bool closed;
} td__qlocked_t;

/* ops: &td__lifo_ops or &td__priority_ops (then cmp is required). */
int td__qlocked_init(td__qlocked_t *locked, const td__container_ops_t *ops, size_t maxsize,
                     td_queue_cmp_fn cmp);
void td__qlocked_destroy(td__qlocked_t *locked, td_queue_drop_fn drop);
int td__qlocked_try_put(td__qlocked_t *locked, void *item);
int td__qlocked_try_get(td__qlocked_t *locked, void **item, size_t *left);
size_t td__qlocked_close(td__qlocked_t *locked, bool immediate, td_queue_drop_fn drop);
bool td__qlocked_is_closed(td__qlocked_t *locked);
size_t td__qlocked_len(td__qlocked_t *locked);
size_t td__qlocked_puts(td__qlocked_t *locked);

#endif
