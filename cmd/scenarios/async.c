/* SPDX-License-Identifier: MIT */
/* async.c - seed 002's asyncio examples ("await, async" and "asyncio"), on
 * libthrdemo's event loop (loop.h, task.h). Every coroutine is a task on one loop, on
 * the main thread: no thread is started (`--stats` says "threads started: 0"). A
 * coroutine runs until it awaits something not yet done; then the loop runs another.
 * Callbacks run first in, first out; timers by deadline, ties in the order they were
 * armed, so each trace is the same on every run.
 *
 *   gather         two tasks sleep 2 s and 1 s: Task 1 started, Task 2 started,
 *                  Task 2 finished, Task 1 finished (this file, with asyncio.run)
 *   event-loop     get_event_loop() and run_until_complete() in a plain function
 *                  (this file)
 *   future         a Future given its result after 1 s (async_future.c)
 *   exception      the same Future given set_exception: "Exception: Something went wrong"
 *   create-future  loop.create_future()
 *   monitor        "Waiting for future to complete..." every 0.5 s until a 2 s task sets it
 *   wait           wait(FIRST_COMPLETED) on three tasks, then wait_for(timeout=3) on a
 *                  5 s task (async_wait.c)
 *   event          asyncio.Event: a waiter resumes when a setter sets it after 2 s
 *                  (async_wait.c)
 *   queue          the seed's producer/consumer, whose consumer waits forever for a
 *                  None nobody puts: shown for --hang-after s, then stopped (async_queue.c)
 *   queue-fixed    the producer puts the None: all ends after 5 s
 *
 * Things to try: `async gather --stats` (threads started: 0); `async wait` and read
 * the Task repr's file and line; `async queue --hang-after 5`; compare each variant
 * with examples/python/async_<variant>.py.
 */
#include <thrdemo/log.h>
#include <thrdemo/task.h>

#include "async.h"

/* ---- asyncio.run ------------------------------------------------------------------- */

int async_run(td_aio_coro_t main)
{
    int error = 0;
    int rc = runner_aio_run(main, &error); /* Ctrl-C cancels main, as asyncio.run does */
    if (rc == 0 || (rc == -ECANCELED && runner_stopping()))
        return EXIT_OK; /* the runner says so and exits with 130 */
    cli_error("asyncio.run: %s", td_strerror(rc == TD_ETASK ? error : rc));
    return EXIT_RUNTIME;
}

/* ---- gather --------------------------------------------------------------------- */

static int task1(void *arg, void **result)
{
    (void)arg, (void)result;
    td_print("Task 1 started");
    int rc = td_aio_sleep(runner_seconds(2)); /* await asyncio.sleep(2) */
    if (rc != 0)
        return rc;
    td_print("Task 1 finished");
    return 0;
}

static int task2(void *arg, void **result)
{
    (void)arg, (void)result;
    td_print("Task 2 started");
    int rc = td_aio_sleep(runner_seconds(1)); /* the shorter sleep: it ends first */
    if (rc != 0)
        return rc;
    td_print("Task 2 finished");
    return 0;
}

static int gather_main(void *arg, void **result)
{
    (void)arg, (void)result;
    const td_aio_coro_t both[] = { TD_AIO_CORO(task1, NULL), TD_AIO_CORO(task2, NULL) };
    return td_aio_gather_coros(both, 2, NULL, NULL); /* await asyncio.gather(task1(), task2()) */
}

static int run_async_gather(const cli_args_t *args)
{
    (void)args;
    return async_run(TD_AIO_CORO(gather_main, NULL)); /* asyncio.run(main()) */
}

/* ---- event-loop: no asyncio.run, a loop of one's own -------------------------------- */

static int sleep_1(void *arg, void **result)
{
    (void)arg, (void)result;
    return td_aio_sleep(runner_seconds(1)); /* asyncio.sleep(1) */
}

static int run_async_event_loop(const cli_args_t *args) /* synchronous_function() */
{
    (void)args;
    td_loop_t *loop;
    int rc = td_aio_get_event_loop(&loop); /* 3.11: none runs here, so a new one */
    if (rc == 0 && td_loop_is_running(loop)) {
        td_print("Event loop is already running.");
    } else if (rc == 0) {
        td_print("Event loop is not running. Creating and running a new loop.");
        td_aio_task_t *sleeping; /* run_until_complete wraps the coroutine in a Task */
        rc = td_loop_create_task(loop, &sleeping, TD_AIO_CORO(sleep_1, NULL));
        if (rc == 0) {
            rc = runner_aio_run_until_complete(loop, sleeping, NULL); /* Ctrl-C cancels it */
            td_aio_future_free(sleeping);
        }
        td_loop_free(loop);
    }
    if (rc != 0 && !runner_stopping())
        cli_error("the event loop: %s", td_strerror(rc));
    return rc == 0 || runner_stopping() ? EXIT_OK : EXIT_RUNTIME;
}

