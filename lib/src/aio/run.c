/* SPDX-License-Identifier: MIT */
/* run.c - the runners (task.h, loop.h): run_until_complete and asyncio.run, as
 * base_events.py and runners.py write them.
 *
 * DESIGN. run_until_complete turns the loop until a done callback on the future stops
 * it; asyncio.run makes a loop, runs the main task to its end, then cancels what is
 * left and lets it finish (a gather of the rest, run until complete) before it frees
 * the loop, which closes anything that still would not end.
 */
#include <stdlib.h>

#include "aio.h"

static void run_until_complete_cb(td_aio_future_t *f, void *loop)
{
    (void)f;
    td_loop_stop(loop);
}

int td_loop_run_until_complete(td_loop_t *loop, td_aio_future_t *fut, void **result)
{
    if (!loop || !fut || fut->loop != loop)
        return -EINVAL;
    if (loop->running || td__running_loop())
        return -EBUSY;
    if (loop->closing)
        return -ESHUTDOWN;
    int rc = td__afut_add_callback(fut, run_until_complete_cb, loop,
                                     "_run_until_complete_cb()", NULL);
    if (rc != 0)
        return rc;
    td__loop_run(loop);
    td_aio_future_remove_done_callback(fut, run_until_complete_cb, loop);
    if (!td_aio_future_done(fut))
        return -EINTR; /* RuntimeError('Event loop stopped before Future completed.') */
    return td__afut_outcome(fut, result);
}

/* runners.py's _cancel_all_tasks: cancel what is left and let it finish. */
static void cancel_all_tasks(td_loop_t *loop)
{
    size_t n = td_aio_all_tasks(loop, NULL, 0);
    td_aio_task_t **tasks = n ? malloc(n * sizeof *tasks) : NULL;
    if (!tasks)
        return; /* none (or no memory: td_loop_free closes them) */
    td_aio_all_tasks(loop, tasks, n);
    for (size_t i = 0; i < n; i++)
        td_aio_future_cancel(td_aio_future_ref(tasks[i]), NULL);
    td_aio_future_t *all;
    if (td_aio_gather(&all, tasks, n, true) == 0) {
        td_loop_run_until_complete(loop, all, NULL);
        td_aio_future_free(all);
    }
    for (size_t i = 0; i < n; i++)
        td_aio_future_free(tasks[i]);
    free(tasks);
}

int td_aio_run(td_aio_coro_t main, void **result, int *error)
{
    if (td__running_loop())
        return -EBUSY;
    if (!main.fn)
        return -EINVAL;
    td_loop_t *loop;
    int rc = td_loop_new(&loop);
    if (rc != 0)
        return rc;
    td_aio_set_event_loop(loop);
    td_aio_task_t *task = NULL;
    rc = td_loop_create_task(loop, &task, main);
    if (rc == 0)
        rc = td_loop_run_until_complete(loop, task, result);
    if (rc == TD_ETASK && error)
        td_aio_future_exception(task, error, NULL);
    cancel_all_tasks(loop);
    td_aio_future_free(task);
    td_aio_set_event_loop(NULL);
    td_loop_free(loop);
    return rc;
}
