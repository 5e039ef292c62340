/* SPDX-License-Identifier: MIT */
/* explore.c - `thrdemo explore SCENARIO [VARIANT] [OPTIONS] [--runs N] [--policy
 * random|pct] [--seed BASE] [--jobs J]`: the scenario under N schedules (seeds BASE
 * .. BASE+N-1), each in a fresh process, and a table of the distinct outputs they
 * print, with the first schedule that printed each and the command that replays
 * it; deadlocks, step-limit stops and crashes first (exit 1 if any). For
 * lock-counter, the final values too. The machinery lives in engine.c.
 *
 * Things to try: `explore threads basic`; `explore lock-counter --lock none
 * --iterations 3 --runs 2000`; `--policy pct`; then replay a row's command.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "scenarios/scenarios.h"

/* The command explored, checked as its own command line would be under --schedule:
 * 0, or EXIT_USAGE after the error. */
int check_explore(const cli_args_t *args)
{
    if (args->n_positional == 0 && args->help)
        return 0; /* the help asks for no scenario */
    if (args->n_positional == 0)
        return cli_usage_error("explore", "which scenario? e.g. 'thrdemo explore lock-counter "
                                          "--lock none --iterations 3'");
    const char *name = args->positional[0];
    const cli_command_t *cmd = cli_find_command(name);
    char q[CLI_QUOTE_SIZE];
    if (!cmd || cmd->kind == CMD_BUILTIN || cmd->pass_through)
        return cli_usage_error("explore", "'%s' is not a scenario ('thrdemo list' shows them)",
                               cli_quote(name, q));
    cli_globals_t saved = cli_globals;
    cli_globals.scheduled = true; /* as each run will be: refusals and all */
    cli_args_t run;
    int rc = cli_parse(cmd, (int)args->n_positional - 1, (char **)args->positional + 1, &run);
    cli_globals = saved;
    if (rc == 0 && (run.help || run.python))
        return cli_usage_error("explore", "%s: explore runs the scenario; ask it for its help "
                                          "or program directly", run.help ? "--help" : "--python");
    return rc;
}

int run_explore(const cli_args_t *args)
{
    char max_steps[32];
    char *globals[8];
    size_t n = 0;
    if (cli_globals.lang == LANG_EN) {
        globals[n++] = "--lang";
        globals[n++] = "en";
    }
    if (cli_globals.quiet)
        globals[n++] = "--quiet";
    if (cli_globals.max_steps) {
        snprintf(max_steps, sizeof max_steps, "%llu", (unsigned long long)cli_globals.max_steps);
        globals[n++] = "--max-steps";
        globals[n++] = max_steps;
    }
    const cli_command_t *cmd = cli_find_command(args->positional[0]);
    explore_options_t options = {
        .words = (char *const *)args->positional,
        .n_words = args->n_positional,
        .globals = globals,
        .n_globals = n,
        .policy = strcmp(cli_text(args, "policy"), "pct") == 0 ? TD_POLICY_PCT : TD_POLICY_RANDOM,
        .depth = (unsigned)cli_int(args, "depth"),
        .first_seed = cli_globals.seed_given ? cli_globals.seed : 1,
        .runs = (uint64_t)cli_int(args, "runs"),
        .jobs = cli_given(args, "jobs") ? (unsigned)cli_int(args, "jobs") : explore_cpus(),
        .timeout = cli_number(args, "timeout"),
        .show = (unsigned)cli_int(args, "show"),
        .outcome = cmd ? cmd->outcome : NULL,
        .progress = isatty(STDERR_FILENO),
        .stopping = runner_stopping,
        .stop_fd = runner_stop_fd(),
    };
    int rc = explore_main(&options);
    return rc < 0 ? EXIT_RUNTIME : rc == 0 ? EXIT_OK : EXIT_RUNTIME;
}
