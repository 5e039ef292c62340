/* SPDX-License-Identifier: MIT */
/* queue.c - Python's queue.Queue, LifoQueue, PriorityQueue (3.13, with shutdown) and
 * SimpleQueue: one engine, the order chosen once by a container (container.h).
 *
 * Locks. A FIFO queue has two: put_lock serialises producers (the ring's tail) and
 * get_lock consumers (its head), the two-lock queue of Michael and Scott, so a
 * producer and a consumer never wait for each other. A LIFO or priority queue moves
 * one end for both, so its get_lock is its put_lock. Shutdown, growing the ring, and
 * an immediate shutdown's drain take both (put_lock first).
 *
 * Linearizable (each call takes effect at one instant between its start and its
 * return): a put takes effect at its increment of `count`, a get at its decrement,
 * both made while holding their side's lock; `is_shutdown` is written holding both
 * locks and read holding either. So once shutdown() returns every put fails (it
 * takes put_lock after every earlier put let go of it); a get fails with -ESHUTDOWN
 * only when the queue is empty and stays empty (it read is_shutdown under get_lock,
 * after shutdown had held put_lock, so every put that succeeded is counted); an
 * immediate shutdown leaves it empty; get_nowait says -ENODATA only when no completed
 * put is unconsumed. (The lock-free ring this replaces broke all four under load: a
 * put and a shutdown raced.)
 *
 * Waiting: CPython's three Conditions become three futex sequence words, and no
 * wake-up can be lost. A getter that must wait counts itself in getters_asleep, reads
 * not_empty, then looks at `count` once more, and sleeps only if it is still 0; a
 * putter increments `count`, then looks at getters_asleep, and bumps not_empty and
 * wakes one sleeper if it is not 0. Every one of those operations is seq_cst, so they
 * fall in one total order: either the getter's second look comes after the putter's
 * increment (and sees the item) or the putter's look comes after the getter counted
 * itself in (and wakes it, after the getter read not_empty, so its sleep returns at
 * once). The same pairing holds for putters on not_full and joiners on all_done.
 * Before sleeping a waiter spins a few microseconds on `count` (a hand-off is usually
 * that quick), and the locks are taken with a brief spin: their critical sections
 * are a handful of instructions.
 */
#include <errno.h>
#include <math.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"
#include "prim.h"

struct td_queue {
    alignas(64) td_lock_t put_lock; /* producers: the container's tail or all of it */
    td__container_t items;          /* one end under each lock; growing under both */
    size_t maxsize;                 /* 0: no bound */
    bool is_shutdown;               /* written under both locks, read under either */
    bool tracks_tasks;              /* false for SimpleQueue */
    td_queue_drop_fn drop;
    td_lock_t *get_lock;            /* &own_get_lock (FIFO), else &put_lock */
    alignas(64) td_lock_t own_get_lock;
    alignas(64) atomic_size_t count; /* items in the container: the linearization point */
    atomic_bool down;                /* is_shutdown, read anywhere (spins) */
    atomic_size_t unfinished;        /* puts not yet task_done()'d */
    alignas(64) atomic_uint getters_asleep;
    atomic_uint not_empty;           /* sequence words, bumped when someone sleeps */
    alignas(64) atomic_uint putters_asleep;
    atomic_uint not_full;
    atomic_uint joiners_asleep;
    atomic_uint all_done;
};

struct td_simplequeue {
    struct td_queue base;
};

/* The first storage of a bounded queue: its bound, up to this (then it grows). */
enum { MAX_FIRST_CAP = 4096 };

/* ---- locks and sleeping ------------------------------------------------------------ */

static bool two_locks(const td_queue_t *q)
{
    return q->get_lock != &q->put_lock;
}

static void lock_both(td_queue_t *q)
{
    td__lock_take(&q->put_lock);
    if (two_locks(q))
        td__lock_take(q->get_lock);
}

static void unlock_both(td_queue_t *q)
{
    if (two_locks(q))
        td__lock_give(q->get_lock);
    td__lock_give(&q->put_lock);
}

