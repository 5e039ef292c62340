/* SPDX-License-Identifier: MIT */
/* event.c - seed 002 "Event": threads released by threading.Event.
 *
 *   wait      thread1 waits forever on event1; thread2 polls event2 with
 *             wait(timeout), printing each timeout, until main sets it.
 *   subclass  "Thread subclass" threads, all gated by one Event set by main.
 *   timer     a Timer sets the Event main waits on.
 *
 * Trace (wait): "Thread started and waiting for event to be set", pairs of "Thread
 * checking for event, will timeout in 1 seconds" / "Timeout occurred, continuing to
 * check for event", "event1 setting complete", ..., "All threads have finished."
 * Things to try: --wait-timeout 0.3; `event subclass --threads 4`; Ctrl-C mid-run.
 */
#include <stdio.h>

#include <thrdemo/event.h>
#include <thrdemo/log.h>
#include <thrdemo/thread.h>

#include "event.h"

struct wait_demo {
    td_event_t event1, event2;
    double wait_timeout;
    const char *shown; /* the timeout as Python prints it */
};

static void wait_for_event(void *arg)
{
    struct wait_demo *d = arg;
    td_print("Thread started and waiting for event to be set");
    td_event_wait(&d->event1, TD_FOREVER); /* the lesson: blocked until set() */
    if (!runner_stopping())
        td_print("Event has been set, resuming thread");
}

static void wait_for_event_timeout(void *arg)
{
    struct wait_demo *d = arg;
    /* Python loops on `while not event2.is_set()`; this loop ends on what wait() said,
     * so a set() landing just after a timeout still gets its "resuming" line. */
    bool set = td_event_is_set(&d->event2);
    while (!set) {
        td_print("Thread checking for event, will timeout in %s seconds", d->shown);
        set = td_event_wait(&d->event2, runner_seconds(d->wait_timeout)); /* False: timeout */
        if (set && !runner_stopping())
            td_print("Event has been set, resuming thread");
        else if (!set) {
            td_print("Timeout occurred, continuing to check for event");
            stats_count("wait(timeout) timeouts", 1);
        }
    }
}

static int run_event_wait(const cli_args_t *args)
{
    char shown[32];
    struct wait_demo d = { .wait_timeout = cli_number(args, EVENT_WAIT_TIMEOUT),
                           .shown = py_number(args, EVENT_WAIT_TIMEOUT, shown) };
    td_event_init(&d.event1);
    td_event_init(&d.event2);
    td_object_set_name(&d.event1, "event1"); /* as the Python program calls them */
    td_object_set_name(&d.event2, "event2");
    td_thread_t *thread1 = NULL, *thread2 = NULL;
    int rc = runner_start(&thread1, &(td_thread_attr_t){ TD_TARGET(wait_for_event), .arg = &d });
    if (rc == 0)
        rc = runner_start(&thread2, &(td_thread_attr_t){ TD_TARGET(wait_for_event_timeout),
                                                         .arg = &d });
    if (rc == 0 && !runner_sleep(cli_number(args, EVENT_FIRST_DELAY))) {
        td_event_set(&d.event1);
        td_print("event1 setting complete");
        if (!runner_sleep(cli_number(args, EVENT_SECOND_DELAY))) {
            td_event_set(&d.event2);
            td_print("event2 setting complete");
        }
    }
    td_event_set(&d.event1); /* after Ctrl-C or a failed start: release whoever waits */
    td_event_set(&d.event2);
    runner_join(thread1);
    runner_join(thread2);
    if (rc == 0 && !runner_stopping())
        td_print("All threads have finished.");
    return rc;
}

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
    for (long long i = 1; i <= d->count && !runner_stopping(); i++) {
        td_print("%s - Number: %lld", name, i);
        stats_count("numbers printed", 1);
        runner_sleep(1);
    }
}

static int run_event_subclass(const cli_args_t *args)
{
    struct subclass_demo d = { .count = cli_int(args, EVENT_COUNT) };
    td_event_init(&d.event);
    td_object_set_name(&d.event, "event");
    td_thread_t *threads[MAX_THREADS] = { 0 };
    long long n = cli_int(args, EVENT_THREADS);
    int rc = 0;
    for (long long i = 0; i < n && rc == 0; i++) {
        char name[32]; /* super().__init__() takes a "Thread-N" first, then self.name = */
        snprintf(name, sizeof name, "Thread %lld", i + 1);
        rc = td_thread_new(&threads[i], &(td_thread_attr_t){ .target = my_thread_run, .arg = &d });
        rc = rc ? rc : td_thread_set_name(threads[i], name);
        rc = rc ? rc : td_thread_start(threads[i]);
    }
    if (rc != 0)
        cli_error("cannot start a thread: %s", td_strerror(rc));
    else if (!runner_sleep(5))
        td_print("Main thread setting event");
    td_event_set(&d.event);
    for (long long i = 0; i < n; i++)
        runner_join(threads[i]);
    if (rc == 0 && !runner_stopping())
        td_print("All threads have finished.");
    return rc == 0 ? EXIT_OK : EXIT_RUNTIME;
}

