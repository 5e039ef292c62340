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
 * Counting: tail_pos counts the puts ever made and head_pos the gets (plus the items
 * an immediate shutdown dropped), each written only under its side's lock, so the
 * queue holds tail_pos - head_pos items and no operation does a read-modify-write
 * on a line the other side also writes. Each side keeps a private copy of the other
 * side's position and reads the real one only when its copy says "full" (producers)
 * or "empty" (consumers). Tasks: `done` counts task_done() calls (and dropped
 * items), so unfinished = tail_pos - done.
 *
 * Linearizable (each call takes effect at one instant between its start and its
 * return): a put takes effect at its store to tail_pos, a get at its store to
 * head_pos, both made while holding their side's lock; "empty" and "full" are only
 * ever concluded from a fresh read; `is_shutdown` is written holding both
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
 * not_empty, then reads tail_pos once more, and sleeps only if the queue is still
 * empty; a putter stores tail_pos, then looks at getters_asleep, and bumps not_empty
 * and wakes one sleeper if it is not 0. Every one of those operations is seq_cst, so
 * they fall in one total order: either the getter's second look comes after the
 * putter's store (and sees the item) or the putter's look comes after the getter
 * counted itself in (and wakes it, after the getter read not_empty, so its sleep
 * returns at once). The same pairing holds for putters on not_full (head_pos) and
 * joiners on all_done (done).
 * Before sleeping a waiter spins a few microseconds on the positions (a hand-off is
 * usually that quick), and the locks are taken with a brief spin: their critical
 * sections are a handful of instructions.
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
    size_t head_seen;               /* producers' copy of head_pos (put_lock) */
    td__container_t items;          /* one end under each lock; growing under both */
    size_t maxsize;                 /* 0: no bound */
    bool is_shutdown;               /* written under both locks, read under either */
    bool tracks_tasks;              /* false for SimpleQueue */
    td_queue_drop_fn drop;
    td_lock_t *get_lock;            /* &own_get_lock (FIFO), else &put_lock */
    alignas(64) td_lock_t own_get_lock;
    size_t tail_seen;                   /* consumers' copy of tail_pos (get_lock) */
    alignas(64) atomic_size_t tail_pos; /* puts ever made: a put's linearization point */
    alignas(64) atomic_size_t head_pos; /* gets ever made, and dropped items */
    atomic_bool down;                   /* is_shutdown, read anywhere (spins) */
    alignas(64) atomic_size_t done;     /* task_done() calls, and dropped items */
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

/* How many items the queue holds, read fresh (head first: then tail >= head). */
static size_t count_of(td_queue_t *q)
{
    size_t head = atomic_load_explicit(&q->head_pos, memory_order_seq_cst);
    return atomic_load_explicit(&q->tail_pos, memory_order_seq_cst) - head;
}

/* Fresh reads, for spins and for the look before sleeping (any thread). */
static bool has_room(td_queue_t *q)
{
    return q->maxsize == 0 || count_of(q) < q->maxsize;
}

static bool has_items(td_queue_t *q)
{
    return count_of(q) > 0;
}

/* The producers' fast check (put_lock held): their copy of head_pos first, a fresh
 * read only when the copy says full. */
static bool room_for_put(td_queue_t *q)
{
    if (q->maxsize == 0)
        return true;
    size_t tail = atomic_load_explicit(&q->tail_pos, memory_order_relaxed);
    if (tail - q->head_seen < q->maxsize)
        return true;
    q->head_seen = atomic_load_explicit(&q->head_pos, memory_order_seq_cst);
    return tail - q->head_seen < q->maxsize;
}

