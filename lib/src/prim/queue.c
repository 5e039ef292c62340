/* SPDX-License-Identifier: MIT */
/* queue.c - Python's queue.Queue, LifoQueue, PriorityQueue (3.13, with shutdown) and
 * SimpleQueue: what every queue shares, over one of three engines (queue_engine.h).
 * A FIFO queue is lock-free: a stamped ring when bounded (queue_ring.c), linked
 * blocks when not (queue_list.c); LIFO and priority queues keep one lock
 * (queue_locked.c). This file adds what CPython's three Conditions do: blocking
 * with a timeout, and join() over task_done() counts.
 *
 * One piece: the sleepers' protocol below pairs every wait here with the claim or
 * mark that wakes it (a put's, a get's, shutdown's, task_done's); split, the two
 * halves of each pairing would sit in different files.
 *
 * Linearizable: each engine call takes effect at one instant (the engine files say
 * where), and this file only retries them: a put or get that blocks is one engine
 * call that succeeds, after earlier ones that found the queue full (empty), which
 * change nothing; one that times out returns the answer of its last try.
 *
 * Waiting: CPython's three Conditions become three groups of sleepers (getters,
 * putters, joiners), each a futex sequence word and one atomic state that counts the
 * sleepers and the wake-ups sent to them and not yet taken, and no wake-up is lost.
 * A getter that must wait spins a few microseconds, then counts itself in, reads the
 * word, fences, tries once more, and sleeps only if that try found the queue empty
 * too. A put's claim of its position is a seq_cst compare-and-swap on tail, after
 * which it looks at the getters' state; only if more getters are counted than were
 * sent wake-ups does it send one (count it, bump the word, make the wake system
 * call), so a burst of puts wakes each sleeper once, not once per put. A try that
 * answers empty has read tail after a seq_cst fence (queue_engine.h). So the
 * count-in, the fence, the claim and the look fall in one total order: either the
 * getter's read of tail comes after the claim (and the try waits for the item's write
 * rather than answer empty) or the putter's look comes after the count-in (and its
 * bump comes after the getter read the word, so the sleep returns at once or is
 * woken). Wake-ups are counted so that none is owed to a thread asleep in the
 * kernel: a sleeper about to block that finds a wake-up outstanding takes it and
 * tries again instead (as Vyukov's eventcount's commit does), and one leaving takes
 * one with it if any is left, whether or not it was the one woken: taking one only
 * ever makes a later wake-up more likely, and a wake-up sent after a sleeper decided
 * to block bumps the word it sleeps on, so it does not block, or wakes a thread
 * asleep in the kernel, which then takes one as it leaves. A sleeper always tries
 * again after it wakes, timed out or not, so a wake-up it was given is never lost
 * with it. The same pairing holds for
 * putters, with the get's claim on head, for all of them with shutdown's mark on
 * tail, and for joiners, with task_done()'s count.
 *
 * Tasks: `done` counts task_done() calls and the items an immediate shutdown
 * dropped; the engine counts the puts, so unfinished = puts - done.
 */
#include <errno.h>
#include <math.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "queue_engine.h"

enum engine { RING, LIST, LOCKED };

/* One group of sleepers (the top of the file). */
typedef struct sleepers {
    atomic_uint_least64_t state; /* counted in << 32 | sent a wake-up not yet taken */
    atomic_uint word;            /* the futex word, bumped with every wake-up */
} sleepers_t;

struct td_queue {
    union {
        td__qring_t ring;
        td__qlist_t list;
        td__qlocked_t locked;
    } e;
    alignas(64) enum engine engine; /* these four never change */
    size_t maxsize;                 /* 0: no bound */
    bool tracks_tasks;              /* false for SimpleQueue */
    td_queue_drop_fn drop;
    alignas(64) sleepers_t getters; /* read by every put, written by sleepers */
    alignas(64) sleepers_t putters; /* read by every get */
    alignas(64) sleepers_t joiners;
    atomic_size_t done;
};

struct td_simplequeue {
    struct td_queue base;
};

/* ---- the engine of each queue ------------------------------------------------------------- */

static TD__ALWAYS_INLINE int try_put(td_queue_t *q, void *item)
{
    switch (q->engine) {
    case RING: return td__qring_try_put(&q->e.ring, item);
    case LIST: return td__qlist_try_put(&q->e.list, item);
    default: return td__qlocked_try_put(&q->e.locked, item);
    }
}

