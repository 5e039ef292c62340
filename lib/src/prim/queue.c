/* SPDX-License-Identifier: MIT */
/* queue.c - Python's queue.Queue, LifoQueue, PriorityQueue (3.13, with shutdown) and
 * SimpleQueue: one engine, the order chosen once by a container (container.h).
 *
 * CPython's construction, kept because it is obviously linearizable: one lock
 * (`mutex`) guards the items, `unfinished`, `is_shutdown` and the sleeper counts, and
 * every put, get, task_done and shutdown takes effect at one instant inside it. So
 * once shutdown() returns every put fails; a get fails with -ESHUTDOWN only when
 * the queue is empty and stays empty; an immediate shutdown leaves it empty; and
 * get_nowait says -ENODATA only when no completed put is unconsumed. (The lock-free
 * ring this replaces broke all four under load: a put and a shutdown raced.)
 *
 * Waiting: CPython's three Conditions become three futex sequence words. A thread
 * that must wait counts itself asleep and reads the word, both under the mutex, then
 * sleeps outside it while the word is unchanged; the other side, under the mutex,
 * bumps the word only when the count says someone sleeps, and wakes after
 * unlocking. Because the count, the bump and the read all happen under the mutex,
 * and the kernel compares the word before sleeping, no wake-up can be lost, and no
 * memory fence is needed beyond the mutex's own acquire and release. Before
 * sleeping a waiter spins a few microseconds on the lock-free `count` (a hand-off is
 * usually that quick), and the mutex itself is taken with a brief spin: its
 * critical sections are a handful of instructions.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"
#include "prim.h"

struct td_queue {
    td_lock_t mutex;
    td__container_t items;   /* guarded by mutex */
    size_t maxsize;          /* 0: no bound */
    size_t unfinished;       /* guarded by mutex: puts not yet task_done()'d */
    bool is_shutdown;        /* guarded by mutex */
    bool tracks_tasks;       /* false for SimpleQueue */
    unsigned getters_asleep; /* guarded by mutex */
    unsigned putters_asleep;
    unsigned joiners_asleep;
    atomic_size_t count;     /* items.count, written under mutex, read anywhere */
    atomic_bool down;        /* is_shutdown, read anywhere (spins) */
    atomic_uint not_empty;   /* sequence words, bumped under mutex */
    atomic_uint not_full;
    atomic_uint all_done;
    td_queue_drop_fn drop;
};

struct td_simplequeue {
    struct td_queue base;
};

/* The first storage of a bounded queue: its bound, up to this (then it grows). */
enum { MAX_FIRST_CAP = 4096 };

/* ---- the mutex and the sleeper counts -------------------------------------------- */

static void lock(td_queue_t *q)
{
    td__lock_take(&q->mutex);
}

static void unlock(td_queue_t *q)
{
    td__lock_give(&q->mutex);
}

static bool is_full(const td_queue_t *q)
{
    return q->maxsize > 0 && q->items.count >= q->maxsize;
}

/* Count in a sleeper and sleep on word until bumped or the deadline (mutex held on
 * entry and on return): 0 or -ETIMEDOUT. */
static int sleep_on(td_queue_t *q, atomic_uint *word, unsigned *asleep,
                    td__deadline_t deadline)
{
    ++*asleep;
    unsigned seen = atomic_load_explicit(word, memory_order_relaxed);
    unlock(q);
    int rc = td__wait_until(word, seen, deadline);
    lock(q);
    --*asleep;
    return rc;
}

/* Bump word if anyone sleeps on it (mutex held): whether a wake call is due. */
static bool bump_if_asleep(atomic_uint *word, unsigned asleep)
{
    if (asleep == 0)
        return false;
    atomic_fetch_add_explicit(word, 1, memory_order_relaxed);
    return true;
}

/* The first time an operation cannot go on at once (mutex held): report the wait,
 * spin included, as the timeline draws it. */
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

/* Spin a few microseconds, without the mutex, until the snapshot of count says
 * the wait may be over (ready) or the queue is shut down: whether it does. */
