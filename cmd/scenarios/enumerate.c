/* SPDX-License-Identifier: MIT */
/* enumerate.c - seed 001 "threading.enumerate()": list the live threads, join each.
 *
 * --workers daemon threads each sleep a random 0.1-0.5 s (--seed repeats them);
 * main walks enumerate(), skips main_thread(), and joins each one, logging in the
 * seed's format "(%(threadName)-10s) %(message)s". The pauses begin only once main
 * has taken its list, so every worker is in it however late main runs (in Python
 * that is the 0.1 s margin's). --info first prints what the threading module's
 * functions return here, once every worker has said it sleeps: all of them alive.
 *
 * Trace: "(Thread-1 (worker)) sleeping 0.50" for each worker, "(MainThread) joining
 * Thread-1 (worker)", the "ending" lines in order of their pauses, the other joins.
 * Things to try: --seed 7 (twice); --workers 6; --info.
 */
#include <stdio.h>

#include <thrdemo/event.h>
#include <thrdemo/log.h>
#include <thrdemo/semaphore.h>
#include <thrdemo/thread.h>

#include "scenarios.h"

/* Its options, one enumerator per row of the table at the end, by which the story
 * reads them: a name mistyped does not compile. */
enum {
    ENUMERATE_WORKERS,
    ENUMERATE_INFO,
};

struct enumeration {
    td_sem_t sleeping; /* released by each worker once it has said so */
    td_event_t shown;  /* main has listed the threads (and printed --info) */
    struct worker {
        struct enumeration *all;
        double pause;
    } workers[MAX_THREADS];
};

static void worker(void *arg)
{
    struct worker *w = arg;
    double began = td_monotonic();
    td_log("sleeping %0.2f", w->pause);
    td_sem_release(&w->all->sleeping, 1);
    td_event_wait(&w->all->shown, TD_FOREVER); /* alive until main has listed it */
    /* The pause counts from the worker's start, as Python's does: equal pauses still
     * end in the order the workers began. */
    double spent = (td_monotonic() - began) / runner_seconds(1);
    runner_sleep(w->pause > spent ? w->pause - spent : 0);
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

/* The table of --info: what each module-level function returns right now. */
static void print_info(void)
{
    char repr[160], num[32];
    td_print("active_count()   = %zu", td_active_count());
    td_print("current_thread() = %s", thread_repr(td_current_thread(), repr, sizeof repr));
    td_print("main_thread()    = %s", thread_repr(td_main_thread(), repr, sizeof repr));
    td_print("get_ident()      = %lu", td_get_ident());
    td_print("get_native_id()  = %ld", td_get_native_id());
    td_print("TIMEOUT_MAX      = %s", py_float(TD_TIMEOUT_MAX, num));
    td_print("stack_size()     = %zu", td_get_stack_size());
    td_print("enumerate():");
    td_print("  %-20s %-20s %-10s %-6s %s", "name", "ident", "native_id", "daemon", "alive");
    td_thread_t *live[MAX_THREADS + 1];
    size_t n = td_enumerate(live, MAX_THREADS + 1);
    for (size_t i = 0; i < n && i < MAX_THREADS + 1; i++) {
        char name[CLI_NAME_MAX];
        td_print("  %-20s %-20lu %-10ld %-6s %s", cli_thread_name(live[i], name),
                 td_thread_ident(live[i]), td_thread_native_id(live[i]),
                 py_bool(td_thread_daemon(live[i])), py_bool(td_thread_is_alive(live[i])));
        td_thread_free(live[i]);
    }
}

static int run_enumerate(const cli_args_t *args)
{
    td_log_set_format(TD_LOG_THREADNAME);
    static struct enumeration e; /* daemon workers may outlive run() */
    td_sem_init(&e.sleeping, 0);
    td_event_init(&e.shown);
    td_object_set_name(&e.sleeping, "sleeping");
    td_object_set_name(&e.shown, "shown");
    long long n = cli_int(args, ENUMERATE_WORKERS);
    for (long long i = 0; i < n; i++) {
        e.workers[i] = (struct worker){ &e, (double)py_randint(1, 5) / 10 }; /* randint / 10 */
        td_thread_t *t;
        if (runner_start(&t, &(td_thread_attr_t){ TD_TARGET(worker), .arg = &e.workers[i],
                                                  .daemon = TD_DAEMON_YES }) != 0)
            return EXIT_RUNTIME;
        td_thread_free(t);
    }
    if (cli_flag(args, ENUMERATE_INFO)) {
        for (long long i = 0; i < n; i++)
            td_sem_acquire(&e.sleeping, true, TD_FOREVER);
        print_info();
    }
    /* for t in threading.enumerate(): skip main_thread(), join the rest */
    td_thread_t *live[MAX_THREADS + 1];
    size_t count = td_enumerate(live, MAX_THREADS + 1);
    td_event_set(&e.shown); /* the pauses begin once every worker is in the list */
    for (size_t i = 0; i < count && i < MAX_THREADS + 1; i++) {
        if (live[i] != td_main_thread() && !runner_stopping()) {
            char name[CLI_NAME_MAX];
            td_log("joining %s", cli_thread_name(live[i], name));
            td_thread_join(live[i], TD_FOREVER);
        }
        td_thread_free(live[i]);
    }
    return EXIT_OK;
}

/* `thrdemo enumerate`: its variants, options, lesson and Python calls, which the
 * parser, the help and `list` read (cli.h). */
const cli_command_t scenario_enumerate = {
    .name = "enumerate", .kind = CMD_SCENARIO, .seed = "001",
    .summary = "walk threading.enumerate(), skip the main thread, join the rest",
    .about = "\"threading.enumerate()\": list the live threads and join each.",
    .lesson = "enumerate() lists the threads alive right now, the main thread among "
              "them; a thread cannot join itself, so the loop skips main_thread(). Each "
              "join waits for that thread, whatever order the others end in.",
    .variants = (const cli_variant_t[]){
        { NULL, "walk threading.enumerate(), skip the main thread, join the rest",
          .example = "enumerate --seed 7 --info", .run = run_enumerate },
        { 0 } },
    .options = (const cli_option_t[]){
        [ENUMERATE_WORKERS] = { "workers", OPT_INT, "3", 1, MAX_THREADS,
          .help = "worker threads, each sleeping 0.1-0.5 s" },
        [ENUMERATE_INFO] = { "info", OPT_FLAG,
          .help = "while the workers sleep, print what the module functions return" },
        { 0 } },
    .python = (const cli_pycall_t[]){
        { "threading.enumerate", "td_enumerate" },
        { "threading.main_thread", "td_main_thread" },
        { "threading.active_count", "td_active_count" },
        { "threading.current_thread", "td_current_thread" },
        { "threading.get_ident, get_native_id", "td_get_ident, td_get_native_id" },
        { "threading.stack_size", "td_get_stack_size" },
        { "logging '(%(threadName)-10s) ...'", "td_log_set_format(TD_LOG_THREADNAME), td_log" },
        { 0 } },
};
