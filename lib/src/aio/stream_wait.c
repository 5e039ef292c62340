/* SPDX-License-Identifier: MIT */
/* stream_wait.c - a stream's waiting slots (stream.h): a reader or a writer parked
 * until the socket's event, or its deadline.
 *
 * A deadline is armed lazily: a timer once armed stays while later waits only push
 * the deadline back (each read of a busy connection would otherwise arm and cancel a
 * timer); when it fires early it re-arms itself for what is left.
 */
#include "stream.h"

void td__stream_wake(td_aio_future_t **slot)
{
    if (*slot && !td_aio_future_done(*slot))
        td_aio_future_set_result(*slot, NULL);
    *slot = NULL;
}

void td__stream_wake_slot(struct aio_task **slot, bool now)
{
    struct aio_task *t = *slot;
    *slot = NULL;
    td__task_unpark(t, now);
}

/* ---- waiting with a deadline ---------------------------------------------------------- */

static void arm(struct slot_timer *st, td__ns_t at);

static void slot_timer_fired(void *arg)
{
    struct slot_timer *st = arg;
    td_loop_handle_free(st->timer);
    st->timer = NULL;
    if (st->deadline == TD__NEVER)
        return; /* nobody waits any more */
    if (td__now() < st->deadline) {
        arm(st, st->deadline); /* later waits moved it back */
    } else if (*st->slot) { /* not woken by the event itself first */
        st->expired = true;
        td__stream_wake_slot(st->slot, false);
    }
}

static void arm(struct slot_timer *st, td__ns_t at)
{
    if (st->timer) {
        td_loop_handle_cancel(st->timer);
        td_loop_handle_free(st->timer);
        st->timer = NULL;
    }
    if (td__loop_call_at_ns(st->stream->loop, at, slot_timer_fired, st, &st->timer) == 0)
        st->armed_at = at;
}

void td__stream_disarm(struct slot_timer *st)
{
    td_loop_handle_cancel(st->timer);
    td_loop_handle_free(st->timer);
    st->timer = NULL;
}

int td__stream_check_timeout(double *timeout)
{
    return td__check_timeout(timeout, TD__TIMEOUT_JOIN);
}

int td__stream_await_slot(struct slot_timer *st, double timeout)
{
    struct aio_task *me = td__current_task();
    *st->slot = me;
    st->expired = false;
    st->deadline = timeout == TD_FOREVER ? TD__NEVER : td__deadline_in(timeout).at;
    if (st->deadline != TD__NEVER && (!st->timer || st->armed_at > st->deadline))
        arm(st, st->deadline);
    int rc = td__task_park();
    st->deadline = TD__NEVER;
    if (*st->slot == me) /* cancelled: nobody woke it */
        *st->slot = NULL;
    return rc != 0 ? rc : st->expired ? -ETIMEDOUT : 0;
}
