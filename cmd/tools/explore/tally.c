/* SPDX-License-Identifier: MIT */
/* tally.c - what explore's runs printed, counted and reported: one row per distinct
 * outcome (how the run ended and the FNV-1a hash of its stdout) with its number of
 * runs and the first seed that gave it, the values of the command's outcome line,
 * and the report that lists problems first, then the most frequent outputs, each
 * with the command that replays it. */
#include "tally.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include <thrdemo/log.h>

#include "cli/cli.h"
#include "run/schedrun.h"

/* Seconds the report may spend shrinking its rows' schedules. */
enum { SHRINK_SECONDS = 10 };

/* ---- the tally ---------------------------------------------------------------------- */

static bool grow(void **array, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return true;
    size_t c = *cap ? *cap * 2 : 64;
    void *grown = realloc(*array, c * size);
    if (!grown)
        return false;
    *array = grown;
    *cap = c;
    return true;
}

static void count_value(tally_t *t, const char *text)
{
    for (size_t i = 0; i < t->n_values; i++) {
        if (strcmp(t->values[i].text, text) == 0) {
            t->values[i].runs++;
            return;
        }
    }
    if (!grow((void **)&t->values, &t->cap_values, t->n_values, sizeof *t->values))
        return;
    value_t *v = &t->values[t->n_values++];
    snprintf(v->text, sizeof v->text, "%s", text);
    v->runs = 1;
}

void explore_count_run(const explore_options_t *o, tally_t *t, const run_t *r, int status)
{
    row_t key = { .ended = ENDED_OK, .hash = r->hash };
    if (r->killed)
        key.ended = ENDED_HUNG;
    else if (WIFSIGNALED(status))
        key = (row_t){ .ended = ENDED_SIGNAL, .code = WTERMSIG(status), .hash = r->hash };
    else if (WEXITSTATUS(status) == EXIT_DEADLOCK)
        key.ended = ENDED_DEADLOCK;
    else if (WEXITSTATUS(status) == EXIT_MAX_STEPS)
        key.ended = ENDED_STEPS;
    else if (WEXITSTATUS(status) != 0)
        key = (row_t){ .ended = ENDED_EXIT, .code = WEXITSTATUS(status), .hash = r->hash };
    if (t->done == 0 || r->seed < t->lowest_seed)
        t->lowest_seed = r->seed;
    if (t->done == 0 || r->seed > t->highest_seed)
        t->highest_seed = r->seed;
    t->done++;
    t->problems += key.ended != ENDED_OK;
    if (o->outcome && key.ended == ENDED_OK)
        count_value(t, r->outcome[0] ? r->outcome : "(no such line)");
    for (size_t i = 0; i < t->n_rows; i++) {
        row_t *row = &t->rows[i];
        if (row->ended == key.ended && row->code == key.code && row->hash == key.hash) {
            row->runs++;
            if (r->seed < row->first_seed)
                row->first_seed = r->seed;
            return;
        }
    }
    if (!grow((void **)&t->rows, &t->cap_rows, t->n_rows, sizeof *t->rows))
        return;
    key.runs = 1;
    key.first_seed = r->seed;
    snprintf(key.err, sizeof key.err, "%s", key.ended == ENDED_DEADLOCK ? r->err : r->err_last);
    t->rows[t->n_rows++] = key;
}

/* Problems first (by first seed), then the most frequent outputs. */
static int by_importance(const void *a, const void *b)
{
    const row_t *x = a, *y = b;
    bool px = x->ended != ENDED_OK, py = y->ended != ENDED_OK;
    if (px != py)
        return px ? -1 : 1;
    if (!px && x->runs != y->runs)
        return x->runs > y->runs ? -1 : 1;
    return x->first_seed < y->first_seed ? -1 : x->first_seed > y->first_seed;
}

static int by_number(const void *a, const void *b)
{
    const value_t *x = a, *y = b;
    char *ex, *ey;
    double dx = strtod(x->text, &ex), dy = strtod(y->text, &ey);
    if (*ex == '\0' && *ey == '\0' && ex != x->text && ey != y->text && dx != dy)
        return dx < dy ? -1 : 1;
    return strcmp(x->text, y->text);
}

/* ---- the report --------------------------------------------------------------------- */

/* SIGSEGV's "SEGV", or the number. */
static const char *signal_name(int signo, char buf[16])
{
    static const struct {
        int signo;
        const char *name;
    } names[] = { { SIGSEGV, "SEGV" }, { SIGABRT, "ABRT" }, { SIGBUS, "BUS" }, { SIGFPE, "FPE" },
                  { SIGILL, "ILL" },   { SIGKILL, "KILL" }, { SIGTERM, "TERM" }, { SIGINT, "INT" },
                  { SIGPIPE, "PIPE" }, { SIGTRAP, "TRAP" } };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].signo == signo)
            return names[i].name;
    snprintf(buf, 16, "%d", signo);
    return buf;
}

