/* SPDX-License-Identifier: MIT */
/* timer.c - seed 001 "threading.Timer": run a function later, cancel it, repeat it.
 *
 *   once      Timer(5, Thread_Test) runs it after --delay seconds.
 *   cancel    the same timer, cancelled after --cancel-after seconds: Thread_Test never
 *             runs, and the process ends at once instead of waiting out the delay.
 *   repeat    Thread_Test re-arms a Timer for itself every --every seconds, --count
 *             times (0: until Ctrl-C). Run n is due at start + n * every: no drift.
 *   interval  seed 002's set_interval: in timer_interval.c.
 * Things to try: `timer cancel`; `timer repeat --every 0.01 --count 500 --stats`.
 */
#include <thrdemo/event.h>
#include <thrdemo/lock.h>
#include <thrdemo/log.h>
#include <thrdemo/thread.h>
#include <thrdemo/timer.h>

#include "timer.h"

static void thread_test(void *arg)
{
    (void)arg;
    td_print("Thread_Test is running");
}

/* Python's Timer(5, Thread_Test).start(), and cancel() after --cancel-after. */
static int run_timer_once_or_cancel(const cli_args_t *args)
{
    bool cancel = cli_variant_is(args, "cancel");
    td_timer_t *t = runner_timer(cli_number(args, TIMER_DELAY), thread_test, NULL);
    if (!t)
        return EXIT_RUNTIME;
    td_object_set_name(t, "t"); /* t = threading.Timer(5, Thread_Test) */
    char d[32];
    td_print("Timer started: Thread_Test runs in %s seconds", py_number(args, TIMER_DELAY, d));
    if (cancel && !runner_sleep(cli_number(args, TIMER_CANCEL_AFTER))) {
        td_timer_cancel(t); /* the lesson: before it fires, the function never runs */
        td_print("Timer cancelled after %s seconds: Thread_Test never runs",
                 py_number(args, TIMER_CANCEL_AFTER, d));
    }
    runner_timer_finish(t);
    return EXIT_OK;
}

struct repeat {
    td_lock_t lock;      /* guards runs and next */
    td_timer_t *next;    /* the timer armed for the next run; NULL: stop re-arming */
    long long runs, count;
    double start, every; /* seconds, monotonic; every is scaled */
    td_event_t done;     /* --count reached, re-arming failed, or stopped */
};

static void repeat_test(void *arg);

/* threading.Timer(..., repeat).start(), due at `due`: the timer, or NULL (said). */
static td_timer_t *arm(struct repeat *r, double due)
{
    td_timer_t *t = NULL;
    if (td_timer_new(&t, due - td_monotonic(), repeat_test, r) == 0 && td_timer_start(t) == 0)
        return t;
    td_timer_free(t);
    cli_error("cannot arm the timer");
    return NULL;
}

/* Thread_Test as the seed's repeat() has it: run, then re-arm a Timer for itself. */
static void repeat_test(void *arg)
{
    struct repeat *r = arg;
    td_lock_acquire(&r->lock, true, TD_FOREVER);
    double due = r->start + (double)++r->runs * r->every;
    stats_lateness("timer", td_monotonic() - due);
    td_print("Thread_Test is running (%lld)", r->runs);
    td_timer_t *self = r->next; /* NULL: main has taken it to stop */
    r->next = self && (r->count == 0 || r->runs < r->count) ? arm(r, due + r->every) : NULL;
    if (!r->next)
        td_event_set(&r->done);
    td_lock_release(&r->lock);
    td_timer_free(self); /* its thread keeps its own reference until it ends */
}

