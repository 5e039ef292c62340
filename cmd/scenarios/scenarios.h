/* SPDX-License-Identifier: MIT */
/* scenarios.h - what every story shares. A scenario is one file, cmd/scenarios/NAME.c:
 * its story (one function per variant) and, beside it, its command table
 * (`const cli_command_t scenario_NAME`: variants, options, lesson, Python calls), listed
 * by one row in registry.def. A scenario told in several files has a header of its own
 * (async.h) for what they share. Each story file includes this one header for all the
 * rest: the parsed options (cli.h), the runner (sleeps and waits that Ctrl-C ends),
 * --stats, --lang, Python's formats. */
#ifndef THRDEMO_SCENARIOS_H
#define THRDEMO_SCENARIOS_H

#include <stdbool.h>
#include <stddef.h>

#include <thrdemo/observer.h> /* td_object_set_name: objects named as in Python */
#include <thrdemo/task.h>

#include "cli/cli.h"
#include "cli/lang.h"
#include "support/pylike.h"
#include "run/runner.h"
#include "run/stats.h"

/* The most threads a scenario's option may ask for (arrays are this long). */
enum { MAX_THREADS = 64, MAX_RUNS = 101 };

/* Every scenario's table, each defined in its story file (scenario_event in event.c),
 * declared here from the one list of them. */
#define SCENARIO(id) extern const cli_command_t scenario_##id;
#include "registry.def"
#undef SCENARIO

#endif
