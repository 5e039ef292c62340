/* SPDX-License-Identifier: MIT */
/* running.c - which event loop runs on this thread (get_running_loop), which one
 * set_event_loop chose, and the pointer rule (task.h), which asks both.
 *
 * DESIGN. Two thread-locals, each only ever read and written by its own thread:
 * `running`, set while td__loop_run turns a loop, and `thread_loop`, set_event_loop's
 * (or get_event_loop's own, made on first use). The pointer rule: the stack a loop's
 * tasks share (loop->stack) holds whichever task runs, so a pointer into it that
 * outlives the call that received it points, later, into another task's frames.
 */
#include "aio.h"

static TD__TLS td_loop_t *running;     /* the loop running on this thread */
static TD__TLS td_loop_t *thread_loop; /* set_event_loop's, or get_event_loop's own */

td_loop_t *td__running_loop(void)
{
    return running;
}

void td__set_running_loop(td_loop_t *loop)
{
    running = loop;
}

td_loop_t *td__thread_loop(void)
{
    return thread_loop;
}

td_loop_t *td_aio_get_running_loop(void)
{
    return running;
}

void td_aio_set_event_loop(td_loop_t *loop)
{
    thread_loop = loop;
}

bool td__aio_on_shared_stack(const td_loop_t *loop, const void *p)
{
    return loop && td_coro_stack_holds(loop->stack, p);
}

void td__aio_check_pointer(const td_loop_t *loop, const void *p, const char *call,
                           const char *what)
{
    if (!td__aio_on_shared_stack(loop, p) && !td__aio_on_shared_stack(running, p))
        return;
    td__misuse("%s: %s points into a task's stack, which other tasks' frames overwrite "
               "while that task waits (the pointer rule, task.h): use static or heap "
               "memory, or give the task a stack of its own (own_stack)", call, what);
}
