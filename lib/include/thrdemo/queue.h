/* SPDX-License-Identifier: MIT */
/* queue.h - Python's queue.Queue (3.13): a FIFO of pointers, bounded or not, with
 * task_done/join and shutdown.
 *
 * Full and empty are results, not errors: a put that finds (or waits out) a full
 * queue returns -ENOSPC, a get that finds (or waits out) an empty one -ENODATA,
 * as Python raises Full and Empty. After shutdown, put fails with -ESHUTDOWN and
 * every blocked putter wakes to that; get drains what is left and then fails with
 * -ESHUTDOWN, so a consumer can always be told to stop and never hangs.
 * Items are the caller's pointers; the queue never looks at them, but calls the
 * drop function given to td_queue_new for items it throws away (an immediate
 * shutdown, or td_queue_free of a non-empty queue).
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

/* What to do with an item the queue throws away (may be NULL: nothing). */
typedef void (*td_queue_drop_fn)(void *item);

/* Create a queue holding at most maxsize items (0 or less: no bound) into *out:
 * 0 or -ENOMEM. */
TD_API int td_queue_new(td_queue_t **out, long maxsize, td_queue_drop_fn drop);
/* Free the queue, dropping what it still holds; no thread may be using it. */
TD_API void td_queue_free(td_queue_t *queue);
/* Append item. block false: -ENOSPC at once when full. block true: wait for room,
 * at most timeout seconds (TD_FOREVER: no limit), then -ENOSPC. Also -ESHUTDOWN
 * after shutdown, -EINVAL for a negative or NaN timeout, -ENOMEM. 0 when queued. */
TD_API int td_queue_put(td_queue_t *queue, void *item, bool block, double timeout);
/* Take the oldest item into *item: 0, -ENODATA when empty (at once, or after the
 * timeout), -ESHUTDOWN once shut down and drained, -EINVAL for a bad timeout.
 * remaining (may be NULL) gets how many items were left right after this get:
 * what qsize() called straight after would say, without the race. */
TD_API int td_queue_get(td_queue_t *queue, void **item, bool block, double timeout,
                        size_t *remaining);
/* How many items are queued (a snapshot). */
TD_API size_t td_queue_qsize(td_queue_t *queue);
/* Whether no item is queued (a snapshot). */
TD_API bool td_queue_empty(td_queue_t *queue);
/* Whether a bounded queue is at its maxsize (a snapshot). */
TD_API bool td_queue_full(td_queue_t *queue);
/* Mark one got item as processed: 0, or -EINVAL if called more often than items
 * were put (Python: "task_done() called too many times"). */
TD_API int td_queue_task_done(td_queue_t *queue);
/* Block until every item put has been marked done, at most timeout seconds
 * (TD_FOREVER: Python's join()): 0 or -ETIMEDOUT. */
TD_API int td_queue_join(td_queue_t *queue, double timeout);
/* Shut the queue down (Python 3.13's shutdown): puts fail from now on and blocked
 * putters and getters wake. immediate also drops the queued items, counts them as
 * done and releases join(). */
TD_API void td_queue_shutdown(td_queue_t *queue, bool immediate);
/* Whether the queue was shut down. */
TD_API bool td_queue_is_shutdown(td_queue_t *queue);

#ifdef __cplusplus
}
#endif
#endif
