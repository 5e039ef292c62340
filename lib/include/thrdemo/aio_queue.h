/* SPDX-License-Identifier: MIT */
/* aio_queue.h - asyncio.Queue: a FIFO queue between the coroutines of one event loop.
 *
 * put() suspends the calling task while a bounded queue is full, get() while the
 * queue is empty; the longest-waiting getter (putter) is woken first. Items are the
 * caller's pointers, NULL included (it plays None): the queue never looks at them;
 * they must not point to a task's local variables (task.h's pointer rule).
 * task_done() and join() count items processed, as in queue.h. As in CPython, a task
 * cancelled while it waits in put() or get() leaves the queue as it was (its item is
 * not put, no item is taken), and the wake-up it was given, if any, passes to the
 * next waiter. Use it on the loop's thread only.
 */
#ifndef THRDEMO_AIO_QUEUE_H
#define THRDEMO_AIO_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"
#include "task.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct td_aio_queue td_aio_queue_t;

/* asyncio.Queue(maxsize) (0 or less: no bound), into *out: 0, -EINVAL or -ENOMEM. */
TD_API int td_aio_queue_new(td_aio_queue_t **out, long maxsize);
/* Free it; no task may be waiting on it. The items left are the caller's. */
TD_API void td_aio_queue_free(td_aio_queue_t *queue);
/* await queue.put(item): 0 once queued (waiting while full), -ECANCELED, -EPERM,
 * -ENOMEM. */
TD_API int td_aio_queue_put(td_aio_queue_t *queue, void *item);
/* await queue.get(): 0 with the oldest item in *item (may be NULL), waiting while
 * empty; -ECANCELED, -EPERM, -ENOMEM. */
TD_API int td_aio_queue_get(td_aio_queue_t *queue, void **item);
/* queue.put_nowait(item): 0, -ENOSPC (full: QueueFull), -ENOMEM. */
TD_API int td_aio_queue_put_nowait(td_aio_queue_t *queue, void *item);
/* queue.get_nowait(): 0 with *item, or -ENODATA (empty: QueueEmpty). */
TD_API int td_aio_queue_get_nowait(td_aio_queue_t *queue, void **item);
/* queue.task_done(): 0, or -EINVAL when called more often than items were put. */
TD_API int td_aio_queue_task_done(td_aio_queue_t *queue);
/* await queue.join(): 0 once every item put has been marked done, -ECANCELED,
 * -EPERM, -ENOMEM. */
TD_API int td_aio_queue_join(td_aio_queue_t *queue);
/* queue.qsize(), empty(), full(), maxsize. */
TD_API size_t td_aio_queue_qsize(const td_aio_queue_t *queue);
TD_API bool td_aio_queue_empty(const td_aio_queue_t *queue);
TD_API bool td_aio_queue_full(const td_aio_queue_t *queue);
TD_API long td_aio_queue_maxsize(const td_aio_queue_t *queue);

#ifndef THRDEMO_BUILDING
#define td_aio_queue_put(queue, item) (td_aio_where(__FILE__, __LINE__), td_aio_queue_put(queue, item))
#define td_aio_queue_get(queue, item) (td_aio_where(__FILE__, __LINE__), td_aio_queue_get(queue, item))
#define td_aio_queue_join(queue) (td_aio_where(__FILE__, __LINE__), td_aio_queue_join(queue))
#endif

#ifdef __cplusplus
}
#endif
#endif
