/* SPDX-License-Identifier: MIT */
/* cli.c - the strict parser over the command tables, the global options, and the
 * one-line errors.
 *
 * Parsing never prints on stdout and never starts anything: a usage error is found
 * before a scenario writes its first line, so bad input leaves stdout empty. Every
 * error is one line: whatever of the user's input it echoes is escaped and cut short.
 *
 * The command line of a command, after its name:
 *   [VARIANT] [--option[=VALUE] | --global[=VALUE] | WORD]... [-- WORD...]
 * The variant, if any, is the first word, before any option of the command; global
 * options may stand anywhere before "--"; words are the variant's positional
 * arguments; after "--" every word is one, whatever it looks like.
 */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <thrdemo/trace.h>

#include "python.h"
#include "support/text.h"

cli_globals_t cli_globals = { .scale = 1.0 };

/* ---- errors --------------------------------------------------------------------------- */

/* Copy text into out (size bytes), escaping what would break or colour a line;
 * stop before limit visible bytes. Returns whether all of text fitted. */
static bool escape(const char *text, char *out, size_t size, size_t limit)
{
    static const char names[] = { ['\n'] = 'n', ['\t'] = 't', ['\r'] = 'r' };
    const unsigned char *s = (const unsigned char *)text;
    size_t o = 0;
    while (*s) {
        char piece[8];
        /* 4 bytes may be read: the check stops at the first byte that continues no
         * sequence, the terminating NUL among them. */
        size_t n = text_utf8_length(s, 4), plen;
        if (n == 1 && *s < sizeof names && names[*s]) {
            plen = (size_t)snprintf(piece, sizeof piece, "\\%c", names[*s]);
        } else if (n == 0 || *s < 0x20 || *s == 0x7f) {
            plen = (size_t)snprintf(piece, sizeof piece, "\\x%02x", *s);
            n = 1;
        } else {
            memcpy(piece, s, n);
            plen = n;
        }
        if (o + plen >= limit || o + plen >= size) {
            out[o] = '\0';
            return false;
        }
        memcpy(out + o, piece, plen);
        o += plen;
        s += n;
    }
    out[o] = '\0';
    return true;
}

const char *cli_quote(const char *text, char buf[CLI_QUOTE_SIZE])
{
    if (!escape(text, buf, CLI_QUOTE_SIZE, 60))
        strcat(buf, "...");
    return buf;
}

/* "thrdemo: " + the message (escaped: one line whatever it quotes) + tail. */
__attribute__((format(printf, 2, 0))) static void error_line(const char *tail, const char *fmt,
                                                               va_list ap)
{
    char message[1024], line[1100];
    vsnprintf(message, sizeof message, fmt, ap);
    escape(message, line, sizeof line, sizeof line);
    fprintf(stderr, "thrdemo: %s%s\n", line, tail);
}

int cli_usage_error(const char *command, const char *fmt, ...)
{
    char tail[80] = " (see 'thrdemo --help')";
    if (command)
        snprintf(tail, sizeof tail, " (see 'thrdemo %s --help')", command);
    va_list ap;
    va_start(ap, fmt);
    error_line(tail, fmt, ap);
    va_end(ap);
    return EXIT_USAGE;
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_line("", fmt, ap);
    va_end(ap);
}

/* Optimal string alignment distance (a swap of two neighbours costs 1). */
static size_t edit_distance(const char *a, const char *b)
{
    enum { MAX = 40 };
    size_t la = strlen(a), lb = strlen(b);
    if (la >= MAX || lb >= MAX)
        return MAX;
    size_t d[MAX + 1][MAX + 1];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            size_t best = d[i - 1][j - 1] + cost;
            best = d[i - 1][j] + 1 < best ? d[i - 1][j] + 1 : best;
            best = d[i][j - 1] + 1 < best ? d[i][j - 1] + 1 : best;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

const char *cli_nearest(const char *word, const char *const *candidates, size_t n)
{
    size_t len = strlen(word), best = (size_t)-1, allowed = len <= 4 ? 1 : len <= 8 ? 2 : 3;
    const char *nearest = NULL, *prefixed = NULL;
    size_t n_prefixed = 0;
    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(word, candidates[i]);
        if (d < best) {
            best = d;
            nearest = candidates[i];
        }
        if (len >= 2 && strncmp(word, candidates[i], len) == 0 && prefixed != candidates[i]) {
            prefixed = candidates[i];
            n_prefixed++;
        }
    }
    if (nearest && best <= allowed && best < len)
        return nearest;
    return n_prefixed == 1 ? prefixed : NULL;
}

