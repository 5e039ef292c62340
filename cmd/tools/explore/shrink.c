/* SPDX-License-Identifier: MIT */
/* shrink.c - a sampled schedule made short: explore's row names a seed ("random:5");
 * its run, made again writing its decisions down, becomes replay choices (the
 * decisions where it left the plain order), and delta debugging drops each choice the
 * outcome does not need while the outcome still replays, within a budget.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <thrdemo/explore.h>

#include "exhaustive_internal.h"

enum { SHRINK_RUNS = 40 }; /* runs one schedule's shrinking may make */

/* One run under policy that writes its decisions down: its outcome (run_value's, and
 * its stdout's hash) in key, and in *ex the record fed to a fresh engine. 0, or -1
 * when the run or its record cannot be had. */
static int recorded_run(search_t *s, const char *policy, char **env, td_explore_t **ex,
                        char *key, size_t size)
{
    char request[32];
    snprintf(request, sizeof request, "record commute=%d\n", s->o->base->outcome != NULL);
    s->policy = policy;
    run_t r;
    int status = 0;
    const char *first;
    td_explore_options_t eo = { .lines_commute = s->o->base->outcome != NULL };
    if (explore_all_run_one(s, request, env, &r, &status) != 0 || td_explore_new(ex, &eo) != 0)
        return -1;
    char value[EXPLORE_LINE];
    explore_all_run_value(s, &r, status, value, sizeof value);
    snprintf(key, size, "%s %016llx", value, (unsigned long long)r.hash);
    if (td_explore_next(*ex, &first) != 1 ||
        td_explore_feed(*ex, s->record ? s->record : "", s->record_len) != 0) {
        td_explore_free(*ex);
        *ex = NULL;
        return -1;
    }
    return 0;
}

/* Whether the replay choices (without the one at index `skip`, -1: none) show key:
 * the shorter schedule's text in out when they do. */
static bool still_shows(search_t *s, char **env, const char *choices, int skip, const char *key,
                        char *out, size_t size, unsigned *preemptions)
{
    static char policy[4096]; /* off a stack that may be 64 KiB (ulimit -s) */
    snprintf(policy, sizeof policy, "replay:");
    size_t len = strlen(policy);
    int index = 0;
    for (const char *p = choices; *p; index++) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (index != skip && len + n + 2 < sizeof policy)
            len += (size_t)snprintf(policy + len, sizeof policy - len, "%s%.*s",
                                    len > 7 ? "," : "", (int)n, p);
        p = end ? end + 1 : p + n;
    }
    td_explore_t *ex = NULL;
    static char got[EXPLORE_LINE + 32];
    bool same = recorded_run(s, policy, env, &ex, got, sizeof got) == 0 && strcmp(got, key) == 0;
    if (same) {
        td_explore_last_schedule(ex, out, size);
        td_explore_run_t run;
        td_explore_last(ex, &run);
        *preemptions = run.preemptions;
    }
    td_explore_free(ex);
    return same;
}

int explore_shrink(const explore_options_t *o, const char *policy, char *out, size_t size,
                   unsigned *preemptions)
{
    explore_all_t all = { .base = o, .preemptions = -1 };
    search_t s = { .o = &all, .started = explore_all_now() };
    char **env = explore_all_environment();
    td_explore_t *ex = NULL;
    static char key[EXPLORE_LINE + 32], schedule[4096]; /* off a small stack */
    int rc = -1;
    if (env && recorded_run(&s, policy, env, &ex, key, sizeof key) == 0) {
        td_explore_last_schedule(ex, schedule, sizeof schedule);
        td_explore_free(ex);
        /* The replay runs on a clock that stands still between blocks (schedule.h), a
         * sampled run on one that ticks: only a schedule that replays can shrink. */
        if (still_shows(&s, env, schedule + 7, -1, key, out, size, preemptions)) {
            rc = 0;
            /* Delta debugging, one choice at a time: drop each that the outcome does
             * not need, as long as the budget lasts. */
            static char current[4096], shorter[4096];
            snprintf(current, sizeof current, "%s", out + 7);
            for (int i = 0, runs = 0; runs < SHRINK_RUNS && !o->stopping(); runs++) {
                int n = *current ? 1 : 0;
                for (const char *c = current; *c; c++)
                    n += *c == ',';
                if (i >= n)
                    break;
                unsigned fewer;
                if (!still_shows(&s, env, current, i, key, shorter, sizeof shorter, &fewer)) {
                    i++; /* the outcome needs this choice */
                    continue;
                }
                snprintf(out, size, "%s", shorter); /* the next choice is now at index i */
                snprintf(current, sizeof current, "%s", shorter + 7);
                *preemptions = fewer;
            }
        }
    }
    free(env);
    free(s.record);
    return rc;
}

