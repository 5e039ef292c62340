/* SPDX-License-Identifier: MIT */
/* async_wait.c - the async scenario's waits: the wait variant (seed 002, "create_task, wait,
 * wait_for"): three tasks, wait(FIRST_COMPLETED) returns as the first is done and
 * leaves the other two running; then wait_for gives a 5 s task 3 s, cancels it and
 * says so. The seed's trace shows "Task 2 complete" and Python 3.8's reprs, which its
 * code never printed; this prints what CPython 3.11 prints for that code, the
 * pending tasks' reprs naming this file and the line where each is suspended. And the
 * event variant: asyncio.Event, one task waits until another sets it.
 */
#include <thrdemo/aio_event.h>
#include <thrdemo/log.h>
#include <thrdemo/task.h>

#include "async.h"

static int task1(void *arg, void **result)
{
    (void)arg;
    int rc = td_aio_sleep(runner_seconds(1));
    *result = "Task 1 complete"; /* return 'Task 1 complete' */
    return rc;
}

static int task2(void *arg, void **result)
{
    (void)arg;
    int rc = td_aio_sleep(runner_seconds(2)); /* where print(task) finds it suspended */
    *result = "Task 2 complete";
    return rc;
}

static int task3(void *arg, void **result)
{
    (void)arg;
    int rc = td_aio_sleep(runner_seconds(3));
    *result = "Task 3 complete";
    return rc;
}

static int long_task(void *arg, void **result)
{
    (void)arg;
    td_print("Task started");
    int rc = td_aio_sleep(runner_seconds(5)); /* wait_for cancels it here, at 3 s */
    if (rc != 0)
        return rc; /* CancelledError goes on up: "Task finished" is never printed */
    td_print("Task finished");
    *result = "Result of the task";
    return 0;
}

/* print(task.result()) for the done ones, print(task) for the pending ones. */
static void print_wait_outcome(td_aio_task_t *const *tasks, const bool *done)
{
    for (int i = 0; i < 3; i++) {
        void *value;
        if (done[i] && td_aio_future_result(tasks[i], &value) == 0)
            td_print("%s", (const char *)value);
    }
    for (int i = 0; i < 3; i++) {
        char repr[512];
        if (!done[i] && td_aio_future_repr(tasks[i], repr, sizeof repr) < sizeof repr)
            td_print("%s", repr);
    }
}

static int wait_for_long_task(void)
{
    td_aio_task_t *task;
    int rc = td_aio_create_task(&task, TD_AIO_CORO(long_task, NULL));
    if (rc != 0)
        return rc;
    void *value;
    rc = td_aio_wait_for(task, runner_seconds(3), &value); /* asyncio.wait_for(long_task(), 3) */
    if (rc == 0)
        td_print("Task completed: %s", (const char *)value);
    else if (rc == -ETIMEDOUT) /* except asyncio.TimeoutError */
        td_print("Task timed out!");
    td_aio_future_free(task);
    return rc == -ETIMEDOUT ? 0 : rc;
}

static int wait_main(void *arg, void **result)
{
    (void)arg, (void)result;
    td_aio_task_t *tasks[3] = { NULL, NULL, NULL };
    int rc = td_aio_create_task(&tasks[0], TD_AIO_CORO(task1, NULL));
    if (rc == 0)
        rc = td_aio_create_task(&tasks[1], TD_AIO_CORO(task2, NULL));
    if (rc == 0)
        rc = td_aio_create_task(&tasks[2], TD_AIO_CORO(task3, NULL));
    bool done[3];
    int n_done = rc == 0 ? td_aio_wait(tasks, 3, TD_FOREVER, TD_FIRST_COMPLETED, done) : rc;
    if (n_done > 0) {
        print_wait_outcome(tasks, done);
        rc = wait_for_long_task();
    } else {
        rc = n_done;
    }
    for (int i = 0; i < 3; i++)
        td_aio_future_free(tasks[i]);
    return rc;
}

int run_async_wait(const cli_args_t *args)
{
    (void)args;
    return async_run(TD_AIO_CORO(wait_main, NULL));
}

/* ---- event ---------------------------------------------------------------------------- */

static int waiter(void *event, void **result)
{
    (void)result;
    td_print("Waiting for event...");
    int rc = td_aio_event_wait(event); /* await event.wait(): suspends this task only */
    if (rc != 0)
        return rc;
    td_print("Event received!");
    return 0;
}

static int setter(void *event, void **result)
{
    (void)result;
    int rc = td_aio_sleep(runner_seconds(2));
    if (rc == 0)
        td_aio_event_set(event); /* the waiter resumes at the loop's next turn */
    return rc;
}

static int event_main(void *arg, void **result)
{
    (void)arg, (void)result;
    /* asyncio.Event(): static, not a local, since the tasks use it while main waits
     * and a waiting task's frames are not where they were (task.h's pointer rule) */
    static td_aio_event_t event;
    td_aio_event_init(&event);
    const td_aio_coro_t both[] = { TD_AIO_CORO(waiter, &event), TD_AIO_CORO(setter, &event) };
    int rc = td_aio_gather_coros(both, 2, NULL, NULL);
    td_aio_event_destroy(&event);
    return rc;
}

int run_async_event(const cli_args_t *args)
{
    (void)args;
    return async_run(TD_AIO_CORO(event_main, NULL));
}
