/* SPDX-License-Identifier: MIT */
/* async_future.c - the async scenario's futures (seed 002, "Future"): a Future is a
 * result that is not there yet; awaiting it suspends the task until some other
 * coroutine sets it. Variants future, exception, create-future and monitor; see
 * async.c for the whole scenario.
 */
#include <string.h>

#include <thrdemo/log.h>
#include <thrdemo/task.h>

#include "async.h"

/* ---- future, exception, create-future ----------------------------------------------- */

static bool with_exception; /* the exception variant */

static int set_future_value(void *future, void **result)
{
    (void)result;
    int rc = td_aio_sleep(runner_seconds(1));
    if (rc != 0)
        return rc;
    if (with_exception) /* future.set_exception(Exception('Something went wrong')) */
        return td_aio_future_set_exception(future, TD_EEXCEPTION, "Something went wrong");
    return td_aio_future_set_result(future, "Hello, World!");
}

/* await future; print(result), or what `except Exception as e` prints. */
static int print_outcome(td_aio_future_t *future)
{
    void *value = NULL;
    int rc = td_aio_await(future, &value); /* result = await future */
    if (rc == 0) {
        td_print("%s", (const char *)value);
    } else if (rc == TD_ETASK) { /* it raised: print(f"{type(e).__name__}: {e}") */
        int code;
        const char *message;
        td_aio_future_exception(future, &code, &message);
        td_print("%s: %s", code == TD_EEXCEPTION ? "Exception" : "OSError",
                 message ? message : td_strerror(code));
        rc = 0;
    }
    return rc;
}

/* Both variants' main: the Future, set by another task that gather() waits for. */
static int await_the_future(td_aio_future_t *future)
{
    const td_aio_coro_t setter = TD_AIO_CORO(set_future_value, future);
    int rc = td_aio_gather_coros(&setter, 1, NULL, NULL); /* await gather(set_future_value(f)) */
    if (rc == 0)
        rc = print_outcome(future);
    td_aio_future_free(future);
    return rc;
}

static int future_main(void *arg, void **result)
{
    (void)arg, (void)result;
    td_aio_future_t *future;
    int rc = td_aio_future_new(&future, NULL); /* asyncio.Future(): the running loop's */
    return rc == 0 ? await_the_future(future) : rc;
}

int run_async_future(const cli_args_t *args)
{
    (void)args;
    return async_run(TD_AIO_CORO(future_main, NULL));
}

int run_async_exception(const cli_args_t *args)
{
    with_exception = true;
    return run_async_future(args);
}

static int create_future_main(void *arg, void **result)
{
    (void)arg, (void)result;
    td_loop_t *loop = td_aio_get_running_loop(); /* asyncio.get_running_loop() */
    td_aio_future_t *future;
    int rc = td_aio_future_new(&future, loop); /* loop.create_future() */
    return rc == 0 ? await_the_future(future) : rc;
}

int run_async_create_future(const cli_args_t *args)
{
    (void)args;
    return async_run(TD_AIO_CORO(create_future_main, NULL));
}

/* ---- monitor: a task polls future.done() -------------------------------------------- */

struct result_due {
    td_aio_future_t *future;
    double at; /* 2 s after main began: a task that began late (a slow first stack, a
                  busy machine) would let the monitor's 4th sleep end first, 5 lines */
};

static int set_future_result(void *arg, void **result)
{
    (void)result;
    struct result_due *due = arg; /* Python's sleep(2), counted from main's start */
    int rc = td_aio_sleep(due->at - td_loop_time(td_aio_get_running_loop()));
    return rc == 0 ? td_aio_future_set_result(due->future, "Future result") : rc;
}

static int monitor_future(void *future, void **result)
{
    (void)result;
    while (!td_aio_future_done(future)) { /* done() only looks: it never waits */
        td_print("Waiting for future to complete...");
        int rc = td_aio_sleep(runner_seconds(0.5));
        if (rc != 0)
            return rc;
    }
    td_print("Future completed!");
    return 0;
}

static int monitor_main(void *arg, void **result)
{
    (void)arg, (void)result;
    td_aio_future_t *future, *tasks[2] = { NULL, NULL }, *both = NULL;
    td_loop_t *loop = td_aio_get_running_loop();
    int rc = td_aio_future_new(&future, loop);
    if (rc != 0)
        return rc;
    /* the monitor's sleeps start first, but at 2 s the result's timer, armed before
     * the monitor's fourth sleep, fires first: four lines, not five */
    static struct result_due due; /* not a local: the task uses it while main waits */
    due = (struct result_due){ future, td_loop_time(loop) + runner_seconds(2) };
    rc = td_aio_create_task(&tasks[0], TD_AIO_CORO(monitor_future, future));
    if (rc == 0)
        rc = td_aio_create_task(&tasks[1], TD_AIO_CORO(set_future_result, &due));
    if (rc == 0)
        rc = td_aio_gather(&both, tasks, 2, false); /* await asyncio.gather(...) */
    if (rc == 0)
        rc = td_aio_await(both, NULL);
    void *value;
    if (rc == 0 && td_aio_future_result(future, &value) == 0)
        td_print("Result: %s", (const char *)value);
    td_aio_future_free(both);
    td_aio_future_free(tasks[0]);
    td_aio_future_free(tasks[1]);
    td_aio_future_free(future);
    return rc;
}

int run_async_monitor(const cli_args_t *args)
{
    (void)args;
    return async_run(TD_AIO_CORO(monitor_main, NULL));
}
