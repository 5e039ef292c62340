/* SPDX-License-Identifier: MIT */
/* tally.h - between explore's engine (engine.c: the runs as processes, several at a
 * time) and its tally (tally.c: what they printed, counted and reported): a run as
 * the engine reads it, and the rows the tally keeps. */
#ifndef THRDEMO_EXPLORE_TALLY_H
#define THRDEMO_EXPLORE_TALLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "engine.h"

enum { EXPLORE_LINE = 256 };

/* How a run ended. */
typedef enum { ENDED_OK, ENDED_DEADLOCK, ENDED_STEPS, ENDED_SIGNAL, ENDED_EXIT, ENDED_HUNG } ended_t;

typedef struct run {
    pid_t pid;
    int fd[2];      /* stdout, stderr; -1 once closed */
    unsigned cpu;   /* the job slot's CPU */
    uint64_t seed;
    uint64_t hash;  /* FNV-1a of stdout so far */
    double started; /* real seconds */
    bool killed;    /* by the timeout */
    char line[2][EXPLORE_LINE]; /* the line being read, of stdout and of stderr */
    size_t line_len[2];
    char outcome[64];  /* the value after options->outcome, if seen */
    char err[EXPLORE_LINE];    /* stderr's first line */
    char err_last[EXPLORE_LINE];
} run_t;

/* One distinct outcome: the way runs ended and the stdout they printed. */
typedef struct row {
    ended_t ended;
    int code; /* the exit status or the signal */
    uint64_t hash;
    uint64_t runs, first_seed;
    char err[EXPLORE_LINE];
} row_t;

typedef struct value {
    char text[64];
    uint64_t runs;
} value_t;

typedef struct tally {
    row_t *rows;
    size_t n_rows, cap_rows;
    value_t *values;
    size_t n_values, cap_values;
    uint64_t done, problems;
    uint64_t lowest_seed, highest_seed; /* of the runs counted: a stop leaves gaps */
    uint64_t cut_short; /* runs ended by the stop, not counted */
} tally_t;

/* The environment of a run: ours without THRDEMO_SEED and THRDEMO_SCALE, which
 * would override what the schedule derives (and say nothing under it), nor
 * THRDEMO_EXPLORE_FD, and with extra (NULL: none) added; free it (NULL: no memory). */
char **explore_environment(const char *extra);
/* Take n bytes a run wrote on stdout (which 0) or stderr (1): hash stdout, keep the
 * outcome line and stderr's first and last lines (engine.c). */
void explore_take_bytes(const explore_options_t *o, run_t *r, int which, const char *buf,
                        size_t n);
/* The run r has ended with status (waitpid's): count it in its row of t. */
void explore_count_run(const explore_options_t *o, tally_t *t, const run_t *r, int status);
/* Print the report of t on stdout (problems first); steps is pct's STEPS, 0 if none. */
void explore_report(const explore_options_t *o, tally_t *t, uint64_t steps);

/* What progress.c keeps between its calls. */
typedef struct explore_progress {
    double started;  /* when the runs began (CLOCK_MONOTONIC seconds) */
    double shown_at; /* when the status line was last written */
    bool warned;     /* the estimate has been judged (and said if long) */
} explore_progress_t;

/* Start the clock of the progress shown. */
void explore_progress_start(explore_progress_t *p);
/* Say how the exploration goes on stderr: a status line on a terminal (at most ten a
 * second), erased when last; once, a warning when the runs would take long. */
void explore_progress(const explore_options_t *o, const tally_t *t, explore_progress_t *p,
                      bool last);
/* The policy of the run with seed ("random:5", "pct:5:3:120") into buf. */
void explore_policy_text(const explore_options_t *o, uint64_t steps, uint64_t seed,
                         char *buf, size_t size);
/* "thrdemo --schedule random:5 lock-counter --lock none" into buf: returns buf. */
const char *explore_replay_command(const explore_options_t *o, uint64_t steps, uint64_t seed,
                                   char *buf, size_t size);

#endif
