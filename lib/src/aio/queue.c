/* SPDX-License-Identifier: MIT */
/* queue.c - asyncio.Queue (aio_queue.h), as queues.py writes it.
 *
 * DESIGN. The items in a FIFO container; getters and putters as lists of nodes on
 * the heap (a waiting task's frames are copied away while it waits: task.h's pointer
 * rule), each with a future it awaits. put_nowait
 * wakes the oldest getter by taking its node off the list and setting its future
 * (_wakeup_next); get_nowait does the same for putters. A woken waiter loops and
 * checks again, as CPython's `while self.empty()` does. A waiter cancelled while in
 * the list takes its node off itself; one cancelled after it was woken passes the
 * wake-up on to the next waiter, so no item is left with a getter asleep. `finished`
 * (an Event) is set while no put item awaits its task_done.
 */
#include <stdlib.h>

#include "aio.h"
#include "thrdemo/aio_event.h"
#include "thrdemo/aio_queue.h"

struct waiters {
    struct td__waiter *first, *last;
};

struct td_aio_queue {
    td__ring_t items;
    long maxsize;
    struct waiters getters, putters;
    size_t unfinished;
    td_aio_event_t finished;
};

int td_aio_queue_new(td_aio_queue_t **out, long maxsize)
{
    if (!out)
        return -EINVAL;
    td_aio_queue_t *q = calloc(1, sizeof *q);
    if (!q)
        return -ENOMEM;
    if (td__ring_init(&q->items, maxsize > 0 && maxsize < 4096 ? (size_t)maxsize : 16) != 0) {
        free(q);
        return -ENOMEM;
    }
    q->maxsize = maxsize > 0 ? maxsize : 0;
    td_aio_event_init(&q->finished);
    td_aio_event_set(&q->finished);
    *out = q;
    return 0;
}

void td_aio_queue_free(td_aio_queue_t *q)
{
    if (!q)
        return;
    if (q->getters.first || q->putters.first)
        td__misuse("td_aio_queue_free while tasks wait on it");
    td_aio_event_destroy(&q->finished);
    td__ring_destroy(&q->items);
    free(q);
}

size_t td_aio_queue_qsize(const td_aio_queue_t *q)
{
    return q->items.count;
}

bool td_aio_queue_empty(const td_aio_queue_t *q)
{
    return q->items.count == 0;
}

bool td_aio_queue_full(const td_aio_queue_t *q)
{
    return q->maxsize > 0 && q->items.count >= (size_t)q->maxsize;
}

long td_aio_queue_maxsize(const td_aio_queue_t *q)
{
    return q->maxsize;
}

/* ---- the waiter lists -------------------------------------------------------------- */

static void append(struct waiters *ws, struct td__waiter *w)
{
    w->prev = ws->last;
    w->next = NULL;
    if (ws->last)
        ws->last->next = w;
    else
        ws->first = w;
    ws->last = w;
    w->linked = true;
}

static void unlink_waiter(struct waiters *ws, struct td__waiter *w)
{
    if (!w->linked)
        return;
    if (w->prev)
        w->prev->next = w->next;
    else
        ws->first = w->next;
    if (w->next)
        w->next->prev = w->prev;
    else
        ws->last = w->prev;
    w->linked = false;
}

/* _wakeup_next: wake the oldest waiter that is not cancelled. */
static void wakeup_next(struct waiters *ws)
{
    while (ws->first) {
        struct td__waiter *w = ws->first;
        unlink_waiter(ws, w);
        if (!td_aio_future_done(w->future)) {
            td_aio_future_set_result(w->future, NULL);
            break;
        }
    }
}

/* Wait in ws until woken: 0, or the error of a cancelled wait (then a wake-up it got
 * is passed on, when `still_ready` says the queue could serve the next waiter). */
static int wait_in(struct waiters *ws, struct aio_task *t, td_aio_queue_t *q,
                   bool (*still_ready)(const td_aio_queue_t *q))
{
    struct td__waiter *w;
    int rc = td__waiter_new(t->base.loop, &w);
    if (rc != 0)
        return rc;
    append(ws, w);
    rc = td__await(w->future, NULL);
    if (rc != 0) { /* except: */
        td_aio_future_cancel(w->future, NULL);
        unlink_waiter(ws, w);
        if (still_ready(q) && !td_aio_future_cancelled(w->future))
            wakeup_next(ws); /* woken but cannot take the call: wake the next in line */
    }
    unlink_waiter(ws, w);
    td__waiter_free(w);
    return rc;
}

static bool has_room(const td_aio_queue_t *q)
{
    return !td_aio_queue_full(q);
}

static bool has_items(const td_aio_queue_t *q)
{
    return !td_aio_queue_empty(q);
}

/* ---- put and get --------------------------------------------------------------------- */

int td_aio_queue_put_nowait(td_aio_queue_t *q, void *item)
{
    TD__AIO_CHECK_POINTER(NULL, item, "td_aio_queue_put", "the item");
    if (td_aio_queue_full(q))
        return -ENOSPC;
    if (td__ring_push(&q->items, item) != 0)
        return -ENOMEM;
    q->unfinished++;
    td_aio_event_clear(&q->finished);
    wakeup_next(&q->getters);
    return 0;
}

int td_aio_queue_get_nowait(td_aio_queue_t *q, void **item)
{
    if (td_aio_queue_empty(q))
        return -ENODATA;
    void *got = td__ring_pop(&q->items);
    if (item)
        *item = got;
    wakeup_next(&q->putters);
    return 0;
}

int td_aio_queue_put(td_aio_queue_t *q, void *item)
{
    while (td_aio_queue_full(q)) {
        struct aio_task *t = td__current_task();
        if (!t)
            return -EPERM;
        int rc = wait_in(&q->putters, t, q, has_room);
        if (rc != 0)
            return rc;
    }
    return td_aio_queue_put_nowait(q, item);
}

int td_aio_queue_get(td_aio_queue_t *q, void **item)
{
    while (td_aio_queue_empty(q)) {
        struct aio_task *t = td__current_task();
        if (!t)
            return -EPERM;
        int rc = wait_in(&q->getters, t, q, has_items);
        if (rc != 0)
            return rc;
    }
    return td_aio_queue_get_nowait(q, item);
}

int td_aio_queue_task_done(td_aio_queue_t *q)
{
    if (q->unfinished == 0)
        return -EINVAL; /* ValueError('task_done() called too many times') */
    if (--q->unfinished == 0)
        td_aio_event_set(&q->finished);
    return 0;
}

int td_aio_queue_join(td_aio_queue_t *q)
{
    return q->unfinished > 0 ? td_aio_event_wait(&q->finished) : 0;
}
