/* SPDX-License-Identifier: MIT */
/* pool.h - Python's concurrent.futures.ThreadPoolExecutor and Future.
 *
 * submit() queues a task and starts a worker only when no idle one can take it, up
 * to max_workers (default min(32, CPUs + 4)), named "ThreadPoolExecutor-K_N" where
 * K counts executors in the process and N workers in this one. Workers are
 * non-daemon threads; td_shutdown()/td_exit() shut every live pool down first, as
 * CPython's atexit hook does, so a forgotten pool cannot hang the process's end.
 *
 * A task returns 0 or a negative errno (its "exception") and may leave a result
 * pointer; td_future_result hands back both.
 */
#ifndef THRDEMO_POOL_H
#define THRDEMO_POOL_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct td_pool td_pool_t;
typedef struct td_future td_future_t;

/* A task: do the work for arg, store a result in *result, return 0 or -errno. */
typedef int (*td_task_fn)(void *arg, void **result);
/* Called once the future is done (finished or cancelled). */
typedef void (*td_future_cb)(td_future_t *future, void *arg);

/* Create an executor into *out with at most max_workers threads (0: the default)
 * and a thread name prefix (NULL: "ThreadPoolExecutor-K"): 0, -ENOMEM. */
TD_API int td_pool_new(td_pool_t **out, size_t max_workers, const char *name_prefix);
/* Shut down (waiting for the tasks) if not done yet, and free the executor. */
TD_API void td_pool_free(td_pool_t *pool);
/* The executor's max_workers. */
TD_API size_t td_pool_max_workers(td_pool_t *pool);
/* How many worker threads it has started so far. */
TD_API size_t td_pool_threads(td_pool_t *pool);
/* Schedule fn(arg) and give its future in *future (free it with td_future_free;
 * future may be NULL when nobody will look): 0, -ESHUTDOWN after shutdown (Python:
 * "cannot schedule new futures after shutdown"), -ENOMEM, -EAGAIN. */
TD_API int td_pool_submit(td_pool_t *pool, td_task_fn fn, void *arg, td_future_t **future);
/* Stop accepting tasks; cancel_futures cancels the queued ones; wait joins every
 * worker after the running tasks end. Safe to call more than once. */
TD_API void td_pool_shutdown(td_pool_t *pool, bool wait, bool cancel_futures);

/* Wait at most timeout seconds (TD_FOREVER: no limit) for the task and give its
 * result in *result (may be NULL): the task's own return code (0 or -errno),
 * -ETIMEDOUT, or -ECANCELED for a cancelled future. */
TD_API int td_future_result(td_future_t *future, double timeout, void **result);
/* Cancel the task if it has not started: true if the future is (now) cancelled,
 * false once it runs or has finished. */
TD_API bool td_future_cancel(td_future_t *future);
/* Whether it finished or was cancelled. */
TD_API bool td_future_done(td_future_t *future);
/* Whether the task is running now. */
TD_API bool td_future_running(td_future_t *future);
/* Whether it was cancelled. */
TD_API bool td_future_cancelled(td_future_t *future);
/* Call fn(future, arg) when the future is done, at once if it already is:
 * 0 or -ENOMEM. */
TD_API int td_future_add_done_callback(td_future_t *future, td_future_cb fn, void *arg);
/* Drop the caller's reference to the future. NULL is allowed. */
TD_API void td_future_free(td_future_t *future);

#ifdef __cplusplus
}
#endif
#endif