static size_t count_of(td_queue_t *q)
{
    return atomic_load_explicit(&q->count, memory_order_seq_cst);
}

static bool has_room(td_queue_t *q)
{
    return q->maxsize == 0 || count_of(q) < q->maxsize;
}

static bool has_items(td_queue_t *q)
{
    return count_of(q) > 0;
}

/* Count in a sleeper, look once more, and sleep on word until bumped or the deadline
 * (held is taken on entry and on return): see the top of the file for why no wake-up
 * is lost. */
static void sleep_on(td_queue_t *q, td_lock_t *held, atomic_uint *word, atomic_uint *asleep,
                     bool (*ready)(td_queue_t *), td__deadline_t deadline)
{
    atomic_fetch_add_explicit(asleep, 1, memory_order_seq_cst);
    unsigned seen = atomic_load_explicit(word, memory_order_seq_cst);
    if (!ready(q)) {
        td__lock_give(held);
        td__wait_until(word, seen, deadline);
        td__lock_take(held);
    }
    atomic_fetch_sub_explicit(asleep, 1, memory_order_relaxed);
}

/* After changing count (seq_cst): bump word if anyone sleeps on it; whether a wake
 * call is due. The seq_cst load pairs with the sleeper's count-in (see the top). */
static bool bump_if_asleep(atomic_uint *word, atomic_uint *asleep)
{
    if (atomic_load_explicit(asleep, memory_order_seq_cst) == 0)
        return false;
    atomic_fetch_add_explicit(word, 1, memory_order_seq_cst);
    return true;
}

/* The first time an operation cannot go on at once: report the wait, spin
 * included, as the timeline draws it. */
static void begin_waiting(td_queue_t *q, bool *waiting, td__deadline_t deadline)
{
    if (*waiting)
        return;
    *waiting = true;
    if (TD__OBSERVING())
        TD__OBSERVE_WAIT(TD_OBS_WAIT_BEGIN, "queue", q, 0, td__seconds_left(deadline));
}

static void end_waiting(td_queue_t *q, bool waiting, int rc)
{
    if (waiting)
        TD__OBSERVE(TD_OBS_WAIT_END, "queue", q, rc == 0 ? 0 : -ETIMEDOUT);
}

/* Spin a few microseconds, without a lock, until count says the wait may be over
 * or the queue is shut down: whether it does. */
static bool spin_for(td_queue_t *q, bool (*ready)(td_queue_t *), td__deadline_t deadline)
{
    td__spin_t spin;
    td__spin_start(&spin, deadline);
    while (td__spin_again(&spin)) {
        if (ready(q) || atomic_load_explicit(&q->down, memory_order_relaxed)) {
            td__spin_won();
            return true;
        }
    }
    return false;
}

/* ---- put and get ------------------------------------------------------------------ */

static bool bad_timeout(bool block, double timeout)
{
    return block && timeout != TD_FOREVER && (isnan(timeout) || timeout < 0);
}

/* Add the item (put_lock held, room checked): 0 or -ENOMEM; *wake if a getter
 * sleeps. Growing the storage moves the consumers' end too, so it takes get_lock. */
static int add_item(td_queue_t *q, void *item, bool *wake)
{
    size_t n = count_of(q);
    bool grow = two_locks(q) && td__container_full(&q->items, n);
    if (grow) {
        td__lock_take(q->get_lock);
        n = count_of(q);
    }
    int rc = q->items.ops->push(&q->items, item, n);
    if (grow)
        td__lock_give(q->get_lock);
    if (rc != 0)
        return rc;
    if (q->tracks_tasks)
        atomic_fetch_add_explicit(&q->unfinished, 1, memory_order_seq_cst);
    size_t after = atomic_fetch_add_explicit(&q->count, 1, memory_order_seq_cst) + 1;
    /* Before any getter can take it, so its wake-up comes after this report. */
    TD__OBSERVE(TD_OBS_PUT, "queue", q, (int)after);
    *wake = bump_if_asleep(&q->not_empty, &q->getters_asleep);
    return 0;
}

