/* SPDX-License-Identifier: MIT */
/* predict.h - --predict (issue 24, OSTEP's -c habit): before a scheduled run of a
 * scenario with one result (its outcome line), ask what that result will be, then
 * run it, say whether the guess was right, and show the interleaving step by step
 * (--explain's). */
#ifndef THRDEMO_PREDICT_H
#define THRDEMO_PREDICT_H

#include "cli/cli.h"

/* Ask (stderr), read one line of stdin, run the command again in a child process
 * without --predict and with --explain, its stdout passed through and its outcome
 * line picked out, then give the verdict on stderr. Returns the run's exit status,
 * EXIT_USAGE when stdin gives no answer, EXIT_RUNTIME when the run cannot start. */
int predict_run(const cli_args_t *args);

#endif
