/* SPDX-License-Identifier: MIT */
/* barrier.c - runners that start together at a threading.Barrier. Not in the seeds:
 * teachers asked for it, beside seed 001's tour of the threading module.
 *
 * Race 1: each runner takes its own time to get ready (--step seconds apart), then
 * waits at a Barrier(N, action=go). The last to arrive runs the action before any
 * is released, then all N start at once; wait() returns each its arrival index.
 * Race 2: the same, but the last runner is late (--late seconds) and the barrier's
 * waits have a --timeout. The first wait to time out breaks the barrier: every
 * waiting runner gets BrokenBarrierError, and so does the late one the moment it
 * arrives. A broken barrier stays broken (until reset()).
 *
 * Trace: "Race 1: Barrier(3, action=go)", "Thread-1 (runner) is ready" (then 2, 3),
 * "All 3 runners are at the line: go!", "Thread-N (runner) starts running (wait()
 * returned I)" for each, in any order; "Race 2: Barrier(3, timeout=2), the last
 * runner is late", Thread-4 and Thread-5 ready, each "...: the barrier is broken, no
 * race", then Thread-6 ready and broken too, "barrier.broken = True".
 * Things to try: --runners 5; --late 1.5 (in time: race 2 runs too); --timeout 10.
 */
#include <stdatomic.h>

#include <thrdemo/barrier.h>
#include <thrdemo/event.h>
#include <thrdemo/log.h>
#include <thrdemo/thread.h>

#include "scenarios.h"

/* Its options, one enumerator per row of the table at the end, by which the story
 * reads them: a name mistyped does not compile. */
enum {
    BARRIER_RUNNERS,
    BARRIER_STEP,
    BARRIER_TIMEOUT,
    BARRIER_LATE,
};

struct race {
    td_barrier_t *barrier;
    atomic_llong running; /* runners not yet finished */
    td_event_t finished;  /* set by the last runner to finish */
};

struct runner {
    struct race *race;
    double ready_after; /* seconds this runner takes to get ready */
};

/* The action: run once, by the last runner to arrive, before any is released. */
static int go(void *arg)
{
    td_print("All %lld runners are at the line: go!", *(long long *)arg);
    return 0;
}

static void run(struct runner *r)
{
    char name[CLI_NAME_MAX];
    cli_thread_name(td_current_thread(), name);
    if (runner_sleep(r->ready_after)) /* getting ready takes a while */
        return;
    td_print("%s is ready", name);
    int index = td_barrier_wait(r->race->barrier, TD_FOREVER); /* until all have arrived */
    if (runner_stopping())
        return;
    if (index >= 0)
        td_print("%s starts running (wait() returned %d)", name, index);
    else
        td_print("%s: the barrier is broken, no race", name); /* BrokenBarrierError */
}

static void runner(void *arg)
{
    struct runner *r = arg;
    run(r);
    if (atomic_fetch_sub(&r->race->running, 1) == 1)
        td_event_set(&r->race->finished);
}

/* One race: a runner per delay at the barrier, until all have finished (or Ctrl-C,
 * which breaks the barrier so no runner waits for ever): 0 or EXIT_RUNTIME. */
static int race(td_barrier_t *barrier, long long n, const double *delays)
{
    struct race race = { .barrier = barrier };
    struct runner runners[MAX_THREADS];
    td_thread_t *threads[MAX_THREADS] = { 0 };
    atomic_init(&race.running, n);
    td_event_init(&race.finished);
    int rc = 0;
    for (long long i = 0; i < n && rc == 0; i++) {
        runners[i] = (struct runner){ &race, delays[i] };
        rc = runner_start(&threads[i],
                          &(td_thread_attr_t){ TD_TARGET(runner), .arg = &runners[i] });
    }
    if (rc == 0)
        runner_wait(&race.finished, TD_FOREVER); /* Ctrl-C ends this wait too */
    if (rc != 0 || runner_stopping())
        td_barrier_abort(barrier); /* the runners that started must not wait for ever */
    for (long long i = 0; i < n; i++)
        runner_join(threads[i]);
    return rc;
}