/* `thrdemo async`: its variants, options, lesson and Python calls, which the parser,
 * the help and `list` read (cli.h). */
const cli_command_t scenario_async = {
    .name = "async", .kind = CMD_SCENARIO, .seed = "002",
    .summary = "asyncio: coroutines as tasks on one event loop, on the main thread",
    .about = "\"asyncio\": run, gather, sleep, Future, create_future, get_event_loop, "
             "create_task, wait, wait_for, Event and Queue, on one event loop (libuv). "
             "Every coroutine is a task on the main thread: no thread is started "
             "('--stats' says 0). Callbacks run first in, first out, timers by deadline, "
             "so each trace is the same on every run. --scale scales every sleep and "
             "timeout.",
    .lesson = "A coroutine runs only until it awaits something not yet done; then the "
              "loop runs another. Nothing runs beside it, so nothing needs a lock, and a "
              "task that never awaits holds up all the others. A sleeping task costs a "
              "timer and the few hundred bytes of its frames, copied off the loop's one "
              "shared stack, not a thread.",
    .variants = (const cli_variant_t[]){
        { "gather", "run, gather, sleep: two tasks, the shorter ends first",
          .example = "async gather --stats", .run = run_async_gather },
        { "future", "asyncio.Future() given a result by another coroutine",
          .example = "async future --scale 0.1", .run = run_async_future },
        { "exception", "the same Future given set_exception()",
          .example = "async exception --scale 0.1", .run = run_async_exception },
        { "create-future", "get_running_loop().create_future()",
          .example = "async create-future --scale 0.1", .run = run_async_create_future },
        { "monitor", "a task polls future.done() every 0.5 s until it is set",
          .example = "async monitor", .run = run_async_monitor },
        { "event-loop", "get_event_loop() and run_until_complete() in a plain function",
          .example = "async event-loop", .run = run_async_event_loop },
        { "wait", "create_task, wait(FIRST_COMPLETED), wait_for with a timeout",
          .example = "async wait --scale 0.2", .run = run_async_wait },
        { "event", "asyncio.Event: one coroutine waits until another sets it",
          .example = "async event --scale 0.5", .run = run_async_event },
        { "queue", "asyncio.Queue producer/consumer: the seed's hang, shown and stopped",
          .example = "async queue --hang-after 5", .run = run_async_queue },
        { "queue-fixed", "the same, and the producer puts the None the consumer waits for",
          .example = "async queue-fixed", .run = run_async_queue_fixed },
        { 0 } },
    .options = (const cli_option_t[]){
        [ASYNC_HANG_AFTER] = { "hang-after", OPT_NUMBER, "2", .max = 1e9, .variants = "queue",
          .help = "seconds the hang is shown after the producer is done" },
        { 0 } },
    .python = (const cli_pycall_t[]){
        { "asyncio.run(main())", "td_aio_run(TD_AIO_CORO(main, arg), &result, &error)" },
        { "async def f(): ... return r", "int f(void *arg, void **result)" },
        { "await asyncio.sleep(s)", "td_aio_sleep" },
        { "await asyncio.gather(a(), b())", "td_aio_gather_coros; td_aio_gather" },
        { "asyncio.Future(), loop.create_future()", "td_aio_future_new" },
        { "future.set_result / set_exception", "td_aio_future_set_result / _set_exception" },
        { "await future", "td_aio_await" },
        { "asyncio.create_task", "td_aio_create_task" },
        { "asyncio.wait(fs, return_when=...)", "td_aio_wait" },
        { "asyncio.wait_for(f, timeout)", "td_aio_wait_for" },
        { "print(task)", "td_aio_future_repr" },
        { "asyncio.get_event_loop, run_until_complete", "td_aio_get_event_loop, "
                                                          "td_loop_run_until_complete" },
        { "asyncio.Event", "td_aio_event_init, td_aio_event_wait, td_aio_event_set" },
        { "asyncio.Queue", "td_aio_queue_new, td_aio_queue_put, td_aio_queue_get" },
        { 0 } },
};
