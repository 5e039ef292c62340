/* SPDX-License-Identifier: MIT */
/* timer_cancel.c - a watchdog Timer: cancelled when the job finishes in time, firing
 * (and aborting the job) when it does not.
 *
 * Each job starts a Timer that would call watchdog() after a deadline. Job 1 ends
 * at once, so main cancels the timer before it fires: cancel() wakes the timer's
 * thread, which ends without calling anything. Job 2 waits for something that never
 * comes; the timer fires, and watchdog() sets the job's `abort` Event, which is what
 * the stuck job was also waiting on. Python's version:
 *
 *     abort = threading.Event()
 *     watchdog = threading.Timer(0.2, abort.set)
 *     watchdog.start()
 *     ...the job, which checks abort...
 *     watchdog.cancel()
 *
 * Build: cc timer_cancel.c $(pkg-config --cflags --libs thrdemo)
 * Prints:
 *   job 1: done in time, watchdog cancelled (fired: no)
 *   watchdog: job 2 is taking too long, aborting it
 *   job 2: aborted by the watchdog (fired: yes)
 */
#include <stdbool.h>
#include <stdio.h>

#include <thrdemo/event.h>
#include <thrdemo/log.h>
#include <thrdemo/timer.h>

struct job {
    int number;
    td_event_t abort; /* set by the watchdog */
};

/* Runs on the timer's thread, only if the timer was not cancelled in time. */
static void watchdog(void *arg)
{
    struct job *job = arg;
    td_print("watchdog: job %d is taking too long, aborting it", job->number);
    td_event_set(&job->abort);
}

/* Run one job under a watchdog of `deadline` seconds: 0, or 1 if it misbehaved. */
static int run_job(int number, bool stuck, double deadline)
{
    struct job job = { .number = number };
    td_event_init(&job.abort);
    td_timer_t *timer;
    int rc = td_timer_new(&timer, deadline, watchdog, &job);
    if (rc == 0 && (rc = td_timer_start(timer)) != 0)
        td_timer_free(timer);
    if (rc != 0) {
        fprintf(stderr, "timer_cancel: cannot start the watchdog: %s\n", td_strerror(rc));
        return 1;
    }

    bool aborted = false;
    if (stuck)  /* waits for an answer that never comes: only the watchdog ends it */
        aborted = td_event_wait(&job.abort, TD_FOREVER);
    td_timer_cancel(timer);            /* harmless if it has fired already */
    td_timer_join(timer, TD_FOREVER);  /* the timer's thread is gone: job may go away */
    bool fired = td_timer_fired(timer);
    td_timer_free(timer);
    td_event_destroy(&job.abort);

    if (aborted)
        td_print("job %d: aborted by the watchdog (fired: %s)", number, fired ? "yes" : "no");
    else
        td_print("job %d: done in time, watchdog cancelled (fired: %s)", number,
                 fired ? "yes" : "no");
    return fired == stuck ? 0 : 1;
}

int main(void)
{
    int failed = run_job(1, false, 10.0); /* a deadline it cannot miss */
    failed |= run_job(2, true, 0.2);
    return failed;
}
