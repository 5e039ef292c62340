/* SPDX-License-Identifier: MIT */
/* globals.c - the global options: their rows (each with the environment variable
 * that sets it first, and the function that stores a checked value in cli_globals),
 * thrdemo's own actions, the texts the help and the man page share about them, and
 * the exit statuses. A global option may stand before or after the command's name;
 * the last one given wins. */
#include "parser.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <thrdemo/trace.h>

cli_globals_t cli_globals = { .scale = 1.0 };
static const char *program = "thrdemo";

void cli_set_program(const char *argv0)
{
    if (argv0 && *argv0)
        program = argv0;
}

const char *cli_program(void)
{
    return program;
}

/* ---- global options ------------------------------------------------------------------- */

static int apply_scale(const char *value, const char **why)
{
    (void)why; /* the row's range has said everything */
    return cli_parse_double(value, &cli_globals.scale);
}

static int apply_seed(const char *value, const char **why)
{
    *why = "is not a whole number from 0 to 18446744073709551615";
    if (cli_parse_u64(value, &cli_globals.seed) != 0)
        return -1;
    cli_globals.seed_given = true;
    return 0;
}

static int apply_stats(const char *value, const char **why)
{
    (void)value, (void)why;
    cli_globals.stats = true;
    return 0;
}

static int apply_quiet(const char *value, const char **why)
{
    (void)value, (void)why;
    cli_globals.quiet = true;
    return 0;
}

static int apply_lang(const char *value, const char **why)
{
    (void)why;
    cli_globals.lang = strcmp(value, "en") == 0 ? LANG_EN : LANG_SEED;
    return 0;
}

static int apply_schedule(const char *value, const char **why)
{
    *why = "is not a policy: fifo, random:SEED, pct:SEED[:DEPTH[:STEPS]] (DEPTH 1 to 64, "
           "STEPS 2 or more) or replay:[THREAD@DECISION,...] (decisions increasing)";
    if (td_policy_parse(value, &cli_globals.policy) != 0)
        return -1;
    cli_globals.scheduled = true;
    return 0;
}

static int apply_max_steps(const char *value, const char **why)
{
    (void)why; /* the row's range has said everything */
    long long n = 0;
    int rc = cli_parse_int(value, &n);
    cli_globals.max_steps = (uint64_t)n;
    return rc;
}

static int apply_explain(const char *value, const char **why)
{
    (void)value, (void)why;
    cli_globals.explain = true;
    return 0;
}

static int apply_predict(const char *value, const char **why)
{
    (void)value, (void)why;
    cli_globals.predict = true;
    return 0;
}

static int apply_trace(const char *value, const char **why)
{
    (void)why; /* "-" is stdout, as to git and curl (issue 24; issue 21 refused it) */
    cli_globals.trace_file = value;
    return 0;
}

static int apply_timeline(const char *value, const char **why)
{
    (void)value, (void)why;
    cli_globals.timeline = true;
    return 0;
}

static int apply_width(const char *value, const char **why)
{
    (void)why; /* the row's range has said everything */
    long long n = 0;
    cli_parse_int(value, &n);
    cli_globals.width = (int)n;
    return 0;
}

static int apply_ascii(const char *value, const char **why)
{
    (void)value, (void)why;
    cli_globals.ascii = true;
    return 0;
}

static int apply_trace_limit(const char *value, const char **why)
{
    *why = "is not a size from 64K to 32G (a number of bytes, or with K, M or G)";
    uint64_t size;
    if (cli_parse_size(value, &size) != 0 || size < TD_TRACE_MIN_LIMIT ||
        size > TD_TRACE_MAX_LIMIT)
        return -1;
    cli_globals.trace_limit = size;
    cli_globals.trace_limit_text = value;
    return 0;
}