/* " (did you mean 'X'?)" into buf, or "" when nothing is near. */
static const char *did_you_mean(const char *word, const char *const *candidates, size_t n,
                                const char *prefix, char *buf, size_t size)
{
    const char *near = cli_nearest(word, candidates, n);
    if (near)
        snprintf(buf, size, "; did you mean '%s%s'?", prefix, near);
    else
        buf[0] = '\0';
    return buf;
}

/* ---- numbers -------------------------------------------------------------------------- */

static bool starts_like_a_number(const char *text)
{
    /* strtod also takes leading blanks, "inf", "nan" and hex: none is a number here. */
    const char *p = text + (*text == '-' || *text == '+');
    return isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1]));
}

int cli_parse_double(const char *text, double *out)
{
    if (!text || !starts_like_a_number(text) || strpbrk(text, "xXpP"))
        return -1;
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (*end != '\0' || errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

int cli_parse_int(const char *text, long long *out)
{
    if (!text || !starts_like_a_number(text) || strchr(text, '.'))
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (*end != '\0' || errno == ERANGE)
        return -1;
    *out = v;
    return 0;
}

int cli_parse_u64(const char *text, uint64_t *out)
{
    if (!text || !isdigit((unsigned char)*text))
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (*end != '\0' || errno == ERANGE)
        return -1;
    *out = v;
    return 0;
}

int cli_parse_size(const char *text, uint64_t *out)
{
    if (!text || !isdigit((unsigned char)*text))
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno == ERANGE)
        return -1;
    unsigned shift = 0;
    switch (*end) {
    case 'K': case 'k': shift = 10; end++; break;
    case 'M': case 'm': shift = 20; end++; break;
    case 'G': case 'g': shift = 30; end++; break;
    default: break;
    }
    if (shift && *end == 'i' && end[1] == 'B')
        end += 2;
    else if (*end == 'B')
        end++;
    if (*end != '\0' || v > (UINT64_MAX >> shift))
        return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

/* ---- the tables ----------------------------------------------------------------------- */

/* Whether word is one of the space-separated words of list (the whole word). */
static bool word_in(const char *word, const char *list)
{
    size_t len = strlen(word);
    if (len == 0 || !list)
        return false;
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, " ");
        if (n == len && strncmp(p, word, len) == 0)
            return true;
        p += n;
        p += *p == ' ';
    }
    return false;
}

bool cli_has_variants(const cli_command_t *cmd)
{
    return cmd->variants && cmd->variants[0].name;
}

bool cli_applies_to(const cli_option_t *opt, const cli_variant_t *variant)
{
    return !opt->variants || (variant && variant->name && word_in(variant->name, opt->variants));
}

const char *cli_variant_seed(const cli_command_t *cmd, const cli_variant_t *variant)
{
    return variant && variant->seed ? variant->seed : cmd->seed;
}

const char *cli_metavar(const cli_option_t *opt)
{
    if (opt->metavar)
        return opt->metavar;
    switch (opt->type) {
    case OPT_NUMBER: return "S";
    case OPT_INT: return "N";
    case OPT_CHOICE: return "WORD";
    case OPT_STRING: return "TEXT";
    default: return "";
    }
}

/* The row called name (len bytes), preferring one that applies to variant; NULL if
 * none is called so. */
static const cli_option_t *find_option(const cli_command_t *cmd, const cli_variant_t *variant,
                                       const char *name, size_t len, size_t *index)
{
    const cli_option_t *found = NULL;
    for (size_t i = 0; cmd->options && cmd->options[i].name; i++) {
        const cli_option_t *o = &cmd->options[i];
        if (strlen(o->name) != len || strncmp(o->name, name, len) != 0)
            continue;
        if (!found || cli_applies_to(o, variant)) {
            found = o;
            *index = i;
        }
        if (cli_applies_to(o, variant))
            break;
    }
    return found;
}

static const cli_variant_t *find_variant(const cli_command_t *cmd, const char *word)
{
    for (const cli_variant_t *v = cmd->variants; v && v->summary; v++)
        if (v->name && strcmp(v->name, word) == 0)
            return v;
    return NULL;
}

