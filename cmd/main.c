/* SPDX-License-Identifier: MIT */
/* main.c - the thrdemo binary: the table of commands, the words before a command's
 * name, dispatch, and the exit through libthrdemo's interpreter-exit rule.
 *
 * Like git's commands[], one table lists every command (the scenarios from their one
 * list, scenarios/registry.def); `list`, `help`, the man page, the completions and
 * dispatch all read it. Work common to every command happens here once: parsing
 * before (nothing runs on a usage error), and after the run the check that stdout was
 * written without error.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <thrdemo/log.h>
#include <thrdemo/thread.h>

#include "cli/cli.h"
#include "cli/help.h"
#include "cli/lang.h"
#include "cli/python.h"
#include "run/runner.h"
#include "run/schedrun.h"
#include "scenarios/scenarios.h"
#include "tools/tools.h"

static int run_list(const cli_args_t *args);
static int run_help(const cli_args_t *args);

static const cli_command_t command_list = {
    .name = "list",
    .kind = CMD_BUILTIN,
    .summary = "one line per scenario variant: name, variant, seed, summary",
    .about = "Print one line per scenario variant: the scenario, the variant ('-' for a "
             "scenario without variants), the number of the tutorial it comes from, and "
             "what it shows.",
    .variants = (const cli_variant_t[]){ { .summary = "the scenarios" }, { 0 } },
    .run = run_list,
};

static const cli_command_t command_help = {
    .name = "help",
    .kind = CMD_BUILTIN,
    .summary = "the help of thrdemo, of one command ('help event') or of a topic ('help "
               "schedule')",
    .about = "Without a command, the help of thrdemo; with one, its help, as 'thrdemo "
             "COMMAND --help' prints it; with a topic, what the topic's options do "
             "together. Topics: schedule (--schedule, --max-steps, --explain, explore), "
             "timeline (--timeline, --trace and the options of the chart).",
    .variants = (const cli_variant_t[]){ { .summary = "the help",
                                           .positional = "[COMMAND [VARIANT] | TOPIC]" },
                                         { 0 } },
    .run = run_help,
};

static const cli_command_t *const commands[] = {
#define SCENARIO(id) &scenario_##id,
#include "scenarios/registry.def"
#undef SCENARIO
    &command_list,
    &command_help,
    &tool_bench,
    &tool_explore,
    &tool_step,
};
static const help_commands_t all = { commands, sizeof commands / sizeof commands[0] };

/* Names still taken that list, the help, the man page and the completions leave out:
 * `lock-order`, the tests' hidden command before issue 23, is `deadlock`, whose first
 * variant it is, so it prints what `deadlock lock-order` prints. */
static const struct {
    const char *name;
    const cli_command_t *command;
} aliases[] = { { "lock-order", &scenario_deadlock } };

const cli_command_t *cli_command_at(size_t i)
{
    return i < all.n ? commands[i] : NULL;
}

const cli_command_t *cli_find_command(const char *name)
{
    for (size_t i = 0; i < all.n; i++)
        if (strcmp(commands[i]->name, name) == 0)
            return commands[i];
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (strcmp(aliases[i].name, name) == 0)
            return aliases[i].command;
    return NULL;
}

/* topics: whether the help's topics are candidates too (after `help`). */
static int unknown_command(const char *name, bool topics)
{
    const char *names[sizeof commands / sizeof commands[0] + 16];
    size_t n = 0;
    for (size_t i = 0; i < all.n; i++)
        names[n++] = commands[i]->name;
    for (const help_topic_t *t = help_topics; topics && t->name && n < sizeof names / sizeof names[0]; t++)
        names[n++] = t->name;
    const char *near = cli_nearest(name, names, n);
    char q[CLI_QUOTE_SIZE], hint[64] = "";
    if (near)
        snprintf(hint, sizeof hint, "; did you mean '%s'?", near);
    return cli_usage_error(NULL, "unknown %s '%s'%s", topics ? "scenario, command or topic" : "scenario or command", cli_quote(name, q), hint);
}