static TD__ALWAYS_INLINE int try_get(td_queue_t *q, void **item, size_t *left)
{
    switch (q->engine) {
    case RING: return td__qring_try_get(&q->e.ring, item, left);
    case LIST: return td__qlist_try_get(&q->e.list, item, left);
    default: return td__qlocked_try_get(&q->e.locked, item, left);
    }
}

static size_t engine_close(td_queue_t *q, bool immediate)
{
    switch (q->engine) {
    case RING: return td__qring_close(&q->e.ring, immediate, q->drop);
    case LIST: return td__qlist_close(&q->e.list, immediate, q->drop);
    default: return td__qlocked_close(&q->e.locked, immediate, q->drop);
    }
}

static bool is_closed(td_queue_t *q)
{
    switch (q->engine) {
    case RING: return td__qring_is_closed(&q->e.ring);
    case LIST: return td__qlist_is_closed(&q->e.list);
    default: return td__qlocked_is_closed(&q->e.locked);
    }
}

static size_t count_of(td_queue_t *q)
{
    switch (q->engine) {
    case RING: return td__qring_len(&q->e.ring);
    case LIST: return td__qlist_len(&q->e.list);
    default: return td__qlocked_len(&q->e.locked);
    }
}

static size_t puts_made(td_queue_t *q)
{
    switch (q->engine) {
    case RING: return td__qring_puts(&q->e.ring);
    case LIST: return td__qlist_puts(&q->e.list);
    default: return td__qlocked_puts(&q->e.locked);
    }
}

/* ---- sleeping and waking ------------------------------------------------------------------ */

#define ONE_ASLEEP ((uint_least64_t)1 << 32)

static uint_least64_t asleep_in(uint_least64_t state)
{
    return state >> 32;
}

static uint_least64_t woken_in(uint_least64_t state)
{
    return state & 0xffffffffu;
}

/* Count the caller in: the word's value to sleep on. The fence orders the count-in
 * before the caller's next try (the top of the file). */
static unsigned sleepers_enter(sleepers_t *s)
{
    atomic_fetch_add_explicit(&s->state, ONE_ASLEEP, memory_order_seq_cst);
    unsigned seen = atomic_load_explicit(&s->word, memory_order_seq_cst);
    atomic_thread_fence(memory_order_seq_cst);
    return seen;
}

/* After a try that found the queue busy: whether to block. false when a wake-up is
 * outstanding: the caller takes it, is counted out, and tries again. */
static bool sleepers_commit(sleepers_t *s)
{
    uint_least64_t state = atomic_load_explicit(&s->state, memory_order_acquire);
    while (woken_in(state) > 0)
        if (atomic_compare_exchange_weak_explicit(&s->state, &state, state - ONE_ASLEEP - 1,
                                                  memory_order_acq_rel, memory_order_acquire))
            return false;
    return true;
}

/* Count the caller out, taking an outstanding wake-up with it if there is one. */
static void sleepers_leave(sleepers_t *s)
{
    uint_least64_t state = atomic_load_explicit(&s->state, memory_order_relaxed);
    while (!atomic_compare_exchange_weak_explicit(
        &s->state, &state, state - ONE_ASLEEP - (woken_in(state) > 0), memory_order_release,
        memory_order_relaxed))
        ;
}

/* After a change a sleeper may wait for, made with a seq_cst read-modify-write: wake
 * one sleeper not yet sent a wake-up (all: every one), if there is one. The seq_cst
 * load pairs with the count-in (the top of the file). */
static void sleepers_wake(sleepers_t *s, bool all)
{
    uint_least64_t state = atomic_load_explicit(&s->state, memory_order_seq_cst);
    uint_least64_t asleep;
    do {
        asleep = asleep_in(state);
        if (TD__LIKELY(asleep <= woken_in(state)))
            return;
    } while (!atomic_compare_exchange_weak_explicit(
        &s->state, &state, all ? (asleep << 32 | asleep) : state + 1, memory_order_seq_cst,
        memory_order_seq_cst));
    atomic_fetch_add_explicit(&s->word, 1, memory_order_seq_cst);
    td__wake(&s->word, all ? INT32_MAX : 1);
    /* The sleeper's answer (a get that frees a slot, say) takes one wake-up latency:
     * this thread's next spin waits that long, instead of falling asleep too. */
    td__note_woke_sleeper();
}

