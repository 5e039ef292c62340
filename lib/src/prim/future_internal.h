/* SPDX-License-Identifier: MIT */
/* future_internal.h - what an executor does to the futures it makes. */
#ifndef THRDEMO_FUTURE_INTERNAL_H
#define THRDEMO_FUTURE_INTERNAL_H

#include <stdbool.h>

#include "core/core.h"
#include "thrdemo/future.h"

/* A new PENDING future with one reference, or NULL (out of memory). */
td_future_t *td__future_new(void);
/* CPython's set_running_or_notify_cancel: true if the task should run now (the
 * future is RUNNING); false if it was cancelled (now CANCELLED_AND_NOTIFIED). */
bool td__future_start(td_future_t *future);
/* The task returned rc with result: FINISHED, waiters told, callbacks run. */
void td__future_finish(td_future_t *future, int rc, void *result);
/* The executor drops the task unrun (shutdown with cancel_futures, a freed queue):
 * cancel the future and notice it at once (CANCELLED_AND_NOTIFIED), as a worker
 * dequeuing it would, so wait() and as_completed() count it done. */
void td__future_drop(td_future_t *future);

/* td_future_result against a deadline (*result NULL unless the task finished);
 * error (may be NULL) gets the task's code when it finished. */
int td__future_result_until(td_future_t *future, td__deadline_t deadline, void **result,
                            int *error);

#endif
