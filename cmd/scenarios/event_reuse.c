/* SPDX-License-Identifier: MIT */
/* event_reuse.c - seed 001 "Event": "to use an Event again, call clear()".
 *
 * Round 1: waiters block in wait() until main calls set(). The flag stays up, so
 * main's own wait() then returns True at once. clear() takes the flag down: a
 * wait(timeout) now blocks and times out (False), and a second round of waiters
 * blocks again until main's next set().
 *
 * Trace: "Thread-1 (waiter): waiting for the event (round 1)" (one per waiter, in
 * any order), "Main: set() (round 1)", "Thread-1 (waiter): wait() returned True
 * (round 1)", ..., "Main: is_set() = True, so wait() returns True at once", "Main:
 * clear(); is_set() = False", "Main: wait(1) returned False: no set() since
 * clear()", then round 2 with Thread-3 and Thread-4, "All threads have finished."
 * A waiter that starts after set() still returns True, at once: no run can hang.
 * Things to try: --waiters 5; --wait-timeout 0.3; `event wait` for wait(timeout) in
 * a loop; `--python` for the program it re-creates.
 */
#include <thrdemo/event.h>
#include <thrdemo/log.h>
#include <thrdemo/thread.h>

#include "event.h"

struct reuse {
    td_event_t event;
    int round;    /* written by main before it starts a round's waiters */
};

static const char *py_bool(bool value)
{
    return value ? "True" : "False";
}

static void waiter(void *arg)
{
    struct reuse *r = arg;
    int round = r->round;
    char name[CLI_NAME_MAX];
    cli_thread_name(td_current_thread(), name);
    td_print("%s: waiting for the event (round %d)", name, round);
    bool flag = td_event_wait(&r->event, TD_FOREVER); /* blocks until set(), either round */
    if (!runner_stopping())
        td_print("%s: wait() returned %s (round %d)", name, py_bool(flag), round);
}

/* A round: start the waiters, sleep --delay, set(), join them. 0 or EXIT_RUNTIME. */
static int round_of_waiters(struct reuse *r, int round, long long waiters, double delay)
{
    td_thread_t *threads[MAX_THREADS] = { 0 };
    r->round = round;
    int rc = 0;
    for (long long i = 0; i < waiters && rc == 0; i++)
        rc = runner_start(&threads[i], &(td_thread_attr_t){ TD_TARGET(waiter), .arg = r });
    if (rc == 0 && !runner_sleep(delay))
        td_print("Main: set() (round %d)", round);
    td_event_set(&r->event); /* releases every waiter of the round (also on Ctrl-C) */
    for (long long i = 0; i < waiters; i++)
        runner_join(threads[i]);
    return rc;
}

int run_event_reuse(const cli_args_t *args)
{
    struct reuse r;
    td_event_init(&r.event);
    long long waiters = cli_int(args, EVENT_WAITERS);
    double delay = cli_number(args, EVENT_DELAY_REUSE),
           timeout = cli_number(args, EVENT_WAIT_TIMEOUT_REUSE);
    char shown[32];
    int rc = round_of_waiters(&r, 1, waiters, delay);
    if (rc != 0 || runner_stopping())
        return rc;
    /* The flag stays up after set(): a wait() now does not block at all. */
    bool set = td_event_is_set(&r.event);
    td_print("Main: is_set() = %s, so wait() returns %s at once", py_bool(set),
             py_bool(td_event_wait(&r.event, TD_FOREVER)));
    td_event_clear(&r.event); /* down again: the Event can be used again */
    td_print("Main: clear(); is_set() = %s", py_bool(td_event_is_set(&r.event)));
    bool flag = runner_wait(&r.event, timeout); /* nobody sets it: the timeout runs out */
    if (runner_stopping())
        return EXIT_OK;
    td_print("Main: wait(%s) returned %s: no set() since clear()",
             py_number(args, EVENT_WAIT_TIMEOUT_REUSE, shown), py_bool(flag));
    rc = round_of_waiters(&r, 2, waiters, delay);
    if (rc == 0 && !runner_stopping())
        td_print("All threads have finished.");
    return rc;
}
