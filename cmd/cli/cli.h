/* SPDX-License-Identifier: MIT */
/* cli.h - the command line as data: one declarative table per command (variants,
 * options with type, range, default and help, the lesson, the Python calls it
 * re-creates), the strict parser that reads them, the global options, and the
 * error lines. help.c, man.c and completion.c turn the same tables into --help, the
 * man page and the shell completions, so none of them can disagree with what the
 * parser accepts. Each scenario's table sits beside its story (cmd/scenarios/NAME.c).
 * Nothing here knows a particular scenario.
 */
#ifndef THRDEMO_CLI_H
#define THRDEMO_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <thrdemo/schedule.h>
#include <thrdemo/thread.h>

/* The exit statuses; cli_exit_statuses[] (globals.c) says what each means, for the help. */
enum {
    EXIT_OK = 0,
    EXIT_RUNTIME = 1,
    EXIT_USAGE = 2,
    EXIT_DEADLOCK = 3,  /* under --schedule: every thread blocked, no deadline */
    EXIT_MAX_STEPS = 4, /* under --schedule: --max-steps reached */
};

typedef enum { OPT_FLAG, OPT_NUMBER, OPT_INT, OPT_CHOICE, OPT_STRING } cli_opt_type;

/* One option row. A number or integer must lie in [min, max] (or (min, max] when
 * min_open); a choice must be one of the space-separated words in choices; a string
 * may not hold control characters. */
typedef struct cli_option {
    const char *name;     /* without the leading "--" */
    cli_opt_type type;
    const char *def;      /* default, as text; NULL for a flag or "none" */
    double min, max;
    bool min_open;
    const char *choices;  /* OPT_CHOICE: the words */
    const char *variants; /* space-separated variants it belongs to; NULL: all. Two
                             rows may share a name for different variants (each with
                             its own default). */
    const char *metavar;  /* the value's name in the help; NULL: from the type */
    const char *help;
    const char *no_schedule; /* given, the command refuses --schedule: why ("talks to
                                a real server"); NULL: no effect on it */
} cli_option_t;

struct cli_args;

/* One variant row. A scenario without variants has exactly one row, whose name is
 * NULL. Every table ends with a row whose summary is NULL. */
typedef struct cli_variant {
    const char *name;
    const char *summary;    /* one line, for `list` and the help */
    const char *seed;       /* its tutorial's number when not the command's */
    const char *example;    /* words after "thrdemo", one command that shows it */
    const char *positional; /* the words it takes, as usage shows them; NULL: none */
    int (*run)(const struct cli_args *args); /* its story; NULL: the command's run */
    const char *outcome; /* the line of its one result, if not the command's (below) */
} cli_variant_t;

/* A Python call the scenario re-creates and the libthrdemo function behind it. */
typedef struct cli_pycall {
    const char *python;
    const char *td;
} cli_pycall_t;

typedef enum {
    CMD_SCENARIO, /* re-creates a tutorial: in `list`, has a Python program */
    CMD_TOOL,     /* bench: a command of its own, run like a scenario */
    CMD_BUILTIN,  /* list, help: about thrdemo itself */
} cli_kind;

typedef struct cli_command {
    const char *name;
    cli_kind kind;
    const char *seed;             /* the tutorial's number, "002"; NULL: none */
    const char *summary;          /* one line for the command list */
    const char *about;            /* a paragraph: where it comes from, what it shows */
    const char *lesson;           /* the point it makes, two or three lines */
    const cli_variant_t *variants;
    const cli_option_t *options;  /* ends with a row whose name is NULL; NULL: none */
    const cli_pycall_t *python;   /* ends with a row whose python is NULL */
    int (*run)(const struct cli_args *args); /* for variants without a run of their own */
    /* What the rows cannot say (--threads even, --redis an address): 0, or the
     * EXIT_USAGE of cli_usage_error. Run by the parser, before anything starts. */
    int (*check)(const struct cli_args *args);
    /* Why it refuses --schedule ("does real network I/O"); NULL: it runs under one. */
    const char *no_schedule;
    /* Its first word names another command, whose options it passes on: after that
     * word, an option it does not know is a word too (explore), and --max-steps is
     * taken without --schedule. */
    bool pass_through;
    /* The line of its one result, whose values explore tallies: a prefix ("Final
     * value of shared_resource: ", the value is the rest) or a whole line (the value
     * is the line); NULL: none. A variant may name its own. */
    const char *outcome;
    /* Why it refuses --trace and --timeline ("measures the library's own costs");
     * NULL: it can be traced. */
    const char *no_trace;
    /* Why it refuses --explain though it takes --schedule (step tells each step
     * itself); NULL: --explain goes with --schedule. */
    const char *no_explain;
} cli_command_t;