/* A double bound as a whole number, saturated: as doubles, 10^18 + 1 is 10^18. */
static long long whole_bound(double bound)
{
    return bound >= (double)LLONG_MAX ? LLONG_MAX : bound <= (double)LLONG_MIN ? LLONG_MIN
                                                                             : (long long)bound;
}

/* Whether n lies in opt's range, compared as whole numbers (issue 21). */
static bool int_in_range(const cli_option_t *opt, long long n)
{
    long long min = whole_bound(opt->min);
    return (opt->min_open ? n > min : n >= min) && n <= whole_bound(opt->max);
}

static bool number_in_range(const cli_option_t *opt, double v)
{
    return (opt->min_open ? v > opt->min : v >= opt->min) && v <= opt->max;
}

/* Check value against opt's type and range; label names it in the error ("--x" or
 * an environment variable). 0, or EXIT_USAGE after the error. */
static int check_value(const char *command, const cli_option_t *opt, const char *label,
                       const char *value)
{
    char q[CLI_QUOTE_SIZE], hint[96];
    double v;
    long long n;
    bool in_range;
    switch (opt->type) {
    case OPT_NUMBER:
        if (cli_parse_double(value, &v) != 0)
            return cli_usage_error(command, "%s: '%s' is not a number", label, cli_quote(value, q));
        in_range = number_in_range(opt, v);
        break;
    case OPT_INT:
        if (cli_parse_int(value, &n) != 0)
            return cli_usage_error(command, "%s: '%s' is not a whole number", label,
                                   cli_quote(value, q));
        in_range = int_in_range(opt, n);
        break;
    case OPT_CHOICE: {
        if (word_in(value, opt->choices))
            return 0;
        const char *words[16];
        size_t k = 0;
        char copy[256];
        snprintf(copy, sizeof copy, "%s", opt->choices);
        char *save, *w = strtok_r(copy, " ", &save);
        for (; w && k < 16; w = strtok_r(NULL, " ", &save))
            words[k++] = w;
        return cli_usage_error(command, "%s: '%s' is not one of: %s%s", label, cli_quote(value, q),
                               opt->choices, did_you_mean(value, words, k, "", hint, sizeof hint));
    }
    case OPT_STRING:
        if (*value == '\0')
            return cli_usage_error(command, "%s: the value is empty", label);
        for (const unsigned char *p = (const unsigned char *)value; *p; p++)
            if (*p < 0x20 || *p == 0x7f)
                return cli_usage_error(command, "%s: '%s' holds a control character", label,
                                       cli_quote(value, q));
        return 0;
    default:
        return 0;
    }
    if (!in_range)
        return cli_usage_error(command, "%s: %s is out of range (%s %.15g .. %.15g)", label,
                               cli_quote(value, q), opt->min_open ? "over" : "from", opt->min,
                               opt->max);
    return 0;
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
    *why = "is not a policy: fifo, random:SEED or pct:SEED[:DEPTH[:STEPS]] (DEPTH 1 to 64, "
           "STEPS 2 or more)";
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

static int apply_trace(const char *value, const char **why)
{
    /* "-" is stdout to git and curl; here stdout is the trace lines, which JSON would
     * garble, so it is refused rather than taken as a file named "-" (issue 21). */
    *why = "(stdout) would mix the JSON into the trace lines on stdout: name a file "
           "('./-' for one called -)";
    if (strcmp(value, "-") == 0)
        return -1;
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
                "fifo, random:SEED or pct:SEED[:DEPTH[:STEPS]], on a virtual clock: the same "
                "stdout on every run (see Schedules below)" },
      NULL, apply_schedule },
    { { .name = "max-steps", .type = OPT_INT, .def = "10000000", .min = 1, .max = 1e18,
        .metavar = "N",
        .help = "with --schedule (or explore): stop a run that passes N scheduling points, "
                "saying what each thread waits for, with exit status 4" },
      NULL, apply_max_steps },
    { { .name = "trace", .type = OPT_STRING, .metavar = "FILE",
        .help = "write the run to FILE as Chrome Trace Event JSON, to open in "
                "ui.perfetto.dev: a track per thread, waits and held locks as slices, "
                "lines and sets as instants, arrows from each wake-up's cause" },
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

const cli_exit_status_t cli_exit_statuses[] = {
    { EXIT_OK, "success" },
    { EXIT_RUNTIME, "a runtime failure (a port in use, Redis unreachable past --give-up, a "
                    "thread that could not be created), said on stderr" },
    { EXIT_USAGE, "a usage error (an unknown scenario, variant or option, a malformed or "
                  "out-of-range value): one 'thrdemo: ...' line on stderr, nothing on stdout" },
    { EXIT_DEADLOCK, "with --schedule: a deadlock: every thread blocked and no timeout "
                     "pending; stderr names each thread, what it waits for and who holds it" },
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
    int rc = check_value(command, &g->option, label, value);
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
static size_t split_option(const char *arg, const char **value)
{
    const char *name = arg + 2, *eq = strchr(name, '=');
    *value = eq ? eq + 1 : NULL;
    return eq ? (size_t)(eq - name) : strlen(name);
}

/* The value of the option at argv[*i]: after '=', else the next word (moving *i).
 * NULL when there is none: a last word, or one that is itself an option. */
static const char *take_value(int argc, char **argv, int *i, const char *after_eq)
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
    size_t len = split_option(arg, &value);
    for (const cli_global_t *g = cli_global_options; g->option.name; g++) {
        if (strlen(g->option.name) != len || strncmp(g->option.name, arg + 2, len) != 0)
            continue;
        char label[40];
        snprintf(label, sizeof label, "--%s", g->option.name);
        if (g->option.type == OPT_FLAG) {
            if (value)
                return -cli_usage_error(command, "%s takes no value", label);
        } else if (!(value = take_value(argc, argv, i, value))) {
            return -cli_usage_error(command, "%s needs a value", label);
        }
        return set_global(command, g, label, value) == 0 ? 1 : -EXIT_USAGE;
    }
    return 0;
}

/* ---- parsing a command's arguments ---------------------------------------------------- */

/* "event wait", or "lock-counter" for a command without variants. */
static const char *full_name(const cli_args_t *args, char *buf, size_t size)
{
    if (args->variant && args->variant->name)
        snprintf(buf, size, "%s %s", args->command->name, args->variant->name);
    else
        snprintf(buf, size, "%s", args->command->name);
    return buf;
}

/* Every option name the user may have meant: the command's and the global ones. */
static size_t option_names(const cli_command_t *cmd, const char **names, size_t cap)
{
    size_t n = 0;
    for (const cli_option_t *o = cmd->options; o && o->name && n < cap; o++)
        names[n++] = o->name;
    for (const cli_global_t *g = cli_global_options; g->option.name && n < cap; g++)
        names[n++] = g->option.name;
    for (const cli_option_t *a = cli_command_actions; a->name && n < cap; a++)
        names[n++] = a->name;
    return n;
}

static int unknown_option(const cli_args_t *args, const char *arg)
{
    const cli_command_t *cmd = args->command;
    char q[CLI_QUOTE_SIZE], name[64], hint[96];
    const char *word = arg + strspn(arg, "-"), *value;
    size_t len = strncmp(arg, "--", 2) == 0 ? split_option(arg, &value) : strlen(word);
    char typed[48];
    snprintf(typed, sizeof typed, "%.*s", (int)(len < sizeof typed ? len : sizeof typed - 1), word);
    const char *names[CLI_MAX_OPTIONS + 16];
    size_t n = option_names(cmd, names, sizeof names / sizeof names[0]);
    char quoted_arg[CLI_QUOTE_SIZE + 8];
    snprintf(quoted_arg, sizeof quoted_arg, "%s", cli_quote(arg, q));
    char *eq = strchr(quoted_arg, '=');
    if (eq && strncmp(arg, "--", 2) == 0)
        *eq = '\0'; /* the option, not its value */
    return cli_usage_error(cmd->name, "unknown option '%s' for %s%s", quoted_arg,
                           full_name(args, name, sizeof name),
                           did_you_mean(typed, names, n, "--", hint, sizeof hint));
}

/* One "--name value" or "--name=value" of the command at argv[*i]: 0 or EXIT_USAGE. */
static int parse_option(int argc, char **argv, int *i, cli_args_t *args)
{
    const cli_command_t *cmd = args->command;
    const char *value;
    const char *arg = argv[*i];
    size_t len = split_option(arg, &value), index = 0;
    const cli_option_t *opt = find_option(cmd, args->variant, arg + 2, len, &index);
    if (!opt)
        return unknown_option(args, arg);
    char name[64];
    if (!cli_applies_to(opt, args->variant))
        return cli_usage_error(cmd->name, "--%s is an option of %s %s, not of %s", opt->name,
                               cmd->name, opt->variants, full_name(args, name, sizeof name));
    char label[40];
    snprintf(label, sizeof label, "--%s", opt->name);
    if (opt->type == OPT_FLAG) {
        if (value)
            return cli_usage_error(cmd->name, "%s takes no value", label);
        value = "1";
    } else if (!(value = take_value(argc, argv, i, value))) {
        return cli_usage_error(cmd->name, "%s needs a value", label);
    } else {
        int rc = check_value(cmd->name, opt, label, value);
        if (rc != 0)
            return rc;
    }
    args->text[index] = value;
    args->given[index] = true;
    return 0;
}

/* An action (--help, --python) at arg: 1 taken, 0 not one, or EXIT_USAGE negated. */
static int parse_action(const char *arg, cli_args_t *args)
{
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
        args->help = true;
        return 1;
    }
    if (strcmp(arg, "--python") != 0 || args->command->kind != CMD_SCENARIO)
        return 0;
    args->python = true;
    return 1;
}