static int run_barrier(const cli_args_t *args)
{
    static long long n; /* the action's argument, alive while the runners are */
    n = cli_int(args, BARRIER_RUNNERS);
    double step = cli_number(args, BARRIER_STEP), delays[MAX_THREADS];
    for (long long i = 0; i < n; i++)
        delays[i] = step * (double)(i + 1);
    td_barrier_t start_line;
    td_barrier_init(&start_line, (size_t)n, go, &n, TD_FOREVER);
    td_print("Race 1: Barrier(%lld, action=go)", n);
    int rc = race(&start_line, n, delays);
    td_barrier_destroy(&start_line);
    if (rc != 0 || runner_stopping())
        return rc;
    char shown[32];
    td_print("Race 2: Barrier(%lld, timeout=%s), the last runner is late", n,
             py_number(args, BARRIER_TIMEOUT, shown));
    td_barrier_t late;
    delays[n - 1] = cli_number(args, BARRIER_LATE);
    td_barrier_init(&late, (size_t)n, go, &n,
                    runner_seconds(cli_number(args, BARRIER_TIMEOUT)));
    rc = race(&late, n, delays);
    if (rc == 0 && !runner_stopping())
        td_print("barrier.broken = %s", td_barrier_broken(&late) ? "True" : "False");
    td_barrier_destroy(&late);
    return rc;
}

/* `thrdemo barrier`: its variants, options, lesson and Python calls, which the parser,
 * the help and `list` read (cli.h). */
const cli_command_t scenario_barrier = {
    .name = "barrier", .kind = CMD_SCENARIO, .seed = "001",
    .summary = "runners start together at a Barrier; a late one and a timeout break it",
    .about = "threading.Barrier, beside seed 001's tour of the threading module (not "
             "in the seeds: teachers asked for it). Runners get ready one by one and "
             "wait at a Barrier; the last runs the action and all start at once. In "
             "a second race one runner is late and the others' timeout breaks the "
             "barrier.",
    .lesson = "A Barrier holds every thread until the last one arrives, then releases "
              "them together; the action runs once, in the last thread, before any goes "
              "on. One wait that times out breaks the barrier for every thread, the "
              "ones still to come included: BrokenBarrierError, not a hang.",
    .variants = (const cli_variant_t[]){
        { NULL, "runners start together at a Barrier; a late one and a timeout break it",
          .example = "barrier --runners 5 --scale 0.2", .run = run_barrier },
        { 0 } },
    .options = (const cli_option_t[]){
        [BARRIER_RUNNERS] = { "runners", OPT_INT, "3", 2, MAX_THREADS,
          .help = "the barrier's parties" },
        [BARRIER_STEP] = { "step", OPT_NUMBER, "1", .max = 1e6,
          .help = "seconds between one runner being ready and the next" },
        [BARRIER_TIMEOUT] = { "timeout", OPT_NUMBER, "2", .max = 1e6,
          .help = "the second barrier's timeout for each wait, in seconds" },
        [BARRIER_LATE] = { "late", OPT_NUMBER, "5", .max = 1e6,
          .help = "seconds the late runner of the second race takes to get ready" },
        { 0 } },
    .python = (const cli_pycall_t[]){
        { "threading.Barrier(n, action=go)", "td_barrier_init(&b, n, go, arg, TD_FOREVER)" },
        { "threading.Barrier(n, timeout=t)", "td_barrier_init(&b, n, go, arg, t)" },
        { "barrier.wait()", "td_barrier_wait: the arrival index, or -EPIPE" },
        { "threading.BrokenBarrierError", "-EPIPE from td_barrier_wait" },
        { "barrier.broken", "td_barrier_broken" },
        { "barrier.abort()", "td_barrier_abort (on Ctrl-C)" },
        { 0 } },
};