/* One side of the queue that threads sleep on. */
typedef struct side {
    sleepers_t *sleepers;
    int busy;               /* what a try says while this side must wait */
    td_obs_kind_t waits_to; /* reported with the wait: TD_OBS_PUT or TD_OBS_GET */
} side_t;

static side_t putters(td_queue_t *q)
{
    return (side_t){ &q->putters, -ENOSPC, TD_OBS_PUT };
}

static side_t getters(td_queue_t *q)
{
    return (side_t){ &q->getters, -ENODATA, TD_OBS_GET };
}

/* One try of a blocked put or get: the operation, with its arguments. */
typedef struct attempt {
    bool put;
    void *item;      /* put */
    void **got;      /* get */
    size_t *left;    /* get */
} attempt_t;

static int try_once(td_queue_t *q, const attempt_t *a)
{
    return a->put ? try_put(q, a->item) : try_get(q, a->got, a->left);
}

/* How far apart a spinning put or get lets the other side get before it goes on:
 * a consumer that takes each item as soon as it is written reads the very cache
 * lines the producer is writing, and a producer that fills each slot the moment the
 * consumer frees it writes the line the consumer is reading; both slow down, and
 * stay in that lockstep. So a spinning get waits for a batch of items, and a
 * spinning put for a batch of room, for a few looks at most; unless exactly one is
 * there and not a second, which says the other side is not streaming (a put now
 * and then): that one is taken at once, so that sparse traffic is not made late.
 * Never while sleeping.
 *
 * The batch is 128 slots (32 cache lines) in a queue of 512 or more, 16 in one of
 * 64 or more. With 16 slots and 4 looks, one producer and one consumer of a
 * Queue(1024) ran at 40-48 M items a second in a third of the processes of an
 * evening (the queue kept full, the two in lockstep) and 60-72 M in the rest; with
 * 128 slots and 16 looks, 62-77 M in every one of 20 processes alternating with
 * 20 of the old (44-72 M); 64 slots did less well (52-76 M). */
enum { PUT_BATCH = 128, GET_BATCH = 128, SMALL_BATCH = 16 };

/* How many free slots (items) a spinning put (get) waits for, and for how many
 * looks at most (each ~0.2 us here: enough for the other side to move one eighth of
 * the batch): its batch, or a small one in a queue too small for that, or 1 (none)
 * in a queue under 64 or not on the ring. */
static size_t batch_of(td_queue_t *q, bool put, int *looks)
{
    size_t batch = put ? PUT_BATCH : GET_BATCH;
    if (q->maxsize < 4 * batch)
        batch = SMALL_BATCH;
    if (q->engine != RING || q->maxsize < 4 * batch)
        batch = 1;
    *looks = batch == 1 ? 0 : batch / 8 > 4 ? (int)(batch / 8) : 4;
    return batch;
}

/* Try a until it is no longer `busy` or the deadline passes, reporting the wait:
 * spin a few microseconds, then sleep on the side as the top of the file says. The
 * caller's first try failed. Returns the last try's result. */
static int wait_for(td_queue_t *q, side_t s, const attempt_t *a, double timeout)
{
    /* The deadline counts from here, as CPython's endtime does: the first try is
     * made before it, and costs no reading of the clock. */
    td__deadline_t deadline = td__deadline_in(timeout);
    if (TD__OBSERVING())
        TD__OBSERVE_WAIT(TD_OBS_WAIT_BEGIN, "queue", q, (int)s.waits_to,
                         td__seconds_left(deadline));
    int rc = s.busy;
    int looks;
    size_t want = batch_of(q, a->put, &looks);
    td__spin_t spin;
    td__spin_start(&spin, deadline);
    while (td__spin_again(&spin)) {
        if (looks > 0 && !td__qring_ahead(&q->e.ring, a->put, want)) {
            /* Let the other side get ahead, a few looks at most, unless one slot (item)
             * is there and not a second: then the other side is not streaming (a put
             * now and then), and waiting for the batch would only make this one late. */
            if (td__qring_ahead(&q->e.ring, a->put, 1) ||
                !td__qring_ahead(&q->e.ring, a->put, 0)) {
                looks--;
                continue;
            }
            looks = 0;
        }
        if ((rc = try_once(q, a)) != s.busy) {
            td__spin_won();
            return rc;
        }
    }
    for (;;) {
        unsigned seen = sleepers_enter(s.sleepers);
        rc = try_once(q, a);
        if (rc != s.busy || td__deadline_passed(deadline)) {
            sleepers_leave(s.sleepers);
            return rc; /* done, or the deadline passed after a try that found it busy */
        }
        if (sleepers_commit(s.sleepers)) {
            td__wait_until(&s.sleepers->word, seen, deadline);
            sleepers_leave(s.sleepers);
        }
    }
}