static int put(td_queue_t *q, void *item, bool block, td__deadline_t deadline)
{
    TD__POINT(TD__POINT_PUT, q);
    bool spun = false, wake = false, waiting = false;
    int rc;
    td__lock_take(&q->put_lock);
    for (;;) { /* the loop always starts with put_lock held */
        if (q->is_shutdown) {
            rc = -ESHUTDOWN; /* Python: ShutDown */
            break;
        }
        if (has_room(q)) {
            rc = add_item(q, item, &wake);
            break;
        }
        if (!block || td__deadline_passed(deadline)) {
            rc = -ENOSPC; /* Python: Full */
            break;
        }
        begin_waiting(q, &waiting, deadline);
        if (!spun) {
            spun = true;
            td__lock_give(&q->put_lock);
            spin_for(q, has_room, deadline);
            td__lock_take(&q->put_lock);
            continue;
        }
        sleep_on(q, &q->put_lock, &q->not_full, &q->putters_asleep, has_room, deadline);
    }
    td__lock_give(&q->put_lock);
    end_waiting(q, waiting, rc);
    if (wake)
        td__wake(&q->not_empty, 1);
    return rc;
}

/* Take the next item (get_lock held, not empty); *wake if a putter sleeps. */
static void *take_item(td_queue_t *q, size_t *remaining, bool *wake)
{
    void *item = q->items.ops->pop(&q->items, count_of(q));
    size_t after = atomic_fetch_sub_explicit(&q->count, 1, memory_order_seq_cst) - 1;
    TD__OBSERVE(TD_OBS_GET, "queue", q, (int)after);
    if (remaining)
        *remaining = after;
    *wake = bump_if_asleep(&q->not_full, &q->putters_asleep);
    return item;
}

static int get(td_queue_t *q, void **item, bool block, td__deadline_t deadline,
               size_t *remaining)
{
    TD__POINT(TD__POINT_GET, q);
    bool spun = false, wake = false, waiting = false;
    int rc;
    td__lock_take(q->get_lock);
    for (;;) { /* the loop always starts with get_lock held */
        if (has_items(q)) {
            void *got = take_item(q, remaining, &wake);
            if (item)
                *item = got;
            rc = 0;
            break;
        }
        if (q->is_shutdown) {
            rc = -ESHUTDOWN; /* shut down and drained: it stays empty */
            break;
        }
        if (!block || td__deadline_passed(deadline)) {
            rc = -ENODATA; /* Python: Empty */
            break;
        }
        begin_waiting(q, &waiting, deadline);
        if (!spun) {
            spun = true;
            td__lock_give(q->get_lock);
            spin_for(q, has_items, deadline);
            td__lock_take(q->get_lock);
            continue;
        }
        sleep_on(q, q->get_lock, &q->not_empty, &q->getters_asleep, has_items, deadline);
    }
    td__lock_give(q->get_lock);
    end_waiting(q, waiting, rc);
    if (wake)
        td__wake(&q->not_full, 1);
    return rc;
}

/* ---- making and freeing ----------------------------------------------------------- */

static int make(td_queue_t **out, long maxsize, const td__container_ops_t *ops,
                td_queue_cmp_fn cmp, td_queue_drop_fn drop)
{
    if (!out || (ops == &td__priority_ops && !cmp))
        return -EINVAL;
    size_t size = (sizeof(td_queue_t) + 63) / 64 * 64;
    td_queue_t *q = aligned_alloc(64, size);
    if (!q)
        return -ENOMEM;
    memset(q, 0, size);
    q->maxsize = maxsize > 0 ? (size_t)maxsize : 0;
    size_t first = q->maxsize && q->maxsize < MAX_FIRST_CAP ? q->maxsize : MAX_FIRST_CAP;
    if (td__container_init(&q->items, ops, q->maxsize ? first : 0, cmp) != 0) {
        free(q);
        return -ENOMEM;
    }
    td_lock_init(&q->put_lock);
    td_lock_init(&q->own_get_lock);
    q->get_lock = ops->two_locks ? &q->own_get_lock : &q->put_lock;
    q->tracks_tasks = true;
    q->drop = drop;
    *out = q;
    return 0;
}

