/* SPDX-License-Identifier: MIT */
/* runner.h - the one place that runs a scenario and owns its orderly stop.
 *
 * runner_run() turns SIGINT and SIGTERM into one process-wide stop, runs the
 * scenario, waits for the non-daemon threads it left (Python's threading._shutdown)
 * and gives the exit status: 130 or 143 after a stop. Scenario code never registers
 * anything for Ctrl-C: it sleeps and waits through the calls below, which the stop
 * cuts short, and a thread that must end checks runner_stopping().
 *
 * Every duration a scenario names is nominal: these calls multiply it by --scale.
 */
#ifndef THRDEMO_RUNNER_H
#define THRDEMO_RUNNER_H

#include <stdbool.h>

#include <thrdemo/event.h>
#include <thrdemo/task.h>
#include <thrdemo/thread.h>
#include <thrdemo/timer.h>

#include "cli/cli.h"

/* Run a parsed scenario (or tool) to its end: its exit status, 128 + the signal
 * after Ctrl-C or SIGTERM. */
int runner_run(const cli_args_t *args);

/* A nominal duration in seconds times --scale (TD_FOREVER stays TD_FOREVER). */
double runner_seconds(double nominal);
/* The wall clock (seconds since the epoch) nominal seconds after the run began, on
 * the nominal clock: under --scale 0.1 it runs ten times faster than the real one,
 * so a time printed from it is the one the unscaled run would print. */
double runner_clock(double nominal);
/* Whether Ctrl-C (or SIGTERM) asked the run to stop. */
bool runner_stopping(void);
/* Sleep a nominal duration, cut short by the stop: true if stopped. */
bool runner_sleep(double nominal);
/* Sleep a nominal duration that setting wake cuts short (a time.sleep that another
 * thread may end early), reported as a sleep, not as a wait on wake: wake's flag. */
bool runner_sleep_on(td_event_t *wake, double nominal);
/* Python's event.wait(timeout) with a nominal timeout (TD_FOREVER: None), which the
 * stop also ends (by setting the event): the event's flag, as td_event_wait. */
bool runner_wait(td_event_t *event, double nominal);
/* A file descriptor that becomes readable, for good, when the stop comes: for
 * poll() beside a socket. -1 outside runner_run. */
int runner_stop_fd(void);

/* asyncio.run(main) for a story (td_aio_run): the stop cancels the main task, as
 * asyncio.run does on Ctrl-C, through the loop's call_soon_threadsafe. Returns as
 * td_aio_run; *error (may be NULL) gets main's code when it raised. */
int runner_aio_run(td_aio_coro_t main, int *error);
/* loop.run_until_complete(task) for a story with a loop of its own: the stop cancels
 * the task. Returns as td_loop_run_until_complete. */
int runner_aio_run_until_complete(td_loop_t *loop, td_aio_task_t *task, void **result);

/* Create and start a thread into *thread: 0, or EXIT_RUNTIME after saying on
 * stderr why it could not start (*thread NULL). */
int runner_start(td_thread_t **thread, const td_thread_attr_t *attr);
/* Join a thread and free it (Python's t.join()); NULL does nothing. */
void runner_join(td_thread_t *thread);
/* Start a threading.Timer calling fn(arg) after a nominal interval, which the stop
 * cancels: the timer, or NULL after saying why on stderr. */
td_timer_t *runner_timer(double nominal, td_thread_fn fn, void *arg);
/* Join a timer from runner_timer (the stop cancels it rather than wait it out)
 * and free it. */
void runner_timer_finish(td_timer_t *timer);

#endif
