/* SPDX-License-Identifier: MIT */
/* queue.c - Python's queue.Queue. A bounded queue (maxsize >= 2) is a lock-free
 * ring; an unbounded one (or maxsize 1) is queue_locked.c's mutex-and-conditions
 * queue, CPython's own construction. Both keep every Python semantic: blocking,
 * timeouts, full/empty results, task_done/join and 3.13's shutdown.
 *
 * The ring is Dmitry Vyukov's bounded multi-producer multi-consumer queue. Each
 * cell carries a sequence number: cell (pos % cap) is free for the put at
 * position pos when seq == pos, holds that put's item when seq == pos + 1, and is
 * free again for the put at pos + cap once the get sets seq = pos + cap. `tail`
 * and `head` hand out put and get positions by compare-and-swap, so producers and
 * consumers never share a lock, only the cells they pass items through.
 *
 * Waiting: a put that finds the ring full (a get that finds it empty) spins a few
 * microseconds, then counts itself in putters_asleep (getters_asleep), looks once
 * more, and sleeps on the not_full (not_empty) futex word. The other side, after
 * it moved an item, fences and looks at that count: only when someone sleeps does
 * it bump the word and make the wake call. The fence pairs with the sleeper's
 * count-then-look, so a wake-up cannot be lost.
 * task_done counts into `done`; join waits until done catches up with tail (every
 * item ever put); an immediate shutdown counts the items it drops as done.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "queue_locked.h"
#include "thrdemo/queue.h"

struct cell {
    atomic_size_t seq;
    void *item;
};

struct td_queue {
    struct td__lqueue *locked; /* unbounded: everything goes there */
    size_t cap;
    struct cell *cells;
    td_queue_drop_fn drop;
    _Alignas(64) atomic_size_t tail; /* the next put's position */
    _Alignas(64) atomic_size_t head; /* the next get's position */
    _Alignas(64) atomic_uint not_empty;
    atomic_uint getters_asleep;
    _Alignas(64) atomic_uint not_full;
    atomic_uint putters_asleep;
    _Alignas(64) atomic_size_t done;
    atomic_uint all_done;
    atomic_uint joiners_asleep;
    atomic_bool shutdown;
};

/* ---- the ring ---------------------------------------------------------------------- */

static int try_put(td_queue_t *q, void *item)
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

static int try_get(td_queue_t *q, void **item, size_t *remaining)
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
                void *got = c->item;
                if (remaining) {
                    /* Before the cell is freed, no put can pass it: at most cap - 1. */
                    size_t tail = atomic_load_explicit(&q->tail, memory_order_relaxed);
                    *remaining = tail > pos + 1 ? tail - pos - 1 : 0;
                }
                atomic_store_explicit(&c->seq, pos + q->cap, memory_order_release);
                if (item)
                    *item = got;
                return 0;
            }
        } else if (dif < 0) {
            return -ENODATA; /* not put yet */
        } else {
            pos = atomic_load_explicit(&q->head, memory_order_relaxed);
        }
    }
}

/* After moving an item: wake one sleeper of the other side, if there is one. */
static void wake_one(atomic_uint *asleep, atomic_uint *word)
{
    atomic_thread_fence(memory_order_seq_cst); /* the item first, then the count */
    if (atomic_load_explicit(asleep, memory_order_relaxed) == 0)
        return;
    atomic_fetch_add_explicit(word, 1, memory_order_release);
    td__futex_wake(word, 1);
    td__note_woke_sleeper();
}

static void wake_all(atomic_uint *word)
{
    atomic_fetch_add_explicit(word, 1, memory_order_release);
    td__futex_wake(word, INT32_MAX);
}

static bool is_down(td_queue_t *q)
{
    return atomic_load_explicit(&q->shutdown, memory_order_acquire);
}