static int unknown_variant(const cli_command_t *cmd, const char *word)
{
    const char *names[32];
    size_t n = 0;
    for (const cli_variant_t *v = cmd->variants; v->summary && n < 32; v++)
        names[n++] = v->name;
    char q[CLI_QUOTE_SIZE], hint[96];
    return cli_usage_error(cmd->name, "unknown variant '%s' of %s%s", cli_quote(word, q),
                           cmd->name, did_you_mean(word, names, n, "", hint, sizeof hint));
}

static int unexpected_word(const cli_args_t *args, const char *word)
{
    char q[CLI_QUOTE_SIZE], name[64];
    const char *why = "";
    if (find_variant(args->command, word))
        why = ": one variant at a time, right after the scenario";
    else if (!args->variant->positional)
        why = args->n_positional == 0 ? ": it takes no arguments" : "";
    return cli_usage_error(args->command->name, "unexpected argument '%s' for %s%s",
                           cli_quote(word, q), full_name(args, name, sizeof name), why);
}

/* A word (not an option): the variant, or a positional argument. It may be the
 * variant only while nothing but global options came before it. */
static int parse_word(const char *word, bool may_be_variant, bool *variant_given,
                      cli_args_t *args)
{
    const cli_command_t *cmd = args->command;
    const cli_variant_t *v = find_variant(cmd, word);
    may_be_variant = may_be_variant && cli_has_variants(cmd) && !*variant_given &&
                     args->n_positional == 0;
    if (may_be_variant && (v || !args->variant->positional)) {
        if (!v)
            return unknown_variant(cmd, word);
        args->variant = v;
        *variant_given = true;
        return 0;
    }
    if (!args->variant->positional)
        return unexpected_word(args, word);
    if (args->n_positional == CLI_MAX_POSITIONAL)
        return cli_usage_error(cmd->name, "too many arguments (at most %d)", CLI_MAX_POSITIONAL);
    args->positional[args->n_positional++] = word;
    return 0;
}

