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
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine.h"
#include "exhaustive.h"
#include "scenarios/scenarios.h"
#include "tools/tools.h"

/* Its options, one enumerator per row of the table at the end, by which the story
 * reads them: a name mistyped does not compile. */
enum {
    EXPLORE_RUNS,
    EXPLORE_POLICY,
    EXPLORE_DEPTH,
    EXPLORE_JOBS,
    EXPLORE_TIMEOUT,
    EXPLORE_SHOW,
    EXPLORE_ALL,
    EXPLORE_PREEMPTIONS,
    EXPLORE_EXPECT,
    EXPLORE_JSON,
    EXPLORE_MAX_SCHEDULES,
    EXPLORE_TIME_LIMIT,
};

/* The scheduling points a run of --all may make unless --max-steps says otherwise. */
enum { ALL_MAX_STEPS = 100000 };

/* --expect @FILE: 0 when FILE is a regular file this process can read, else
 * EXIT_USAGE after saying why. */
static int check_expect_file(const char *path)
{
    struct stat st;
    FILE *f = fopen(path, "r");
    int e = errno;
    if (f && fstat(fileno(f), &st) == 0 && !S_ISREG(st.st_mode))
        e = EISDIR;
    bool ok = f && e != EISDIR;
    if (f)
        fclose(f);
    if (ok)
        return 0;
    char q[CLI_QUOTE_SIZE];
    return cli_usage_error("explore", "--expect @%s: %s", cli_quote(path, q),
                           e == EISDIR ? "not a file of outcomes" : strerror(e));
}

/* The command explored, checked as its own command line would be under --schedule:
 * 0, or EXIT_USAGE after the error. */
static int check_explore(const cli_args_t *args)
{
    if (args->n_positional == 0 && args->help)
        return 0; /* the help asks for no scenario */
    if (args->n_positional == 0)
        return cli_usage_error("explore", "which scenario? e.g. '%s explore lock-counter "
                                          "--lock none --iterations 3'", cli_program());
    int rc = cli_check_run_scenario("explore", args);
    bool all = cli_given(args, EXPLORE_ALL) || cli_given(args, EXPLORE_PREEMPTIONS);
    const int only_all[] = { EXPLORE_EXPECT, EXPLORE_JSON, EXPLORE_MAX_SCHEDULES,
                             EXPLORE_TIME_LIMIT };
    for (size_t i = 0; rc == 0 && !all && i < sizeof only_all / sizeof only_all[0]; i++)
        if (cli_given(args, only_all[i]))
            return cli_usage_error("explore", "--%s: it needs --all",
                                   tool_explore.options[only_all[i]].name);
    if (rc == 0 && all &&
        (cli_given(args, EXPLORE_RUNS) || cli_given(args, EXPLORE_POLICY) ||
         cli_given(args, EXPLORE_DEPTH) || cli_given(args, EXPLORE_JOBS) || cli_globals.seed_given))
        return cli_usage_error("explore", "--all runs every schedule, one after the other: "
                                          "--runs, --policy, --depth, --jobs and --seed are for "
                                          "sampling");
    if (rc == 0 && cli_given(args, EXPLORE_EXPECT) && cli_text(args, EXPLORE_EXPECT)[0] == '@')
        return check_expect_file(cli_text(args, EXPLORE_EXPECT) + 1);
    return rc;
}

/* --expect's list, or the lines of the file it names with @FILE, as one
 * comma-separated string (free it); NULL when not given, or after saying why the file
 * cannot be read. */
static char *expected_outcomes(const cli_args_t *args)
{
    if (!cli_given(args, EXPLORE_EXPECT))
        return NULL;
    const char *text = cli_text(args, EXPLORE_EXPECT);
    if (text[0] != '@')
        return strdup(text);
    FILE *f = fopen(text + 1, "r");
    if (!f) {
        cli_error("explore: --expect %s: cannot read it", text);
        return NULL;
    }
    size_t cap = 256, len = 0;
    char *list = malloc(cap), line[1024];
    while (list && fgets(line, sizeof line, f)) {
        size_t n = strlen(line);
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ' ||
                         line[n - 1] == '\t'))
            line[--n] = '\0'; /* a value never ends in blanks: an editor's are dropped */
        if (n == 0 || line[0] == '#')
            continue;
        if (len + n + 2 > cap) {
            char *grown = realloc(list, cap = (len + n + 2) * 2);
            if (!grown)
                free(list);
            list = grown;
        }
        if (list) {
            len += (size_t)sprintf(list + len, "%s%s", len ? "," : "", line);
        }
    }
    fclose(f);
    if (list)
        list[len] = '\0';
    return list;
}

