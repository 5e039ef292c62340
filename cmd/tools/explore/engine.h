/* SPDX-License-Identifier: MIT */
/* engine.h - the engine of `thrdemo explore`: one command run under many schedules,
 * each in a fresh process (this binary again, with --schedule), several at a time; the
 * distinct outputs counted, with the first seed of each and the command that
 * replays it; deadlocks, step-limit stops and crashes first. */
#ifndef THRDEMO_EXPLORE_ENGINE_H
#define THRDEMO_EXPLORE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <thrdemo/schedule.h>

typedef struct explore_options {
    char *const *words;  /* the command to explore: SCENARIO [VARIANT] [OPTIONS] */
    size_t n_words;
    char *const *globals; /* global options every run gets (--lang en, --max-steps N) */
    size_t n_globals;
    size_t n_implicit;    /* the last of them explore added itself (not for replays) */
    td_policy_kind_t policy; /* TD_POLICY_RANDOM or TD_POLICY_PCT */
    unsigned depth;          /* pct's DEPTH */
    uint64_t first_seed;
    uint64_t runs;
    unsigned jobs;         /* runs at once */
    double timeout;        /* real seconds a run may take before it is killed; 0: none */
    unsigned show;         /* rows of ordinary outputs shown (0: all) */
    const char *outcome;   /* the prefix of the line whose values are tallied, or NULL */
    bool progress;         /* an updating line on stderr */
    bool (*stopping)(void);
    int stop_fd;           /* readable once the run must stop; -1: none */
} explore_options_t;

/* Run and report (stdout): 0 when every run ended normally, 1 when a run
 * deadlocked, hit the step limit, crashed, failed or hung, -1 when explore itself
 * could not go on (said on stderr). */
int explore_main(const explore_options_t *options);

/* Turn the sampled run under policy ("random:5") into replay choices and shrink them
 * by delta debugging (each choice the outcome does not need dropped, within a budget):
 * 0 with the schedule in out and its preemptions, or -1 when the run does not replay
 * as choices (exhaustive.c). */
int explore_shrink(const explore_options_t *o, const char *policy, char *out, size_t size,
                   unsigned *preemptions);

/* The number of CPUs this process may run on (at least 1). */
unsigned explore_cpus(void);

#endif
