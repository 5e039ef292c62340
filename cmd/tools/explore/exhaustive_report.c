/* SPDX-License-Identifier: MIT */
/* exhaustive_report.c - what `explore --all` says: the table of outcomes with the
 * shortest schedule of each and the summary ("N schedules, M cut by the reduction,
 * exhaustive", or where it stopped), the same as one JSON document, and --expect's
 * verdict. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <thrdemo/log.h>

#include "cli/cli.h"
#include "exhaustive_internal.h"
#include "run/schedrun.h"

int explore_all_by_problem(const void *a, const void *b)
{
    const outcome_t *x = a, *y = b;
    if (x->problem != y->problem)
        return x->problem ? -1 : 1;
    char *ex, *ey;
    double dx = strtod(x->value, &ex), dy = strtod(y->value, &ey);
    if (*ex == '\0' && *ey == '\0' && ex != x->value && ey != y->value && dx != dy)
        return dx < dy ? -1 : 1;
    return strcmp(x->value, y->value);
}

/* "thrdemo --schedule replay:... SCENARIO ..." into buf. */
static const char *replay_command(const search_t *s, const outcome_t *o, char *buf, size_t size)
{
    char *words[MAX_WORDS];
    /* A step-limit stop replays only under the limit the search ran with. */
    size_t n = explore_all_run_words(s->o->base, words, strcmp(o->value, "step limit") == 0);
    words[2] = (char *)o->schedule;
    schedrun_command_line(buf, size, (int)n - 1, words + 1);
    return buf;
}

/* The search's last line: N schedules, M cut by the reduction, and whether it is all. */
static void summary(const search_t *s, char *buf, size_t size)
{
    td_explore_stats_t st;
    td_explore_stats(s->ex, &st);
    char a[32], b[32], bound[64] = "";
    if (s->o->preemptions >= 0)
        snprintf(bound, sizeof bound, " up to %d preemption%s", s->o->preemptions,
                 s->o->preemptions == 1 ? "" : "s");
    if (s->stopped)
        snprintf(buf, size, "%s schedule%s, %s cut by the reduction; incomplete: stopped at %s",
                 schedrun_grouped(st.schedules, a), st.schedules == 1 ? "" : "s",
                 schedrun_grouped(st.redundant, b), s->stopped);
    else
        snprintf(buf, size, "%s schedule%s, %s cut by the reduction, exhaustive%s",
                 schedrun_grouped(st.schedules, a), st.schedules == 1 ? "" : "s",
                 schedrun_grouped(st.redundant, b), bound);
}

void explore_all_progress(const search_t *s, bool last)
{
    static double shown_at;
    if (!s->o->base->progress || (!last && explore_all_now() - shown_at < 0.2))
        return;
    shown_at = explore_all_now();
    if (last) {
        fputs("\r\033[K", stderr);
        return;
    }
    td_explore_stats_t st;
    td_explore_stats(s->ex, &st);
    fprintf(stderr, "\r\033[Kexplore --all: %llu schedules, %llu cut, %llu branches left, "
                    "%zu outcomes, %.0f s",
            (unsigned long long)st.schedules, (unsigned long long)st.redundant,
            (unsigned long long)st.pending, s->n, explore_all_now() - s->started);
}

/* The engine's first look at the space after the first run (Knuth's estimate of a
 * tree's size from one path: the product of the branches its races opened at each
 * decision): said on stderr when it is large, as GenMC does. */
void explore_all_estimate(const search_t *s)
{
    td_explore_stats_t st;
    td_explore_stats(s->ex, &st);
    char n[32];
    if (st.estimate >= 1000)
        fprintf(stderr, "explore: a first estimate from the first run: about %s schedules "
                        "(--max-schedules and --time-limit bound the search)\n",
                st.estimate == UINT64_MAX ? "more than 10^19" : schedrun_grouped(st.estimate, n));
}

/* A problem's whole report (a deadlock's wait-for lines, say), from its shortest
 * schedule run once more, each line indented under its row. */
static void print_report(const search_t *s, const outcome_t *o)
{
    char report[8192];
    if (explore_all_rerun(s, o, report, sizeof report) != 0 || !report[0]) {
        if (o->err[0])
            td_print("    %s", o->err);
        return;
    }
    for (char *line = strtok(report, "\n"); line; line = strtok(NULL, "\n"))
        if (strncmp(line, "thrdemo: schedule ", 18) != 0) /* its replay line: above */
            td_print("    %s", line);
}

/* The pass that looks for shorter schedules stopped before it was done: say how far
 * it got, as the bound every schedule within was tried (-1: not even those without a
 * preemption), since a class shown with more preemptions may have a shorter schedule. */
