/* SPDX-License-Identifier: MIT */
/* help.h - every view of the command tables a person reads: `list`, the top-level
 * and per-command --help, the man page, the bash and zsh completions. All are
 * generated here from the tables the parser reads, so none can disagree with it. */
#ifndef THRDEMO_HELP_H
#define THRDEMO_HELP_H

#include <stddef.h>

#include "cli.h"

/* The commands main.c's table holds, for the views that list them all. */
typedef struct help_commands {
    const cli_command_t *const *all;
    size_t n;
} help_commands_t;

/* `thrdemo list`: one line per scenario variant: name, variant, seed, summary. */
void help_list(help_commands_t cmds);
/* `thrdemo --help`: usage, scenarios, commands, global options, exit statuses. */
void help_top(help_commands_t cmds);
/* `thrdemo COMMAND --help`: every variant with its options, defaults and example,
 * the lesson, the Python calls and the libthrdemo functions behind them. */
void help_command(const cli_command_t *cmd);
/* The man page thrdemo.1, in roff: 0, or -1 if a table is inconsistent (said). */
int help_man(help_commands_t cmds);
/* A completion script for shell ("bash" or "zsh"): 0, or -1 if a table is
 * inconsistent (said). */
int help_completion(help_commands_t cmds, const char *shell);

/* A topic of `thrdemo help TOPIC`: options that work together, told in one place. */
typedef struct help_topic {
    const char *name;
    const char *summary; /* one line, for the top-level help */
    void (*print)(help_commands_t cmds);
} help_topic_t;

/* The topics, ending with a row whose name is NULL: a topic is one row here. */
extern const help_topic_t help_topics[];
/* The topic called name, or NULL. */
const help_topic_t *help_find_topic(const char *name);

/* Shared by help.c, man.c and completion.c. */
/* " (default 1; over 0)" and such, what a reader must know of o besides its help,
 * into buf ("" when nothing): returns buf. */
const char *help_option_detail(const cli_option_t *o, char *buf, size_t size);
/* What --schedule does, ending with the commands and options that refuse it, into
 * buf: returns buf. */
const char *help_schedules_text(help_commands_t cmds, char *buf, size_t size);
/* Whether cmd is a command that runs a scenario it is given (explore, step): its
 * positional words start with SCENARIO, and the usage gives it a line of its own. */
bool help_takes_scenario(const cli_command_t *cmd);
/* Whether cmd refuses the global option g (the parser says why when it is given):
 * --schedule and what needs it for a command that runs no schedule, --explain for
 * one that tells each step itself, --trace and what goes with it for one that cannot
 * be traced, --predict for a command that is not a scenario. */
bool help_refuses_global(const cli_command_t *cmd, const cli_option_t *g);
/* Run cli_check_table() over every command: 0, or -1 after saying what is wrong. */
int help_check_all(help_commands_t cmds);

#endif
