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

/* Its options, one enumerator per row of the table at the end, by which the story
 * reads them: a name mistyped does not compile. */
enum {
    JOIN_TIMEOUT_TIMEOUT,
    JOIN_TIMEOUT_COUNT,
    JOIN_TIMEOUT_STEP,
};

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

static int run_join_timeout(const cli_args_t *args)
{
    static struct counting c; /* the daemon thread may use it until the process ends */
    c.count = cli_int(args, JOIN_TIMEOUT_COUNT);
    c.step = cli_number(args, JOIN_TIMEOUT_STEP);
    double timeout = cli_number(args, JOIN_TIMEOUT_TIMEOUT);
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

/* `thrdemo join-timeout`: its variants, options, lesson and Python calls, which the
 * parser, the help and `list` read (cli.h). */
const cli_command_t scenario_join_timeout = {
    .name = "join-timeout", .kind = CMD_SCENARIO, .seed = "001",
    .summary = "join(timeout) returns while the thread still runs; is_alive() says so",
    .about = "\"join(timeout)\": join with a timeout, then is_alive().",
    .lesson = "join(timeout) gives up after the timeout without telling you whether the "
              "thread ended: it returns None either way. Ask is_alive() afterwards.",
    .variants = (const cli_variant_t[]){
        { NULL, "join(timeout) returns while the thread still runs; is_alive() says so",
          .example = "join-timeout --count 100 --timeout 5", .run = run_join_timeout },
        { 0 } },
    .options = (const cli_option_t[]){
        [JOIN_TIMEOUT_TIMEOUT] = { "timeout", OPT_NUMBER, "0.25", .max = 1e9,
          .help = "seconds join() waits" },
        [JOIN_TIMEOUT_COUNT] = { "count", OPT_INT, "10000", .max = 1e9,
          .help = "numbers the thread prints" },
        [JOIN_TIMEOUT_STEP] = { "step", OPT_NUMBER, "0.001", .max = 1e6,
          .help = "seconds between numbers" },
        { 0 } },
    .python = (const cli_pycall_t[]){
        { "threading.Thread.join(timeout)", "td_thread_join (-ETIMEDOUT: still running)" },
        { "threading.Thread.is_alive", "td_thread_is_alive" },
        { "threading.Thread(daemon=True)", "td_thread_attr_t .daemon = TD_DAEMON_YES" },
        { 0 } },
};