/* One attempt of a put or a get: 0 done, -ENOSPC/-ENODATA not now, -ESHUTDOWN. */
static int attempt(td_queue_t *q, bool put, void **item, size_t *remaining)
{
    if (put)
        return is_down(q) ? -ESHUTDOWN : try_put(q, *item);
    int rc = try_get(q, item, remaining);
    if (rc == -ENODATA && is_down(q)) {
        /* Shut down: what was put is still handed out (look once more, for a put
         * that landed just before the shutdown); only an empty queue fails. */
        rc = try_get(q, item, remaining);
        if (rc == -ENODATA)
            rc = -ESHUTDOWN;
    }
    return rc;
}

/* Block for a put or a get as the module-comment says: spin, then sleep. */
static int ring_wait(td_queue_t *q, bool put, void **item, size_t *remaining,
                     const td__deadline_t *deadline)
{
    atomic_uint *word = put ? &q->not_full : &q->not_empty;
    atomic_uint *asleep = put ? &q->putters_asleep : &q->getters_asleep;
    int busy = put ? -ENOSPC : -ENODATA;
    td__spin_t spin;
    td__spin_start(&spin, deadline);
    while (td__spin_again(&spin)) {
        int rc = attempt(q, put, item, remaining);
        if (rc != busy) {
            td__spin_won();
            return rc;
        }
    }
    TD__OBSERVE(TD_OBS_WAIT_BEGIN, "queue", q, 0);
    int rc;
    for (;;) {
        unsigned seen = atomic_load_explicit(word, memory_order_acquire);
        atomic_fetch_add_explicit(asleep, 1, memory_order_seq_cst);
        rc = attempt(q, put, item, remaining); /* once more, now that we are counted */
        int slept = rc == busy ? td__futex_wait(word, seen, deadline) : 0;
        atomic_fetch_sub_explicit(asleep, 1, memory_order_relaxed);
        if (rc != busy)
            break;
        if (slept == -ETIMEDOUT || td__deadline_passed(deadline)) {
            rc = attempt(q, put, item, remaining);
            break;
        }
    }
    TD__OBSERVE(TD_OBS_WAIT_END, "queue", q, rc == busy ? -ETIMEDOUT : 0);
    return rc;
}

static int ring_op(td_queue_t *q, bool put, void **item, bool block, double timeout,
                   size_t *remaining)
{
    int busy = put ? -ENOSPC : -ENODATA;
    int rc = attempt(q, put, item, remaining);
    if (rc == busy && block) {
        td__deadline_t deadline = td__deadline_in(timeout);
        rc = ring_wait(q, put, item, remaining, &deadline);
    }
    if (rc == 0)
        wake_one(put ? &q->getters_asleep : &q->putters_asleep,
                 put ? &q->not_empty : &q->not_full);
    return rc;
}

/* ---- the public API ---------------------------------------------------------------- */

static bool bad_timeout(bool block, double timeout)
{
    return block && timeout != TD_FOREVER && (isnan(timeout) || timeout < 0);
}

int td_queue_new(td_queue_t **out, long maxsize, td_queue_drop_fn drop)
{
    size_t size = (sizeof(struct td_queue) + 63) / 64 * 64;
    struct td_queue *q = aligned_alloc(64, size);
    if (!q)
        return -ENOMEM;
    memset(q, 0, size);
    q->drop = drop;
    int rc = 0;
    if (maxsize < 2) {
        rc = td__lqueue_new(&q->locked, maxsize, drop);
    } else {
        q->cap = (size_t)maxsize;
        q->cells = malloc(q->cap * sizeof *q->cells);
        rc = q->cells ? 0 : -ENOMEM;
        for (size_t i = 0; rc == 0 && i < q->cap; i++)
            atomic_init(&q->cells[i].seq, i);
    }
    if (rc != 0) {
        free(q);
        return rc;
    }
    *out = q;
    return 0;
}

/* Take every item out, dropping it and counting it done: how many. */
static size_t drop_all(td_queue_t *q)
{
    size_t n = 0;
    void *item;
    while (try_get(q, &item, NULL) == 0) {
        if (q->drop)
            q->drop(item);
        n++;
    }
    return n;
}

void td_queue_free(td_queue_t *q)
{
    if (!q)
        return;
    if (q->locked) {
        td__lqueue_free(q->locked);
    } else {
        drop_all(q);
        free(q->cells);
    }
    free(q);
}