/* An option before the command that thrdemo does not know, with the nearest one. */
static int unknown_option(const char *arg)
{
    const char *names[32];
    size_t n = 0;
    for (const cli_global_t *g = cli_global_options; g->option.name && n < 30; g++)
        names[n++] = g->option.name;
    for (const cli_option_t *a = cli_top_actions; a->name && n < 32; a++)
        if (*a->name)
            names[n++] = a->name;
    char word[48], q[CLI_QUOTE_SIZE], hint[64] = "";
    snprintf(word, sizeof word, "%.*s", (int)strcspn(arg + strspn(arg, "-"), "="),
             arg + strspn(arg, "-"));
    const char *near = cli_nearest(word, names, n);
    if (near)
        snprintf(hint, sizeof hint, "; did you mean '--%s'?", near);
    return cli_usage_error(NULL, "unknown option '%s'%s", cli_quote(arg, q), hint);
}

static int run_list(const cli_args_t *args)
{
    (void)args;
    help_list(all);
    return EXIT_OK;
}

/* help [COMMAND [VARIANT] | TOPIC]: the variant, when given, must be one of the
 * command's. A command alone is not parsed: what it would check of its arguments
 * (explore's "which scenario?") is for a run, not for its help (issue 24). */
static int run_help(const cli_args_t *args)
{
    if (args->n_positional == 0) {
        help_top(all);
        return EXIT_OK;
    }
    const help_topic_t *topic = help_find_topic(args->positional[0]);
    if (topic && args->n_positional == 1) {
        topic->print(all);
        return EXIT_OK;
    }
    const cli_command_t *cmd = cli_find_command(args->positional[0]);
    if (!cmd)
        return unknown_command(args->positional[0], true);
    if (args->n_positional == 1) {
        help_command(cmd);
        return EXIT_OK;
    }
    cli_args_t checked;
    int rc = cli_parse(cmd, (int)args->n_positional - 1, (char **)args->positional + 1, &checked);
    if (rc != 0)
        return rc;
    help_command(cmd);
    return EXIT_OK;
}

/* The words before the command: global options and the actions of thrdemo itself
 * (--help [COMMAND], --version, and for the build --man and --completion SHELL).
 * *first is left at the command's name. -1: go on; else the exit status. */
static int leading_words(int argc, char **argv, int *first)
{
    int i = 1;
    const char *action = NULL, *shell = NULL;
    for (; i < argc && argv[i][0] == '-' && strcmp(argv[i], "-") != 0; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--") == 0) {
            i++;
            break;
        }
        int g = cli_global_option(NULL, argc, argv, &i);
        if (g < 0)
            return -g;
        if (g > 0)
            continue;
        const char *a = strcmp(arg, "-h") == 0 ? "--help" : arg;
        if (strcmp(a, "--help") && strcmp(a, "--version") && strcmp(a, "--man") &&
            strcmp(a, "--completion"))
            return unknown_option(arg);
        if (action)
            return cli_usage_error(NULL, "%s and %s: one at a time", action, a);
        action = a;
        if (strcmp(a, "--completion") == 0 && !(shell = i + 1 < argc ? argv[++i] : NULL))
            return cli_usage_error(NULL, "--completion needs a shell: bash or zsh");
    }
    *first = i;
    if (!action)
        return -1;
    if (strcmp(action, "--help") == 0) { /* --help COMMAND [VARIANT] is help COMMAND ... */
        cli_args_t words = { .n_positional = 0 };
        for (int k = i; k < argc && words.n_positional < CLI_MAX_POSITIONAL; k++)
            words.positional[words.n_positional++] = argv[k];
        return run_help(&words);
    }
    if (i < argc) {
        char q[CLI_QUOTE_SIZE];
        return cli_usage_error(NULL, "%s takes no arguments ('%s')", action, cli_quote(argv[i], q));
    }
    if (strcmp(action, "--version") == 0) {
        printf("thrdemo %s\n", td_version());
        return EXIT_OK;
    }
    if (strcmp(action, "--man") == 0)
        return help_man(all) == 0 ? EXIT_OK : EXIT_RUNTIME;
    if (strcmp(shell, "bash") != 0 && strcmp(shell, "zsh") != 0) {
        char q[CLI_QUOTE_SIZE];
        return cli_usage_error(NULL, "--completion: '%s' is not one of: bash zsh",
                               cli_quote(shell, q));
    }
    return help_completion(all, shell) == 0 ? EXIT_OK : EXIT_RUNTIME;
}

