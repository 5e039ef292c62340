/* SPDX-License-Identifier: MIT */
/* async.h - what the files of the async scenario share (async.c, async_future.c,
 * async_wait.c and async_queue.c): the variants told outside async.c, for its table,
 * and the enumerators of its options. */
#ifndef THRDEMO_SCENARIOS_ASYNC_H
#define THRDEMO_SCENARIOS_ASYNC_H

#include "scenarios.h"

/* The options of async, one enumerator per row of its table in async.c, by which
 * the stories read them: a name mistyped does not compile. */
enum {
    ASYNC_HANG_AFTER,
};

/* asyncio.run(main) for a story (runner_aio_run), with a failure said on stderr:
 * EXIT_OK or EXIT_RUNTIME. */
int async_run(td_aio_coro_t main);
/* The variants told in async_future.c: a Future given a result or an exception, made by
 * the loop, polled by a monitor task. */
int run_async_future(const cli_args_t *args);
int run_async_exception(const cli_args_t *args);
int run_async_create_future(const cli_args_t *args);
int run_async_monitor(const cli_args_t *args);
/* The variants told in async_wait.c: wait and wait_for, asyncio.Event. */
int run_async_wait(const cli_args_t *args);
int run_async_event(const cli_args_t *args);
/* The variants told in async_queue.c: the seed's asyncio.Queue hang, and its fix. */
int run_async_queue(const cli_args_t *args);
int run_async_queue_fixed(const cli_args_t *args);

#endif
