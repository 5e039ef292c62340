/* SPDX-License-Identifier: MIT */
/* loop.h - asyncio's event loop: one thread runs callbacks one at a time, in order,
 * and coroutines (task.h) on top of them; nothing runs beside them.
 *
 *   Python                                   C
 *   loop = asyncio.new_event_loop()          td_loop_new(&loop)
 *   asyncio.get_event_loop()                 td_aio_get_event_loop(&loop)
 *   asyncio.get_running_loop()               td_aio_get_running_loop()
 *   loop.call_soon(f, arg)                   td_loop_call_soon(loop, f, arg, NULL)
 *   loop.call_later(delay, f, arg)           td_loop_call_later(loop, delay, f, arg, &h)
 *   loop.call_soon_threadsafe(f, arg)        td_loop_call_soon_threadsafe(loop, f, arg)
 *   handle.cancel()                          td_loop_handle_cancel(h)
 *   loop.run_until_complete(fut)             td_loop_run_until_complete(loop, fut, &res)
 *   loop.run_forever(); loop.stop()          td_loop_run_forever(loop); td_loop_stop(loop)
 *   loop.is_running(); loop.time()           td_loop_is_running(loop); td_loop_time(loop)
 *   loop.close()                             td_loop_free(loop)
 *
 * Order, as in asyncio (base_events.py's _run_once): callbacks made ready run first
 * in, first out; a timer becomes ready once its time has come, timers in the order of
 * their deadlines (a deadline is the time of the call plus the delay), ties in the
 * order they were armed; each turn of the loop runs the callbacks that were ready
 * when it began, and callbacks they make ready run in the next turn, after the loop
 * has looked at I/O and timers again. So a program's trace depends only on its
 * deadlines, never on how late the machine wakes it.
 *
 * The loop runs on libuv (I/O, and the wake-up of a waiting loop by another thread)
 * but keeps its own timers in nanoseconds on the library's clock (td_monotonic), so
 * that deadlines microseconds apart keep their order; one libuv timer wakes the loop
 * for the earliest. Under a controlled schedule (schedule.h) the clock is virtual and
 * a loop with nothing to do waits for its next deadline in the scheduler, which
 * jumps the clock there: an hour of sleeps takes no time. Real I/O does not belong
 * under a schedule (the loop only polls it, at deadlines).
 *
 * Threads: a loop belongs to the thread that runs it. Every call here except
 * td_loop_call_soon_threadsafe (and td_loop_stop_threadsafe) must be made on that
 * thread (asyncio's rule); those two may come from any thread, or a signal handler
 * thread, while the loop exists. Callbacks must not block: they hold up every other
 * callback and coroutine of the loop.
 */
#ifndef THRDEMO_LOOP_H
#define THRDEMO_LOOP_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct td_loop td_loop_t;
/* asyncio.Handle / TimerHandle: a scheduled callback that can be cancelled. */
typedef struct td_loop_handle td_loop_handle_t;
/* A callback the loop calls with its argument. */
typedef void (*td_loop_cb)(void *arg);

/* asyncio.new_event_loop(): a loop that is not running, in *loop: 0, -EINVAL or
 * -ENOMEM (or libuv's error, as a negative errno). */
TD_API int td_loop_new(td_loop_t **loop);
/* loop.close() and free: tasks still pending are closed (their coroutine's await
 * returns -ECANCELED, and the body must return) and marked cancelled; callbacks
 * not yet run are dropped. Futures of the loop may still be queried and freed, not
 * used. The stack the loop's tasks shared (task.h) goes back to the pool. The loop
 * must not be running. NULL is accepted. */
TD_API void td_loop_free(td_loop_t *loop);

/* asyncio.get_running_loop(): the loop running on the calling thread, or NULL (where
 * Python raises RuntimeError "no running event loop"). */
TD_API td_loop_t *td_aio_get_running_loop(void);
/* asyncio.get_event_loop() as in Python 3.11: the running loop; else the loop set for
 * this thread (td_aio_set_event_loop); else a new loop, which becomes this thread's
 * (free it with td_loop_free, which also unsets it). 0 or -ENOMEM. */
TD_API int td_aio_get_event_loop(td_loop_t **loop);
/* asyncio.set_event_loop(loop): the loop td_aio_get_event_loop gives this thread when
 * none runs (NULL: none). The loop is not freed by this. */
TD_API void td_aio_set_event_loop(td_loop_t *loop);

/* Schedule fn(arg) to run soon, after the callbacks already ready. handle (may be
 * NULL) receives a handle to cancel it with; free it with td_loop_handle_free.
 * 0, -EINVAL, -ENOMEM, or -ESHUTDOWN when the loop is being freed. */
TD_API int td_loop_call_soon(td_loop_t *loop, td_loop_cb fn, void *arg,
                             td_loop_handle_t **handle);
/* Schedule fn(arg) delay seconds from now (loop.call_later): results as call_soon;
 * -EINVAL also for a NaN delay. A delay of 0 or less is due at once, and runs at the
 * next turn in deadline order (a negative one before those due now, as in asyncio). */
TD_API int td_loop_call_later(td_loop_t *loop, double delay, td_loop_cb fn, void *arg,
                              td_loop_handle_t **handle);
/* Schedule fn(arg) at `when` on td_loop_time's clock (loop.call_at): as call_later. */
TD_API int td_loop_call_at(td_loop_t *loop, double when, td_loop_cb fn, void *arg,
                           td_loop_handle_t **handle);
/* From any thread: have the loop call fn(arg) soon, waking it if it waits. 0 or
 * -ENOMEM. The loop must not be freed meanwhile. */
TD_API int td_loop_call_soon_threadsafe(td_loop_t *loop, td_loop_cb fn, void *arg);
/* handle.cancel(): the callback will not run (if it has not). */
TD_API void td_loop_handle_cancel(td_loop_handle_t *handle);
/* handle.cancelled(). */
TD_API bool td_loop_handle_cancelled(const td_loop_handle_t *handle);
/* TimerHandle.when(): the time it is due, on td_loop_time's clock (0 for call_soon's). */
TD_API double td_loop_handle_when(const td_loop_handle_t *handle);
/* Drop the caller's handle (it does not cancel the callback). NULL is accepted. */
TD_API void td_loop_handle_free(td_loop_handle_t *handle);

/* Run the loop until stopped (loop.run_forever): 0, -EBUSY (this loop, or another
 * on this thread, is running already), -EINVAL. */
TD_API int td_loop_run_forever(td_loop_t *loop);
/* Stop after the callbacks of the current turn (loop.stop); on the loop's thread. */
TD_API void td_loop_stop(td_loop_t *loop);
/* From any thread: the same as td_loop_stop, through call_soon_threadsafe. */
TD_API int td_loop_stop_threadsafe(td_loop_t *loop);
/* loop.is_running(). */
TD_API bool td_loop_is_running(const td_loop_t *loop);
/* loop.time(): seconds on the loop's clock (td_monotonic: virtual under a schedule). */
TD_API double td_loop_time(const td_loop_t *loop);
/* How many callbacks the loop has run: for statistics and tests. */
TD_API unsigned long long td_loop_callbacks_run(const td_loop_t *loop);

#ifdef __cplusplus
}
#endif
#endif