/* The consumers' fast check (get_lock held), likewise with their copy of tail_pos. */
static bool item_for_get(td_queue_t *q)
{
    size_t head = atomic_load_explicit(&q->head_pos, memory_order_relaxed);
    if (q->tail_seen != head)
        return true;
    q->tail_seen = atomic_load_explicit(&q->tail_pos, memory_order_seq_cst);
    return q->tail_seen != head;
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
 * included, as the timeline draws it, with what it waits to do (for_kind: PUT, GET,
 * or TASK_DONE for join). */
static void begin_waiting(td_queue_t *q, bool *waiting, td_obs_kind_t for_kind,
                          td__deadline_t deadline)
{
    if (*waiting)
        return;
    *waiting = true;
    if (TD__OBSERVING())
        TD__OBSERVE_WAIT(TD_OBS_WAIT_BEGIN, "queue", q, (int)for_kind,
                         td__seconds_left(deadline));
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
    size_t tail = atomic_load_explicit(&q->tail_pos, memory_order_relaxed);
    /* One lock: head_pos moves only under it, so this is exact. Two: at least the
     * items there are, exact once both locks are held to grow the storage. */
    size_t n = tail - (two_locks(q) ? q->head_seen
                                     : atomic_load_explicit(&q->head_pos,
                                                            memory_order_relaxed));
    bool grow = false;
    if (two_locks(q) && td__container_full(&q->items, n)) {
        q->head_seen = atomic_load_explicit(&q->head_pos, memory_order_seq_cst);
        n = tail - q->head_seen;
        grow = td__container_full(&q->items, n);
    }
    if (grow) {
        td__lock_take(q->get_lock);
        n = tail - atomic_load_explicit(&q->head_pos, memory_order_relaxed);
    }
    int rc = q->items.ops->push(&q->items, item, n);
    if (grow)
        td__lock_give(q->get_lock);
    if (rc != 0)
        return rc;
    /* The put takes effect here; seq_cst pairs with a sleeping getter (the top). */
    atomic_store_explicit(&q->tail_pos, tail + 1, memory_order_seq_cst);
    /* Before any getter can take it, so its wake-up comes after this report. */
    if (TD__OBSERVING())
        TD__OBSERVE(TD_OBS_PUT, "queue", q, (int)count_of(q));
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
        if (room_for_put(q)) {
            rc = add_item(q, item, &wake);
            break;
        }
        if (!block || td__deadline_passed(deadline)) {
            rc = -ENOSPC; /* Python: Full */
            break;
        }
        begin_waiting(q, &waiting, TD_OBS_PUT, deadline);
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
    size_t head = atomic_load_explicit(&q->head_pos, memory_order_relaxed);
    /* One lock: tail_pos moves only under it, so this is exact (FIFO ignores n). */
    size_t n = atomic_load_explicit(&q->tail_pos, memory_order_relaxed) - head;
    void *item = q->items.ops->pop(&q->items, n);
    /* The get takes effect here; seq_cst pairs with a sleeping putter (the top). */
    atomic_store_explicit(&q->head_pos, head + 1, memory_order_seq_cst);
    if (TD__OBSERVING())
        TD__OBSERVE(TD_OBS_GET, "queue", q, (int)count_of(q));
    /* What this get left, as counted at it: count_of() here would also count the
     * puts that came since, up to maxsize (issue 12's prodcons showed size=10 of a
     * Queue(10)). */
    if (remaining)
        *remaining = n - 1;
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
        if (item_for_get(q)) {
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
        begin_waiting(q, &waiting, TD_OBS_GET, deadline);
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
    return count_of(q);
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
    size_t done = atomic_load_explicit(&q->done, memory_order_relaxed), puts;
    do {
        puts = atomic_load_explicit(&q->tail_pos, memory_order_seq_cst);
        if (done >= puts)
            return -EINVAL; /* Python: "task_done() called too many times" */
    } while (!atomic_compare_exchange_weak_explicit(&q->done, &done, done + 1,
                                                    memory_order_seq_cst,
                                                    memory_order_relaxed));
    TD__OBSERVE(TD_OBS_TASK_DONE, "queue", q, (int)(puts - done - 1));
    if (done + 1 == puts && bump_if_asleep(&q->all_done, &q->joiners_asleep))
        td__wake(&q->all_done, INT32_MAX);
    return 0;
}

static bool all_done(td_queue_t *q)
{
    size_t done = atomic_load_explicit(&q->done, memory_order_seq_cst);
    return done >= atomic_load_explicit(&q->tail_pos, memory_order_seq_cst);
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
        begin_waiting(q, &waiting, TD_OBS_TASK_DONE, deadline);
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

/* Count n dropped items as done, never past the puts made (a misused task_done
 * may have gone first). */
static void count_done(td_queue_t *q, size_t n)
{
    size_t puts = atomic_load_explicit(&q->tail_pos, memory_order_seq_cst);
    size_t done = atomic_load_explicit(&q->done, memory_order_relaxed);
    while (!atomic_compare_exchange_weak_explicit(&q->done, &done,
                                                  done + n < puts ? done + n : puts,
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
        atomic_fetch_add_explicit(&q->head_pos, dropped, memory_order_seq_cst);
        q->tail_seen = atomic_load_explicit(&q->tail_pos, memory_order_relaxed);
        q->head_seen = atomic_load_explicit(&q->head_pos, memory_order_relaxed);
        if (q->tracks_tasks)
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
