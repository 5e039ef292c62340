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

/* Its options, one enumerator per row of the table at the end, by which the story
 * reads them: a name mistyped does not compile. */
enum {
    DAEMON_NO_DAEMON,
    DAEMON_JOIN,
    DAEMON_COUNT,
    DAEMON_STEP,
    DAEMON_MAIN_SLEEP,
};

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

static int run_daemon(const cli_args_t *args)
{
    static struct counting c; /* a daemon thread may use it until the process ends */
    c.count = cli_int(args, DAEMON_COUNT);
    c.step = cli_number(args, DAEMON_STEP);
    bool daemon = !cli_flag(args, DAEMON_NO_DAEMON);
    td_thread_t *t;
    if (runner_start(&t, &(td_thread_attr_t){
            TD_TARGET(thread_test), .arg = &c,
            .daemon = daemon ? TD_DAEMON_YES : TD_DAEMON_NO }) != 0) /* the lesson */
        return EXIT_RUNTIME;
    if (cli_flag(args, DAEMON_JOIN))
        td_thread_join(t, TD_FOREVER);
    td_thread_free(t);
    if (runner_sleep(cli_number(args, DAEMON_MAIN_SLEEP)))
        return EXIT_OK;
    td_print("Main thread finished");
    return EXIT_OK; /* ...and main.c's td_exit decides the thread's fate */
}

/* `thrdemo daemon`: its variants, options, lesson and Python calls, which the parser,
 * the help and `list` read (cli.h). */
const cli_command_t scenario_daemon = {
    .name = "daemon", .kind = CMD_SCENARIO, .seed = "001",
    .summary = "a daemon thread's count stops when the main thread ends",
    .about = "\"Daemon threads\" and \"join\": daemon threads die with the main thread; "
             "non-daemon threads keep the process alive; join() waits first.",
    .lesson = "When the main thread ends, Python waits for every non-daemon thread and "
              "then exits, killing the daemon threads wherever they are. A daemon thread "
              "is for work nobody needs to see finished.",
    .variants = (const cli_variant_t[]){
        { NULL, "a daemon thread's count stops when the main thread ends",
          .example = "daemon --no-daemon", .run = run_daemon },
        { 0 } },
    .options = (const cli_option_t[]){
        [DAEMON_NO_DAEMON] = { "no-daemon", OPT_FLAG,
          .help = "make the thread non-daemon: the process waits for it" },
        [DAEMON_JOIN] = { "join", OPT_FLAG,
          .help = "main joins the thread before its own last line" },
        [DAEMON_COUNT] = { "count", OPT_INT, "100", .max = 1e9,
          .help = "numbers the thread prints" },
        [DAEMON_STEP] = { "step", OPT_NUMBER, "0.01", .max = 1e6,
          .help = "seconds between numbers" },
        [DAEMON_MAIN_SLEEP] = { "main-sleep", OPT_NUMBER, "0.05", .max = 1e6,
          .help = "seconds main sleeps before it ends" },
        { 0 } },
    .python = (const cli_pycall_t[]){
        { "threading.Thread(daemon=True)", "td_thread_attr_t .daemon = TD_DAEMON_YES" },
        { "threading.Thread.join", "td_thread_join" },
        { "the interpreter's exit", "td_exit: joins non-daemon threads, then exits" },
        { 0 } },
};