/* The option a command refuses --schedule for, if it was given: its row. */
static const cli_option_t *given_no_schedule(const cli_args_t *args)
{
    for (size_t i = 0; args->command->options && args->command->options[i].name; i++)
        if (args->given[i] && args->command->options[i].no_schedule)
            return &args->command->options[i];
    return NULL;
}

/* --schedule and --max-steps against what the command does: 0 or EXIT_USAGE. */
static int check_schedule(const cli_args_t *args)
{
    const cli_command_t *cmd = args->command;
    const cli_option_t *opt = given_no_schedule(args);
    if (cmd->kind == CMD_BUILTIN)
        return 0;
    if (cli_globals.scheduled && cmd->no_schedule)
        return cli_usage_error(cmd->name, "--schedule: %s %s", cmd->name, cmd->no_schedule);
    if (cli_globals.scheduled && opt)
        return cli_usage_error(cmd->name, "--schedule: %s --%s %s", cmd->name, opt->name,
                               opt->no_schedule);
    if (cli_globals.max_steps && !cli_globals.scheduled && !cmd->pass_through)
        return cli_usage_error(cmd->name, "--max-steps counts scheduling points: it needs "
                                          "--schedule");
    return 0;
}

/* A command that passes options on takes an option it does not know, once its first
 * word is given, as a word of the command it runs. */