/* The outcome line of the variant explored (or of its command): NULL if none. */
static const char *outcome_line(const cli_command_t *cmd, const cli_args_t *args)
{
    if (!cmd)
        return NULL;
    cli_globals_t saved = cli_globals;
    cli_globals.scheduled = true;
    cli_args_t run;
    int rc = cli_parse(cmd, (int)args->n_positional - 1, (char **)args->positional + 1, &run);
    cli_globals = saved;
    if (rc == 0 && run.variant && run.variant->outcome)
        return run.variant->outcome;
    return cmd->outcome;
}

static int run_explore(const cli_args_t *args)
{
    char max_steps[32];
    char *globals[8];
    size_t n = cli_passed_globals(globals);
    bool all = cli_given(args, EXPLORE_ALL) || cli_given(args, EXPLORE_PREEMPTIONS);
    size_t implicit = !cli_globals.max_steps && all ? 2 : 0;
    if (cli_globals.max_steps || all) {
        /* Under --all each run's record is read whole and analysed: a run that goes on
         * for millions of steps would take the search's memory and time for one run. */
        snprintf(max_steps, sizeof max_steps, "%llu",
                 (unsigned long long)(cli_globals.max_steps ? cli_globals.max_steps
                                                            : ALL_MAX_STEPS));
        globals[n++] = "--max-steps";
        globals[n++] = max_steps;
    }
    const cli_command_t *cmd = cli_find_command(args->positional[0]);
    explore_options_t options = {
        .words = (char *const *)args->positional,
        .n_words = args->n_positional,
        .globals = globals,
        .n_globals = n,
        .n_implicit = implicit,
        .policy = strcmp(cli_text(args, EXPLORE_POLICY), "pct") == 0 ? TD_POLICY_PCT
                                                                       : TD_POLICY_RANDOM,
        .depth = (unsigned)cli_int(args, EXPLORE_DEPTH),
        .first_seed = cli_globals.seed_given ? cli_globals.seed : 1,
        .runs = (uint64_t)cli_int(args, EXPLORE_RUNS),
        .jobs = cli_given(args, EXPLORE_JOBS) ? (unsigned)cli_int(args, EXPLORE_JOBS)
                                              : explore_cpus(),
        .timeout = cli_number(args, EXPLORE_TIMEOUT),
        .show = (unsigned)cli_int(args, EXPLORE_SHOW),
        .outcome = outcome_line(cmd, args),
        .progress = isatty(STDERR_FILENO),
        .stopping = runner_stopping,
        .stop_fd = runner_stop_fd(),
    };
    int rc;
    if (cli_given(args, EXPLORE_ALL) || cli_given(args, EXPLORE_PREEMPTIONS)) {
        char *expect = expected_outcomes(args);
        if (cli_given(args, EXPLORE_EXPECT) && !expect)
            return EXIT_RUNTIME; /* said */
        explore_all_t exhaustive = {
            .base = &options,
            .preemptions = cli_given(args, EXPLORE_PREEMPTIONS)
                               ? (int)cli_int(args, EXPLORE_PREEMPTIONS)
                               : -1,
            .max_schedules = (uint64_t)cli_int(args, EXPLORE_MAX_SCHEDULES),
            .time_limit = cli_number(args, EXPLORE_TIME_LIMIT),
            .expect = expect,
            .json = cli_given(args, EXPLORE_JSON),
        };
        rc = explore_all_main(&exhaustive);
        free(expect);
    } else {
        rc = explore_main(&options);
    }
    return rc < 0 ? EXIT_RUNTIME : rc == 0 ? EXIT_OK : EXIT_RUNTIME;
}

/* `thrdemo explore`: its variants, options, lesson and Python calls, which the parser,
 * the help and `list` read (cli.h). */
