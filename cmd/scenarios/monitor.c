/* SPDX-License-Identifier: MIT */
/* monitor.c - seed 000: a monitor thread stopped through an Event.
 *
 *   stop   TossMonitorThread prints 주기적으로 실행 every --interval seconds until main
 *          calls stop() after --stop-after seconds; the thread sees the Event, prints
 *          "stopped" and ends; main joins it.
 *   toast  ToastErrorMonitor checks every --check-interval seconds and prints
 *          "Toast Error Not Found" until check number --error-after finds the error;
 *          then "Exiting the thread...", terminate() and join() end the monitor, and
 *          "---Toast Error monitor 종료---".
 *
 * Trace (stop, defaults): 주기적으로 실행 four times (t = 0, 3, 6, 9), then "stopped".
 * The seed's thread sleeps with time.sleep, so stop() and terminate() wait out the
 * current interval; this one waits on an Event, so both take effect at once and the
 * trace is the same, only sooner.
 *
 * Things to try: --interval 1 --stop-after 3.5; `monitor toast --error-after 5`.
 */
#include <stdatomic.h>

#include <thrdemo/event.h>
#include <thrdemo/log.h>
#include <thrdemo/thread.h>

#include "scenarios.h"
#include "stats.h"

struct toss_monitor {
    td_thread_t *thread;
    double interval;
    td_event_t stop_event;      /* stop(): the seed's _stop_event */
    atomic_bool terminate_flag; /* terminate(): the seed's flag, checked by the loop */
    td_event_t wake;            /* cuts the interval short for stop() or terminate() */
};

static bool stopped(struct toss_monitor *m)
{
    return td_event_is_set(&m->stop_event);
}

/* TossMonitorThread.run() */
static void toss_monitor_run(void *arg)
{
    struct toss_monitor *m = arg;
    while (atomic_load(&m->terminate_flag)) {
        if (stopped(m)) {
            td_print("stopped");
            return;
        }
        td_print("주기적으로 실행");
        stats_count("monitor runs", 1);
        td_event_wait(&m->wake, cli_seconds(m->interval));
    }
}

static void monitor_stop(struct toss_monitor *m)
{
    td_event_set(&m->stop_event);
    td_event_set(&m->wake);
}

static void monitor_terminate(struct toss_monitor *m)
{
    atomic_store(&m->terminate_flag, false);
    td_event_set(&m->wake);
}

static int monitor_start(struct toss_monitor *m, double interval)
{
    m->interval = interval;
    td_event_init(&m->stop_event);
    td_event_init(&m->wake);
    atomic_init(&m->terminate_flag, true);
    /* A Thread subclass: no target, so CPython names it "Thread-1". */
    return cli_start_thread(&m->thread, &(td_thread_attr_t){ .target = toss_monitor_run,
                                                             .arg = m });
}

static void monitor_join(struct toss_monitor *m)
{
    td_thread_join(m->thread, TD_FOREVER);
    td_thread_free(m->thread);
}

static int run_stop(const cli_args_t *args)
{
    struct toss_monitor m;
    if (monitor_start(&m, cli_number(args, "interval")) != 0)
        return EXIT_RUNTIME;
    if (cli_sleep(cli_number(args, "stop-after")))
        monitor_terminate(&m); /* Ctrl-C: end quietly */
    else
        monitor_stop(&m);      /* the lesson: the thread sees the Event and returns */
    monitor_join(&m);
    return EXIT_OK;
}

/* ToastErrorMonitor.toastMonitor(): the check fails until check --error-after. */
static int run_toast(const cli_args_t *args)
{
    struct toss_monitor m;
    if (monitor_start(&m, cli_number(args, "interval")) != 0)
        return EXIT_RUNTIME;
    long long error_after = cli_int(args, "error-after");
    for (long long checks = 1;; checks++) {
        if (checks >= error_after) { /* returnExample == 'Error' */
            td_print("Exiting the thread...");
            monitor_terminate(&m);
            monitor_join(&m);
            break;
        }
        td_print("Toast Error Not Found");
        if (cli_sleep(cli_number(args, "check-interval"))) {
            monitor_terminate(&m);
            monitor_join(&m);
            return EXIT_OK;
        }
    }
    td_print("---Toast Error monitor 종료---");
    return EXIT_OK;
}

static int run(const cli_args_t *args)
{
    return cli_variant_is(args, "toast") ? run_toast(args) : run_stop(args);
}

static const cli_variant_t variants[] = {
    { "stop", "a periodic monitor thread stopped through its Event" },
    { "toast", "an error check that terminates and joins the monitor thread" },
    { 0 },
};

static const cli_option_t options[] = {
    { "interval", OPT_NUMBER, "3", "seconds between the monitor's runs", NULL, 0, 1e9, true, 0 },
    { "stop-after", OPT_NUMBER, "10", "seconds before main calls stop()", "stop", 0, 1e9, false, 0 },
    { "error-after", OPT_INT, "3", "the check that finds the error", "toast", 1, 1e9, false, 0 },
    { "check-interval", OPT_NUMBER, "3", "seconds between checks", "toast", 0, 1e9, false, 0 },
    { 0 },
};

const scenario_t scenario_monitor = {
    .name = "monitor",
    .seed = "000",
    .variants = variants,
    .options = options,
    .run = run,
    .help = "Seed 000: TossMonitorThread, a monitor thread stopped through an Event, and\n"
            "ToastErrorMonitor, which terminates and joins it when its check finds an error.\n"
            "Things to try: --interval 1 --stop-after 3.5; 'monitor toast --error-after 5'.\n",
};
