/* SPDX-License-Identifier: MIT */
/* future.h - Python's concurrent.futures.Future and the module functions wait() and
 * as_completed().
 *
 * A future is made by an executor (td_pool_submit) and reference counted: the
 * caller's handle is freed with td_future_free. A task returns 0 or a negative
 * errno (its "exception") and may leave a result pointer. The outcome of WAITING for
 * a future (-ETIMEDOUT, -ECANCELED) is kept apart from the TASK's own code: a task
 * that itself returns -ETIMEDOUT is reported as TD_ETASK, and td_future_exception
 * gives its code.
 * As in CPython, wait() and as_completed() count a future as done once it finished,
 * or once it was cancelled AND its executor has noticed (dequeued it or shut down);
 * td_future_done() is true as soon as cancel() succeeds.
 */
#ifndef THRDEMO_FUTURE_H
#define THRDEMO_FUTURE_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct td_future td_future_t;

/* Called once the future is done (finished or cancelled). */
typedef void (*td_future_cb)(td_future_t *future, void *arg);

/* Wait at most timeout seconds (TD_FOREVER: no limit; zero or negative: do not wait,
 * as Python) for the task, and give its result in *result (may be NULL): 0 the task
 * returned 0; TD_ETASK the task returned an error (td_future_exception gives it);
 * -ETIMEDOUT the task has not finished; -ECANCELED the future was cancelled; -EINVAL
 * a NaN timeout, -EOVERFLOW a finite one above TD_TIMEOUT_MAX. Python's
 * Future.result(timeout). *result is written on every return: on 0 and TD_ETASK it
 * is what the task stored (NULL if it stored nothing), so a failed task's partial
 * result can still be freed; on every other return it is NULL, never a stale value. */
TD_API int td_future_result(td_future_t *future, double timeout, void **result);
/* Wait as td_future_result, then give the task's own code in *error (0 if it
 * succeeded): 0, -ETIMEDOUT, -ECANCELED, or -EINVAL / -EOVERFLOW for a bad timeout
 * (as td_future_result). Python's Future.exception(timeout). */
TD_API int td_future_exception(td_future_t *future, double timeout, int *error);
/* Cancel the task if it has not started: true if the future is (now) cancelled,
 * false once it runs or has finished. */
TD_API bool td_future_cancel(td_future_t *future);
/* Whether it finished or was cancelled. */
TD_API bool td_future_done(td_future_t *future);
/* Whether the task is running now. */
TD_API bool td_future_running(td_future_t *future);
/* Whether it was cancelled. */
TD_API bool td_future_cancelled(td_future_t *future);
/* Call fn(future, arg) once the future is done, at once (on the calling thread) if it
 * already is, else on the thread that makes it done: 0 or -ENOMEM. */
TD_API int td_future_add_done_callback(td_future_t *future, td_future_cb fn, void *arg);
/* Take one more reference to the future. */
TD_API td_future_t *td_future_ref(td_future_t *future);
/* Drop the caller's reference to the future. NULL is allowed. */
TD_API void td_future_free(td_future_t *future);

/* When td_futures_wait returns (concurrent.futures' return_when). */
typedef enum td_return_when {
    TD_FIRST_COMPLETED, /* any future finishes or is cancelled */
    TD_FIRST_EXCEPTION, /* any task fails; if none does, as TD_ALL_COMPLETED */
    TD_ALL_COMPLETED    /* every future finishes or is cancelled */
} td_return_when_t;

/* Wait at most timeout seconds (TD_FOREVER: no limit; zero or negative: do not wait,
 * as Python) until `when` holds for the n futures, then mark done[i] for each future
 * that is done: the number marked, or -EINVAL (NULL arrays with n > 0, an unknown
 * when, a NaN timeout), -EOVERFLOW (finite timeout above TD_TIMEOUT_MAX) or -ENOMEM.
 * A timeout is not an error: fewer are done. concurrent.futures.wait. */
TD_API int td_futures_wait(td_future_t *const *futures, size_t n, double timeout,
                           td_return_when_t when, bool *done);

/* concurrent.futures.as_completed: an iterator over futures as they complete. */
typedef struct td_as_completed td_as_completed_t;

/* Start iterating over the n futures (duplicates are given once), with timeout
 * seconds for the whole iteration (TD_FOREVER: no limit; zero or negative: only those
 * already done, as Python): 0, -EINVAL (also a NaN timeout), -EOVERFLOW (finite
 * timeout above TD_TIMEOUT_MAX) or -ENOMEM. */
TD_API int td_as_completed_new(td_as_completed_t **out, td_future_t *const *futures,
                               size_t n, double timeout);
/* The next future to complete (those already done first) in *future (borrowed from
 * the caller's array): 0; -ENODATA once every future was given; -ETIMEDOUT when the
 * iteration's timeout passed first (Python's TimeoutError). */
TD_API int td_as_completed_next(td_as_completed_t *it, td_future_t **future);
/* How many futures it has not given yet. */
TD_API size_t td_as_completed_left(td_as_completed_t *it);
/* End the iteration (it may be unfinished). NULL is allowed. */
TD_API void td_as_completed_free(td_as_completed_t *it);

#ifdef __cplusplus
}
#endif
#endif