static bool passed_on(const cli_args_t *args, const char *arg)
{
    const char *value;
    size_t len = split_option(arg, &value), index;
    return args->command->pass_through && args->n_positional > 0 &&
           !find_option(args->command, args->variant, arg + 2, len, &index);
}

/* --trace, --timeline and the options that go with them, against the command: 0 or
 * EXIT_USAGE. */
static int check_trace(const cli_args_t *args)
{
    const cli_command_t *cmd = args->command;
    bool tracing = cli_globals.trace_file || cli_globals.timeline;
    if (cmd->kind == CMD_BUILTIN)
        return 0;
    if (tracing && cmd->no_trace)
        return cli_usage_error(cmd->name, "%s: %s %s",
                               cli_globals.trace_file ? "--trace" : "--timeline", cmd->name,
                               cmd->no_trace);
    if (!cli_globals.timeline && (cli_globals.width || cli_globals.ascii))
        return cli_usage_error(cmd->name, "%s is for the chart of --timeline: give --timeline too",
                               cli_globals.width ? "--width" : "--ascii");
    if (!tracing && cli_globals.trace_limit)
        return cli_usage_error(cmd->name, "--trace-limit bounds what --trace and --timeline "
                                          "record: give one of them too");
    return 0;
}

int cli_parse(const cli_command_t *cmd, int argc, char **argv, cli_args_t *args)
{
    memset(args, 0, sizeof *args);
    args->command = cmd;
    args->variant = &cmd->variants[0];
    bool options_seen = false, after_dashes = false, variant_given = false;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        int rc = 0;
        if (after_dashes) {
            rc = parse_word(arg, false, &variant_given, args);
        } else if (strcmp(arg, "--") == 0) {
            after_dashes = true;
        } else if ((rc = cli_global_option(cmd->name, argc, argv, &i)) != 0 ||
                   (rc = parse_action(arg, args)) != 0) {
            rc = rc < 0 ? -rc : 0;
        } else if (strncmp(arg, "--", 2) == 0 && passed_on(args, arg)) {
            rc = parse_word(arg, false, &variant_given, args);
        } else if (arg[0] == '-' && arg[1] != '\0') {
            rc = strncmp(arg, "--", 2) == 0 ? parse_option(argc, argv, &i, args)
                                            : unknown_option(args, arg);
            options_seen = true;
        } else {
            rc = parse_word(arg, !options_seen, &variant_given, args);
        }
        if (rc != 0)
            return rc;
    }
    for (size_t i = 0; cmd->options && cmd->options[i].name; i++) {
        if (!args->given[i] && cli_applies_to(&cmd->options[i], args->variant))
            args->text[i] = cmd->options[i].def;
    }
    int rc = check_schedule(args);
    if (rc == 0)
        rc = check_trace(args);
    if (rc == 0 && cmd->check)
        rc = cmd->check(args);
    return rc;
}

/* ---- reading the parsed values -------------------------------------------------------- */

/* The name of the option row designates: rows the table does not have are a story's
 * bug. */
static const char *option_name(const cli_args_t *args, cli_opt_t option)
{
    const cli_option_t *rows = args->command->options;
    for (size_t i = 0; rows && rows[i].name; i++)
        if (i == option)
            return rows[i].name;
    fprintf(stderr, "thrdemo: internal error: %s has no option row %zu\n", args->command->name,
            option);
    abort();
}

/* The index of the chosen variant's row of the option. */
static size_t option_index(const cli_args_t *args, cli_opt_t option)
{
    const char *name = option_name(args, option);
    size_t i;
    const cli_option_t *o = find_option(args->command, args->variant, name, strlen(name), &i);
    if (o && cli_applies_to(o, args->variant))
        return i;
    fprintf(stderr, "thrdemo: internal error: no option --%s in %s\n", name, args->command->name);
    abort();
}

double cli_number(const cli_args_t *args, cli_opt_t option)
{
    double v = 0;
    cli_parse_double(args->text[option_index(args, option)], &v);
    return v;
}

long long cli_int(const cli_args_t *args, cli_opt_t option)
{
    long long v = 0;
    cli_parse_int(args->text[option_index(args, option)], &v);
    return v;
}

bool cli_flag(const cli_args_t *args, cli_opt_t option)
{
    return cli_given(args, option);
}

const char *cli_text(const cli_args_t *args, cli_opt_t option)
{
    return args->text[option_index(args, option)];
}

