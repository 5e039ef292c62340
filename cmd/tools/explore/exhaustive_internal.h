/* SPDX-License-Identifier: MIT */
/* exhaustive_internal.h - what `explore --all`'s search (exhaustive.c) and its report
 * (exhaustive_report.c) share: the outcomes found and the search's state. */
#ifndef THRDEMO_EXPLORE_EXHAUSTIVE_INTERNAL_H
#define THRDEMO_EXPLORE_EXHAUSTIVE_INTERNAL_H

#include <stddef.h>

#include <thrdemo/explore.h>

#include "exhaustive.h"

enum { MAX_WORDS = 160 };

typedef struct outcome {
    char value[EXPLORE_LINE];
    bool problem; /* a deadlock, the step limit, a crash, a hang or a failure */
    uint64_t count;
    char schedule[4096];
    unsigned preemptions;
    uint64_t decisions;
    char err[EXPLORE_LINE]; /* a problem's first line on stderr */
} outcome_t;

typedef struct search {
    const explore_all_t *o;
    td_explore_t *ex;
    outcome_t *outcomes;
    size_t n, cap;
    uint64_t deadlocks;
    const char *stopped; /* why it stopped early, or NULL */
    double started;
    char *record;
    size_t record_len, record_cap;
    /* The pass after the search that looks for shorter schedules (exhaustive.c). */
    bool shortening;
    uint64_t shortening_runs, budget;
    int shortest_bound;   /* every schedule with at most this many preemptions was
                             tried (-1: the pass did not run or did not finish K = 0) */
    bool shortening_cut;  /* its budget or the time ran out before it was done */
    const char *policy;   /* the runs' --schedule (NULL: replay: and the request's) */
    uint64_t not_found;   /* outcomes the bounded runs saw that the search did not */
} search_t;

/* A run's command line, thrdemo --schedule replay: [globals] SCENARIO ..., into words
 * (words[0] the binary, words[2] the policy), with the globals explore added itself or
 * not (implicit): the number of words. */
size_t explore_all_run_words(const explore_options_t *o, char **words, bool implicit);
/* The environment of a run: ours with THRDEMO_EXPLORE_FD set (NULL: no memory). */
char **explore_all_environment(void);
/* Real seconds on the monotonic clock. */
double explore_all_now(void);
/* Run the request to its end under s->policy (NULL: replay:): its wait status in
 * *status, its record in s->record, r filled as engine.c's runs are. 0 or -errno. */
int explore_all_run_one(search_t *s, const char *request, char **env, run_t *r, int *status);
/* What the run ended as, as the table shows it, into value: true for a problem (a
 * deadlock, the step limit, a crash, a hang, an exit status other than 0). */
bool explore_all_run_value(const search_t *s, const run_t *r, int status, char *value,
                           size_t size);
/* Run outcome o's shortest schedule again and keep what it wrote on stderr in buf
 * (size bytes): 0, or -errno when it could not be run. */
int explore_all_rerun(const search_t *s, const outcome_t *o, char *buf, size_t size);
/* On a terminal, the search's progress (last: clear the line). */
void explore_all_progress(const search_t *s, bool last);
/* After the first run, Knuth's estimate of the work on stderr when it is large. */
void explore_all_estimate(const search_t *s);
/* qsort's order of outcomes: problems first, then by value (numbers as numbers). */
int explore_all_by_problem(const void *a, const void *b);
/* Print the table of outcomes and the summary line on stdout. */
void explore_all_table(const search_t *s);
/* Print the search as one JSON document on stdout. */
void explore_all_json(const search_t *s);
/* 0 when the outcomes are exactly --expect's, else 1 after saying the difference on
 * stderr (each unexpected one with its replay command). */
int explore_all_check_expected(const search_t *s);

#endif
