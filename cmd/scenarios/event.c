/* SPDX-License-Identifier: MIT */
/* event.c - seed 002 "Event": threads released by threading.Event.
 *
 *   wait      one thread waits forever on event1; another polls event2 with
 *             wait(timeout), printing each timeout, until main sets it.
 *   subclass  "Thread subclass" threads, all gated by one Event set by main.
 *   timer     a Timer sets the Event main waits on.
 *
 * Trace (wait, --scale 0.1): "Thread started and waiting for event to be set",
 * then "Thread checking for event, will timeout in 1 seconds" / "Timeout occurred..."
 * pairs, "event1 setting complete", ..., "All threads have finished."
 *
 * Things to try: --wait-timeout 0.3 (more polls), `event subclass --threads 4`,
 * `event timer --delay 1`, Ctrl-C in the middle (exit 130, every thread joined).
 */
#include <stdio.h>
#include <string.h>

#include <thrdemo/event.h>
#include <thrdemo/log.h>
#include <thrdemo/thread.h>
#include <thrdemo/timer.h>

#include "scenarios.h"
#include "stats.h"

/* ---- wait -------------------------------------------------------------------------- */

struct wait_demo {
    td_event_t event1, event2;
    double wait_timeout; /* nominal seconds */
};

static void wait_for_event(void *arg)
{
    struct wait_demo *d = arg;
    td_print("Thread started and waiting for event to be set");
    td_event_wait(&d->event1, TD_FOREVER); /* the lesson: block until set() */
    if (cli_stopping())
        return;
    td_print("Event has been set, resuming thread");
}

static void wait_for_event_timeout(void *arg)
{
    struct wait_demo *d = arg;
    char t[32];
    cli_pynum(d->wait_timeout, t);
    while (!td_event_is_set(&d->event2)) {
        td_print("Thread checking for event, will timeout in %s seconds", t);
        if (td_event_wait(&d->event2, cli_seconds(d->wait_timeout))) { /* the lesson */
            if (cli_stopping())
                return;
            td_print("Event has been set, resuming thread");
        } else {
            td_print("Timeout occurred, continuing to check for event");
            stats_count("wait(timeout) timeouts", 1);
        }
    }
}

static int run_wait(const cli_args_t *args)
{
    struct wait_demo d = { .wait_timeout = cli_number(args, "wait-timeout") };
    td_event_init(&d.event1);
    td_event_init(&d.event2);
    cli_wake_on_stop(&d.event1);
    cli_wake_on_stop(&d.event2);
    td_thread_t *thread1 = NULL, *thread2 = NULL;
    int rc = cli_start_thread(&thread1, &(td_thread_attr_t){ TD_TARGET(wait_for_event), .arg = &d });
    if (rc == 0)
        rc = cli_start_thread(&thread2, &(td_thread_attr_t){ TD_TARGET(wait_for_event_timeout), .arg = &d });
    if (rc == 0 && !cli_sleep(cli_number(args, "first-delay"))) {
        td_event_set(&d.event1);
        td_print("event1 setting complete");
        if (!cli_sleep(cli_number(args, "second-delay"))) {
            td_event_set(&d.event2);
            td_print("event2 setting complete");
        }
    }
    td_event_set(&d.event1); /* on Ctrl-C or a failed start: release whoever waits */
    td_event_set(&d.event2);
    if (thread1)
        td_thread_join(thread1, TD_FOREVER);
    if (thread2)
        td_thread_join(thread2, TD_FOREVER);
    if (rc == 0 && !cli_stopping())
        td_print("All threads have finished.");
    td_thread_free(thread1);
    td_thread_free(thread2);
    cli_forget_wake(&d.event1);
    cli_forget_wake(&d.event2);
    return rc == 0 ? EXIT_OK : EXIT_RUNTIME;
}

/* ---- subclass ---------------------------------------------------------------------- */

struct subclass_demo {
    td_event_t event;
    long long count;
};

/* MyThread.run(): the overridden run() of a Thread subclass. */
static void my_thread_run(void *arg)
{
    struct subclass_demo *d = arg;
    char name[CLI_NAME_MAX];
    cli_thread_name(td_current_thread(), name);
    td_print("%s is waiting for the event to be set.", name);
    td_event_wait(&d->event, TD_FOREVER);
    for (long long i = 1; i <= d->count && !cli_stopping(); i++) {
        td_print("%s - Number: %lld", name, i);
        stats_count("numbers printed", 1);
        cli_sleep(1);
    }
}