int td_queue_new(td_queue_t **out, long maxsize, td_queue_drop_fn drop)
{
    return make(out, maxsize, &td__fifo_ops, NULL, drop);
}

int td_lifoqueue_new(td_queue_t **out, long maxsize, td_queue_drop_fn drop)
{
    return make(out, maxsize, &td__lifo_ops, NULL, drop);
}

int td_priorityqueue_new(td_queue_t **out, long maxsize, td_queue_cmp_fn cmp,
                         td_queue_drop_fn drop)
{
    return make(out, maxsize, &td__priority_ops, cmp, drop);
}

/* Drop the n items of a container no thread can reach any more. */
static void drop_all(td__container_t *c, size_t n, td_queue_drop_fn drop)
{
    for (; n > 0; n--) {
        void *item = c->ops->pop(c, n);
        if (drop)
            drop(item);
    }
}

void td_queue_free(td_queue_t *q)
{
    if (!q)
        return;
    drop_all(&q->items, count_of(q), q->drop);
    td__container_destroy(&q->items);
    td_lock_destroy(&q->put_lock);
    td_lock_destroy(&q->own_get_lock);
    free(q);
}

/* ---- the public calls ------------------------------------------------------------- */

int td_queue_put(td_queue_t *q, void *item, bool block, double timeout)
{
    if (bad_timeout(block, timeout))
        return -EINVAL; /* Python: "'timeout' must be a non-negative number" */
    return put(q, item, block, block ? td__deadline_in(timeout) : td__forever());
}

int td_queue_get(td_queue_t *q, void **item, bool block, double timeout, size_t *remaining)
{
    if (bad_timeout(block, timeout))
        return -EINVAL;
    return get(q, item, block, block ? td__deadline_in(timeout) : td__forever(), remaining);
}

size_t td_queue_qsize(td_queue_t *q)
{
    return atomic_load_explicit(&q->count, memory_order_relaxed);
}

bool td_queue_empty(td_queue_t *q)
{
    return td_queue_qsize(q) == 0;
}

bool td_queue_full(td_queue_t *q)
{
    return q->maxsize > 0 && td_queue_qsize(q) >= q->maxsize;
}

long td_queue_maxsize(td_queue_t *q)
{
    return (long)q->maxsize;
}

int td_queue_task_done(td_queue_t *q)
{
    TD__POINT(TD__POINT_PUT, q);
    size_t left = atomic_load_explicit(&q->unfinished, memory_order_relaxed);
    do {
        if (left == 0)
            return -EINVAL; /* Python: "task_done() called too many times" */
    } while (!atomic_compare_exchange_weak_explicit(&q->unfinished, &left, left - 1,
                                                    memory_order_seq_cst,
                                                    memory_order_relaxed));
    TD__OBSERVE(TD_OBS_TASK_DONE, "queue", q, (int)(left - 1));
    if (left == 1 && bump_if_asleep(&q->all_done, &q->joiners_asleep))
        td__wake(&q->all_done, INT32_MAX);
    return 0;
}

static bool all_done(td_queue_t *q)
{
    return atomic_load_explicit(&q->unfinished, memory_order_seq_cst) == 0;
}

int td_queue_join(td_queue_t *q, double timeout)
{
    if (timeout != TD_FOREVER && (isnan(timeout) || timeout < 0))
        return -EINVAL;
    TD__POINT(TD__POINT_GET, q);
    td__deadline_t deadline = td__deadline_in(timeout);
    bool waiting = false;
    int rc = 0;
    while (!all_done(q)) {
        if (td__deadline_passed(deadline)) {
            rc = -ETIMEDOUT;
            break;
        }
        begin_waiting(q, &waiting, deadline);
        /* The pairing of the top of the file, with task_done's decrement. */
        atomic_fetch_add_explicit(&q->joiners_asleep, 1, memory_order_seq_cst);
        unsigned seen = atomic_load_explicit(&q->all_done, memory_order_seq_cst);
        if (!all_done(q))
            td__wait_until(&q->all_done, seen, deadline);
        atomic_fetch_sub_explicit(&q->joiners_asleep, 1, memory_order_relaxed);
    }
    end_waiting(q, waiting, rc);
    return rc;
}