const cli_command_t tool_explore = {
    .name = "explore", .kind = CMD_TOOL, .run = run_explore, .check = check_explore,
    .no_schedule = "runs schedules of its own: --policy and --seed choose them",
    .no_trace = "runs the scenario in many processes: trace the one a row names, with the "
                "command it shows and --trace",
    .pass_through = true,
    .summary = "run a scenario under many schedules and count its distinct outputs",
    .about = "Run SCENARIO [VARIANT] [OPTIONS] under --runs schedules (--policy with seeds "
             "--seed BASE, BASE+1, ...), each in a fresh process, --jobs at a time, and print "
             "one row per distinct stdout: its hash, how many runs printed it, the first "
             "schedule that did and the command that replays it. Deadlocks, step-limit stops, "
             "crashes and failures come first, with their first line on stderr, and make the "
             "exit status 1. For lock-counter the final values are counted too. pct's STEPS "
             "is measured by one run first. Global options (--lang, --quiet, --max-steps) go to "
             "every run; explore's options and the scenario's may come in any order after "
             "SCENARIO. With --all it runs every schedule up to equivalence instead, one per "
             "class of interleavings that differ only in the order of independent steps "
             "(dynamic partial-order reduction), and the table is then every outcome there is, "
             "each with its shortest schedule as a replay command: 'explore lock-counter --lock "
             "none --iterations 3 --all --expect=-3,-2,-1,0,1,2,3' checks the whole set. "
             "While sampling, stderr on a terminal shows the runs done, the distinct outputs "
             "so far and the time left; on a terminal or not, a line warns when the first "
             "runs predict more than 30 s; stdout holds the table alone.",
    .variants = (const cli_variant_t[]){
        { NULL, "run a scenario under many schedules and count its distinct outputs",
          .positional = "SCENARIO [VARIANT] [OPTIONS]",
          .example = "explore lock-counter --lock none --iterations 3 --all" },
        { 0 } },
    .options = (const cli_option_t[]){
        [EXPLORE_RUNS] = { "runs", OPT_INT, "1000", 1, 1e8,
          .help = "schedules to run: seeds BASE .. BASE+N-1" },
        [EXPLORE_POLICY] = { "policy", OPT_CHOICE, "random", .choices = "random pct",
          .help = "random:SEED, or pct:SEED:DEPTH:STEPS (probabilistic concurrency testing)" },
        [EXPLORE_DEPTH] = { "depth", OPT_INT, "3", 1, 64,
          .help = "pct's DEPTH: its changes of priority + 1" },
        [EXPLORE_JOBS] = { "jobs", OPT_INT, NULL, 1, 256,
          .help = "runs at once (default: the number of CPUs)" },
        [EXPLORE_TIMEOUT] = { "timeout", OPT_NUMBER, "60", .max = 1e6,
          .help = "real seconds a run may take before it is killed and listed as hung (0: "
                  "no limit)" },
        [EXPLORE_SHOW] = { "show", OPT_INT, "20", .max = 1e9,
          .help = "rows of ordinary outputs to show, most frequent first (0: all)" },
        [EXPLORE_ALL] = { "all", OPT_FLAG,
          .help = "every schedule up to equivalence (dynamic partial-order reduction), one "
                  "run per class, instead of --runs samples: the outcome table is then all "
                  "the outcomes there are, each with its shortest schedule (each run stops "
                  "at --max-steps, 100,000 unless given)" },
        [EXPLORE_PREEMPTIONS] = { "preemptions", OPT_INT, NULL, 0, 64,
          .help = "every schedule with at most N preemptions (as CHESS bounds its search) "
                  "instead of one per class: exhaustive up to N (implies --all)" },
        [EXPLORE_EXPECT] = { "expect", OPT_STRING, NULL, .metavar = "VALUES",
          .help = "with --all: exit 0 when the outcomes are exactly VALUES (comma-separated, "
                  "as the table shows them; @FILE: one per line), else 1, naming the missing "
                  "and the unexpected ones with a replay command" },
        [EXPLORE_JSON] = { "json", OPT_FLAG,
          .help = "with --all: print one JSON document (schedules, exhaustive, bound, "
                  "deadlocks, outcomes with value, count and schedule) instead of the table" },
        [EXPLORE_MAX_SCHEDULES] = { "max-schedules", OPT_INT, "100000", 0, 1e12,
          .help = "with --all: stop after N schedules, saying the search is incomplete (0: "
                  "no limit)" },
        [EXPLORE_TIME_LIMIT] = { "time-limit", OPT_NUMBER, "0", .max = 1e7,
          .help = "with --all: stop after this many real seconds, saying the search is "
                  "incomplete (0: none)" },
        { 0 } },
};