/* ---- put and get -------------------------------------------------------------------------- */

/* caller: the public function's return address, for the scheduling point. */
static int put(td_queue_t *q, void *item, bool block, double timeout, const void *caller)
{
    TD__POINT_FROM(TD__POINT_PUT, q, caller);
    int rc = try_put(q, item);
    bool waited = rc == -ENOSPC && block;
    if (waited)
        rc = wait_for(q, putters(q), &(attempt_t){ .put = true, .item = item }, timeout);
    if (TD__OBSERVING()) {
        if (rc == 0) /* before any wake-up it causes */
            TD__OBSERVE(TD_OBS_PUT, "queue", q, (int)count_of(q));
        if (waited)
            TD__OBSERVE(TD_OBS_WAIT_END, "queue", q, rc == 0 ? 0 : -ETIMEDOUT);
    }
    if (rc == 0)
        sleepers_wake(&q->getters, false);
    return rc;
}

static int get(td_queue_t *q, void **item, bool block, double timeout, size_t *remaining,
               const void *caller)
{
    TD__POINT_FROM(TD__POINT_GET, q, caller);
    void *got = NULL;
    int rc = try_get(q, &got, remaining);
    bool waited = rc == -ENODATA && block;
    if (waited)
        rc = wait_for(q, getters(q), &(attempt_t){ .got = &got, .left = remaining }, timeout);
    if (TD__OBSERVING()) {
        if (rc == 0)
            TD__OBSERVE(TD_OBS_GET, "queue", q, (int)count_of(q));
        if (waited)
            TD__OBSERVE(TD_OBS_WAIT_END, "queue", q, rc == 0 ? 0 : -ETIMEDOUT);
    }
    if (rc != 0)
        return rc;
    if (item)
        *item = got;
    sleepers_wake(&q->putters, false);
    return 0;
}

/* ---- making and freeing ------------------------------------------------------------------- */

static int make(td_queue_t **out, long maxsize, const td__container_ops_t *order,
                td_queue_cmp_fn cmp, td_queue_drop_fn drop)
{
    if (!out || (order == &td__priority_ops && !cmp))
        return -EINVAL;
    size_t size = (sizeof(td_queue_t) + 63) / 64 * 64;
    td_queue_t *q = aligned_alloc(64, size);
    if (!q)
        return -ENOMEM;
    memset(q, 0, size);
    q->maxsize = maxsize > 0 ? (size_t)maxsize : 0;
    q->engine = order ? LOCKED : q->maxsize && q->maxsize <= TD__RING_MAX ? RING : LIST;
    int rc = q->engine == RING ? td__qring_init(&q->e.ring, q->maxsize)
           : q->engine == LIST ? td__qlist_init(&q->e.list, q->maxsize)
                               : td__qlocked_init(&q->e.locked, order, q->maxsize, cmp);
    if (rc != 0) {
        free(q);
        return rc;
    }
    q->tracks_tasks = true;
    q->drop = drop;
    *out = q;
    return 0;
}

