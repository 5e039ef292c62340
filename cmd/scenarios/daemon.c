/* SPDX-License-Identifier: MIT */
/* daemon.c - seed 001 "데몬 스레드" and "join": a daemon thread dies with the main thread.
 *
 * A thread prints 0..99, one number every --step seconds; main sleeps --main-sleep,
 * prints "Main thread finished" and ends. As a daemon (the default) the thread dies
 * with the process, so the count stops early; with --no-daemon the process waits for
 * it and all 100 numbers appear, after main's line; with --join main waits first, so
 * all 100 come before main's line. Nothing here ends the thread: the library's exit
 * rule (td_exit, run by main.c after every scenario) does, as CPython's does.
 *
 * Trace (defaults): 0 1 2 3 4, one a line, then "Main thread finished".
 * Things to try: --no-daemon; --join; --main-sleep 0.5.
 */
#include <thrdemo/log.h>
#include <thrdemo/thread.h>

#include "scenarios.h"

struct counting {
    long long count;
    double step;
};

static void thread_test(void *arg)
{
    const struct counting *c = arg;
    for (long long i = 0; i < c->count; i++) {
        td_print("%lld", i);
        stats_count("numbers printed", 1);
        if (runner_sleep(c->step))
            return; /* Ctrl-C: a non-daemon thread must end too */
    }
}

int run_daemon(const cli_args_t *args)
{
    static struct counting c; /* a daemon thread may use it until the process ends */
    c.count = cli_int(args, "count");
    c.step = cli_number(args, "step");
    bool daemon = !cli_flag(args, "no-daemon");
    td_thread_t *t;
    if (runner_start(&t, &(td_thread_attr_t){
            TD_TARGET(thread_test), .arg = &c,
            .daemon = daemon ? TD_DAEMON_YES : TD_DAEMON_NO }) != 0) /* the lesson */
        return EXIT_RUNTIME;
    if (cli_flag(args, "join"))
        td_thread_join(t, TD_FOREVER);
    td_thread_free(t);
    if (runner_sleep(cli_number(args, "main-sleep")))
        return EXIT_OK;
    td_print("Main thread finished");
    return EXIT_OK; /* ...and main.c's td_exit decides the thread's fate */
}