static const char *ended_text(const row_t *row, char *buf, size_t size)
{
    char sig[16];
    switch (row->ended) {
    case ENDED_DEADLOCK: return "deadlock";
    case ENDED_STEPS: return "step limit";
    case ENDED_HUNG: return "hung";
    case ENDED_SIGNAL: snprintf(buf, size, "crash (SIG%s)", signal_name(row->code, sig)); return buf;
    case ENDED_EXIT: snprintf(buf, size, "exit %d", row->code); return buf;
    default: snprintf(buf, size, "%08x", (unsigned)(row->hash >> 32)); return buf;
    }
}

/* The title: the command, how many schedules were counted and the seeds they span,
 * which a stop may leave short of --runs and with gaps (the runs it cut short). */
static void report_title(const explore_options_t *o, const tally_t *t, uint64_t steps)
{
    char command[2048], first[64], last[64], runs[32], span[160] = "", cut[96] = "";
    schedrun_shell_words(command, sizeof command, (int)o->n_words, o->words);
    if (t->done > 0) {
        explore_policy_text(o, steps, t->lowest_seed, first, sizeof first);
        explore_policy_text(o, steps, t->highest_seed, last, sizeof last);
        snprintf(span, sizeof span, t->done > 1 ? ", %s .. %s" : ", %s", first, last);
    }
    if (o->stopping() && t->cut_short > 0)
        snprintf(cut, sizeof cut, "; stopped, %llu run%s cut short and not counted",
                 (unsigned long long)t->cut_short, t->cut_short == 1 ? "" : "s");
    else if (o->stopping())
        snprintf(cut, sizeof cut, "; stopped");
    td_print("explore %s: %s schedule%s%s%s", command, schedrun_grouped(t->done, runs),
             t->done == 1 ? "" : "s", span, cut);
}

/* Under a row, the same outcome from its schedule shrunk (explore_shrink), as a
 * replay command, while the time set aside for shrinking lasts. */
static void shrunk_line(const explore_options_t *o, const char *policy, double *until)
{
    static char schedule[4096], replay[8192]; /* off a stack that may be 64 KiB */
    unsigned preemptions = 0;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    if (*until == 0)
        *until = now + SHRINK_SECONDS;
    if (now > *until || o->stopping() ||
        explore_shrink(o, policy, schedule, sizeof schedule, &preemptions) != 0)
        return;
    char *words[2 + 160];
    size_t n = 0;
    words[n++] = "--schedule";
    words[n++] = schedule;
    for (size_t i = 0; i < o->n_globals - o->n_implicit && n < 160; i++)
        words[n++] = o->globals[i];
    for (size_t i = 0; i < o->n_words && n < 160; i++)
        words[n++] = o->words[i];
    schedrun_command_line(replay, sizeof replay, (int)n, words);
    td_print("%-12s %8s  shrunk, %u preemption%s: %s", "", "", preemptions,
             preemptions == 1 ? "" : "s", replay);
}

void explore_report(const explore_options_t *o, tally_t *t, uint64_t steps)
{
    double shrink_until = 0;
    char policy[64], replay[4096], what[48], seed[32], runs[32];
    if (t->n_rows > 1) /* rows is NULL while there are none: qsort wants an array */
        qsort(t->rows, t->n_rows, sizeof *t->rows, by_importance);
    size_t shown = 0, ordinary = 0;
    report_title(o, t, steps);
    td_print("%-12s %8s  %-22s %s", "stdout", "runs", "first schedule", "replay");
    for (size_t i = 0; i < t->n_rows; i++) {
        const row_t *row = &t->rows[i];
        ordinary += row->ended == ENDED_OK;
        if (row->ended == ENDED_OK && o->show && ++shown > o->show)
            continue;
        explore_policy_text(o, steps, row->first_seed, policy, sizeof policy);
        td_print("%-12s %8s  %-22s %s", ended_text(row, what, sizeof what),
                 schedrun_grouped(row->runs, seed), policy,
                 explore_replay_command(o, steps, row->first_seed, replay, sizeof replay));
        if (row->ended != ENDED_OK && row->err[0])
            td_print("%-12s %8s  %s", "", "", row->err);
        shrunk_line(o, policy, &shrink_until);
    }
    if (o->show && ordinary > o->show)
        td_print("... and %zu more distinct outputs, each from fewer runs (--show 0: all)",
                 ordinary - o->show);
    if (o->outcome && t->n_values > 0) {
        qsort(t->values, t->n_values, sizeof *t->values, by_number);
        td_print("%s(%zu distinct, in runs that ended normally)", o->outcome, t->n_values);
        for (size_t i = 0; i < t->n_values; i++)
            td_print("  %-10s %8s", t->values[i].text, schedrun_grouped(t->values[i].runs, seed));
    }
    char problems[32];
    td_print("%zu distinct outputs in %s runs; %s ended in a deadlock, the step limit, a "
             "crash or a failure", ordinary, schedrun_grouped(t->done, runs),
             t->problems ? schedrun_grouped(t->problems, problems) : "none");
}