enum { MAX_THREADS = 64 };

static int run_subclass(const cli_args_t *args)
{
    struct subclass_demo d = { .count = cli_int(args, "count") };
    td_event_init(&d.event);
    cli_wake_on_stop(&d.event);
    long long n = cli_int(args, "threads");
    td_thread_t *threads[MAX_THREADS] = { 0 };
    int rc = 0;
    for (long long i = 0; i < n && rc == 0; i++) {
        /* super().__init__() with no name takes a "Thread-N", then self.name = ... */
        rc = td_thread_new(&threads[i], &(td_thread_attr_t){ .target = my_thread_run,
                                                             .arg = &d });
        char name[32];
        snprintf(name, sizeof name, "Thread %lld", i + 1);
        if (rc == 0)
            rc = td_thread_set_name(threads[i], name);
    }
    for (long long i = 0; i < n && rc == 0; i++)
        rc = td_thread_start(threads[i]);
    if (rc != 0)
        cli_error("cannot start a thread: %s", td_strerror(rc));
    if (rc == 0 && !cli_sleep(5)) {
        td_print("Main thread setting event");
    }
    td_event_set(&d.event);
    for (long long i = 0; i < n; i++) {
        if (threads[i] && td_thread_is_alive(threads[i]))
            td_thread_join(threads[i], TD_FOREVER);
        td_thread_free(threads[i]);
    }
    if (rc == 0 && !cli_stopping())
        td_print("All threads have finished.");
    cli_forget_wake(&d.event);
    return rc == 0 ? EXIT_OK : EXIT_RUNTIME;
}

/* ---- timer ------------------------------------------------------------------------- */

static void set_event(void *arg)
{
    td_print("Timer fired, setting the event");
    td_event_set(arg);
}

static int run_timer(const cli_args_t *args)
{
    td_event_t event;
    td_event_init(&event);
    cli_wake_on_stop(&event);
    double delay = cli_number(args, "delay");
    td_timer_t *timer;
    int rc = td_timer_new(&timer, cli_seconds(delay), set_event, &event);
    if (rc == 0 && (rc = td_timer_start(timer)) != 0)
        td_timer_free(timer);
    if (rc != 0) {
        cli_error("cannot start the timer: %s", td_strerror(rc));
        return EXIT_RUNTIME;
    }
    char d[32];
    td_print("Waiting for the event; a timer will set it in %s seconds", cli_pyfloat(delay, d));
    td_event_wait(&event, TD_FOREVER);
    if (cli_stopping())
        td_timer_cancel(timer);
    else
        td_print("Event has been set, main thread resumes");
    td_timer_join(timer, TD_FOREVER);
    td_timer_free(timer);
    cli_forget_wake(&event);
    return EXIT_OK;
}

static int run(const cli_args_t *args)
{
    if (cli_variant_is(args, "subclass"))
        return run_subclass(args);
    if (cli_variant_is(args, "timer"))
        return run_timer(args);
    return run_wait(args);
}

static const cli_variant_t variants[] = {
    { "wait", "one thread waits forever, one polls with wait(timeout)" },
    { "subclass", "Thread subclasses gated by one Event" },
    { "timer", "a Timer sets the Event main waits on" },
    { 0 },
};

static const cli_option_t options[] = {
    { "wait-timeout", OPT_NUMBER, "1", "seconds thread2 waits per check", "wait", 0, 1e9, true, 0 },
    { "first-delay", OPT_NUMBER, "5", "seconds before main sets event1", "wait", 0, 1e9, false, 0 },
    { "second-delay", OPT_NUMBER, "5", "seconds before main sets event2", "wait", 0, 1e9, false, 0 },
    { "threads", OPT_INT, "2", "how many Thread subclasses wait", "subclass", 1, MAX_THREADS, false, 0 },
    { "count", OPT_INT, "5", "numbers each thread prints, one a second", "subclass", 0, 1e6, false, 0 },
    { "delay", OPT_NUMBER, "5.0", "seconds before the Timer sets the event", "timer", 0, 1e9, false, 0 },
    { 0 },
};

const scenario_t scenario_event = {
    .name = "event",
    .seed = "002",
    .variants = variants,
    .options = options,
    .run = run,
    .help = "Seed 002 \"Event\": threading.Event releases the threads that wait on it.\n"
            "Things to try: --wait-timeout 0.3, 'event subclass --threads 4',\n"
            "'event timer --delay 1', and Ctrl-C mid-run (exit 130, threads joined).\n",
};