int td_queue_new(td_queue_t **out, long maxsize, td_queue_drop_fn drop)
{
    return make(out, maxsize, NULL, NULL, drop);
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

void td_queue_free(td_queue_t *q)
{
    if (!q)
        return;
    switch (q->engine) {
    case RING: td__qring_destroy(&q->e.ring, q->drop); break;
    case LIST: td__qlist_destroy(&q->e.list, q->drop); break;
    default: td__qlocked_destroy(&q->e.locked, q->drop); break;
    }
    free(q);
}

/* ---- the public calls --------------------------------------------------------------------- */

/* Python judges the timeout only when the call may block: 0, -EINVAL (negative:
 * "'timeout' must be a non-negative number", or NaN) or -EOVERFLOW. */
static int check_timeout(bool block, double *timeout)
{
    return block ? td__check_timeout(timeout, TD__TIMEOUT_QUEUE) : 0;
}

int td_queue_put(td_queue_t *q, void *item, bool block, double timeout)
{
    int rc = check_timeout(block, &timeout);
    return rc != 0 ? rc : put(q, item, block, timeout, __builtin_return_address(0));
}

int td_queue_get(td_queue_t *q, void **item, bool block, double timeout, size_t *remaining)
{
    int rc = check_timeout(block, &timeout);
    return rc != 0 ? rc : get(q, item, block, timeout, remaining, __builtin_return_address(0));
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
    TD__POINT(TD__POINT_TASK_DONE, q);
    size_t done = atomic_load_explicit(&q->done, memory_order_relaxed), puts;
    do {
        puts = puts_made(q);
        if (done >= puts)
            return -EINVAL; /* Python: "task_done() called too many times" */
    } while (!atomic_compare_exchange_weak_explicit(&q->done, &done, done + 1,
                                                    memory_order_seq_cst,
                                                    memory_order_relaxed));
    TD__OBSERVE(TD_OBS_TASK_DONE, "queue", q, (int)(puts - done - 1));
    if (done + 1 == puts)
        sleepers_wake(&q->joiners, true);
    return 0;
}

static bool all_done(td_queue_t *q)
{
    size_t done = atomic_load_explicit(&q->done, memory_order_seq_cst);
    return done >= puts_made(q);
}

int td_queue_join(td_queue_t *q, double timeout)
{
    /* Python's join takes no timeout; this one follows put and get's rule. */
    int rc = check_timeout(true, &timeout);
    if (rc != 0)
        return rc;
    TD__POINT(TD__POINT_QUEUE_JOIN, q);
    td__deadline_t deadline = td__deadline_in(timeout);
    bool waiting = false;
    while (!all_done(q)) {
        if (td__deadline_passed(deadline)) {
            rc = -ETIMEDOUT;
            break;
        }
        if (!waiting && TD__OBSERVING())
            TD__OBSERVE_WAIT(TD_OBS_WAIT_BEGIN, "queue", q, (int)TD_OBS_TASK_DONE,
                             td__seconds_left(deadline));
        waiting = true;
        /* The pairing of the top of the file, with task_done's count. */
        unsigned seen = sleepers_enter(&q->joiners);
        if (all_done(q)) {
            sleepers_leave(&q->joiners);
        } else if (sleepers_commit(&q->joiners)) {
            td__wait_until(&q->joiners.word, seen, deadline);
            sleepers_leave(&q->joiners);
        }
    }
    if (waiting)
        TD__OBSERVE(TD_OBS_WAIT_END, "queue", q, rc);
    return rc;
}

/* Count n dropped items as done, never past the puts made (a misused task_done
 * may have gone first). */
static void count_done(td_queue_t *q, size_t n)
{
    size_t puts = puts_made(q);
    size_t done = atomic_load_explicit(&q->done, memory_order_relaxed);
    while (!atomic_compare_exchange_weak_explicit(&q->done, &done,
                                                  done + n < puts ? done + n : puts,
                                                  memory_order_seq_cst, memory_order_relaxed))
        ;
}

void td_queue_shutdown(td_queue_t *q, bool immediate)
{
    TD__POINT(TD__POINT_SHUTDOWN, q);
    TD__OBSERVE(TD_OBS_SHUTDOWN, "queue", q, immediate);
    size_t dropped = engine_close(q, immediate);
    if (immediate && q->tracks_tasks)
        count_done(q, dropped);
    /* Every sleeping getter and putter tries again and sees the shutdown. */
    sleepers_wake(&q->getters, true);
    sleepers_wake(&q->putters, true);
    if (immediate)
        sleepers_wake(&q->joiners, true);
}

bool td_queue_is_shutdown(td_queue_t *q)
{
    return is_closed(q);
}

/* ---- SimpleQueue -------------------------------------------------------------------------- */

_Static_assert(sizeof(td_simplequeue_t) == sizeof(td_queue_t),
               "a SimpleQueue is a Queue seen through another type");

int td_simplequeue_new(td_simplequeue_t **out, td_queue_drop_fn drop)
{
    td_queue_t *q;
    int rc = make(&q, 0, NULL, NULL, drop);
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
    return put(&sq->base, item, false, TD_FOREVER, __builtin_return_address(0));
}

int td_simplequeue_get(td_simplequeue_t *sq, void **item, bool block, double timeout)
{
    int rc = check_timeout(block, &timeout);
    return rc != 0 ? rc : get(&sq->base, item, block, timeout, NULL, __builtin_return_address(0));
}

size_t td_simplequeue_qsize(td_simplequeue_t *sq)
{
    return td_queue_qsize(&sq->base);
}

bool td_simplequeue_empty(td_simplequeue_t *sq)
{
    return td_simplequeue_qsize(sq) == 0;
}
