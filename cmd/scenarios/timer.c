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

#include "scenarios.h"

static void thread_test(void *arg)
{
    (void)arg;
    td_print("Thread_Test is running");
}

/* Python's Timer(5, Thread_Test).start(), and cancel() after --cancel-after. */
int run_timer_once_or_cancel(const cli_args_t *args)
{
    bool cancel = cli_variant_is(args, "cancel");
    td_timer_t *t = runner_timer(cli_number(args, "delay"), thread_test, NULL);
    if (!t)
        return EXIT_RUNTIME;
    td_object_set_name(t, "t"); /* t = threading.Timer(5, Thread_Test) */
    char d[32];
    td_print("Timer started: Thread_Test runs in %s seconds", py_number(args, "delay", d));
    if (cancel && !runner_sleep(cli_number(args, "cancel-after"))) {
        td_timer_cancel(t); /* the lesson: before it fires, the function never runs */
        td_print("Timer cancelled after %s seconds: Thread_Test never runs",
                 py_number(args, "cancel-after", d));
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

int run_timer_repeat(const cli_args_t *args)
{
    static struct repeat r; /* timer threads may still be ending when run() returns */
    td_lock_init(&r.lock);
    td_event_init(&r.done);
    td_object_set_name(&r.lock, "lock");
    td_object_set_name(&r.done, "done");
    r.count = cli_int(args, "count");
    r.every = runner_seconds(cli_number(args, "every"));
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
