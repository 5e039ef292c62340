/* SPDX-License-Identifier: MIT */
/* timer.c - threading.Timer: seed 001 "threading.Timer" and seed 002's set_interval.
 *
 *   once      Timer(5, Thread_Test) runs it after --delay seconds.
 *   cancel    the same timer, cancelled after --cancel-after seconds: Thread_Test never
 *             runs, and the process ends at once instead of waiting out the delay.
 *   repeat    Thread_Test re-arms a Timer for itself every --every seconds, --count
 *             times (0: until Ctrl-C, as the seed says).
 *   interval  set_interval: a daemon loop waits on an Event every --every seconds and
 *             prints "<second of the minute> hello" until a Timer sets the Event after
 *             --stop-after seconds.
 *
 * Repeating does not drift: run n is due at start + n * every, so each new Timer gets
 * what is left until then, not a full interval after the previous run's end.
 * `--stats` shows how late each firing was (mean and max).
 *
 * Things to try: `timer cancel`, `timer repeat --every 0.5` (Ctrl-C to stop),
 * `timer repeat --every 0.01 --count 500 --stats`, `timer interval --every 0.5`.
 */
#include <math.h>
#include <stdatomic.h>
#include <time.h>

#include <thrdemo/event.h>
#include <thrdemo/lock.h>
#include <thrdemo/log.h>
#include <thrdemo/thread.h>
#include <thrdemo/timer.h>

#include "scenarios.h"
#include "stats.h"

static void thread_test(void *arg)
{
    (void)arg;
    td_print("Thread_Test is running");
}

/* Make and start a timer; on failure say why. */
static td_timer_t *start_timer(double nominal, td_thread_fn fn, void *arg)
{
    td_timer_t *timer;
    int rc = td_timer_new(&timer, cli_seconds(nominal), fn, arg);
    if (rc == 0 && (rc = td_timer_start(timer)) != 0)
        td_timer_free(timer);
    if (rc != 0) {
        cli_error("cannot start a timer: %s", td_strerror(rc));
        return NULL;
    }
    return timer;
}

static void cancel_timer(void *timer)
{
    td_timer_cancel(timer);
}

/* Join the timer's thread (Ctrl-C cancels it rather than wait it out) and free it. */
static void finish_timer(td_timer_t *timer)
{
    cli_on_stop(cancel_timer, timer);
    td_timer_join(timer, TD_FOREVER);
    cli_forget_on_stop(cancel_timer, timer);
    td_timer_free(timer);
}

/* ---- once and cancel --------------------------------------------------------------- */

static int run_once_or_cancel(const cli_args_t *args, bool cancel)
{
    double delay = cli_number(args, "delay");
    td_timer_t *t = start_timer(delay, thread_test, NULL);
    if (!t)
        return EXIT_RUNTIME;
    char d[32];
    td_print("Timer started: Thread_Test runs in %s seconds", cli_pynum(delay, d));
    if (cancel && !cli_sleep(cli_number(args, "cancel-after"))) {
        td_timer_cancel(t); /* the lesson: before it fires, the function never runs */
        td_print("Timer cancelled after %s seconds: Thread_Test never runs",
                 cli_pynum(cli_number(args, "cancel-after"), d));
    }
    finish_timer(t);
    return EXIT_OK;
}

/* ---- repeat ------------------------------------------------------------------------ */

struct repeat {
    td_lock_t lock;        /* guards everything below */
    td_timer_t *pending;   /* the timer armed for the next run */
    bool stopping;         /* no more re-arming */
    long long runs, count;
    double start, every;   /* seconds, monotonic; every is scaled */
    double late_sum, late_max;
    td_event_t done;       /* count reached (or re-arming failed) */
};

static void repeat_test(void *arg);

/* Arm the timer for run number n (lock held). */
static void arm(struct repeat *r, long long n)
{
    double due = r->start + (double)n * r->every;
    td_timer_t *t = NULL;
    if (td_timer_new(&t, due - td_monotonic(), repeat_test, r) == 0 &&
        td_timer_start(t) == 0) {
        r->pending = t;
        return;
    }
    td_timer_free(t);
    cli_error("cannot re-arm the timer");
    r->stopping = true;
    td_event_set(&r->done);
}

/* Thread_Test as the seed's repeat() has it: run, then re-arm a Timer for itself. */
static void repeat_test(void *arg)
{
    struct repeat *r = arg;
    double now = td_monotonic();
    td_lock_acquire(&r->lock, true, TD_FOREVER);
    r->runs++;
    double late = now - (r->start + (double)r->runs * r->every);
    r->late_sum += late;
    r->late_max = fmax(r->late_max, late);
    td_print("Thread_Test is running (%lld)", r->runs);
    td_timer_t *previous = r->pending; /* the timer running this very call */
    r->pending = NULL;
    if (r->stopping || (r->count != 0 && r->runs >= r->count))
        td_event_set(&r->done);
    else
        arm(r, r->runs + 1);
    td_lock_release(&r->lock);
    td_timer_free(previous); /* its thread keeps its own reference until it ends */
}

