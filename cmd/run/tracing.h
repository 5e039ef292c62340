/* SPDX-License-Identifier: MIT */
/* tracing.h - --trace, --timeline and --trace-limit: the library's recorder (trace.h)
 * around a run, its file written and its chart drawn by the runner's orderly end,
 * after the threads are joined (and after Ctrl-C: the file is complete then too). */
#ifndef THRDEMO_TRACING_H
#define THRDEMO_TRACING_H

#include "cli/cli.h"

/* Before the scenario starts a thread: open --trace's file (so a bad path fails
 * before anything runs) and start recording. 0, or EXIT_RUNTIME after saying why.
 * Without --trace and --timeline: 0, nothing done. */
int tracing_begin(const cli_args_t *args);
/* After the run: stop recording, write the file, draw the chart, say on stderr how
 * many events were dropped. Returns rc, or EXIT_RUNTIME when rc was 0 and the file
 * could not be written. */
int tracing_end(int rc);

#endif
