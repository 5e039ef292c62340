/* SPDX-License-Identifier: MIT */
/* task.h - asyncio's Future and Task, and the awaits: sleep, gather, wait, wait_for,
 * run. A coroutine here is a C function running as a stackful coroutine (coro.h),
 * driven by an event loop (loop.h) on one thread: it runs until it awaits something
 * that is not done, and the loop resumes it when that is done. Coroutines are not
 * threads: only one runs at a time, and only between awaits does another get a turn.
 *
 * Stacks, and the pointer rule. A loop's tasks take turns on one stack that the loop
 * owns (a shared stack, coro.h): while a task waits, its frames are copied out into a
 * buffer of its own, sized to fit (a few hundred bytes for a shallow coroutine), and
 * copied back when it runs again. So a waiting task costs a few hundred bytes, and
 * 100,000 of them fit in tens of megabytes. The price: while a task waits, its local
 * variables are not where they were, and another task's frames use that memory. So
 *
 *   nothing may use a pointer to a task's local variables while that task waits:
 *   not another task (a coroutine's argument, a queue item, a future's result), not
 *   a callback (call_soon's argument, a done callback's), not another thread.
 *
 * Share static or heap memory instead. The library itself keeps to the rule: what it
 * holds across an await (a stream's incoming bytes, waiters' nodes, gather's results)
 * is on the heap, and it writes into a caller's buffer or array only while the
 * caller runs (td_aio_stream_read, td_aio_wait's done, td_aio_gather_coros' results).
 * A Debug build (NDEBUG not defined) checks the rule where a pointer handed to the
 * library outlives the call (create_task's argument, set_result's result, a queue
 * item, call_soon's and done callbacks' arguments, an Event waited on): a pointer
 * into the shared stack aborts the process with one "libthrdemo: <call>: ..." line.
 * A coroutine that must hand out pointers to its locals asks for a stack of its own
 * (td_aio_coro_t.own_stack, or a stack_size of its own): its frames stay where they
 * are, at the cost of a stack's pages. Generators (generator.h) always have stacks of
 * their own.
 *
 *   Python                                     C
 *   async def work(arg): ... return r          int work(void *arg, void **result)
 *                                                { ...; *result = r; return 0; }
 *   raise SomeError('msg')                     return td_aio_raise(code, "msg");
 *   asyncio.run(main())                        td_aio_run(TD_AIO_CORO(main, NULL), ...)
 *   t = asyncio.create_task(work(x))           td_aio_create_task(&t, TD_AIO_CORO(work, x))
 *   r = await fut                              rc = td_aio_await(fut, &r)
 *   await asyncio.sleep(1.5)                   rc = td_aio_sleep(1.5)
 *   await asyncio.gather(a(), b())             rc = td_aio_gather_coros(coros, 2, res, errs)
 *   g = asyncio.gather(t1, t2)                 td_aio_gather(&g, futs, 2, false)
 *   done, pending = await asyncio.wait(fs,     n = td_aio_wait(fs, 3, TD_FOREVER,
 *       return_when=FIRST_COMPLETED)               TD_FIRST_COMPLETED, done)
 *   r = await asyncio.wait_for(t, timeout=3)   rc = td_aio_wait_for(t, 3.0, &r)
 *   fut = loop.create_future()                 td_aio_future_new(&fut, loop)
 *   fut.set_result(r) / set_exception(e)       td_aio_future_set_result(fut, r) / ...
 *   task.cancel()                              td_aio_future_cancel(task, NULL)
 *   print(task)                                td_aio_future_repr(task, buf, sizeof buf)
 *
 * Exceptions are codes: a coroutine returns 0 or a negative code (an errno, or
 * TD_EEXCEPTION for an error of the program's own, with a message: td_aio_raise).
 * Awaiting keeps what happened to the wait apart from what the awaited thing did,
 * as future.h does: an await returns 0 (it gave a result), TD_ETASK (it raised: its
 * code and message come from td_aio_future_exception), -ECANCELED (CancelledError:
 * this task was cancelled while it waited, or the awaited future was), and
 * td_aio_wait_for also -ETIMEDOUT (TimeoutError). A body that returns TD_ETASK
 * re-raises: its task fails with the code and message of the await that gave
 * TD_ETASK last, so `if (rc != 0) return rc;` propagates an exception as an uncaught
 * one does in Python. A body that returns -ECANCELED leaves its task cancelled.
 *
 * Cancellation is asyncio's: cancelling a task that waits cancels what it waits for
 * and resumes it with that await returning -ECANCELED (CancelledError thrown in at the
 * await); the body may clean up (and even await again) and should return -ECANCELED.
 * A task cancelled before it ever ran never runs. Every await is a point where a
 * cancel can land; code between awaits runs uninterrupted.
 *
 * Futures and tasks are reference counted: whoever receives one (td_aio_future_new,
 * td_aio_create_task with a non-NULL out, td_aio_gather) frees it with
 * td_aio_future_free; the loop keeps a pending task alive on its own until it is
 * done, so a task whose handle nobody keeps still runs to its end (unlike Python,
 * where it may be garbage collected). A task's saved frames (or its own stack) are
 * freed as soon as its coroutine returns; the loop's shared stack goes with the loop. Everything here must be used on the loop's thread.
 *
 * The functions that await are also macros that first note the caller's __FILE__ and
 * __LINE__ in the task (td_aio_where), so that a task's repr says where its coroutine
 * is suspended, as CPython's does (`coro=<task2() running at main.c:42>`). Compile
 * with -fmacro-prefix-map=$(pwd)/= for repository-relative file names.
 */
