/* SPDX-License-Identifier: MIT */
/* step.c - `thrdemo step SCENARIO [VARIANT] [OPTIONS]`: you are the scheduler. The
 * run pauses at every scheduling point where two or more threads can go on, shows
 * each live thread with what it does next ("Thread-1 (increment)  reads
 * shared_resource (lock_counter.c:60)", "cannot go: acquires lock_a, held by
 * Thread-1 (a_then_b)") and runs the one you type; u undoes, r lets the plain order
 * finish, s prints the command that replays your choices, q quits. In the spirit of
 * The Deadlock Empire and OSTEP's x86.py: the student makes the race, or the
 * deadlock, happen. The session is session.c's.
 *
 * Things to try: `step lock-counter --lock none --iterations 1` (make the update
 * get lost), `step deadlock lock-order`, then replay the command s prints with
 * --explain.
 */
#include <stdio.h>
#include <string.h>

#include "run/schedrun.h"
#include "scenarios/scenarios.h"
#include "step.h"
#include "tools/tools.h"

/* The choices --schedule replay: gave, to start from; NULL: none. */
static const char *start_choices;

/* The scenario stepped, checked as its own command line would be under --schedule;
 * --schedule itself only as replay: (where to start from). 0 or EXIT_USAGE. */
static int check_step(const cli_args_t *args)
{
    if (cli_globals.scheduled && cli_globals.policy.kind != TD_POLICY_REPLAY)
        return cli_usage_error("step", "--schedule: step is the scheduler; it takes only "
                                       "replay:CHOICES, to start from them");
    if (cli_globals.scheduled) { /* the runs are scheduled, not step itself */
        start_choices = cli_globals.policy.choices ? cli_globals.policy.choices : "";
        cli_globals.scheduled = false;
    }
    if (args->n_positional == 0)
        return 0; /* run_step asks for one: help may parse it bare */
    return cli_check_run_scenario("step", args);
}

static int run_step(const cli_args_t *args)
{
    if (args->n_positional == 0)
        return cli_usage_error("step", "which scenario? e.g. '%s step lock-counter "
                                       "--lock none --iterations 1'", cli_program());
    static char seed[32], max_steps[32];
    char *globals[8];
    size_t n = cli_passed_globals(globals);
    if (cli_globals.seed_given) {
        snprintf(seed, sizeof seed, "%llu", (unsigned long long)cli_globals.seed);
        globals[n++] = "--seed";
        globals[n++] = seed;
    }
    if (cli_globals.max_steps) {
        snprintf(max_steps, sizeof max_steps, "%llu", (unsigned long long)cli_globals.max_steps);
        globals[n++] = "--max-steps";
        globals[n++] = max_steps;
    }
    step_options_t options = {
        .words = (char *const *)args->positional,
        .n_words = args->n_positional,
        .globals = globals,
        .n_globals = n,
        .prefix = start_choices ? start_choices : "",
        .program = schedrun_program(),
    };
    return step_session(&options);
}

/* `thrdemo step`: its usage and help, which the parser, the help, the man page and
 * the completions read (cli.h). */
const cli_command_t tool_step = {
    .name = "step", .kind = CMD_TOOL, .run = run_step, .check = check_step,
    .no_trace = "runs the scenario in a process of its own: trace the command its s prints",
    .no_explain = "step shows each step itself; replay the command its s prints with "
                  "--explain",
    .pass_through = true,
    .summary = "you are the scheduler: run a scenario step by step, choosing who goes on",
    .about = "Run SCENARIO [VARIANT] [OPTIONS] under a schedule that you make: at every "
             "scheduling point where two or more threads can go on, step lists each live "
             "thread with what it does next and its source line ('reads shared_resource "
             "(lock_counter.c:60)', 'cannot go: acquires lock_a, held by Thread-1 (a_then_b)'), "
             "and runs the one you type: its number or its name. Enter runs the one marked * "
             "(the plain order's: the thread that ran goes on while it can, else the "
             "lowest-numbered); u undoes the last choice (the run is replayed up to it, "
             "printing nothing twice); r lets the plain order run to the end; s prints the "
             "command that replays your choices so far ('SCENARIO ... --schedule "
             "replay:2@5'); q quits; ? helps. The scenario's lines go to stdout as it prints "
             "them, step's to stderr. It reads one answer a line, so a pipe drives it too; "
             "the end of the input is r. At the end it says how the run ended (a deadlock as "
             "--schedule reports it) and the command that replays it; its exit status is the "
             "run's (3 for a deadlock), 0 after q. --schedule replay:CHOICES starts from "
             "those choices.",
    .variants = (const cli_variant_t[]){
        { NULL, "you are the scheduler: run a scenario step by step, choosing who goes on",
          .positional = "SCENARIO [VARIANT] [OPTIONS]",
          .example = "step lock-counter --lock none --iterations 1" },
        { 0 } },
};
