/* SPDX-License-Identifier: MIT */
/* step.h - `thrdemo step`: the user is the scheduler. step.c reads the command line;
 * session.c runs the scenario in a child process (this binary again, under
 * --schedule replay: with THRDEMO_STEP_FD, run/stepchild.h) and, at every decision
 * where two or more threads can go on, asks the user which. */
#ifndef THRDEMO_STEP_H
#define THRDEMO_STEP_H

#include <stddef.h>

enum { STEP_MAX_WORDS = 96 };

typedef struct step_options {
    char *const *words;   /* SCENARIO [VARIANT] [OPTIONS], as given */
    size_t n_words;
    char *const *globals; /* global options the run gets too (--lang en, --seed N) */
    size_t n_globals;
    const char *prefix;   /* replay choices to start from ("2@5,1@9"), "" for none */
    const char *program;  /* thrdemo as it was invoked, for the replay command */
} step_options_t;

/* Run the session: the run's exit status (3 after a deadlock), 0 after q, 130 after
 * Ctrl-C, EXIT_RUNTIME when the run could not start (said on stderr). */
int step_session(const step_options_t *options);

#endif