#ifndef THRDEMO_TASK_H
#define THRDEMO_TASK_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"
#include "future.h"
#include "loop.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An error of the program's own, not an errno: Python's `raise Exception('...')`; the
 * message given with it (td_aio_raise, td_aio_future_set_exception) says what. */
#define TD_EEXCEPTION (-4098)

typedef struct td_aio_future td_aio_future_t;
/* A Task is a Future whose result is a coroutine's: every td_aio_future_* call takes
 * one. */
typedef struct td_aio_future td_aio_task_t;

/* A coroutine's body: runs on the task's stack, awaits with the calls below, stores
 * its result in *result (NULL: None) and returns 0 or its exception's code. */
typedef int (*td_aio_fn)(void *arg, void **result);
/* A done callback: called by the loop, soon after the future is done. */
typedef void (*td_aio_done_fn)(td_aio_future_t *future, void *arg);

/* A coroutine not yet started (what calling an `async def` gives in Python): its
 * function, argument, and for reprs its name and where it was made. */
typedef struct td_aio_coro {
    td_aio_fn fn;
    void *arg;
    const char *name;  /* the coroutine function's __name__ (NULL: "coro") */
    const char *file;  /* for its repr before it first runs (may be NULL) */
    int line;
    /* 0: run on the loop's shared stack (TD_CORO_STACK_DEFAULT bytes); any other
     * size: a stack of its own of that size. */
    size_t stack_size;
    /* A stack of its own even at the default size, so that pointers to its local
     * variables stay valid while it waits (see the pointer rule above). */
    bool own_stack;
} td_aio_coro_t;

/* work(arg) as a coroutine object, named after the function (a C11 compound
 * literal: in C++ fill in a td_aio_coro_t instead). */
#define TD_AIO_CORO(fn, arg) ((td_aio_coro_t){ (fn), (arg), #fn, __FILE__, __LINE__, 0, false })
/* The same with a stack of its own (own_stack): for a coroutine that hands out
 * pointers to its local variables. */
