/* SPDX-License-Identifier: MIT */
/* timer.h - Python's threading.Timer: a thread that calls a function after an
 * interval unless cancelled first.
 *
 * The timer's thread waits on its own "finished" Event for the interval; cancel()
 * sets that Event, so a cancelled timer's thread ends at once. Like CPython, the
 * thread is a registry member named "Thread-N" (no target suffix).
 */
#ifndef THRDEMO_TIMER_H
#define THRDEMO_TIMER_H

#include <stdbool.h>

#include "common.h"
#include "thread.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct td_timer td_timer_t;

/* Create an unstarted timer that calls fn(arg) interval seconds after start (zero or
 * negative: at once; TD_FOREVER: never, until cancelled): 0, -ENOMEM, -EINVAL (no fn,
 * or an interval that is not a number) or -EOVERFLOW (finite above TD_TIMEOUT_MAX,
 * which Python's Timer raises in its thread). */
TD_API int td_timer_new(td_timer_t **out, double interval, td_thread_fn fn, void *arg);
/* Free the caller's handle; a started timer runs (or stays cancelled) on its own. */
TD_API void td_timer_free(td_timer_t *timer);
/* Start the countdown: results as td_thread_start. */
TD_API int td_timer_start(td_timer_t *timer);
/* Stop the timer if it has not fired yet; harmless afterwards. */
TD_API void td_timer_cancel(td_timer_t *timer);
/* Wait for the timer's thread: results as td_thread_join. */
TD_API int td_timer_join(td_timer_t *timer, double timeout);
/* Whether the function ran (false before it fires and after a cancel). */
TD_API bool td_timer_fired(td_timer_t *timer);
/* The timer's thread object (borrowed), for its name, daemon flag and so on. */
TD_API td_thread_t *td_timer_thread(td_timer_t *timer);

#ifdef __cplusplus
}
#endif
#endif