/* Take n off unfinished, not below 0 (a misused task_done may have gone first). */
static void count_done(td_queue_t *q, size_t n)
{
    size_t left = atomic_load_explicit(&q->unfinished, memory_order_relaxed);
    while (!atomic_compare_exchange_weak_explicit(&q->unfinished, &left,
                                                  left > n ? left - n : 0,
                                                  memory_order_seq_cst, memory_order_relaxed))
        ;
}

void td_queue_shutdown(td_queue_t *q, bool immediate)
{
    TD__POINT(TD__POINT_PUT, q);
    /* The items an immediate shutdown removes are dropped after the locks are let go
     * (drop is the caller's code): swap them out into a fresh container. */
    td__container_t gone;
    bool have_spare = immediate &&
                      td__container_init(&gone, q->items.ops, 0, q->items.cmp) == 0;
    size_t dropped = 0;
    lock_both(q);
    q->is_shutdown = true;
    TD__OBSERVE(TD_OBS_SHUTDOWN, "queue", q, immediate);
    atomic_store_explicit(&q->down, true, memory_order_seq_cst);
    if (immediate) {
        dropped = count_of(q);
        if (have_spare)
            td__container_swap(&q->items, &gone);
        else
            drop_all(&q->items, dropped, q->drop); /* out of memory: drop them here */
        atomic_store_explicit(&q->count, 0, memory_order_seq_cst);
        count_done(q, dropped);
    }
    /* Every sleeping getter and putter re-checks and sees the shutdown. */
    bool wake_getters = bump_if_asleep(&q->not_empty, &q->getters_asleep);
    bool wake_putters = bump_if_asleep(&q->not_full, &q->putters_asleep);
    bool wake_joiners = immediate && bump_if_asleep(&q->all_done, &q->joiners_asleep);
    unlock_both(q);
    if (wake_getters)
        td__wake(&q->not_empty, INT32_MAX);
    if (wake_putters)
        td__wake(&q->not_full, INT32_MAX);
    if (wake_joiners)
        td__wake(&q->all_done, INT32_MAX);
    if (have_spare) {
        drop_all(&gone, dropped, q->drop);
        td__container_destroy(&gone);
    }
}

bool td_queue_is_shutdown(td_queue_t *q)
{
    return atomic_load_explicit(&q->down, memory_order_relaxed);
}

/* ---- SimpleQueue ------------------------------------------------------------------ */

_Static_assert(sizeof(td_simplequeue_t) == sizeof(td_queue_t),
               "a SimpleQueue is a Queue seen through another type");

int td_simplequeue_new(td_simplequeue_t **out, td_queue_drop_fn drop)
{
    td_queue_t *q;
    int rc = make(&q, 0, &td__fifo_ops, NULL, drop);
    if (rc != 0)
        return rc;
    q->tracks_tasks = false;
    *out = (td_simplequeue_t *)q;
    return 0;
}

void td_simplequeue_free(td_simplequeue_t *sq)
{
    td_queue_free(sq ? &sq->base : NULL);
}

int td_simplequeue_put(td_simplequeue_t *sq, void *item)
{
    return put(&sq->base, item, false, td__forever());
}

int td_simplequeue_get(td_simplequeue_t *sq, void **item, bool block, double timeout)
{
    if (bad_timeout(block, timeout))
        return -EINVAL;
    return get(&sq->base, item, block, block ? td__deadline_in(timeout) : td__forever(),
               NULL);
}

size_t td_simplequeue_qsize(td_simplequeue_t *sq)
{
    return td_queue_qsize(&sq->base);
}

bool td_simplequeue_empty(td_simplequeue_t *sq)
{
    return td_simplequeue_qsize(sq) == 0;
}
