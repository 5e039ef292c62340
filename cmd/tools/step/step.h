/* SPDX-License-Identifier: MIT */
/* step.h - `thrdemo step`: the user is the scheduler. step.c reads the command line;
 * session.c runs the scenario in a child process (this binary again, under
 * --schedule replay: with THRDEMO_STEP_FD, run/stepchild.h) and, at every decision
 * where two or more threads can go on, asks the user which. */
#ifndef THRDEMO_STEP_H
#define THRDEMO_STEP_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/cli.h"

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

/* ---- between session.c and prompt.c (the user's side) ---- */

enum { STEP_MAX_THREADS = 256, STEP_LINE = 1024 };

/* One live thread as the run told it: "thread N can|held|blocked NAME\tWHAT". */
struct step_shown {
    unsigned number;
    bool can_go;
    char name[CLI_NAME_MAX];
    char what[STEP_LINE];
};

/* A decision the run asks about. */
struct step_decision {
    unsigned long long index; /* the replay policy's number for it */
    unsigned chosen;          /* the policy's pick */
    unsigned asking;          /* who reached it (0: a thread that ended) */
    struct step_shown threads[STEP_MAX_THREADS];
    size_t n;
};

/* One line (or more) of step's talk on stderr, after the scenario's lines so far. */
void step_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* What the user may type, on stderr. */
void step_help(void);
/* The question of choice number `choice`: each live thread and what it does next. */
void step_show(const struct step_decision *d, size_t choice);
/* The next line the user typed into buf: 1, 0 at the end of the input, -1 when the
 * session must stop (Ctrl-C). */
int step_read_input(char *buf, size_t size);
/* s without the blanks around it. */
void step_trim(char *s);
/* The thread word names among d's and can go, or NULL after saying why not. */
const struct step_shown *step_pick(const struct step_decision *d, const char *word);

#endif
