/* SPDX-License-Identifier: MIT */
/* queue_locked.c - the unbounded queue.Queue, built as CPython builds it: one Lock
 * (`mutex`) and three Conditions over it (not_empty, not_full, all_tasks_done).
 * queue.c uses it when maxsize <= 0; bounded queues use queue.c's lock-free ring.
 *
 * mutex guards everything: the ring buffer (items, cap, head, count), unfinished
 * and is_shutdown. The ring grows by doubling when it fills up.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "internal.h"
#include "thrdemo/condition.h"
#include "thrdemo/lock.h"
#include "queue_locked.h"

struct td__lqueue {
    td_lock_t mutex;
    td_cond_t not_empty, not_full, all_tasks_done;
    void **items;
    size_t cap, head, count;
    long maxsize;
    size_t unfinished;
    bool is_shutdown;
    td_queue_drop_fn drop;
};

enum { FIRST_CAPACITY = 16 };

int td__lqueue_new(struct td__lqueue **out, long maxsize, td_queue_drop_fn drop)
{
    struct td__lqueue *q = calloc(1, sizeof *q);
    if (!q)
        return -ENOMEM;
    q->maxsize = maxsize > 0 ? maxsize : 0;
    q->cap = q->maxsize ? (size_t)q->maxsize : FIRST_CAPACITY;
    q->items = malloc(q->cap * sizeof *q->items);
    if (!q->items) {
        free(q);
        return -ENOMEM;
    }
    q->drop = drop;
    td_lock_init(&q->mutex);
    td_cond_init(&q->not_empty, &q->mutex);
    td_cond_init(&q->not_full, &q->mutex);
    td_cond_init(&q->all_tasks_done, &q->mutex);
    *out = q;
    return 0;
}

/* Remove and return the oldest item (mutex held, count > 0). */
static void *pop(struct td__lqueue *q)
{
    void *item = q->items[q->head];
    q->head = (q->head + 1) % q->cap;
    q->count--;
    return item;
}

static void drop_all(struct td__lqueue *q)
{
    while (q->count > 0) {
        void *item = pop(q);
        if (q->drop)
            q->drop(item);
        if (q->unfinished > 0)
            q->unfinished--;
    }
}

void td__lqueue_free(struct td__lqueue *queue)
{
    if (!queue)
        return;
    drop_all(queue);
    td_cond_destroy(&queue->not_empty);
    td_cond_destroy(&queue->not_full);
    td_cond_destroy(&queue->all_tasks_done);
    td_lock_destroy(&queue->mutex);
    free(queue->items);
    free(queue);
}

/* Make room for one more item in an unbounded queue (mutex held). */
static int grow(struct td__lqueue *q)
{
    if (q->count < q->cap)
        return 0;
    size_t cap = q->cap * 2;
    void **items = malloc(cap * sizeof *items);
    if (!items)
        return -ENOMEM;
    for (size_t i = 0; i < q->count; i++)
        items[i] = q->items[(q->head + i) % q->cap];
    free(q->items);
    q->items = items;
    q->cap = cap;
    q->head = 0;
    return 0;
}

static bool bad_timeout(bool block, double timeout)
{
    return block && timeout != TD_FOREVER && (isnan(timeout) || timeout < 0);
}

/* Seconds left until end, for a wait that may be forever. */
static double seconds_left(const td__deadline_t *deadline, double end)
{
    return deadline->forever ? TD_FOREVER : end - td_monotonic();
}

static bool is_full(struct td__lqueue *q)
{
    return q->maxsize > 0 && q->count >= (size_t)q->maxsize;
}