static void set_event(void *event)
{
    td_print("Timer fired, setting the event");
    td_event_set(event);
}

static int run_event_timer(const cli_args_t *args)
{
    td_event_t event;
    td_event_init(&event);
    td_object_set_name(&event, "event");
    double delay = cli_number(args, EVENT_DELAY);
    td_timer_t *timer = runner_timer(delay, set_event, &event); /* Timer(5.0, set_event) */
    if (!timer)
        return EXIT_RUNTIME;
    td_object_set_name(timer, "timer");
    char d[32];
    td_print("Waiting for the event; a timer will set it in %s seconds", py_float(delay, d));
    if (runner_wait(&event, TD_FOREVER) && !runner_stopping())
        td_print("Event has been set, main thread resumes");
    runner_timer_finish(timer);
    return EXIT_OK;
}

/* `thrdemo event`: its variants, options, lesson and Python calls, which the parser,
 * the help and `list` read (cli.h). */
const cli_command_t scenario_event = {
    .name = "event", .kind = CMD_SCENARIO, .seed = "002",
    .summary = "threading.Event: threads wait until another thread sets it",
    .about = "\"Event\": threading.Event releases the threads that wait on it.",
    .lesson = "A thread blocked in wait() uses no CPU and resumes the moment another "
              "thread calls set(). wait(timeout) returns False when the time runs out, "
              "so a thread can do something else and check again. The flag stays set "
              "until clear(): only then does wait() block again.",
    .variants = (const cli_variant_t[]){
        { "wait", "one thread waits forever, one polls with wait(timeout)",
          .example = "event wait --scale 0.1 --wait-timeout 0.3", .run = run_event_wait },
        { "subclass", "Thread subclasses gated by one Event",
          .example = "event subclass --threads 4 --scale 0.2", .run = run_event_subclass },
        { "timer", "a Timer sets the Event main waits on",
          .example = "event timer --delay 1", .run = run_event_timer },
        { "reuse", "clear() and a second round of waiters; wait() on a set event returns at once",
          "001", .example = "event reuse --waiters 4 --scale 0.2", .run = run_event_reuse },
        { 0 } },
    .options = (const cli_option_t[]){
        [EVENT_WAIT_TIMEOUT] = { "wait-timeout", OPT_NUMBER, "1", .min_open = true,
          .max = 1e9, .variants = "wait",
          .help = "seconds thread2 waits per check" },
        [EVENT_FIRST_DELAY] = { "first-delay", OPT_NUMBER, "5", .max = 1e9, .variants = "wait",
          .help = "seconds before main sets event1" },
        [EVENT_SECOND_DELAY] = { "second-delay", OPT_NUMBER, "5", .max = 1e9,
          .variants = "wait",
          .help = "seconds before main sets event2" },
        [EVENT_THREADS] = { "threads", OPT_INT, "2", 1, MAX_THREADS, .variants = "subclass",
          .help = "how many Thread subclasses wait" },
        [EVENT_COUNT] = { "count", OPT_INT, "5", .max = 1e6, .variants = "subclass",
          .help = "numbers each thread prints, one a second" },
        [EVENT_DELAY] = { "delay", OPT_NUMBER, "5.0", .max = 1e9, .variants = "timer",
          .help = "seconds before the Timer sets the event" },
        [EVENT_WAITERS] = { "waiters", OPT_INT, "2", 1, MAX_THREADS, .variants = "reuse",
          .help = "threads that wait in each round" },
        [EVENT_DELAY_REUSE] = { "delay", OPT_NUMBER, "1", .max = 1e9, .variants = "reuse",
          .help = "seconds before main sets the event, in each round" },
        [EVENT_WAIT_TIMEOUT_REUSE] = { "wait-timeout", OPT_NUMBER, "1", .max = 1e9,
          .variants = "reuse",
          .help = "seconds main's wait() blocks after clear()" },
        { 0 } },
    .python = (const cli_pycall_t[]){
        { "threading.Event()", "td_event_init" },
        { "threading.Event.wait", "td_event_wait (timeout None: TD_FOREVER)" },
        { "threading.Event.set", "td_event_set" },
        { "threading.Event.is_set", "td_event_is_set" },
        { "threading.Event.clear", "td_event_clear" },
        { "threading.Thread(target=...).start", "td_thread_new, td_thread_start" },
        { "threading.Thread.name = ...", "td_thread_set_name" },
        { "threading.Thread.join", "td_thread_join" },
        { "threading.Timer(5.0, f, [event])", "td_timer_new, td_timer_start" },
        { 0 } },
};