static bool spin_for(td_queue_t *q, bool want_items, td__deadline_t deadline)
{
    td__spin_t spin;
    td__spin_start(&spin, deadline);
    while (td__spin_again(&spin)) {
        size_t n = atomic_load_explicit(&q->count, memory_order_relaxed);
        bool ready = want_items ? n > 0 : q->maxsize == 0 || n < q->maxsize;
        if (ready || atomic_load_explicit(&q->down, memory_order_relaxed)) {
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

/* Add the item (mutex held, room checked): 0 or -ENOMEM; *wake if a getter sleeps. */
static int add_item(td_queue_t *q, void *item, bool *wake)
{
    int rc = q->items.ops->push(&q->items, item);
    if (rc != 0)
        return rc;
    atomic_store_explicit(&q->count, q->items.count, memory_order_relaxed);
    if (q->tracks_tasks)
        q->unfinished++;
    /* Under the mutex: before any getter can take it, so its wake-up comes after. */
    TD__OBSERVE(TD_OBS_PUT, "queue", q, (int)q->items.count);
    *wake = bump_if_asleep(&q->not_empty, q->getters_asleep);
    return 0;
}

static int put(td_queue_t *q, void *item, bool block, td__deadline_t deadline)
{
    TD__POINT(TD__POINT_PUT, q);
    bool spun = false, wake = false, waiting = false;
    int rc;
    lock(q);
    for (;;) { /* the loop always starts with the mutex held */
        if (q->is_shutdown) {
            rc = -ESHUTDOWN; /* Python: ShutDown */
            break;
        }
        if (!is_full(q)) {
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
            unlock(q);
            spin_for(q, false, deadline);
            lock(q);
            continue;
        }
        sleep_on(q, &q->not_full, &q->putters_asleep, deadline);
    }
    unlock(q);
    end_waiting(q, waiting, rc);
    if (wake)
        td__wake(&q->not_empty, 1);
    return rc;
}

/* Take the next item (mutex held, not empty); *wake if a putter sleeps. */
static void *take_item(td_queue_t *q, size_t *remaining, bool *wake)
{
    void *item = q->items.ops->pop(&q->items);
    atomic_store_explicit(&q->count, q->items.count, memory_order_relaxed);
    TD__OBSERVE(TD_OBS_GET, "queue", q, (int)q->items.count);
    if (remaining)
        *remaining = q->items.count;
    *wake = bump_if_asleep(&q->not_full, q->putters_asleep);
    return item;
}

static int get(td_queue_t *q, void **item, bool block, td__deadline_t deadline,
               size_t *remaining)
{
    TD__POINT(TD__POINT_GET, q);
    bool spun = false, wake = false, waiting = false;
    int rc;
    lock(q);
    for (;;) { /* the loop always starts with the mutex held */
        if (q->items.count > 0) {
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
            unlock(q);
            spin_for(q, true, deadline);
            lock(q);
            continue;
        }
        sleep_on(q, &q->not_empty, &q->getters_asleep, deadline);
    }
    unlock(q);
    end_waiting(q, waiting, rc);
    if (wake)
        td__wake(&q->not_full, 1);
    return rc;
}

/* ---- making and freeing ----------------------------------------------------------- */

static int make(td_queue_t **out, long maxsize, const td__container_ops_t *ops,
                td_queue_cmp_fn cmp, td_queue_drop_fn drop, size_t extra)
{
    if (!out || (ops == &td__priority_ops && !cmp))
        return -EINVAL;
    td_queue_t *q = calloc(1, sizeof *q + extra);
    if (!q)
        return -ENOMEM;
    q->maxsize = maxsize > 0 ? (size_t)maxsize : 0;
    size_t first = q->maxsize && q->maxsize < MAX_FIRST_CAP ? q->maxsize : MAX_FIRST_CAP;
    if (td__container_init(&q->items, ops, q->maxsize ? first : 0, cmp) != 0) {
        free(q);
        return -ENOMEM;
    }
    td_lock_init(&q->mutex);
    q->tracks_tasks = true;
    q->drop = drop;
    *out = q;
    return 0;
}

int td_queue_new(td_queue_t **out, long maxsize, td_queue_drop_fn drop)
{
    return make(out, maxsize, &td__fifo_ops, NULL, drop, 0);
}

int td_lifoqueue_new(td_queue_t **out, long maxsize, td_queue_drop_fn drop)
{
    return make(out, maxsize, &td__lifo_ops, NULL, drop, 0);
}

int td_priorityqueue_new(td_queue_t **out, long maxsize, td_queue_cmp_fn cmp,
                         td_queue_drop_fn drop)
{
    return make(out, maxsize, &td__priority_ops, cmp, drop, 0);
}

/* Drop every item of a container no thread can reach any more. */
static void drop_all(td__container_t *c, td_queue_drop_fn drop)
{
    while (c->count > 0) {
        void *item = c->ops->pop(c);
        if (drop)
            drop(item);
    }
}

void td_queue_free(td_queue_t *q)
{
    if (!q)
        return;
    drop_all(&q->items, q->drop);
    td__container_destroy(&q->items);
    td_lock_destroy(&q->mutex);
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
    bool wake = false;
    int rc = 0;
    lock(q);
    if (q->unfinished == 0)
        rc = -EINVAL; /* Python: "task_done() called too many times" */
    else if (--q->unfinished == 0)
        wake = bump_if_asleep(&q->all_done, q->joiners_asleep);
    if (rc == 0)
        TD__OBSERVE(TD_OBS_TASK_DONE, "queue", q, (int)q->unfinished);
    unlock(q);
    if (wake)
        td__wake(&q->all_done, INT32_MAX);
    return rc;
}

int td_queue_join(td_queue_t *q, double timeout)
{
    if (timeout != TD_FOREVER && (isnan(timeout) || timeout < 0))
        return -EINVAL;
    TD__POINT(TD__POINT_GET, q);
    td__deadline_t deadline = td__deadline_in(timeout);
    int rc = 0;
    bool waiting = false;
    lock(q);
    while (q->unfinished > 0) { /* the loop always starts with the mutex held */
        if (td__deadline_passed(deadline)) {
            rc = -ETIMEDOUT;
            break;
        }
        begin_waiting(q, &waiting, deadline);
        sleep_on(q, &q->all_done, &q->joiners_asleep, deadline);
    }
    unlock(q);
    end_waiting(q, waiting, rc);
    return rc;
}

void td_queue_shutdown(td_queue_t *q, bool immediate)
{
    TD__POINT(TD__POINT_PUT, q);
    /* The items an immediate shutdown removes are dropped after the mutex is let go
     * (drop is the caller's code): swap them out into a fresh container. */
    td__container_t gone;
    bool have_spare = immediate &&
                      td__container_init(&gone, q->items.ops, 0, q->items.cmp) == 0;
    bool wake_joiners = false;
    lock(q);
    q->is_shutdown = true;
    TD__OBSERVE(TD_OBS_SHUTDOWN, "queue", q, immediate);
    atomic_store_explicit(&q->down, true, memory_order_relaxed);
    if (immediate) {
        size_t n = q->items.count;
        q->unfinished -= n < q->unfinished ? n : q->unfinished;
        if (have_spare)
            td__container_swap(&q->items, &gone);
        else
            drop_all(&q->items, q->drop); /* out of memory: drop them here */
        atomic_store_explicit(&q->count, 0, memory_order_relaxed);
        wake_joiners = bump_if_asleep(&q->all_done, q->joiners_asleep);
    }
    /* Every sleeping getter and putter re-checks and sees the shutdown. */
    bool wake_getters = bump_if_asleep(&q->not_empty, q->getters_asleep);
    bool wake_putters = bump_if_asleep(&q->not_full, q->putters_asleep);
    unlock(q);
    if (wake_getters)
        td__wake(&q->not_empty, INT32_MAX);
    if (wake_putters)
        td__wake(&q->not_full, INT32_MAX);
    if (wake_joiners)
        td__wake(&q->all_done, INT32_MAX);
    if (have_spare) {
        drop_all(&gone, q->drop);
        td__container_destroy(&gone);
    }
}

bool td_queue_is_shutdown(td_queue_t *q)
{
    return atomic_load_explicit(&q->down, memory_order_relaxed);
}

/* ---- SimpleQueue ------------------------------------------------------------------ */

int td_simplequeue_new(td_simplequeue_t **out, td_queue_drop_fn drop)
{
    td_queue_t *q;
    int rc = make(&q, 0, &td__fifo_ops, NULL, drop,
                  sizeof(td_simplequeue_t) - sizeof(td_queue_t));
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