const cli_global_t cli_global_options[] = {
    /* At most a thousand times faster (1 s as 1 ms): beyond that durations shrink
     * under the tens of microseconds a thread takes to wake, and the trace's order is
     * the machine's, not the seed's; 1e-300 made every duration zero (issue 21). */
    { { .name = "scale", .type = OPT_NUMBER, .def = "1", .min = 0.001, .max = 1e6,
        .metavar = "F",
        .help = "multiply every duration (sleep, timeout, interval, delay) by F; printed "
                "durations stay nominal, so the trace is the same at any scale" },
      "THRDEMO_SCALE", apply_scale },
    { { .name = "seed", .type = OPT_STRING, .metavar = "N",
        .help = "seed every random choice (prodcons values, enumerate pauses): same seed, "
                "same values; default: from the clock" },
      "THRDEMO_SEED", apply_seed },
    { { .name = "stats", .type = OPT_FLAG,
        .help = "after the run, print wall time, threads started and the scenario's counts "
                "on stderr" },
      NULL, apply_stats },
    { { .name = "quiet", .type = OPT_FLAG,
        .help = "leave out per-item lines (prodcons messages, tcp-echo data), keep the "
                "milestones" },
      NULL, apply_quiet },
    { { .name = "lang", .type = OPT_CHOICE, .def = "seed", .choices = "seed en",
        .metavar = "LANG",
        .help = "en: English translations of the seeds' Korean and Chinese trace strings; "
                "seed: as the seeds print them" },
      NULL, apply_lang },
    { { .name = "schedule", .type = OPT_STRING, .metavar = "POLICY",
        .help = "one thread at a time, the next chosen at every scheduling point by POLICY: "
                "fifo, random:SEED, pct:SEED[:DEPTH[:STEPS]] or replay:CHOICES (a schedule "
                "explore --all printed), on a virtual clock: the same stdout on every run ("
                "'thrdemo help schedule' says more)" },
      NULL, apply_schedule },
    { { .name = "max-steps", .type = OPT_INT, .def = "10000000", .min = 1, .max = 1e18,
        .metavar = "N",
        .help = "with --schedule (or explore): stop a run that passes N scheduling points, "
                "saying what each thread waits for, with exit status 4" },
      NULL, apply_max_steps },
    { { .name = "explain", .type = OPT_FLAG,
        .help = "with --schedule: after the run (or before the report of a stuck one), tell "
                "it step by step on stderr, each step with its source line: 'Thread-1 "
                "(increment) reads shared_resource = 0 (race.c:169, from lock_counter.c:60)'; "
                "the first and last 100 steps of a long run. lock-counter's own --explain "
                "also prints how its first update was lost, with or without --schedule" },
      NULL, apply_explain },
    { { .name = "predict", .type = OPT_FLAG,
        .help = "with --schedule, for a scenario with one result (lock-counter's final "
                "value, deadlock's last line): first ask on stderr what it will be (one "
                "line from stdin), then run, say whether the guess was right and show the "
                "interleaving step by step (as --explain); OSTEP's -c" },
      NULL, apply_predict },
    { { .name = "trace", .type = OPT_STRING, .metavar = "FILE",
        .help = "write the run to FILE as Chrome Trace Event JSON, to open in "
                "ui.perfetto.dev: a track per thread, waits and held locks as slices, "
                "lines and sets as instants, arrows from each wake-up's cause. '-' writes it "
                "on stdout, and the scenario's own lines go to stderr, so that stdout is "
                "the JSON alone ('./-' names a file called -)" },
      NULL, apply_trace },
    { { .name = "timeline", .type = OPT_FLAG,
        .help = "after the run, draw what each thread did (running, blocked, sleeping, "
                "lines printed) as a chart: on stdout if it is a terminal, else on stderr" },
      NULL, apply_timeline },
    { { .name = "width", .type = OPT_INT, .min = 20, .max = 10000, .metavar = "N",
        .help = "the --timeline chart's width in columns; default: the terminal's, else 80" },
      NULL, apply_width },
    { { .name = "ascii", .type = OPT_FLAG,
        .help = "draw the --timeline chart in ASCII, without colour (the default when the "
                "locale is not UTF-8)" },
      NULL, apply_ascii },
    { { .name = "trace-limit", .type = OPT_STRING, .def = "64M", .metavar = "SIZE",
        .help = "keep at most SIZE (64K to 32G) of events for --trace and --timeline; the "
                "file stays under it, and what does not fit is dropped and counted on "
                "stderr" },
      NULL, apply_trace_limit },
    { { 0 }, NULL, NULL },
};

const cli_option_t cli_top_actions[] = {
    { .name = "help", .type = OPT_FLAG,
      .help = "show this help; --help SCENARIO: a scenario's, as 'thrdemo help SCENARIO'" },
    { .name = "version", .type = OPT_FLAG, .help = "show the version" },
    { .name = "", .type = OPT_FLAG,
      .help = "end the options: every word after it is an argument, so 'tcp-echo client "
              "-- -n' sends \"-n\"" },
    { 0 },
};

const cli_option_t cli_command_actions[] = {
    { .name = "help", .type = OPT_FLAG, .help = "show this help and exit" },
    { .name = "python", .type = OPT_FLAG,
      .help = "print the Python program the variant re-creates and exit" },
    { 0 },
};

/* git's and curl's rule, which scripts rely on to override a default they were given
 * (issue 21). */
const char cli_repeated_about[] =
    "An option given twice counts once, as in git and curl: the last one given wins, for "
    "global and scenario options alike ('--scale 2 --scale 0.1' is '--scale 0.1'); "
    "an option on the command line wins over its environment variable.";

