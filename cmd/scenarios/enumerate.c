/* SPDX-License-Identifier: MIT */
/* enumerate.c - seed 001 "threading.enumerate()": list the live threads, join each.
 *
 * --workers daemon threads each sleep a random 0.1-0.5 s (--seed repeats them);
 * main walks enumerate(), skips main_thread(), and joins each one, logging in the
 * seed's format "(%(threadName)-10s) %(message)s". --info then prints what the
 * threading module's functions return here, read from the library.
 *
 * Trace: "(Thread-1 (worker)) sleeping 0.50" for each worker, "(MainThread) joining
 * Thread-1 (worker)", the "ending" lines in order of their pauses, the other joins.
 * Things to try: --seed 7 (twice); --workers 6; --info.
 */
#include <stdio.h>

#include <thrdemo/log.h>
#include <thrdemo/thread.h>

#include "scenarios.h"

static void worker(void *arg)
{
    const double *pause = arg;
    td_log("sleeping %0.2f", *pause);
    cli_sleep(*pause);
    td_log("ending");
}

/* Python's repr of a Thread: <_MainThread(MainThread, started 1407...)>. */
static const char *thread_repr(td_thread_t *t, char *buf, size_t size)
{
    bool is_main = t == td_main_thread();
    char name[CLI_NAME_MAX];
    snprintf(buf, size, "<%s(%s, %s%s %lu)>", is_main ? "_MainThread" : "Thread",
             cli_thread_name(t, name), td_thread_is_alive(t) ? "started" : "stopped",
             td_thread_daemon(t) ? " daemon" : "", td_thread_ident(t));
    return buf;
}

static const char *py_bool(bool b)
{
    return b ? "True" : "False";
}

enum { MAX_WORKERS = 64 };

/* The table of --info: what each module-level function returns right now. */
static void print_info(void)
{
    char repr[160], num[32];
    td_print("active_count()   = %zu", td_active_count());
    td_print("current_thread() = %s", thread_repr(td_current_thread(), repr, sizeof repr));
    td_print("main_thread()    = %s", thread_repr(td_main_thread(), repr, sizeof repr));
    td_print("get_ident()      = %lu", td_get_ident());
    td_print("get_native_id()  = %ld", td_get_native_id());
    td_print("TIMEOUT_MAX      = %s", cli_pyfloat(TD_TIMEOUT_MAX, num));
    td_print("stack_size()     = %zu", td_get_stack_size());
    td_print("enumerate():");
    td_print("  %-20s %-20s %-10s %-6s %s", "name", "ident", "native_id", "daemon", "alive");
    td_thread_t *live[MAX_WORKERS + 1];
    size_t n = td_enumerate(live, MAX_WORKERS + 1);
    for (size_t i = 0; i < n && i < MAX_WORKERS + 1; i++) {
        char name[CLI_NAME_MAX];
        td_print("  %-20s %-20lu %-10ld %-6s %s", cli_thread_name(live[i], name),
                 td_thread_ident(live[i]), td_thread_native_id(live[i]),
                 py_bool(td_thread_daemon(live[i])), py_bool(td_thread_is_alive(live[i])));
        td_thread_free(live[i]);
    }
}

static int run(const cli_args_t *args)
{
    td_log_set_format(TD_LOG_THREADNAME);
    long long n = cli_int(args, "workers");
    static double pauses[MAX_WORKERS]; /* daemon workers may outlive run() */
    for (long long i = 0; i < n; i++) {
        pauses[i] = (double)cli_randint(1, 5) / 10; /* random.randint(1, 5) / 10 */
        td_thread_t *t;
        if (cli_start_thread(&t, &(td_thread_attr_t){ TD_TARGET(worker), .arg = &pauses[i],
                                                      .daemon = TD_DAEMON_YES }) != 0)
            return EXIT_RUNTIME;
        td_thread_free(t);
    }
    /* for t in threading.enumerate(): skip main_thread(), join the rest */
    td_thread_t *live[MAX_WORKERS + 1];
    size_t count = td_enumerate(live, MAX_WORKERS + 1);
    for (size_t i = 0; i < count && i < MAX_WORKERS + 1; i++) {
        if (live[i] != td_main_thread() && !cli_stopping()) {
            char name[CLI_NAME_MAX];
            td_log("joining %s", cli_thread_name(live[i], name));
            td_thread_join(live[i], TD_FOREVER);
        }
        td_thread_free(live[i]);
    }
    if (cli_flag(args, "info") && !cli_stopping())
        print_info();
    return EXIT_OK;
}

static const cli_option_t options[] = {
    { "workers", OPT_INT, "3", "worker threads, each sleeping 0.1-0.5 s", NULL, 1, MAX_WORKERS, false, 0 },
    { "info", OPT_FLAG, NULL, "after the run, print what the module functions return", NULL, 0, 0, false, 0 },
    { 0 },
};

const scenario_t scenario_enumerate = {
    .name = "enumerate",
    .seed = "001",
    .summary = "walk threading.enumerate(), skip the main thread, join the rest",
    .options = options,
    .run = run,
    .help = "Seed 001 \"threading.enumerate()\": list the live threads and join each.\n"
            "Things to try: --seed 7 (twice: the same pauses); --workers 6; --info.\n",
};