int td_queue_put(td_queue_t *q, void *item, bool block, double timeout)
{
    if (bad_timeout(block, timeout))
        return -EINVAL; /* Python: "'timeout' must be a non-negative number" */
    if (q->locked)
        return td__lqueue_put(q->locked, item, block, timeout);
    return ring_op(q, true, &item, block, timeout, NULL);
}

int td_queue_get(td_queue_t *q, void **item, bool block, double timeout, size_t *remaining)
{
    if (bad_timeout(block, timeout))
        return -EINVAL;
    if (q->locked)
        return td__lqueue_get(q->locked, item, block, timeout, remaining);
    void *got = NULL;
    int rc = ring_op(q, false, &got, block, timeout, remaining);
    if (rc == 0 && item)
        *item = got;
    return rc;
}

size_t td_queue_qsize(td_queue_t *q)
{
    if (q->locked)
        return td__lqueue_qsize(q->locked);
    size_t head = atomic_load_explicit(&q->head, memory_order_acquire);
    size_t tail = atomic_load_explicit(&q->tail, memory_order_acquire);
    size_t n = tail > head ? tail - head : 0;
    return n > q->cap ? q->cap : n;
}

bool td_queue_empty(td_queue_t *q)
{
    return td_queue_qsize(q) == 0;
}

bool td_queue_full(td_queue_t *q)
{
    return q->locked ? td__lqueue_full(q->locked) : td_queue_qsize(q) >= q->cap;
}

static void wake_joiners(td_queue_t *q)
{
    atomic_thread_fence(memory_order_seq_cst);
    if (atomic_load_explicit(&q->joiners_asleep, memory_order_relaxed) > 0)
        wake_all(&q->all_done);
}

int td_queue_task_done(td_queue_t *q)
{
    if (q->locked)
        return td__lqueue_task_done(q->locked);
    size_t done = atomic_load_explicit(&q->done, memory_order_relaxed);
    do {
        if (done >= atomic_load_explicit(&q->tail, memory_order_acquire))
            return -EINVAL; /* Python: "task_done() called too many times" */
    } while (!atomic_compare_exchange_weak_explicit(&q->done, &done, done + 1,
                                                    memory_order_release,
                                                    memory_order_relaxed));
    if (done + 1 >= atomic_load_explicit(&q->tail, memory_order_acquire))
        wake_joiners(q);
    return 0;
}

static bool all_done(td_queue_t *q)
{
    size_t done = atomic_load_explicit(&q->done, memory_order_acquire);
    return done >= atomic_load_explicit(&q->tail, memory_order_acquire);
}

int td_queue_join(td_queue_t *q, double timeout)
{
    if (q->locked)
        return td__lqueue_join(q->locked, timeout);
    td__deadline_t deadline = td__deadline_in(timeout);
    for (;;) {
        unsigned seen = atomic_load_explicit(&q->all_done, memory_order_acquire);
        atomic_fetch_add_explicit(&q->joiners_asleep, 1, memory_order_seq_cst);
        bool done = all_done(q);
        int slept = done ? 0 : td__futex_wait(&q->all_done, seen, &deadline);
        atomic_fetch_sub_explicit(&q->joiners_asleep, 1, memory_order_relaxed);
        if (done)
            return 0;
        if (slept == -ETIMEDOUT || td__deadline_passed(&deadline))
            return all_done(q) ? 0 : -ETIMEDOUT;
    }
}

void td_queue_shutdown(td_queue_t *q, bool immediate)
{
    if (q->locked) {
        td__lqueue_shutdown(q->locked, immediate);
        return;
    }
    atomic_store_explicit(&q->shutdown, true, memory_order_seq_cst);
    if (immediate) {
        atomic_fetch_add_explicit(&q->done, drop_all(q), memory_order_release);
        wake_joiners(q);
    }
    /* Every sleeping putter and getter re-checks and sees the shutdown. */
    wake_all(&q->not_empty);
    wake_all(&q->not_full);
}

bool td_queue_is_shutdown(td_queue_t *q)
{
    return q->locked ? td__lqueue_is_shutdown(q->locked) : is_down(q);
}
