/* SPDX-License-Identifier: MIT */
/* cli.c - the strict parser over the command tables, and the parsed values the
 * stories read. Its neighbours: errors.c (the one-line errors), values.c (a value
 * against its row), globals.c (the global options), check.c (a table's own check).
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
#include "parser.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* ---- the tables ----------------------------------------------------------------------- */

bool cli_has_variants(const cli_command_t *cmd)
{
    return cmd->variants && cmd->variants[0].name;
}

bool cli_applies_to(const cli_option_t *opt, const cli_variant_t *variant)
{
    return !opt->variants ||
           (variant && variant->name && cli_word_in(variant->name, opt->variants));
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
const cli_option_t *cli_find_option(const cli_command_t *cmd, const cli_variant_t *variant,
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

const cli_variant_t *cli_find_variant(const cli_command_t *cmd, const char *word)
{
    for (const cli_variant_t *v = cmd->variants; v && v->summary; v++)
        if (v->name && strcmp(v->name, word) == 0)
            return v;
    return NULL;
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

/* Whether the command takes the action row a (--python is a scenario's). */
static bool takes_action(const cli_command_t *cmd, const cli_option_t *a)
{
    return cmd->kind == CMD_SCENARIO || strcmp(a->name, "python") != 0;
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
        if (takes_action(cmd, a))
            names[n++] = a->name;
    return n;
}

/* "; every scenario takes it" or "; an option of explore, bench" into buf when other
 * commands take an option called name, else "": the help of a word that is right,
 * but in the wrong place ('list --python', issue 24). Returns buf. */
static const char *who_takes(const char *name, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (const cli_option_t *a = cli_command_actions; a->name; a++) {
        if (strcmp(a->name, name) == 0) {
            snprintf(buf, size, "; every scenario takes it");
            return buf;
        }
    }
    for (size_t i = 0; cli_command_at(i) && len < size; i++) {
        const cli_command_t *cmd = cli_command_at(i);
        size_t index;
        if (cli_find_option(cmd, NULL, name, strlen(name), &index))
            len += (size_t)snprintf(buf + len, size - len, "%s%s",
                                    len ? ", " : "; it is an option of ", cmd->name);
    }
    return buf;
}

static int unknown_option(const cli_args_t *args, const char *arg)
{
    const cli_command_t *cmd = args->command;
    char q[CLI_QUOTE_SIZE], name[64], hint[160];
    const char *word = arg + strspn(arg, "-"), *value;
    size_t len = strncmp(arg, "--", 2) == 0 ? cli_split_option(arg, &value) : strlen(word);
    char typed[48];
    snprintf(typed, sizeof typed, "%.*s", (int)(len < sizeof typed ? len : sizeof typed - 1), word);
    const char *names[CLI_MAX_OPTIONS + 16];
    size_t n = option_names(cmd, names, sizeof names / sizeof names[0]);
    char quoted_arg[CLI_QUOTE_SIZE + 8];
    snprintf(quoted_arg, sizeof quoted_arg, "%s", cli_quote(arg, q));
    char *eq = strchr(quoted_arg, '=');
    if (eq && strncmp(arg, "--", 2) == 0)
        *eq = '\0'; /* the option, not its value */
    cli_did_you_mean(typed, names, n, "--", hint, sizeof hint);
    if (!hint[0] && strncmp(arg, "--", 2) == 0)
        who_takes(typed, hint, sizeof hint);
    return cli_usage_error(cmd->name, "unknown option '%s' for %s%s", quoted_arg,
                           full_name(args, name, sizeof name), hint);
}

/* One "--name value" or "--name=value" of the command at argv[*i]: 0 or EXIT_USAGE. */
static int parse_option(int argc, char **argv, int *i, cli_args_t *args)
{
    const cli_command_t *cmd = args->command;
    const char *value;
    const char *arg = argv[*i];
    size_t len = cli_split_option(arg, &value), index = 0;
    const cli_option_t *opt = cli_find_option(cmd, args->variant, arg + 2, len, &index);
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
    } else if (!(value = cli_take_value(argc, argv, i, value))) {
        return cli_usage_error(cmd->name, "%s needs a value", label);
    } else {
        int rc = cli_check_value(cmd->name, opt, label, value);
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
                           cmd->name, cli_did_you_mean(word, names, n, "", hint, sizeof hint));
}

static int unexpected_word(const cli_args_t *args, const char *word)
{
    char q[CLI_QUOTE_SIZE], name[64];
    const char *why = "";
    if (cli_find_variant(args->command, word))
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
    const cli_variant_t *v = cli_find_variant(cmd, word);
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

/* Whether the command has an option row called name for the chosen variant. */
static bool own_option(const cli_args_t *args, const char *name)
{
    size_t index;
    return cli_find_option(args->command, args->variant, name, strlen(name), &index) != NULL;
}

/* --schedule, --max-steps and --explain against what the command does: 0 or
 * EXIT_USAGE. */
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
    if (cli_globals.explain && cmd->no_explain)
        return cli_usage_error(cmd->name, "--explain: %s", cmd->no_explain);
    /* A command with an --explain of its own (lock-counter) reads the global flag. */
    if (cli_globals.explain && !cli_globals.scheduled && !own_option(args, "explain"))
        return cli_usage_error(cmd->name, "--explain tells a scheduled run step by step: it "
                                          "needs --schedule");
    return 0;
}

/* A command that passes options on takes an option it does not know, once its first
 * word is given, as a word of the command it runs. */
static bool passed_on(const cli_args_t *args, const char *arg)
{
    const char *value;
    size_t len = cli_split_option(arg, &value), index;
    return args->command->pass_through && args->n_positional > 0 &&
           !cli_find_option(args->command, args->variant, arg + 2, len, &index);
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

/* --predict against the command: a scenario with one result, under a schedule. 0 or
 * EXIT_USAGE. */
static int check_predict(const cli_args_t *args)
{
    const cli_command_t *cmd = args->command;
    if (!cli_globals.predict || cmd->kind == CMD_BUILTIN)
        return 0;
    if (cmd->kind != CMD_SCENARIO)
        return cli_usage_error(cmd->name, "--predict: %s runs no one scenario to predict; give "
                                          "it to the scenario itself", cmd->name);
    if (!(args->variant->outcome ? args->variant->outcome : cmd->outcome))
        return cli_usage_error(cmd->name, "--predict: %s prints no one result to predict (the "
                                          "scenarios that do: lock-counter, deadlock)",
                               cmd->name);
    if (!cli_globals.scheduled)
        return cli_usage_error(cmd->name, "--predict shows the run's interleaving: give "
                                          "--schedule too (random:SEED, say)");
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
    /* A command that can never predict says so even with --help, as one that refuses
     * --schedule or --trace does; a scenario's --predict is judged when it runs. */
    if (rc == 0 && (cmd->kind == CMD_TOOL || (!args->help && !args->python)))
        rc = check_predict(args);
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
    const cli_option_t *o =
        cli_find_option(args->command, args->variant, name, strlen(name), &i);
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
    const cli_option_t *o =
        cli_find_option(args->command, args->variant, name, strlen(name), &i);
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