static int run_repeat(const cli_args_t *args)
{
    static struct repeat r; /* timer threads may still be ending when run() returns */
    td_lock_init(&r.lock);
    td_event_init(&r.done);
    cli_wake_on_stop(&r.done);
    r.count = cli_int(args, "count");
    r.every = cli_seconds(cli_number(args, "every"));
    r.start = td_monotonic();
    td_lock_acquire(&r.lock, true, TD_FOREVER);
    arm(&r, 1);
    td_lock_release(&r.lock);
    td_event_wait(&r.done, TD_FOREVER);

    td_lock_acquire(&r.lock, true, TD_FOREVER);
    r.stopping = true;
    td_timer_t *pending = r.pending; /* Ctrl-C: the timer armed for the next run */
    r.pending = NULL;
    if (pending)
        td_timer_cancel(pending);
    long long runs = r.runs;
    double mean = runs ? r.late_sum / (double)runs : 0;
    td_lock_release(&r.lock);
    if (pending)
        finish_timer(pending);
    cli_forget_wake(&r.done);
    stats_count("timer firings", (uint64_t)runs);
    stats_line("timer lateness: mean %.1f us, max %.1f us over %lld firings", mean * 1e6,
               r.late_max * 1e6, runs);
    return EXIT_OK;
}

/* ---- interval ---------------------------------------------------------------------- */

struct interval {
    td_event_t stopped; /* set_interval's `stopped`, set by the Timer */
    double every;       /* scaled seconds */
};

/* i_wanna_interval("hello"): print the wall clock's second and the message. */
static void i_wanna_interval(const char *msg)
{
    time_t now = (time_t)td_time(); /* the library's clock: virtual under a schedule */
    struct tm tm;
    localtime_r(&now, &tm);
    td_print("%d %s", tm.tm_sec, msg);
}

/* loop(): `while not stopped.wait(sec): func()`, with due times that do not drift. */
static void loop(void *arg)
{
    struct interval *iv = arg;
    double start = td_monotonic();
    for (long long n = 1;; n++) {
        double wait = start + (double)n * iv->every - td_monotonic();
        if (td_event_wait(&iv->stopped, wait > 0 ? wait : 0))
            return;
        i_wanna_interval("hello");
    }
}

static void set_stopped(void *arg)
{
    td_event_set(arg);
}

static int run_interval(const cli_args_t *args)
{
    static struct interval iv;
    td_event_init(&iv.stopped);
    iv.every = cli_seconds(cli_number(args, "every"));
    td_thread_t *t;
    if (cli_start_thread(&t, &(td_thread_attr_t){ TD_TARGET(loop), .arg = &iv,
                                                  .daemon = TD_DAEMON_YES }) != 0)
        return EXIT_RUNTIME;
    td_thread_free(t); /* `threading.Thread(target=loop, daemon=True).start()` */
    td_timer_t *timer = start_timer(cli_number(args, "stop-after"), set_stopped, &iv.stopped);
    if (!timer) {
        td_event_set(&iv.stopped);
        return EXIT_RUNTIME;
    }
    /* Python's main thread ends here and the non-daemon Timer keeps the process
     * alive; ours waits for the same moment, so that Ctrl-C can cancel the timer. */
    cli_wake_on_stop(&iv.stopped);
    td_event_wait(&iv.stopped, TD_FOREVER);
    cli_forget_wake(&iv.stopped);
    td_timer_cancel(timer);
    finish_timer(timer);
    return EXIT_OK;
}

static int run(const cli_args_t *args)
{
    if (cli_variant_is(args, "repeat"))
        return run_repeat(args);
    if (cli_variant_is(args, "interval"))
        return run_interval(args);
    return run_once_or_cancel(args, cli_variant_is(args, "cancel"));
}

static const cli_variant_t variants[] = {
    { "once", "Timer(5, Thread_Test) runs it after 5 seconds" },
    { "cancel", "the timer is cancelled after 2 seconds: Thread_Test never runs" },
    { "repeat", "Thread_Test re-arms a 1 s Timer for itself, without drift" },
    { "interval", "set_interval: a daemon loop on Event.wait, stopped by a Timer" },
    { 0 },
};

static const cli_option_t options[] = {
    { "delay", OPT_NUMBER, "5", "seconds before Thread_Test runs", "once cancel", 0, 1e9, false, 0 },
    { "cancel-after", OPT_NUMBER, "2", "seconds before cancel()", "cancel", 0, 1e9, false, 0 },
    { "every", OPT_NUMBER, "1", "seconds between runs", "repeat", 0, 1e9, true, 0 },
    { "every", OPT_NUMBER, "2", "seconds between runs", "interval", 0, 1e9, true, 0 },
    { "count", OPT_INT, "0", "runs before stopping (0: until Ctrl-C)", "repeat", 0, 1e12, false, 0 },
    { "stop-after", OPT_NUMBER, "11", "seconds before the Timer stops the loop", "interval", 0, 1e9, false, 0 },
    { 0 },
};

const scenario_t scenario_timer = {
    .name = "timer",
    .seed = "001",
    .variants = variants,
    .options = options,
    .run = run,
    .help = "Seeds 001 \"threading.Timer\" and 002 set_interval: run a function later,\n"
            "cancel it, repeat it without drift.\n"
            "Things to try: 'timer cancel'; 'timer repeat --every 0.5' (Ctrl-C to stop);\n"
            "'timer repeat --every 0.01 --count 500 --stats'; 'timer interval --every 0.5'.\n",
};
