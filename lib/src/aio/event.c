/* SPDX-License-Identifier: MIT */
/* event.c - asyncio.Event (aio_event.h), as locks.py writes it.
 *
 * DESIGN. The flag, and the waiters as a list of nodes on the heap (not in the
 * waiting coroutines' frames: those are copied away while a task waits, task.h's
 * pointer rule); each node holds a future of its own that the waiter awaits. set()
 * sets every waiter's future, oldest first, so their tasks resume in that order at
 * the loop's next turn; each waiter unlinks and frees its own node when its await
 * returns, woken or cancelled, so set() only ever sees waiters still waiting.
 * Everything is on the loop's thread.
 */
#include "aio.h"
#include "thrdemo/aio_event.h"

void td_aio_event_init(td_aio_event_t *event)
{
    event->value_ = false;
    event->first_ = event->last_ = NULL;
    event->loop_ = NULL;
}

void td_aio_event_destroy(td_aio_event_t *event)
{
    if (event->first_)
        td__misuse("td_aio_event_destroy while tasks wait on it");
}

void td_aio_event_set(td_aio_event_t *event)
{
    if (event->value_)
        return;
    event->value_ = true;
    for (struct td__waiter *w = event->first_; w; w = w->next)
        if (!td_aio_future_done(w->future))
            td_aio_future_set_result(w->future, NULL);
}

void td_aio_event_clear(td_aio_event_t *event)
{
    event->value_ = false;
}

bool td_aio_event_is_set(const td_aio_event_t *event)
{
    return event->value_;
}

static void unlink_waiter(td_aio_event_t *event, struct td__waiter *w)
{
    if (w->prev)
        w->prev->next = w->next;
    else
        event->first_ = w->next;
    if (w->next)
        w->next->prev = w->prev;
    else
        event->last_ = w->prev;
}

int td_aio_event_wait(td_aio_event_t *event)
{
    if (event->value_)
        return 0;
    struct aio_task *t = td__current_task();
    if (!t)
        return -EPERM;
    if (event->loop_ && event->loop_ != t->base.loop)
        return -EINVAL; /* "is bound to a different event loop" */
    TD__AIO_CHECK_POINTER(t->base.loop, event, "td_aio_event_wait", "the Event");
    struct td__waiter *w;
    int rc = td__waiter_new(t->base.loop, &w);
    if (rc != 0)
        return rc;
    event->loop_ = t->base.loop;
    w->prev = event->last_;
    if (w->prev)
        w->prev->next = w;
    else
        event->first_ = w;
    event->last_ = w;
    rc = td__await(w->future, NULL);
    unlink_waiter(event, w); /* finally: self._waiters.remove(fut) */
    if (!event->first_)
        event->loop_ = NULL; /* no waiter left: the loop may be freed, another may wait */
    td__waiter_free(w);
    return rc;
}