enum { CLI_MAX_OPTIONS = 24, CLI_MAX_POSITIONAL = 64 };

/* The parsed command line of one command. */
typedef struct cli_args {
    const cli_command_t *command;
    const cli_variant_t *variant; /* the chosen (or default) variant's row */
    const char *text[CLI_MAX_OPTIONS]; /* each option's value as given or defaulted */
    bool given[CLI_MAX_OPTIONS];
    const char *positional[CLI_MAX_POSITIONAL];
    size_t n_positional;
    bool help;   /* --help: print the help instead of running */
    bool python; /* --python: print the Python program instead of running */
} cli_args_t;

/* ---- global options ----------------------------------------------------------------- */

typedef enum { LANG_SEED, LANG_EN } cli_lang;

/* What the global options set. */
typedef struct cli_globals {
    double scale;
    uint64_t seed;
    bool seed_given;
    bool stats;
    bool quiet;    /* leave out per-item lines, keep the milestones */
    cli_lang lang; /* the trace strings: as the seeds print them, or English */
    bool scheduled;     /* --schedule given: run under policy */
    td_policy_t policy;
    uint64_t max_steps; /* --max-steps; 0: TD_SCHED_DEFAULT_MAX_STEPS */
    bool explain;       /* --explain: the scheduled run step by step on stderr */
    bool predict;       /* --predict: ask for the outcome first, then check it */
    const char *trace_file; /* --trace FILE: the run as Chrome Trace Event JSON */
    bool timeline;          /* --timeline: a per-thread chart after the run */
    int width;              /* --width N for the chart; 0: the terminal's, else 80 */
    bool ascii;             /* --ascii: the chart without Unicode */
    uint64_t trace_limit;   /* --trace-limit SIZE in bytes; 0: the library's default */
    const char *trace_limit_text; /* ...as given, for messages */
} cli_globals_t;

extern cli_globals_t cli_globals;

/* A global option: its row, the environment variable that sets it first (or NULL),
 * and the function that stores a value already checked against the row: 0, or -1
 * with *why saying what is wrong with it. */
typedef struct cli_global {
    cli_option_t option;
    const char *env;
    int (*apply)(const char *value, const char **why);
} cli_global_t;

/* The global options, ending with a row whose option name is NULL. */
extern const cli_global_t cli_global_options[];
/* The actions of thrdemo itself (--help, --version, and "--" that ends the options),
 * ending with a row whose name is NULL. */
extern const cli_option_t cli_top_actions[];
/* The actions any command takes (--help) and a scenario takes (--python). */
extern const cli_option_t cli_command_actions[];
/* What an option given twice does, for the help and the man page. */
extern const char cli_repeated_about[];
/* What --schedule does, for the help and the man page (which add who refuses it). */
extern const char cli_schedules_about[];
/* An environment variable that is not a global option's, and what it does. */
typedef struct cli_environment {
    const char *name;
    const char *meaning;
} cli_environment_t;
/* Those variables, for the help and the man page, ending with a NULL name. */
extern const cli_environment_t cli_environment[];
/* The exit statuses and what each means, ending with a NULL meaning. */
typedef struct cli_exit_status {
    int status;
    const char *meaning;
} cli_exit_status_t;
extern const cli_exit_status_t cli_exit_statuses[];

/* Remember argv[0], the name thrdemo was run by, for cli_program(). */
void cli_set_program(const char *argv0);
/* The command name the commands thrdemo prints for the user to run start with:
 * argv[0] as given ("build/thrdemo", "scripts/thrdemo", or a bare "thrdemo" that the
 * shell found on PATH), "thrdemo" when there is none. */
const char *cli_program(void);

/* Read the global options' environment variables: 0 or EXIT_USAGE (said). */
int cli_read_environment(void);
/* Apply the global option at argv[*i] if it is one: 1 used (*i moved past its
 * value), 0 not a global option, or -EXIT_USAGE after printing the error. */
int cli_global_option(const char *command, int argc, char **argv, int *i);

/* ---- parsing ------------------------------------------------------------------------ */

/* Parse a command's arguments (after its name) into args: 0, or EXIT_USAGE after
 * printing the one error line. Global options met here are applied. Everything is
 * checked even when --help or --python is given. */
int cli_parse(const cli_command_t *cmd, int argc, char **argv, cli_args_t *args);

/* An option a story reads is named by its row in the command's table, through an
 * enumerator that designates the row ([EVENT_DELAY] = { "delay", ... }), so a name
 * mistyped does not compile. Rows that share a name for different variants are one
 * option: reading any of them reads the row of the chosen variant. */
