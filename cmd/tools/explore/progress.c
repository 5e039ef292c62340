/* SPDX-License-Identifier: MIT */
/* progress.c - what a sampled exploration tells while it runs (issue 24: 1000 runs
 * of 7-13 s each went by without a word, and piped printed nothing for minutes).
 *
 * On a terminal (stderr), a status line rewritten in place: runs done of all,
 * distinct outputs so far, time spent and time left; erased before the table, so
 * stdout and the final screen are what they were. Piped, no status lines (a log
 * would fill with them); on either, once a first wave of runs (one per job) has
 * ended, one warning line when the whole would take more than LONG seconds, saying
 * how to shorten it. stdout is never written here.
 */
#include "tally.h"

#include <stdio.h>
#include <time.h>

#include "run/schedrun.h"

enum { LONG = 30 };

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* seconds as "2 h 10 min", "4 min 05 s", "42 s", "1.5 s" or "4 ms" into buf:
 * returns buf. */
static const char *duration(double seconds, char *buf, size_t size)
{
    unsigned long long s = (unsigned long long)(seconds + 0.5);
    if (seconds < 1)
        snprintf(buf, size, "%.0f ms", seconds * 1000);
    else if (seconds < 10)
        snprintf(buf, size, "%.1f s", seconds);
    else if (s >= 3600)
        snprintf(buf, size, "%llu h %02llu min", s / 3600, s % 3600 / 60);
    else if (s >= 60)
        snprintf(buf, size, "%llu min %02llu s", s / 60, s % 60);
    else
        snprintf(buf, size, "%llu s", s);
    return buf;
}

void explore_progress_start(explore_progress_t *p)
{
    *p = (explore_progress_t){ .started = now() };
}

/* The seconds the runs not done yet should take, at the pace so far. */
static double time_left(const explore_options_t *o, const tally_t *t, double elapsed)
{
    return t->done ? elapsed / (double)t->done * (double)(o->runs - t->done) : 0;
}

/* Once a first wave of runs has ended: the warning, if the estimate is long. */
static void warn_if_long(const explore_options_t *o, const tally_t *t, explore_progress_t *p,
                         double elapsed)
{
    if (p->warned || t->done < (o->jobs < o->runs ? o->jobs : o->runs) || t->done == 0)
        return;
    p->warned = true;
    double total = elapsed + time_left(o, t, elapsed);
    if (total <= LONG)
        return;
    char d[32], runs[32], each[32];
    if (o->progress)
        fputs("\r\033[K", stderr);
    fprintf(stderr, "thrdemo: explore: about %s for %s schedules (%s a run, %u at a time); "
                    "--runs N runs fewer, smaller scenario options shorten each, --all runs "
                    "one schedule per class\n",
            duration(total, d, sizeof d), schedrun_grouped(o->runs, runs),
            duration(elapsed / (double)t->done * o->jobs, each, sizeof each), o->jobs);
}

void explore_progress(const explore_options_t *o, const tally_t *t, explore_progress_t *p,
                      bool last)
{
    double at = now(), elapsed = at - p->started;
    if (!last)
        warn_if_long(o, t, p, elapsed);
    if (!o->progress || (!last && at - p->shown_at < 0.1))
        return;
    p->shown_at = at;
    if (last) {
        fputs("\r\033[K", stderr);
        return;
    }
    char done[32], all[32], spent[32], left[32];
    fprintf(stderr, "\r\033[Kexplore: %s of %s runs, %zu distinct outputs, %s",
            schedrun_grouped(t->done, done), schedrun_grouped(o->runs, all), t->n_rows,
            duration(elapsed, spent, sizeof spent));
    if (t->done > 0)
        fprintf(stderr, ", about %s left", duration(time_left(o, t, elapsed), left, sizeof left));
}
