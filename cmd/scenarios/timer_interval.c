/* SPDX-License-Identifier: MIT */
/* timer_interval.c - `timer interval`, seed 002's set_interval: a decorator that runs
 * a function every --every seconds on a daemon thread until the Event it returns is
 * set, here by a Timer after --stop-after seconds.
 *
 * The loop is `while not stopped.wait(sec): func()`, with due times that do not
 * drift (start + n * sec). func prints the second of the minute and "hello"; the
 * second is read from the nominal clock (runner_clock), like every duration, so
 * under --scale 0.1 it still advances by 2 from one line to the next.
 *
 * Trace (defaults): five lines "<second> hello", two seconds apart, then the Timer
 * stops the loop at 11 s and the process ends.
 * Things to try: `timer interval --every 0.5`; `--stop-after 3 --scale 0.1`.
 */
#include <thrdemo/event.h>
#include <thrdemo/log.h>
#include <thrdemo/thread.h>
#include <thrdemo/timer.h>

#include "timer.h"

struct interval {
    td_event_t stopped; /* set_interval's `stopped`, set by the Timer */
    double every;       /* nominal seconds */
};

/* i_wanna_interval("hello"): datetime.now().second, at `when` on the nominal clock. */
static void i_wanna_interval(double when, const char *msg)
{
    struct tm tm;
    td_print("%d %s", py_localtime(when, &tm)->tm_sec, msg);
}

/* loop(): `while not stopped.wait(sec): func()`, with due times that do not drift. */
static void loop(void *arg)
{
    struct interval *iv = arg;
    double start = td_monotonic();
    for (long long n = 1;; n++) {
        double wait = start + runner_seconds((double)n * iv->every) - td_monotonic();
        if (td_event_wait(&iv->stopped, wait > 0 ? wait : 0))
            return;
        i_wanna_interval(runner_clock((double)n * iv->every), "hello");
    }
}

static void set_stopped(void *arg)
{
    td_event_set(arg);
}

int run_timer_interval(const cli_args_t *args)
{
    static struct interval iv; /* the daemon loop may use it until the process ends */
    td_event_init(&iv.stopped);
    td_object_set_name(&iv.stopped, "stopped");
    iv.every = cli_number(args, TIMER_EVERY_INTERVAL);
    td_thread_t *t; /* threading.Thread(target=loop, daemon=True).start() */
    int rc = runner_start(&t, &(td_thread_attr_t){ TD_TARGET(loop), .arg = &iv,
                                                   .daemon = TD_DAEMON_YES });
    td_thread_free(t);
    td_timer_t *timer =
        rc ? NULL : runner_timer(cli_number(args, TIMER_STOP_AFTER), set_stopped, &iv.stopped);
    if (!timer)
        return EXIT_RUNTIME;
    runner_wait(&iv.stopped, TD_FOREVER); /* Python's main ends; the Timer keeps it alive */
    runner_timer_finish(timer);
    return EXIT_OK;
}
