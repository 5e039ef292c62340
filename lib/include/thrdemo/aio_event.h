/* SPDX-License-Identifier: MIT */
/* aio_event.h - asyncio.Event: a flag that coroutines wait to see set.
 *
 * Like threading.Event (event.h), but for the coroutines of one event loop: wait()
 * suspends the calling task, not the thread, and set() makes every waiting task
 * ready to resume at the loop's next turn, in the order they began to wait. Each
 * waiter waits on a future of its own, made when it begins to wait, so a cancelled
 * waiter leaves without disturbing the others. Use it on the loop's thread only;
 * while tasks wait on it, it belongs to their loop, and a task of another loop is
 * refused (asyncio binds an Event to its first loop for good; here a loop may be
 * freed, so the binding ends with the last waiter).
 */
#ifndef THRDEMO_AIO_EVENT_H
#define THRDEMO_AIO_EVENT_H

#include <stdbool.h>

#include "common.h"
#include "task.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct td_aio_event {
    bool value_;   /* private: the flag */
    void *first_;  /* private: the waiters, oldest first (nodes on the heap) */
    void *last_;
    void *loop_;   /* private: the loop it is bound to */
} td_aio_event_t;

/* Make a clear Event; cannot fail. */
TD_API void td_aio_event_init(td_aio_event_t *event);
/* Release it; no task may still wait on it. */
TD_API void td_aio_event_destroy(td_aio_event_t *event);
/* event.set(): set the flag; every task waiting now is woken (resumes soon). */
TD_API void td_aio_event_set(td_aio_event_t *event);
/* event.clear(). */
TD_API void td_aio_event_clear(td_aio_event_t *event);
/* event.is_set(). */
TD_API bool td_aio_event_is_set(const td_aio_event_t *event);
/* await event.wait(): 0 once the flag is set (at once if it is, without suspending),
 * -ECANCELED, -EPERM (not in a task), -EINVAL (tasks of another loop wait on it),
 * -ENOMEM. */
TD_API int td_aio_event_wait(td_aio_event_t *event);

#ifndef THRDEMO_BUILDING
#define td_aio_event_wait(event) (td_aio_where(__FILE__, __LINE__), td_aio_event_wait(event))
#endif

#ifdef __cplusplus
}
#endif
#endif