/* The errno of stdout's first failed write (0: none). stdio keeps only a flag, and
 * the errno of a write that failed while a buffer filled is gone by the end, so
 * `list > /dev/full` said "stdio" where a scenario's td_print says "No space left
 * on device" (issue 24). Atomic: a daemon thread's printf may write it. */
static atomic_int stdout_errno;

static ssize_t write_stdout(void *cookie, const char *buf, size_t size)
{
    (void)cookie;
    size_t done = 0;
    while (done < size) {
        ssize_t n = write(STDOUT_FILENO, buf + done, size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int none = 0;
            atomic_compare_exchange_strong(&stdout_errno, &none, errno);
            return done > 0 ? (ssize_t)done : -1;
        }
        done += (size_t)n;
    }
    return (ssize_t)done;
}

/* Make stdout a stream that keeps its first write error's errno, buffered as the
 * C library buffers stdout (by lines on a terminal). Left as it is if that fails. */
static void watch_stdout(void)
{
    FILE *watched = fopencookie(NULL, "w", (cookie_io_functions_t){ .write = write_stdout });
    if (!watched)
        return;
    setvbuf(watched, NULL, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF, BUFSIZ);
    stdout = watched;
}

/* After the run: report a failed stdout (a full disk, a closed pipe) as git does, with
 * the same words whichever way it was written (td_print or stdio). */
static int check_output(int rc)
{
    int err = td_log_status();
    if ((fflush(stdout) != 0 || ferror(stdout)) && err == 0)
        err = atomic_load(&stdout_errno) ? -atomic_load(&stdout_errno) : -EIO;
    if (err != 0) {
        cli_error("error writing the output: %s", strerror(-err));
        return rc == EXIT_OK ? EXIT_RUNTIME : rc;
    }
    return rc;
}

/* --python: the variant's program, as examples/python holds it. */
static int print_python(const cli_args_t *args)
{
    const python_file_t *file = python_program(args->command, args->variant);
    if (!file) { /* cli_check_table makes this a build failure */
        cli_error("no Python program for %s", args->command->name);
        return EXIT_RUNTIME;
    }
    lang_write(file->text, file->size, stdout); /* an error is check_output's */
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    watch_stdout();
    cli_set_program(argv[0]);
    schedrun_remember(argc, argv);
    int first = 1;
    int rc = cli_read_environment();
    if (rc == 0)
        rc = leading_words(argc, argv, &first);
    if (rc >= 0)
        return check_output(rc);
    if (first >= argc)
        return cli_usage_error(NULL, "no scenario given; '%s list' shows them", cli_program());
    const cli_command_t *cmd = cli_find_command(argv[first]);
    if (!cmd)
        return unknown_command(argv[first], false);
    cli_args_t args;
    if ((rc = cli_parse(cmd, argc - first - 1, argv + first + 1, &args)) != 0)
        return rc;
    if (args.help) {
        help_command(cmd);
        return check_output(EXIT_OK);
    }
    if (args.python)
        return check_output(print_python(&args));
    if (cmd->kind == CMD_BUILTIN)
        return check_output(cmd->run(&args));
    /* The exit rule: non-daemon threads have finished, daemon threads die here. */
    td_exit(check_output(runner_run(&args)));
}
