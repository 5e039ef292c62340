/* SPDX-License-Identifier: MIT */
/* exhaustive.h - `explore ... --all` (exhaustive.c): every schedule up to equivalence
 * by the library's exploration engine, beside engine.c's sampling. */
#ifndef THRDEMO_EXPLORE_EXHAUSTIVE_H
#define THRDEMO_EXPLORE_EXHAUSTIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "tally.h"

typedef struct explore_all {
    const explore_options_t *base; /* the command, globals, timeout, outcome, stop */
    int preemptions;               /* -1: every class; K: every schedule with <= K */
    uint64_t max_schedules;        /* stop after this many (0: no limit) */
    double time_limit;             /* real seconds (0: none) */
    const char *expect;            /* comma-separated outcomes, or NULL */
    bool json;                     /* one JSON document instead of the table */
} explore_all_t;

/* Search and report (stdout): 0 when nothing went wrong (and the outcomes are the
 * expected ones, if given), 1 when a schedule deadlocked, crashed, hit the step limit
 * or failed (or the outcomes differ from --expect), -1 when explore itself could not
 * go on (said on stderr). */
int explore_all_main(const explore_all_t *options);

#endif
