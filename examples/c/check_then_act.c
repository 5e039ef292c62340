/* SPDX-License-Identifier: MIT */
/* check_then_act.c - a planted check-then-act race, and td_sched_check finding it.
 *
 * Two threads each claim a slot if nobody has: `if (!taken) { taken = 1; ...}`.
 * Between the check and the act there is a window of a few instructions, so a real
 * run almost never lets the other thread in there: the bug survives every test
 * run by hand. Under a controlled schedule (schedule.h) the window is a scheduling
 * point, td_sched_point(), and td_sched_check runs the test under many schedules,
 * each in a child process, as Shuttle's check_random(f, n) does. A uniformly random
 * choice at every point almost never lets the second claimer get through its work
 * to its check while the first sits in the window (a chance in tens of thousands); pct
 * (probabilistic concurrency testing) gives the threads random priorities and lowers
 * the running one's at a random point, which lands in the window once in a few dozen
 * schedules. The policy it prints replays the failure,
 * every time: `thrdemo explore` does the same for the scenarios. Python's version
 * of the bug:
 *
 *     if not taken:       # check ...
 *         taken = True    # ... then act: another thread may have checked meanwhile
 *         takers += 1
 *
 * Build: cc check_then_act.c $(pkg-config --cflags --libs thrdemo)
 * Prints:
 *   random: 200 schedules, every one passed
 *   pct: schedule 10 of 200 fails (2 threads took the slot): pct:11:2:70
 *   replaying pct:11:2:70: fails again (2 threads took the slot)
 */
#include <stdio.h>

#include <thrdemo/schedule.h>
#include <thrdemo/thread.h>

enum { RUNS = 200, WORK = 30 };

static int taken, takers; /* under a schedule one thread runs at a time */

/* The first claimer checks at once; the second has work to do first. */
static void claim(void *arg)
{
    int work = arg ? WORK : 0;
    for (int i = 0; i < work; i++)
        td_sched_point(); /* its other work: points where the other may run */
    if (!taken) {         /* check ... */
        td_sched_point(); /* the window: another thread may run here */
        taken = 1;        /* ... then act */
        takers++;
    }
    for (int i = 0; i < WORK - work; i++)
        td_sched_point();
}

/* The test: two claimers, exactly one takes the slot. 0 when it holds, else the
 * number of takers (td_sched_check's fn). */
static int one_taker(void *arg)
{
    (void)arg;
    taken = takers = 0;
    td_thread_t *t[2];
    for (int i = 0; i < 2; i++)
        if (td_thread_new(&t[i], &(td_thread_attr_t){ TD_TARGET(claim), .arg = i ? &t : NULL }) != 0 ||
            td_thread_start(t[i]) != 0)
            return 100;
    for (int i = 0; i < 2; i++) {
        td_thread_join(t[i], TD_FOREVER);
        td_thread_free(t[i]);
    }
    return takers == 1 ? 0 : takers;
}

/* Run the test under `runs` schedules from policy text; say what was found. */
static int check(const char *text, unsigned runs, td_sched_failure_t *failure)
{
    td_policy_t first;
    if (td_policy_parse(text, &first) != 0)
        return -1;
    int rc = td_sched_check(&first, runs, 0, one_taker, NULL, failure);
    if (rc < 0)
        fprintf(stderr, "check_then_act: td_sched_check: %s\n", td_strerror(rc));
    return rc;
}

int main(void)
{
    td_sched_failure_t failure;
    char policy[64];
    int rc = check("random:1", RUNS, &failure);
    if (rc == 0)
        printf("random: %d schedules, every one passed\n", RUNS);
    else if (rc == 1)
        printf("random: schedule %u fails\n", failure.run);
    /* STEPS 70: about as many choices as one run makes (2 threads, 2 x 33 points). */
    if (check("pct:1:2:70", RUNS, &failure) != 1 || failure.status != 0) {
        printf("pct: not found in %d schedules\n", RUNS);
        return 1;
    }
    td_policy_format(&failure.policy, policy, sizeof policy);
    printf("pct: schedule %u of %d fails (%d threads took the slot): %s\n", failure.run, RUNS,
           failure.code, policy);
    td_sched_failure_t again;
    if (td_sched_check(&failure.policy, 1, 0, one_taker, NULL, &again) != 1)
        return 1;
    printf("replaying %s: fails again (%d threads took the slot)\n", policy, again.code);
    return 0;
}
