/* SPDX-License-Identifier: MIT */
/* join_timeout.c - seed 001 "join(timeout)": join gives up after a timeout.
 *
 * A daemon thread counts 0..9999, one number every --step seconds; main joins it
 * with --timeout, reports is_alive(), and ends, so the count stops mid-way. With a
 * --timeout longer than the whole count, join returns when the thread is done and
 * is_alive() is False.
 *
 * Trace (defaults): 0 .. about 249, "join(timeout=0.25) returned, is_alive() = True",
 * "Main thread finished".
 * Things to try: --timeout 1; --count 100 --timeout 5.
 */
#include <thrdemo/log.h>
#include <thrdemo/thread.h>

#include "scenarios.h"

struct counting {
    long long count;
    double step;
};

static void count(void *arg)
{
    const struct counting *c = arg;
    for (long long i = 0; i < c->count; i++) {
        td_print("%lld", i);
        stats_count("numbers printed", 1);
        if (runner_sleep(c->step))
            return;
    }
}

int run_join_timeout(const cli_args_t *args)
{
    static struct counting c; /* the daemon thread may use it until the process ends */
    c.count = cli_int(args, "count");
    c.step = cli_number(args, "step");
    double timeout = cli_number(args, "timeout");
    td_thread_t *t;
    if (runner_start(&t, &(td_thread_attr_t){ TD_TARGET(count), .arg = &c,
                                                  .daemon = TD_DAEMON_YES }) != 0)
        return EXIT_RUNTIME;
    if (td_thread_is_alive(t))
        td_thread_join(t, runner_seconds(timeout)); /* the lesson: -ETIMEDOUT, not forever */
    if (!runner_stopping()) {
        char text[32];
        td_print("join(timeout=%s) returned, is_alive() = %s", py_float(timeout, text),
                 td_thread_is_alive(t) ? "True" : "False");
        td_print("Main thread finished");
    }
    td_thread_free(t);
    return EXIT_OK; /* the daemon thread dies with the process */
}