typedef size_t cli_opt_t;

/* The option's value as parsed (or defaulted); the option must be one of the chosen
 * variant's, else the story is wrong and thrdemo aborts saying so. */
double cli_number(const cli_args_t *args, cli_opt_t option);
/* The integer option's value, as cli_number. */
long long cli_int(const cli_args_t *args, cli_opt_t option);
/* Whether the flag was given. */
bool cli_flag(const cli_args_t *args, cli_opt_t option);
/* The option's value as text, as given or defaulted (NULL: no default). */
const char *cli_text(const cli_args_t *args, cli_opt_t option);
/* Whether the chosen variant has the option at all. */
bool cli_has(const cli_args_t *args, cli_opt_t option);
/* Whether the option was given on the command line. */
bool cli_given(const cli_args_t *args, cli_opt_t option);
/* Whether the run is of that variant. */
bool cli_variant_is(const cli_args_t *args, const char *variant);

/* Parse a finite decimal number, nothing before or after it: 0 or -1. */
int cli_parse_double(const char *text, double *out);
/* Parse a decimal integer, nothing before or after it: 0 or -1. */
int cli_parse_int(const char *text, long long *out);
/* Parse an unsigned decimal integer: 0 or -1. */
int cli_parse_u64(const char *text, uint64_t *out);
/* Parse a size in bytes: digits with an optional K, M or G (powers of 1024), maybe
 * followed by "B" or "iB" ("64M", "512KiB", "1048576"): 0 or -1. */
int cli_parse_size(const char *text, uint64_t *out);

/* ---- the tables --------------------------------------------------------------------- */

/* The command at index i of main.c's table (from 0), or NULL past the last. */
const cli_command_t *cli_command_at(size_t i);
/* The command called name in main.c's table (scenarios, tools, built-ins), or NULL. */
const cli_command_t *cli_find_command(const char *name);

/* Whether the command has named variants (else its one row has a NULL name). */
bool cli_has_variants(const cli_command_t *cmd);
/* Whether an option row applies to a variant row. */
bool cli_applies_to(const cli_option_t *opt, const cli_variant_t *variant);
/* The seed a variant comes from: its own, else its command's (NULL: none). */
const char *cli_variant_seed(const cli_command_t *cmd, const cli_variant_t *variant);
/* The value's name in the help: the row's metavar, else one from its type. */
const char *cli_metavar(const cli_option_t *opt);
/* Check a command's table for mistakes a reader of the help would trip on (a
 * default out of its own range, an option of a variant that does not exist, a
 * variant without summary or example): 0, or -1 after saying what on stderr. */
int cli_check_table(const cli_command_t *cmd);

/* The thread's name copied into buf (names can change under another thread's feet,
 * so the library hands out copies): Python's thread.name. Returns buf. */
enum { CLI_NAME_MAX = 128 };
const char *cli_thread_name(td_thread_t *thread, char buf[CLI_NAME_MAX]);

/* ---- errors ------------------------------------------------------------------------- */

enum { CLI_QUOTE_SIZE = 96 };
/* text as an error line may show it: control characters and bytes that are not
 * UTF-8 escaped (\n, \t, \x1b), cut short with "..." when long. Returns buf. */
const char *cli_quote(const char *text, char buf[CLI_QUOTE_SIZE]);
/* The nearest of the space-separated candidates to word (by edit distance, or
 * the one it is a prefix of), or NULL when none is near. */
const char *cli_nearest(const char *word, const char *const *candidates, size_t n);

/* For a command that runs a scenario it is given (explore, step): "'word' is not a
 * scenario", with the nearest scenario's name when one is near, as a usage error of
 * command. Returns EXIT_USAGE. */
int cli_not_a_scenario(const char *command, const char *word);
/* The scenario a command runs (explore, step: its first word, the words after it
 * that scenario's), checked as its own command line would be under --schedule: 0,
 * or EXIT_USAGE after the error. */
int cli_check_run_scenario(const char *command, const cli_args_t *args);
/* Into words, the global options a command that runs a scenario in a process of its
 * own (explore, step) passes on as they were given: --lang en, --quiet. How many
 * words (at most 3). */
size_t cli_passed_globals(char **words);
/* Print "thrdemo: <message> (see 'thrdemo COMMAND --help')" as one line on stderr
 * (control characters escaped) and return EXIT_USAGE; command may be NULL for the
 * top-level help. */
int cli_usage_error(const char *command, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Print "thrdemo: <message>" as one line on stderr (control characters escaped). */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
