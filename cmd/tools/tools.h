/* SPDX-License-Identifier: MIT */
/* tools.h - the commands that run scenarios rather than tell one: bench (bench/),
 * explore (explore/) and step (step/). */
#ifndef THRDEMO_TOOLS_H
#define THRDEMO_TOOLS_H

#include "cli/cli.h"

/* `thrdemo bench`: what the primitives cost (bench/bench.c). */
extern const cli_command_t tool_bench;
/* `thrdemo explore`: a scenario under many schedules (explore/explore.c). */
extern const cli_command_t tool_explore;
/* `thrdemo step`: a scenario under a schedule the user makes (step/step.c). */
extern const cli_command_t tool_step;

#endif
