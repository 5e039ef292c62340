/* SPDX-License-Identifier: MIT */
/* cli.h - what every scenario shares: its option table and strict parser, the time
 * scale, the process-wide stop (Ctrl-C) and Python-style number formatting.
 * Nothing here knows a particular scenario. */
#ifndef THRDEMO_CLI_H
#define THRDEMO_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <thrdemo/event.h>
#include <thrdemo/thread.h>

/* Exit statuses of SCENARIOS.md. */
enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

typedef enum { OPT_FLAG, OPT_NUMBER, OPT_INT, OPT_CHOICE, OPT_STRING } cli_opt_type;

typedef struct cli_option {
    const char *name;     /* without the leading "--" */
    cli_opt_type type;
    const char *def;      /* default, as text (NULL for a flag) */
    const char *help;
    const char *variants; /* space-separated variants it belongs to; NULL: all. Two
                             entries may share a name for different variants (each
                             with its own default). */
    double min, max;      /* the range of a number or integer */
    bool min_open;        /* the value must be > min rather than >= min */
    const char *choices;  /* OPT_CHOICE: space-separated words */
} cli_option_t;

typedef struct cli_variant {
    const char *name;
    const char *summary;
} cli_variant_t;

enum { CLI_MAX_OPTIONS = 24, CLI_MAX_POSITIONAL = 64 };

/* The parsed command line of one scenario run. */
typedef struct cli_args {
    const struct scenario *scenario;
    const char *variant; /* the chosen variant, or NULL for a scenario without any */
    const char *text[CLI_MAX_OPTIONS]; /* each option's value as given or defaulted */
    bool given[CLI_MAX_OPTIONS];
    const char *positional[CLI_MAX_POSITIONAL];
    size_t n_positional;
} cli_args_t;

typedef struct scenario {
    const char *name;
    const char *seed;
    const cli_variant_t *variants; /* NULL-terminated, first is default; NULL: none */
    const char *summary;           /* for a scenario without variants */
    const cli_option_t *options;   /* terminated by a zero entry */
    const char *help;              /* what it shows and things to try */
    const char *positional;        /* usage of positional arguments, NULL: none */
    int (*run)(const cli_args_t *args);
} scenario_t;

/* Global options: the time scale, the random seed, whether to print stats. */
typedef struct cli_globals {
    double scale;
    uint64_t seed;
    bool seed_given;
    bool stats;
    bool quiet; /* leave out per-item lines, keep the milestones */
} cli_globals_t;

extern cli_globals_t cli_globals;

/* Print "thrdemo: <message> (see 'thrdemo SCENARIO --help')" on stderr and return
 * EXIT_USAGE; scenario may be NULL for the global help. */
int cli_usage_error(const char *scenario, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Print "thrdemo: <message>" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parse a finite decimal number, nothing before or after it: 0 or -1. */
int cli_parse_double(const char *text, double *out);
/* Parse a decimal integer, nothing before or after it: 0 or -1. */
int cli_parse_int(const char *text, long long *out);
/* Parse an unsigned decimal integer: 0 or -1. */
int cli_parse_u64(const char *text, uint64_t *out);

/* Parse a scenario's arguments (after its name) into args: 0, or EXIT_USAGE after
 * printing the error. Global options met here are applied to cli_globals. *help is
 * set when --help was asked for. */
int cli_parse(const scenario_t *sc, int argc, char **argv, cli_args_t *args, bool *help);
/* Apply one global option at argv[*i] if it is one: 1 used, 0 not global, or
 * EXIT_USAGE negated after printing the error. */
int cli_global_option(const char *scenario, int argc, char **argv, int *i);
/* Print a scenario's --help text on stdout. */
void cli_print_help(const scenario_t *sc);

/* The option's value (it must exist in the table: a typo is a bug and aborts). */
double cli_number(const cli_args_t *args, const char *name);
long long cli_int(const cli_args_t *args, const char *name);
bool cli_flag(const cli_args_t *args, const char *name);
const char *cli_text(const cli_args_t *args, const char *name);
/* Whether the run is of that variant. */
bool cli_variant_is(const cli_args_t *args, const char *variant);

/* Create and start a thread (Python's Thread(...).start()) into *thread: 0, or
 * EXIT_RUNTIME after saying on stderr why it could not be started (*thread NULL). */
int cli_start_thread(td_thread_t **thread, const td_thread_attr_t *attr);

/* The thread's name copied into buf (names can change under another thread's feet,
 * so the library hands out copies): returns buf. */
enum { CLI_NAME_MAX = 128 };
const char *cli_thread_name(td_thread_t *thread, char buf[CLI_NAME_MAX]);

/* A nominal duration in seconds times --scale: every wait goes through this. */
double cli_seconds(double nominal);
/* Sleep a nominal duration, waking early on Ctrl-C: true if interrupted. */
bool cli_sleep(double nominal);
/* Whether Ctrl-C (or SIGTERM) asked the run to stop. */
bool cli_stopping(void);
/* The process-wide stop event, set on Ctrl-C or SIGTERM. */
td_event_t *cli_stop_event(void);
/* What to do on Ctrl-C besides setting the stop event: fn(arg), once. */
typedef void (*cli_stop_fn)(void *arg);
/* Have the stop call fn(arg) (at once if it already happened); until forgotten. */
void cli_on_stop(cli_stop_fn fn, void *arg);
/* Stop calling fn(arg) on Ctrl-C (before arg goes away); waits for a call under way. */
void cli_forget_on_stop(cli_stop_fn fn, void *arg);
/* Have the stop set event, to wake a thread blocked on it; until forgotten. */
void cli_wake_on_stop(td_event_t *event);
/* Stop setting event on Ctrl-C (before it goes out of scope). */
void cli_forget_wake(td_event_t *event);
/* Block SIGINT and SIGTERM in every thread and start the thread that turns them
 * into the stop event; a second signal ends the process at once. */
void cli_install_signals(void);
/* The signal that stopped the run, or 0. */
int cli_stop_signal(void);

/* A random number, from --seed when given (same seed, same numbers in the same
 * order of calls), else from the clock. Thread-safe. */
uint64_t cli_random(void);
/* A random whole number from lo to hi inclusive: Python's random.randint. */
long long cli_randint(long long lo, long long hi);

/* Python's repr of a float ("5.0", "0.1", "1e-05") into buf: returns buf. */
const char *cli_pyfloat(double value, char buf[32]);
/* A number as Python prints it when it was given as written: integral values
 * without ".0" ("1"), others as repr ("0.5"). Returns buf. */
const char *cli_pynum(double value, char buf[32]);

#endif
