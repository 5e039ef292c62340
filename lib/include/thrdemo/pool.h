/* SPDX-License-Identifier: MIT */
/* pool.h - Python's concurrent.futures.ThreadPoolExecutor.
 *
 * submit() queues a task and starts a worker only when no idle one can take it, up
 * to max_workers (default min(32, CPUs + 4)), named "ThreadPoolExecutor-K_N" where
 * K counts executors in the process and N workers in this one. Workers are
 * non-daemon threads; td_shutdown()/td_exit() shut every live pool down first, as
 * CPython's atexit hook does, so a forgotten pool cannot hang the process's end.
 * A task returns 0 or a negative errno (its "exception") and may leave a result
 * pointer; its future (future.h) hands back both.
 */
#ifndef THRDEMO_POOL_H
#define THRDEMO_POOL_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"
#include "future.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct td_pool td_pool_t;

/* A task: do the work for arg, store a result in *result, return 0 or -errno. */
typedef int (*td_task_fn)(void *arg, void **result);

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
 * "cannot schedule new futures after shutdown"), -EINVAL (no fn), -ENOMEM, -EAGAIN.
 * On any failure nothing is queued: fn never runs and *future is not written.
 * -EAGAIN means the executor has no worker and could not start one (the system's
 * thread limit); when a worker already exists and a new one cannot start, the task
 * is queued for the existing ones and the call returns 0. */
TD_API int td_pool_submit(td_pool_t *pool, td_task_fn fn, void *arg, td_future_t **future);
/* Executor.map: run fn(args[i]) for each of the n args, then collect the results in
 * order into results[i] and each task's code into errors[i] (either may be NULL),
 * waiting at most timeout seconds in all from the last submit (TD_FOREVER: no
 * limit; zero or negative: only tasks already finished, as Python's
 * result(end_time - now)). At the first task that fails or is not done in time, the tasks not yet
 * started are cancelled (errors[i] = -ECANCELED), as Python's map does when it
 * raises; the one not done in time is cancelled too if it has not started (its
 * errors[i] stays -ETIMEDOUT). Of the later ones already finished, errors and
 * results say how, and one still running has errors[i] = -EINPROGRESS. If a submit
 * fails, the tasks already submitted are given up in the same way, and every
 * argument left without a task has errors[i] = the submit's code, results[i] = NULL.
 * Returns 0 when every task returned 0, else the first failure in order:
 * TD_ETASK (errors[i] has the task's code), -ETIMEDOUT, -ECANCELED; or -ESHUTDOWN,
 * -ENOMEM, -EAGAIN from the submits, -EINVAL (no fn, NULL args with n > 0, a NaN
 * timeout), -EOVERFLOW (finite timeout above TD_TIMEOUT_MAX). Tasks that had started
 * run on, so args must outlive them (td_pool_shutdown with wait waits for them). */
TD_API int td_pool_map(td_pool_t *pool, td_task_fn fn, void *const *args, size_t n,
                       double timeout, void **results, int *errors);
/* Stop accepting tasks; cancel_futures cancels the queued ones (done at once, for
 * td_futures_wait and td_as_completed too); wait joins every worker after the
 * running tasks end. Safe to call more than once. */
TD_API void td_pool_shutdown(td_pool_t *pool, bool wait, bool cancel_futures);

#ifdef __cplusplus
}
#endif
#endif