int td__lqueue_put(struct td__lqueue *q, void *item, bool block, double timeout)
{
    if (bad_timeout(block, timeout))
        return -EINVAL; /* Python: "'timeout' must be a non-negative number" */
    td__deadline_t deadline = td__deadline_in(block ? timeout : 0);
    double end = td_monotonic() + (block ? timeout : 0);
    int rc = 0;
    td_lock_acquire(&q->mutex, true, TD_FOREVER);
    while (!q->is_shutdown && is_full(q)) { /* the loop always holds the mutex */
        double left = seconds_left(&deadline, end);
        if (!block || (!deadline.forever && left <= 0)) {
            rc = -ENOSPC; /* Python: Full */
            break;
        }
        td_cond_wait(&q->not_full, left);
    }
    if (rc == 0 && q->is_shutdown)
        rc = -ESHUTDOWN;
    if (rc == 0)
        rc = grow(q);
    if (rc == 0) {
        q->items[(q->head + q->count) % q->cap] = item;
        q->count++;
        q->unfinished++;
        td_cond_notify(&q->not_empty, 1);
    }
    td_lock_release(&q->mutex);
    return rc;
}

int td__lqueue_get(struct td__lqueue *q, void **item, bool block, double timeout, size_t *remaining)
{
    if (bad_timeout(block, timeout))
        return -EINVAL;
    td__deadline_t deadline = td__deadline_in(block ? timeout : 0);
    double end = td_monotonic() + (block ? timeout : 0);
    int rc = 0;
    td_lock_acquire(&q->mutex, true, TD_FOREVER);
    while (q->count == 0 && !q->is_shutdown) {
        double left = seconds_left(&deadline, end);
        if (!block || (!deadline.forever && left <= 0)) {
            rc = -ENODATA; /* Python: Empty */
            break;
        }
        td_cond_wait(&q->not_empty, left);
    }
    if (rc == 0 && q->count == 0)
        rc = -ESHUTDOWN; /* shut down and drained */
    if (rc == 0) {
        void *got = pop(q);
        if (item)
            *item = got;
        if (remaining)
            *remaining = q->count;
        td_cond_notify(&q->not_full, 1);
    }
    td_lock_release(&q->mutex);
    return rc;
}

size_t td__lqueue_qsize(struct td__lqueue *q)
{
    td_lock_acquire(&q->mutex, true, TD_FOREVER);
    size_t n = q->count;
    td_lock_release(&q->mutex);
    return n;
}

bool td__lqueue_empty(struct td__lqueue *q)
{
    return td__lqueue_qsize(q) == 0;
}

bool td__lqueue_full(struct td__lqueue *q)
{
    td_lock_acquire(&q->mutex, true, TD_FOREVER);
    bool full = is_full(q);
    td_lock_release(&q->mutex);
    return full;
}

int td__lqueue_task_done(struct td__lqueue *q)
{
    int rc = 0;
    td_lock_acquire(&q->mutex, true, TD_FOREVER);
    if (q->unfinished == 0) {
        rc = -EINVAL; /* Python: "task_done() called too many times" */
    } else if (--q->unfinished == 0) {
        td_cond_notify_all(&q->all_tasks_done);
    }
    td_lock_release(&q->mutex);
    return rc;
}

int td__lqueue_join(struct td__lqueue *q, double timeout)
{
    td__deadline_t deadline = td__deadline_in(timeout);
    double end = td_monotonic() + timeout;
    int rc = 0;
    td_lock_acquire(&q->mutex, true, TD_FOREVER);
    while (q->unfinished > 0) {
        double left = seconds_left(&deadline, end);
        if (!deadline.forever && left <= 0) {
            rc = -ETIMEDOUT;
            break;
        }
        td_cond_wait(&q->all_tasks_done, left);
    }
    td_lock_release(&q->mutex);
    return rc;
}

void td__lqueue_shutdown(struct td__lqueue *q, bool immediate)
{
    td_lock_acquire(&q->mutex, true, TD_FOREVER);
    q->is_shutdown = true;
    if (immediate) {
        drop_all(q);
        td_cond_notify_all(&q->all_tasks_done);
    }
    /* Every getter and putter re-checks and sees the shutdown. */
    td_cond_notify_all(&q->not_empty);
    td_cond_notify_all(&q->not_full);
    td_lock_release(&q->mutex);
}

bool td__lqueue_is_shutdown(struct td__lqueue *q)
{
    td_lock_acquire(&q->mutex, true, TD_FOREVER);
    bool down = q->is_shutdown;
    td_lock_release(&q->mutex);
    return down;
}