bool cli_has(const cli_args_t *args, cli_opt_t option)
{
    const char *name = option_name(args, option);
    size_t i;
    const cli_option_t *o = find_option(args->command, args->variant, name, strlen(name), &i);
    return o && cli_applies_to(o, args->variant);
}

bool cli_given(const cli_args_t *args, cli_opt_t option)
{
    return args->given[option_index(args, option)];
}

bool cli_variant_is(const cli_args_t *args, const char *variant)
{
    return args->variant->name && strcmp(args->variant->name, variant) == 0;
}

const char *cli_thread_name(td_thread_t *thread, char buf[CLI_NAME_MAX])
{
    td_thread_get_name(thread, buf, CLI_NAME_MAX);
    return buf;
}

/* ---- checking a table ----------------------------------------------------------------- */

static int table_error(const cli_command_t *cmd, const char *what, const char *name)
{
    fprintf(stderr, "thrdemo: the table of %s: %s%s%s\n", cmd->name, what, name ? ": " : "",
            name ? name : "");
    return -1;
}

static int check_options(const cli_command_t *cmd)
{
    size_t n = 0;
    for (const cli_option_t *o = cmd->options; o && o->name; o++, n++) {
        if (!o->help || !*o->help)
            return table_error(cmd, "an option without help", o->name);
        if (o->type == OPT_CHOICE && !o->choices)
            return table_error(cmd, "a choice without words", o->name);
        if (o->def && o->type != OPT_FLAG && check_value(cmd->name, o, o->name, o->def) != 0)
            return table_error(cmd, "a default its own row refuses", o->name);
        for (const char *p = o->variants; p && *p;) {
            char word[32];
            size_t len = strcspn(p, " ");
            snprintf(word, sizeof word, "%.*s", (int)len, p);
            if (!find_variant(cmd, word))
                return table_error(cmd, "an option of a variant that does not exist", o->name);
            p += len + (p[len] == ' ');
        }
        for (const cli_option_t *other = cmd->options; other != o; other++)
            for (const cli_variant_t *v = cmd->variants; v->summary; v++)
                if (strcmp(other->name, o->name) == 0 && cli_applies_to(o, v) &&
                    cli_applies_to(other, v))
                    return table_error(cmd, "two rows of one option for one variant", o->name);
    }
    return n <= CLI_MAX_OPTIONS ? 0 : table_error(cmd, "more options than CLI_MAX_OPTIONS", NULL);
}

/* The example must be a command line the parser takes, for that very variant. */
static int check_example(const cli_command_t *cmd, const cli_variant_t *v)
{
    char copy[256], *words[32];
    int n = 0;
    snprintf(copy, sizeof copy, "%s", v->example);
    for (char *save, *w = strtok_r(copy, " ", &save); w && n < 32; w = strtok_r(NULL, " ", &save))
        words[n++] = w;
    if (n == 0 || strcmp(words[0], cmd->name) != 0)
        return table_error(cmd, "an example that does not start with its name", v->example);
    cli_globals_t saved = cli_globals;
    cli_globals = (cli_globals_t){ .scale = 1.0 }; /* as a user typing it would have */
    cli_args_t args;
    int rc = cli_parse(cmd, n - 1, words + 1, &args);
    cli_globals = saved;
    if (rc != 0 || args.variant != v)
        return table_error(cmd, "an example the parser refuses or gives another variant",
                           v->example);
    return 0;
}

int cli_check_table(const cli_command_t *cmd)
{
    if (!cmd->summary || !cmd->about || !cmd->variants || !cmd->variants[0].summary)
        return table_error(cmd, "no summary, about or variant", NULL);
    if (cmd->kind == CMD_SCENARIO && (!cmd->seed || !cmd->lesson || !cmd->python ||
                                      !cmd->python[0].python))
        return table_error(cmd, "a scenario needs a seed, a lesson and its Python calls", NULL);
    if (check_options(cmd) != 0)
        return -1;
    for (const cli_variant_t *v = cmd->variants; v->summary; v++) {
        if (!v->run && !cmd->run)
            return table_error(cmd, "a variant without a run function", v->name);
        if (cmd->kind == CMD_BUILTIN)
            continue;
        if (!v->example || check_example(cmd, v) != 0)
            return v->example ? -1 : table_error(cmd, "a variant without example", v->name);
        if (cmd->kind == CMD_SCENARIO && !python_program(cmd, v))
            return table_error(cmd, "no Python program in examples/python for",
                               v->name ? v->name : cmd->name);
    }
    return 0;
}
