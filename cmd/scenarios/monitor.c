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
 * Things to try: --interval 1 --stop-after 3.5; `monitor toast --error-after 5`.
 */
#include <stdatomic.h>

#include <thrdemo/event.h>
#include <thrdemo/log.h>
#include <thrdemo/thread.h>

#include "scenarios.h"

/* Its options, one enumerator per row of the table at the end, by which the story
 * reads them: a name mistyped does not compile. */
enum {
    MONITOR_INTERVAL,
    MONITOR_STOP_AFTER,
    MONITOR_ERROR_AFTER,
    MONITOR_CHECK_INTERVAL,
};

struct toss_monitor {
    td_thread_t *thread;
    double interval;
    td_event_t stop_event;      /* stop(): the seed's _stop_event */
    atomic_bool terminate_flag; /* terminate(): the seed's flag, checked by the loop */
    td_event_t wake;            /* cuts the interval short for stop() or terminate() */
};

/* TossMonitorThread.run() */
static void toss_monitor_run(void *arg)
{
    struct toss_monitor *m = arg;
    while (atomic_load(&m->terminate_flag)) {
        if (td_event_is_set(&m->stop_event)) { /* self.stopped() */
            td_print("stopped");
            return;
        }
        td_print("%s", tr("주기적으로 실행"));
        stats_count("monitor runs", 1);
        runner_sleep_on(&m->wake, m->interval); /* time.sleep(interval), cut short */
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
    td_object_set_name(&m->stop_event, "_stop_event");
    td_object_set_name(&m->wake, "wake");
    atomic_init(&m->terminate_flag, true);
    /* A Thread subclass: no target, so CPython names it "Thread-1". */
    return runner_start(&m->thread, &(td_thread_attr_t){ .target = toss_monitor_run, .arg = m });
}

static int run_monitor_stop(const cli_args_t *args)
{
    struct toss_monitor m;
    if (monitor_start(&m, cli_number(args, MONITOR_INTERVAL)) != 0)
        return EXIT_RUNTIME;
    if (runner_sleep(cli_number(args, MONITOR_STOP_AFTER)))
        monitor_terminate(&m); /* Ctrl-C: end quietly */
    else
        monitor_stop(&m);      /* the lesson: the thread sees the Event and returns */
    runner_join(m.thread);
    return EXIT_OK;
}

/* ToastErrorMonitor.toastMonitor(): the check fails until check --error-after. */
static int run_monitor_toast(const cli_args_t *args)
{
    struct toss_monitor m;
    if (monitor_start(&m, cli_number(args, MONITOR_INTERVAL)) != 0)
        return EXIT_RUNTIME;
    long long error_after = cli_int(args, MONITOR_ERROR_AFTER);
    for (long long checks = 1; checks < error_after; checks++) { /* until 'Error' */
        td_print("Toast Error Not Found");
        if (runner_sleep(cli_number(args, MONITOR_CHECK_INTERVAL))) {
            monitor_terminate(&m);
            runner_join(m.thread);
            return EXIT_OK;
        }
    }
    td_print("Exiting the thread...");
    monitor_terminate(&m);
    runner_join(m.thread);
    td_print("%s", tr("---Toast Error monitor 종료---"));
    return EXIT_OK;
}

/* `thrdemo monitor`: its variants, options, lesson and Python calls, which the parser,
 * the help and `list` read (cli.h). */
const cli_command_t scenario_monitor = {
    .name = "monitor", .kind = CMD_SCENARIO, .seed = "000",
    .summary = "a monitor thread stopped through an Event, or terminated and joined",
    .about = "TossMonitorThread, a periodic monitor thread stopped through an Event, and "
             "ToastErrorMonitor, which terminates and joins it when its check finds an error.",
    .lesson = "Python cannot kill a thread: you ask it to stop, through an Event or a "
              "flag it checks, and join() it. Waiting on the Event instead of sleeping "
              "makes the request take effect at once.",
    .variants = (const cli_variant_t[]){
        { "stop", "a periodic monitor thread stopped through its Event",
          .example = "monitor stop --interval 1 --stop-after 3.5", .run = run_monitor_stop },
        { "toast", "an error check that terminates and joins the monitor thread",
          .example = "monitor toast --error-after 5 --scale 0.3", .run = run_monitor_toast },
        { 0 } },
    .options = (const cli_option_t[]){
        [MONITOR_INTERVAL] = { "interval", OPT_NUMBER, "3", .min_open = true, .max = 1e9,
          .help = "seconds between the monitor's runs" },
        [MONITOR_STOP_AFTER] = { "stop-after", OPT_NUMBER, "10", .max = 1e9, .variants = "stop",
          .help = "seconds before main calls stop()" },
        [MONITOR_ERROR_AFTER] = { "error-after", OPT_INT, "3", 1, 1e9, .variants = "toast",
          .help = "the check that finds the error" },
        [MONITOR_CHECK_INTERVAL] = { "check-interval", OPT_NUMBER, "3", .max = 1e9,
          .variants = "toast",
          .help = "seconds between checks" },
        { 0 } },
    .python = (const cli_pycall_t[]){
        { "class TossMonitorThread(Thread)", "td_thread_new (.target = its run)" },
        { "threading.Event.set (stop)", "td_event_set" },
        { "threading.Event.is_set (stopped)", "td_event_is_set" },
        { "time.sleep(interval)", "runner_sleep_on (td_event_wait on wake)" },
        { "threading.Thread.join", "td_thread_join" },
        { 0 } },
};