#define TD_AIO_CORO_OWN_STACK(fn, arg)                                                   \
    ((td_aio_coro_t){ (fn), (arg), #fn, __FILE__, __LINE__, 0, true })

/* ---- futures ------------------------------------------------------------------------ */

/* loop.create_future() (loop NULL: td_aio_get_event_loop's): a pending future in *out.
 * 0, -EINVAL, -ENOMEM, -ESHUTDOWN (the loop is being freed). */
TD_API int td_aio_future_new(td_aio_future_t **out, td_loop_t *loop);
/* Take one more reference. */
TD_API td_aio_future_t *td_aio_future_ref(td_aio_future_t *future);
/* Drop a reference. NULL is accepted. */
TD_API void td_aio_future_free(td_aio_future_t *future);
/* future.done(): finished or cancelled. */
TD_API bool td_aio_future_done(const td_aio_future_t *future);
/* future.cancelled(). */
TD_API bool td_aio_future_cancelled(const td_aio_future_t *future);
/* future.set_result(result): 0, or -EINVAL when it is done already (InvalidStateError)
 * or is a task (a task's result is its coroutine's). Schedules the done callbacks. */
TD_API int td_aio_future_set_result(td_aio_future_t *future, void *result);
/* future.set_exception(): code (negative; -ECANCELED makes awaiting it raise
 * CancelledError) and message (copied; NULL: none). 0 or -EINVAL as set_result. */
TD_API int td_aio_future_set_exception(td_aio_future_t *future, int code, const char *message);
/* future.cancel(msg) / task.cancel(msg): true if it is (now) cancelled, or for a task,
 * if the cancellation was delivered (the coroutine will see -ECANCELED at its await);
 * false when it was done already. msg (copied) may be NULL. */
TD_API bool td_aio_future_cancel(td_aio_future_t *future, const char *msg);
/* future.result(): 0 with *result (may be NULL), TD_ETASK (it raised), -ECANCELED, or
 * -EAGAIN when it is not done (InvalidStateError). Never waits. */
TD_API int td_aio_future_result(const td_aio_future_t *future, void **result);
/* future.exception(): 0 with *code the exception's code (0: none) and *message its
 * message (NULL: none; valid while the future lives), -ECANCELED, or -EAGAIN (not
 * done). code and message may be NULL. */
TD_API int td_aio_future_exception(const td_aio_future_t *future, int *code,
                                   const char **message);
/* future.add_done_callback(fn, arg): fn(future, arg) runs soon after the future is
 * done (soon after now if it is), once. 0 or -ENOMEM. */
TD_API int td_aio_future_add_done_callback(td_aio_future_t *future, td_aio_done_fn fn,
                                           void *arg);
/* future.remove_done_callback(fn, arg): how many were removed. */
TD_API size_t td_aio_future_remove_done_callback(td_aio_future_t *future, td_aio_done_fn fn,
                                                 void *arg);
/* future.get_loop(); NULL once the loop was freed. */
TD_API td_loop_t *td_aio_future_get_loop(const td_aio_future_t *future);
/* repr(future) as CPython 3.11 writes it, into buf (snprintf semantics: the full
 * length is returned): "<Future pending cb=[Task.task_wakeup()]>", "<Task pending
 * name='Task-3' coro=<task2() running at main.c:42> wait_for=<Future pending
 * cb=[Task.task_wakeup()]>>". */
TD_API size_t td_aio_future_repr(const td_aio_future_t *future, char *buf, size_t size);

/* ---- tasks -------------------------------------------------------------------------- */

/* asyncio.create_task(coro): a task in the running loop that will run the coroutine
 * (first at the loop's next turn), named "Task-N" with N counting the tasks of the
 * process from 1, as CPython does; *out (may be NULL) receives a reference. 0,
 * -EPERM (no running loop), -EINVAL (no fn), -ENOMEM, -ESHUTDOWN. */
TD_API int td_aio_create_task(td_aio_task_t **out, td_aio_coro_t coro);
/* loop.create_task(coro): the same in a given loop, running or not. */
TD_API int td_loop_create_task(td_loop_t *loop, td_aio_task_t **out, td_aio_coro_t coro);
/* task.get_name() into buf (snprintf semantics). */
TD_API size_t td_aio_task_get_name(const td_aio_task_t *task, char *buf, size_t size);
/* task.set_name(name): 0, -EINVAL (not a task), -ENOMEM. */
TD_API int td_aio_task_set_name(td_aio_task_t *task, const char *name);
/* The name of the task's coroutine function ("task2"); NULL if not a task. */
TD_API const char *td_aio_task_coro_name(const td_aio_task_t *task);
/* task.cancelling(): cancellation requests not yet answered, 0 once done. */
TD_API int td_aio_task_cancelling(const td_aio_task_t *task);
/* What the task's stack costs it (td_coro_stack_touched): on the shared stack, the
 * bytes of its buffer for its saved frames; with a stack of its own, the stack's
 * resident bytes. 0 once its coroutine has returned. */
TD_API size_t td_aio_task_stack_touched(const td_aio_task_t *task);
/* Whether the future is a task. */
TD_API bool td_aio_is_task(const td_aio_future_t *future);
/* asyncio.current_task(): the task running now on this thread's loop, or NULL
 * (borrowed). */
TD_API td_aio_task_t *td_aio_current_task(void);
/* asyncio.all_tasks(loop): up to max of the loop's tasks not yet done, oldest first,
 * into out (borrowed: take references to keep them); returns how many there are. */
TD_API size_t td_aio_all_tasks(td_loop_t *loop, td_aio_task_t **out, size_t max);
/* Inside a coroutine: set the message of the exception it is about to raise and
 * return code, so that `return td_aio_raise(TD_EEXCEPTION, "went wrong");` is
 * Python's `raise Exception("went wrong")`. Outside a task it just returns code. */
TD_API int td_aio_raise(int code, const char *message);
/* Note where the running task is about to await (the macros below do it). */
TD_API void td_aio_where(const char *file, int line);

/* ---- awaiting (inside a task's coroutine) ------------------------------------------- */

/* await future: suspend until it is done (at once if it is), then give its result:
 * 0 with *result (may be NULL), TD_ETASK, -ECANCELED; -EPERM outside a task, -EINVAL
 * for the task itself or a future of another loop. */
TD_API int td_aio_await(td_aio_future_t *future, void **result);
/* await asyncio.sleep(delay): 0, or -ECANCELED. sleep(0) (or less) lets every
 * other ready callback run once first. -EINVAL for NaN, -EPERM outside a task. */
TD_API int td_aio_sleep(double delay);
/* asyncio.gather(*futs, return_exceptions=...): a future, in *outer, done when every
 * one of the n futures (or tasks) is; its result is an array of their n results, in
 * order (NULL for one that raised), valid while outer lives. Without
 * return_exceptions the first exception (or cancellation: -ECANCELED) of a child
 * becomes outer's at once, and the other children run on. Cancelling outer cancels
 * the children. n = 0 gives a future already done. 0, -EINVAL, -ENOMEM. Does not
 * await: td_aio_await(outer, ...) does. */
TD_API int td_aio_gather(td_aio_future_t **outer, td_aio_future_t *const *futs, size_t n,
                         bool return_exceptions);
/* await asyncio.gather(*coros, return_exceptions=True), the common case written
 * out: runs each coroutine as a task (named in order), waits for all of them, and
 * gives each one's result and code in results[i] and errors[i] (either may be NULL;
 * errors: 0, the code it raised, -ECANCELED). Returns 0 when all returned 0, TD_ETASK
 * when one raised (the first in order is re-raised by a body returning TD_ETASK),
 * -ECANCELED when the waiting task was cancelled: then so are the children, and
 * unlike gather it returns only once they are done; -EPERM, -ENOMEM. The children's
 * arguments must not point to the caller's local variables (the pointer rule: the
 * caller waits while they run) unless the caller has a stack of its own; coros,
 * results and errors may be its locals. */
TD_API int td_aio_gather_coros(const td_aio_coro_t *coros, size_t n, void **results,
                               int *errors);
/* await asyncio.wait(futs, timeout=..., return_when=...): suspend until `when` holds
 * for the n futures or timeout seconds pass (TD_FOREVER: no limit; zero or negative:
 * one turn of the loop, as Python's call_later), then set done[i] for each one done.
 * Returns how many are done, -ECANCELED, -EINVAL (n = 0, NULL arrays, an unknown
 * when, a NaN timeout), -EOVERFLOW (finite timeout above TD_TIMEOUT_MAX), -EPERM,
 * -ENOMEM. The futures are not cancelled. */
TD_API int td_aio_wait(td_aio_future_t *const *futs, size_t n, double timeout,
                       td_return_when_t when, bool *done);
/* await asyncio.wait_for(future, timeout) as in Python 3.11: its result (0, *result),
 * TD_ETASK, or -ETIMEDOUT when it was not done in time, in which case it is cancelled
 * and waited for first; -ECANCELED when the caller was cancelled (the future is
 * cancelled too). TD_FOREVER: plain await; zero or negative: its result if it is
 * done now, else cancel it (Python 3.11's `timeout <= 0`). -EINVAL (also a NaN
 * timeout), -EOVERFLOW (finite timeout above TD_TIMEOUT_MAX), -EPERM, -ENOMEM. */
TD_API int td_aio_wait_for(td_aio_future_t *future, double timeout, void **result);

/* ---- running -------------------------------------------------------------------------- */

/* loop.run_until_complete(future): run the loop until the future is done and give its
 * outcome: 0 (*result), TD_ETASK, -ECANCELED; -EBUSY (a loop runs on this thread),
 * -EINVAL (a future of another loop). */
TD_API int td_loop_run_until_complete(td_loop_t *loop, td_aio_future_t *future, void **result);
/* asyncio.run(main): a new loop (this thread's while it runs), main as a task (so it is
 * "Task-N" with the next N: Task-1 in a program's first run), run until it is done;
 * then the tasks still pending are cancelled and waited for, and the loop is freed.
 * Returns 0 (*result: main's), TD_ETASK (main raised: *error its code; NULL allowed),
 * -ECANCELED (main was cancelled), -EBUSY (a loop runs on this thread: RuntimeError
 * "asyncio.run() cannot be called from a running event loop"), -ENOMEM. */
TD_API int td_aio_run(td_aio_coro_t main, void **result, int *error);

/* The awaiting calls note where they are called from (see above); the library
 * itself calls them without. */
#ifndef THRDEMO_BUILDING
#define TD_AIO_HERE(call) (td_aio_where(__FILE__, __LINE__), call)
#define td_aio_await(future, result) TD_AIO_HERE(td_aio_await(future, result))
#define td_aio_sleep(delay) TD_AIO_HERE(td_aio_sleep(delay))
#define td_aio_gather_coros(coros, n, results, errors)                                \
    TD_AIO_HERE(td_aio_gather_coros(coros, n, results, errors))
#define td_aio_wait(futs, n, timeout, when, done)                                      \
    TD_AIO_HERE(td_aio_wait(futs, n, timeout, when, done))
#define td_aio_wait_for(future, timeout, result)                                       \
    TD_AIO_HERE(td_aio_wait_for(future, timeout, result))
#endif

#ifdef __cplusplus
}
#endif
#endif
