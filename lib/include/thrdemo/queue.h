/* SPDX-License-Identifier: MIT */
/* queue.h - Python's queue module (3.13): Queue, LifoQueue, PriorityQueue, with
 * task_done/join and shutdown, and SimpleQueue.
 *
 * A td_queue_t holds pointers, bounded or not, and hands them out first in first out
 * (td_queue_new), last in first out (td_lifoqueue_new) or smallest first
 * (td_priorityqueue_new); every other call is the same for the three.
 * Full and empty are results, not errors: a put that finds (or waits out) a full
 * queue returns -ENOSPC, a get that finds (or waits out) an empty one -ENODATA,
 * as Python raises Full and Empty.
 * Shutdown (Python 3.13): once td_queue_shutdown returns, every put fails with
 * -ESHUTDOWN; a get fails with -ESHUTDOWN only when the queue is empty (and then it
 * stays empty), so a consumer drains what was put and can never hang; an immediate
 * shutdown also empties the queue and releases join(). Each call takes effect at one
 * instant between its start and its return (it is linearizable), so "empty" means
 * no completed put is left unconsumed.
 * Items are the caller's pointers, NULL included (Python's None sentinel: a NULL put
 * is a NULL got, in order, in every queue kind; a PriorityQueue's cmp and the drop
 * function are then called with NULL too); the queue never looks at them, but calls the drop
 * function given at creation for items it throws away (an immediate shutdown, or
 * td_queue_free of a non-empty queue), never while it holds its own lock.
 * Thread-safe: any number of threads may put, get and join at once.
 *
 * Inside: a FIFO queue (td_queue_new, and SimpleQueue) has no lock. A bounded one
 * (maxsize up to 65,536) is a ring of slots, each with a sequence stamp (Vyukov's
 * bounded queue, as Rust's crossbeam builds it); an unbounded one, or one with a
 * larger maxsize, is a linked list of blocks of slots. Producers and consumers
 * never wait for each other, only for a slot another thread is half-way through
 * writing or reading (a few nanoseconds), and shutdown is one atomic instruction.
 * A blocked put or get spins a few microseconds, then sleeps; the other side makes a
 * system call to wake it only when someone sleeps. LifoQueue and PriorityQueue take
 * items from the end where they are put, so a lock-free ring would not help them:
 * they keep one lock around a stack or a heap, as CPython does.
 */
#ifndef THRDEMO_QUEUE_H
#define THRDEMO_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct td_queue td_queue_t;
typedef struct td_simplequeue td_simplequeue_t;

/* What to do with an item the queue throws away (may be NULL: nothing). */
typedef void (*td_queue_drop_fn)(void *item);
/* Order of a priority queue: negative when a comes out before b, 0 when equal. */
typedef int (*td_queue_cmp_fn)(const void *a, const void *b);

/* Create a FIFO queue (queue.Queue) holding at most maxsize items (0 or less: no
 * bound) into *out: 0, -EINVAL (out NULL) or -ENOMEM. */
TD_API int td_queue_new(td_queue_t **out, long maxsize, td_queue_drop_fn drop);
/* Create a LIFO queue (queue.LifoQueue): the last item put is the first got.
 * Results as td_queue_new. */
TD_API int td_lifoqueue_new(td_queue_t **out, long maxsize, td_queue_drop_fn drop);
/* Create a priority queue (queue.PriorityQueue): the item cmp ranks first is got
 * first. Unlike CPython's (heapq is not stable), items cmp calls equal come out in the
 * order they were put. 0, -EINVAL (out or cmp NULL) or -ENOMEM. */
TD_API int td_priorityqueue_new(td_queue_t **out, long maxsize, td_queue_cmp_fn cmp,
                                td_queue_drop_fn drop);
/* Free the queue, dropping what it still holds; no thread may be using it. */
TD_API void td_queue_free(td_queue_t *queue);
/* Add item. block false: -ENOSPC at once when full (the timeout is ignored, as
 * Python). block true: wait for room, at most timeout seconds (TD_FOREVER: no limit),
 * then -ENOSPC. Also -ESHUTDOWN after shutdown, -EINVAL for a negative timeout
 * (Python's ValueError, -1 included) or NaN, -EOVERFLOW for a finite one above
 * TD_TIMEOUT_MAX, -ENOMEM. 0 when queued. */
TD_API int td_queue_put(td_queue_t *queue, void *item, bool block, double timeout);
/* Take the next item into *item (item may be NULL): 0, -ENODATA when empty (at once,
 * or after the timeout), -ESHUTDOWN once shut down and empty, -EINVAL or -EOVERFLOW
 * for a bad timeout (as td_queue_put). remaining (may be NULL) gets how many items were left right after this
 * get, read as it returns: what qsize() called straight after would say, without a
 * second call (a snapshot, as qsize() is: puts that other threads finish meanwhile
 * may be counted; never more than maxsize - 1 in a bounded queue). */
TD_API int td_queue_get(td_queue_t *queue, void **item, bool block, double timeout,
                        size_t *remaining);
/* How many items are queued (a snapshot). */
TD_API size_t td_queue_qsize(td_queue_t *queue);
/* Whether no item is queued (a snapshot). */
TD_API bool td_queue_empty(td_queue_t *queue);
/* Whether a bounded queue is at its maxsize (a snapshot). */
TD_API bool td_queue_full(td_queue_t *queue);
/* The bound given at creation (0: none). */
TD_API long td_queue_maxsize(td_queue_t *queue);
/* Mark one got item as processed: 0, or -EINVAL if called more often than items
 * were put (Python: "task_done() called too many times"). */
TD_API int td_queue_task_done(td_queue_t *queue);
/* Block until every item put has been marked done, at most timeout seconds
 * (TD_FOREVER: Python's join(), which has no timeout; this one follows put's rule):
 * 0, -ETIMEDOUT, -EINVAL (negative or NaN) or -EOVERFLOW (finite above
 * TD_TIMEOUT_MAX). */
TD_API int td_queue_join(td_queue_t *queue, double timeout);
/* Shut the queue down (Python 3.13's shutdown): puts fail from now on and blocked
 * putters and getters wake. immediate also drops the queued items, counts them as
 * done and wakes join(). */
TD_API void td_queue_shutdown(td_queue_t *queue, bool immediate);
/* Whether the queue was shut down. */
TD_API bool td_queue_is_shutdown(td_queue_t *queue);

/* Create a SimpleQueue (queue.SimpleQueue): unbounded FIFO, no task tracking, no
 * shutdown; drop as for td_queue_new. 0 or -ENOMEM. */
TD_API int td_simplequeue_new(td_simplequeue_t **out, td_queue_drop_fn drop);
/* Free it, dropping what it still holds; no thread may be using it. */
TD_API void td_simplequeue_free(td_simplequeue_t *queue);
/* Add item; never blocks: 0 or -ENOMEM. */
TD_API int td_simplequeue_put(td_simplequeue_t *queue, void *item);
/* Take the oldest item, as td_queue_get: 0, -ENODATA, -EINVAL or -EOVERFLOW. */
TD_API int td_simplequeue_get(td_simplequeue_t *queue, void **item, bool block,
                              double timeout);
/* How many items it holds (a snapshot). */
TD_API size_t td_simplequeue_qsize(td_simplequeue_t *queue);
/* Whether it is empty (a snapshot). */
TD_API bool td_simplequeue_empty(td_simplequeue_t *queue);

#ifdef __cplusplus
}
#endif
#endif