static void print_shortening_cut(int bound)
{
    if (bound < 0)
        td_print("(shortest schedules: not every schedule without a preemption was tried; "
                 "an outcome may have a shorter schedule than the one shown)");
    else if (bound == 0)
        td_print("(shortest schedules: every schedule without a preemption was tried; "
                 "one with more may have a shorter one)");
    else
        td_print("(shortest schedules: every schedule with at most %d preemption%s was tried; "
                 "one with more may have a shorter one)",
                 bound, bound == 1 ? "" : "s");
}

void explore_all_table(const search_t *s)
{
    char command[2048], count[32], replay[8192], last[256];
    schedrun_shell_words(command, sizeof command, (int)s->o->base->n_words, s->o->base->words);
    int width = 8;
    for (size_t i = 0; i < s->n; i++)
        if ((int)strlen(s->outcomes[i].value) > width)
            width = (int)strlen(s->outcomes[i].value);
    td_print("explore %s --all%s", command, s->o->preemptions >= 0 ? " (bounded)" : "");
    td_print("%-*s %10s  %-11s %s", width, s->o->base->outcome ? "outcome" : "stdout",
             "schedules", "preemptions", "shortest schedule");
    for (size_t i = 0; i < s->n; i++) {
        const outcome_t *o = &s->outcomes[i];
        td_print("%-*s %10s  %11u %s", width, o->value, schedrun_grouped(o->count, count),
                 o->preemptions, replay_command(s, o, replay, sizeof replay));
        if (o->problem)
            print_report(s, o);
    }
    summary(s, last, sizeof last);
    td_print("%s", last);
    if (s->shortening_cut)
        print_shortening_cut(s->shortest_bound);
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void json_string(const char *text)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

void explore_all_json(const search_t *s)
{
    td_explore_stats_t st;
    td_explore_stats(s->ex, &st);
    char command[2048], replay[8192];
    schedrun_shell_words(command, sizeof command, (int)s->o->base->n_words, s->o->base->words);
    printf("{\"command\": ");
    json_string(command);
    printf(", \"schedules\": %llu, \"redundant\": %llu, \"runs\": %llu, \"exhaustive\": %s, "
           "\"bound\": ",
           (unsigned long long)st.schedules, (unsigned long long)st.redundant,
           (unsigned long long)st.runs, s->stopped ? "false" : "true");
    if (s->o->preemptions >= 0)
        printf("%d", s->o->preemptions);
    else
        printf("null");
    printf(", \"stopped\": ");
    if (s->stopped)
        json_string(s->stopped);
    else
        printf("null");
    printf(", \"deadlocks\": %llu, \"outcomes\": [", (unsigned long long)s->deadlocks);
    for (size_t i = 0; i < s->n; i++) {
        const outcome_t *o = &s->outcomes[i];
        printf("%s{\"value\": ", i ? ", " : "");
        json_string(o->value);
        printf(", \"count\": %llu, \"problem\": %s, \"preemptions\": %u, \"schedule\": ",
               (unsigned long long)o->count, o->problem ? "true" : "false", o->preemptions);
        json_string(o->schedule);
        printf(", \"replay\": ");
        json_string(replay_command(s, o, replay, sizeof replay));
        printf("}");
    }
    printf("]}\n");
    fflush(stdout);
}

/* ---- --expect ---------------------------------------------------------------------------- */

/* Whether value is one of the comma-separated list's. */
static bool listed(const char *list, const char *value)
{
    size_t len = strlen(value);
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == len && strncmp(p, value, n) == 0)
            return true;
        p = end ? end + 1 : p + n;
    }
    return false;
}

/* Compare the outcomes with the expected list: 0 when they are the same set, else 1
 * with the missing and unexpected values on stderr, each unexpected one with the
 * command that replays it. */
int explore_all_check_expected(const search_t *s)
{
    const char *want = s->o->expect;
    int rc = 0;
    char replay[8192];
    for (const char *p = want; *p;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char value[EXPLORE_LINE];
        snprintf(value, sizeof value, "%.*s", (int)n, p);
        bool seen = false;
        for (size_t i = 0; i < s->n && !seen; i++)
            seen = strcmp(s->outcomes[i].value, value) == 0;
        if (!seen && n > 0) {
            fprintf(stderr, "thrdemo: explore: expected outcome %s was not seen\n", value);
            rc = 1;
        }
        p = end ? end + 1 : p + n;
    }
    for (size_t i = 0; i < s->n; i++)
        if (!listed(want, s->outcomes[i].value)) {
            fprintf(stderr, "thrdemo: explore: unexpected outcome %s; replay: %s\n",
                    s->outcomes[i].value,
                    replay_command(s, &s->outcomes[i], replay, sizeof replay));
            rc = 1;
        }
    if (s->stopped) {
        fprintf(stderr, "thrdemo: explore: the search stopped at %s: the outcomes may not be "
                        "all\n", s->stopped);
        rc = 1;
    }
    return rc;
}