const char cli_schedules_about[] =
    "One thread runs at a time. At every scheduling point (a thread starting or ending, "
    "a Lock, an Event, a Condition, a Semaphore, a Barrier, a Queue, a Timer, a sleep, a "
    "join, a printed line) POLICY picks the thread that goes on: fifo the one that has "
    "waited longest, random:SEED a seeded uniform choice, pct:SEED[:DEPTH[:STEPS]] "
    "probabilistic concurrency testing (random priorities, DEPTH - 1 changes among the "
    "first STEPS choices). Time is virtual, from 2000-01-01 00:00:00 UTC: sleeps and "
    "timeouts cost no wall time, --scale changes nothing, --seed defaults to SEED, so "
    "stdout is the same bytes for the same command on every run and every machine. Under "
    "random and pct the last line on stderr names the policy and the command that "
    "replays the run. A deadlock ends the run with status 3, --max-steps with 4. "
    "'thrdemo explore' runs many schedules and counts their distinct outcomes.";

const cli_environment_t cli_environment[] = {
    { "NO_COLOR", "set and not empty: the --timeline chart has no colour, even on a "
                  "terminal (no-color.org)" },
    { NULL, NULL },
};

const cli_exit_status_t cli_exit_statuses[] = {
    { EXIT_OK, "success" },
    { EXIT_RUNTIME, "a runtime failure (a port in use, Redis unreachable past --give-up, a "
                    "thread that could not be created), said on stderr" },
    { EXIT_USAGE, "a usage error (an unknown scenario, variant or option, a malformed or "
                  "out-of-range value): one 'thrdemo: ...' line on stderr, nothing on stdout" },
    { EXIT_DEADLOCK, "with --schedule: a deadlock: every thread blocked and no timeout "
                     "pending; stderr names each thread, what it waits for and who holds it "
                     "('deadlock' sees its own on real threads too)" },
    { EXIT_MAX_STEPS, "with --schedule: the run passed --max-steps scheduling points (10 "
                      "million unless given) and was stopped, as 'timer repeat --count 0 "
                      "--schedule fifo --max-steps 1000' is; stderr says what each thread "
                      "was doing" },
    { 130, "stopped by Ctrl-C (SIGINT) in order: threads told to stop, joined, timers "
           "cancelled; 143 for SIGTERM. A second Ctrl-C ends the process at once" },
    { 0, NULL },
};

/* Check and store one global option's value; label names it in errors. */
static int set_global(const char *command, const cli_global_t *g, const char *label,
                      const char *value)
{
    int rc = cli_check_value(command, &g->option, label, value);
    if (rc != 0)
        return rc;
    const char *why = "is not valid";
    if (g->apply(value, &why) != 0) {
        char q[CLI_QUOTE_SIZE];
        return cli_usage_error(command, "%s: '%s' %s", label, cli_quote(value, q), why);
    }
    return 0;
}

int cli_read_environment(void)
{
    for (const cli_global_t *g = cli_global_options; g->option.name; g++) {
        const char *value = g->env ? getenv(g->env) : NULL;
        if (value && *value && set_global(NULL, g, g->env, value) != 0)
            return EXIT_USAGE;
    }
    return 0;
}

/* Split argv[*i] = "--name[=value]": the name's length, *value after '=' or NULL. */
size_t cli_split_option(const char *arg, const char **value)
{
    const char *name = arg + 2, *eq = strchr(name, '=');
    *value = eq ? eq + 1 : NULL;
    return eq ? (size_t)(eq - name) : strlen(name);
}

/* The value of the option at argv[*i]: after '=', else the next word (moving *i).
 * NULL when there is none: a last word, or one that is itself an option. */
const char *cli_take_value(int argc, char **argv, int *i, const char *after_eq)
{
    if (after_eq)
        return after_eq;
    if (*i + 1 >= argc)
        return NULL;
    const char *next = argv[*i + 1];
    if (strncmp(next, "--", 2) == 0 && next[2] != '\0')
        return NULL; /* "--first-delay --second-delay 5": a value was forgotten */
    return argv[++*i];
}

int cli_global_option(const char *command, int argc, char **argv, int *i)
{
    const char *arg = argv[*i], *value;
    if (strncmp(arg, "--", 2) != 0)
        return 0;
    size_t len = cli_split_option(arg, &value);
    for (const cli_global_t *g = cli_global_options; g->option.name; g++) {
        if (strlen(g->option.name) != len || strncmp(g->option.name, arg + 2, len) != 0)
            continue;
        char label[40];
        snprintf(label, sizeof label, "--%s", g->option.name);
        if (g->option.type == OPT_FLAG) {
            if (value)
                return -cli_usage_error(command, "%s takes no value", label);
        } else if (!(value = cli_take_value(argc, argv, i, value))) {
            return -cli_usage_error(command, "%s needs a value", label);
        }
        return set_global(command, g, label, value) == 0 ? 1 : -EXIT_USAGE;
    }
    return 0;
}