static int run_timer_repeat(const cli_args_t *args)
{
    static struct repeat r; /* timer threads may still be ending when run() returns */
    td_lock_init(&r.lock);
    td_event_init(&r.done);
    td_object_set_name(&r.lock, "lock");
    td_object_set_name(&r.done, "done");
    r.count = cli_int(args, TIMER_COUNT);
    r.every = runner_seconds(cli_number(args, TIMER_EVERY));
    r.start = td_monotonic();
    td_lock_acquire(&r.lock, true, TD_FOREVER);
    bool armed = (r.next = arm(&r, r.start + r.every)) != NULL; /* it may fire at once */
    td_lock_release(&r.lock);
    if (!armed)
        return EXIT_RUNTIME;
    runner_wait(&r.done, TD_FOREVER); /* --count runs, or Ctrl-C */
    td_lock_acquire(&r.lock, true, TD_FOREVER);
    td_timer_t *pending = r.next; /* after Ctrl-C: the timer armed for the next run */
    r.next = NULL;
    td_lock_release(&r.lock);
    if (pending) {
        td_timer_cancel(pending);
        td_timer_join(pending, TD_FOREVER);
        td_timer_free(pending);
    }
    stats_count("timer firings", (uint64_t)r.runs);
    return EXIT_OK;
}

/* `thrdemo timer`: its variants, options, lesson and Python calls, which the parser,
 * the help and `list` read (cli.h). */
const cli_command_t scenario_timer = {
    .name = "timer", .kind = CMD_SCENARIO, .seed = "001",
    .summary = "threading.Timer: run a function later, cancel it, repeat it",
    .about = "\"threading.Timer\" (seed 001) and set_interval (seed 002): run a function "
             "later, cancel it, repeat it without drift. 'timer repeat --count 0' never ends: "
             "under --schedule it runs until --max-steps and exits 4, as in 'thrdemo timer "
             "repeat --count 0 --schedule fifo --max-steps 1000'.",
    .lesson = "A Timer is a thread that waits, then calls the function, unless cancel() "
              "comes first. To repeat, arm the next timer for a due time, not for a full "
              "interval after the last run, or the runs drift later and later.",
    .variants = (const cli_variant_t[]){
        { "once", "Timer(5, Thread_Test) runs it after 5 seconds",
          .example = "timer once --delay 1", .run = run_timer_once_or_cancel },
        { "cancel", "the timer is cancelled after 2 seconds: Thread_Test never runs",
          .example = "timer cancel", .run = run_timer_once_or_cancel },
        { "repeat", "Thread_Test re-arms a 1 s Timer for itself, without drift",
          .example = "timer repeat --every 0.01 --count 500 --stats", .run = run_timer_repeat },
        { "interval", "set_interval: a daemon loop on Event.wait, stopped by a Timer", "002",
          .example = "timer interval --every 0.5", .run = run_timer_interval },
        { 0 } },
    .options = (const cli_option_t[]){
        [TIMER_DELAY] = { "delay", OPT_NUMBER, "5", .max = 1e9, .variants = "once cancel",
          .help = "seconds before Thread_Test runs" },
        [TIMER_CANCEL_AFTER] = { "cancel-after", OPT_NUMBER, "2", .max = 1e9,
          .variants = "cancel",
          .help = "seconds before cancel()" },
        [TIMER_EVERY] = { "every", OPT_NUMBER, "1", .min_open = true, .max = 1e9,
          .variants = "repeat",
          .help = "seconds between runs" },
        [TIMER_EVERY_INTERVAL] = { "every", OPT_NUMBER, "2", .min_open = true, .max = 1e9,
          .variants = "interval",
          .help = "seconds between runs" },
        [TIMER_COUNT] = { "count", OPT_INT, "0", .max = 1e12, .variants = "repeat",
          .help = "runs before stopping (0: until Ctrl-C)" },
        [TIMER_STOP_AFTER] = { "stop-after", OPT_NUMBER, "11", .max = 1e9,
          .variants = "interval",
          .help = "seconds before the Timer stops the loop" },
        { 0 } },
    .python = (const cli_pycall_t[]){
        { "threading.Timer(5, f)", "td_timer_new" },
        { "threading.Timer.start", "td_timer_start" },
        { "threading.Timer.cancel", "td_timer_cancel" },
        { "threading.Timer.join", "td_timer_join" },
        { "threading.Event.wait(sec)", "td_event_wait" },
        { "threading.Thread(daemon=True)", "td_thread_attr_t .daemon = TD_DAEMON_YES" },
        { 0 } },
};
