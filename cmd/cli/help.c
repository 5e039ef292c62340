/* SPDX-License-Identifier: MIT */
/* help.c - `list` and --help, each a walk over the same tables the parser reads
 * (cli.h); man.c and completion.c write the man page and the shell completions from
 * them too. Those two are written by the binary itself at build time (thrdemo --man,
 * --completion SHELL), after cli_check_table() has passed every table, so an
 * inconsistent table fails the build rather than mislead a reader.
 */
#include "help.h"

#include <stdio.h>
#include <string.h>

#include <thrdemo/common.h>

#include "python.h"

enum { WIDTH = 80, LEFT = 24 };

/* ---- plain text ----------------------------------------------------------------------- */

/* Print text from column col, wrapped at WIDTH, continuation lines indented by
 * indent; '\n' in text starts a new line. Ends with a newline. */
static void wrap(const char *text, int col, int indent)
{
    const char *p = text;
    bool line_start = true;
    while (*p) {
        if (*p == '\n') {
            printf("\n%*s", indent, "");
            col = indent;
            line_start = true;
            p++;
            continue;
        }
        size_t word = strcspn(p, " \n");
        if (!line_start && col + 1 + (int)word > WIDTH) {
            printf("\n%*s", indent, "");
            col = indent;
        } else if (!line_start) {
            putchar(' ');
            col++;
        }
        line_start = false;
        printf("%.*s", (int)word, p);
        col += (int)word;
        p += word;
        p += strspn(p, " ");
    }
    putchar('\n');
}

/* "(default 1; over 0)" and such: what a reader must know besides the help. */
const char *help_option_detail(const cli_option_t *o, char *buf, size_t size)
{
    char range[96] = "";
    bool upper = o->max < 1e6;
    if (o->type == OPT_CHOICE)
        snprintf(range, sizeof range, "one of: %s", o->choices);
    else if ((o->type == OPT_NUMBER || o->type == OPT_INT) && o->min_open)
        snprintf(range, sizeof range, upper ? "over %g, up to %g" : "over %g", o->min, o->max);
    else if ((o->type == OPT_NUMBER || o->type == OPT_INT) && (upper || o->min != 0))
        snprintf(range, sizeof range, upper ? "%g to %g" : "%g or more", o->min, o->max);
    bool def = o->def && o->type != OPT_FLAG;
    if (o->no_schedule)
        snprintf(range + strlen(range), sizeof range - strlen(range), "%snot with --schedule",
                 *range ? "; " : "");
    if (!def && !*range)
        buf[0] = '\0';
    else
        snprintf(buf, size, " (%s%s%s%s)", def ? "default " : "", def ? o->def : "",
                 def && *range ? "; " : "", range);
    return buf;
}

/* One option's line(s): its name and value, its help, default and range, and the
 * environment variable that also sets it (env, or NULL). */
static void print_option(const cli_option_t *o, int indent, const char *env)
{
    char left[64], more[160], text[400];
    snprintf(left, sizeof left, "--%s%s%s", o->name, o->type == OPT_FLAG ? "" : " ",
             cli_metavar(o));
    snprintf(text, sizeof text, "%s%s%s%s", o->help,
             help_option_detail(o, more, sizeof more), env ? "; env " : "", env ? env : "");
    int col = printf("%*s%-*s", indent, "", LEFT - 2, left);
    if (col > indent + LEFT - 2) {
        printf("\n%*s", indent + LEFT - 2, "");
        col = indent + LEFT - 2;
    }
    printf(" ");
    wrap(text, col + 1, indent + LEFT - 1);
}

/* Options that belong to some variants only (the others apply to all). */
static bool variant_specific(const cli_command_t *cmd, const cli_option_t *o)
{
    return cli_has_variants(cmd) && o->variants;
}

static void print_usage(const cli_command_t *cmd)
{
    printf("usage: %s%s %s", cli_program(), cmd->kind == CMD_BUILTIN ? "" : " [GLOBAL OPTIONS]",
           cmd->name);
    if (cli_has_variants(cmd)) {
        char list[256] = "";
        for (const cli_variant_t *v = cmd->variants; v->summary; v++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                     v == cmd->variants ? "" : "|", v->name);
        bool fits = strlen(list) + strlen(cmd->name) < 44; /* else the list below says */
        printf(" [%s]", fits ? list : cmd->kind == CMD_TOOL ? "WORKLOAD" : "VARIANT");
    }
    if (cmd->options && cmd->options[0].name)
        printf(" [OPTIONS]");
    if (!cli_has_variants(cmd) && cmd->variants[0].positional)
        printf(" %s", cmd->variants[0].positional);
    printf("\n");
}

static void print_variant(const cli_command_t *cmd, const cli_variant_t *v)
{
    char head[64];
    snprintf(head, sizeof head, "%s%s%s", v->name, v->positional ? " " : "",
             v->positional ? v->positional : "");
    const char *seed = cli_variant_seed(cmd, v);
    char text[300];
    snprintf(text, sizeof text, "%s%s%s%s", v->summary,
             seed && seed != cmd->seed ? " (seed " : "", seed && seed != cmd->seed ? seed : "",
             seed && seed != cmd->seed ? ")" : "");
    int col = printf("  %-*s", LEFT - 2, head);
    if (col > LEFT) {
        printf("\n%*s", LEFT, "");
        col = LEFT;
    }
    printf(" ");
    wrap(text, col + 1, LEFT + 1);
    for (const cli_option_t *o = cmd->options; o && o->name; o++)
        if (variant_specific(cmd, o) && cli_applies_to(o, v))
            print_option(o, 4, NULL);
    if (v->example)
        printf("    example: %s %s\n", cli_program(), v->example);
}

/* "python -> td" rows, the arrows in one column; a Python call too long for it has a
 * line of its own, and the functions wrap at WIDTH under themselves. */
static void print_python_calls(const cli_pycall_t *calls)
{
    enum { MAX_CALL = 36 };
    int width = 0;
    for (const cli_pycall_t *p = calls; p->python; p++)
        if ((int)strlen(p->python) > width && strlen(p->python) <= MAX_CALL)
            width = (int)strlen(p->python);
    printf("\nPython -> libthrdemo:\n");
    for (const cli_pycall_t *p = calls; p->python; p++) {
        if ((int)strlen(p->python) > width)
            printf("  %s\n  %-*s -> ", p->python, width, "");
        else
            printf("  %-*s -> ", width, p->python);
        wrap(p->td, 2 + width + 4, 2 + width + 4);
    }
}

bool help_refuses_global(const cli_command_t *cmd, const cli_option_t *g)
{
    static const char *const scheduled[] = { "schedule", "explain", "max-steps" };
    static const char *const traced[] = { "trace", "timeline", "width", "ascii",
                                          "trace-limit" };
    for (size_t i = 0; cmd->no_schedule && i < sizeof scheduled / sizeof *scheduled; i++)
        if (strcmp(g->name, scheduled[i]) == 0)
            return !(cmd->pass_through && strcmp(g->name, "max-steps") == 0);
    if (cmd->no_explain && strcmp(g->name, "explain") == 0)
        return true;
    for (size_t i = 0; cmd->no_trace && i < sizeof traced / sizeof *traced; i++)
        if (strcmp(g->name, traced[i]) == 0)
            return true;
    return cmd->kind == CMD_TOOL && strcmp(g->name, "predict") == 0;
}

void help_command(const cli_command_t *cmd)
{
    print_usage(cmd);
    printf("\n");
    int col = cmd->seed ? printf("Seed %s: ", cmd->seed) : 0;
    wrap(cmd->about, col, 0);
    if (cmd->lesson) {
        printf("\nThe lesson:\n  ");
        wrap(cmd->lesson, 2, 2);
    }
    if (cli_has_variants(cmd)) {
        printf("\n%s (the first is the default):\n",
               cmd->kind == CMD_TOOL ? "Workloads" : "Variants");
        for (const cli_variant_t *v = cmd->variants; v->summary; v++)
            print_variant(cmd, v);
    }
    bool common = false;
    for (const cli_option_t *o = cmd->options; o && o->name; o++)
        common |= !variant_specific(cmd, o);
    if (common)
        printf("\n%s:\n", cli_has_variants(cmd) ? "Options of every variant" : "Options");
    for (const cli_option_t *o = cmd->options; o && o->name; o++)
        if (!variant_specific(cmd, o))
            print_option(o, 2, NULL);
    if (!cli_has_variants(cmd) && cmd->variants[0].example)
        printf("\nExample:\n  %s %s\n", cli_program(), cmd->variants[0].example);
    if (cmd->no_schedule) {
        printf("\nNot under --schedule: it ");
        wrap(cmd->no_schedule, 27, 2);
    }
    if (cmd->python)
        print_python_calls(cmd->python);
    printf("\nActions:\n");
    for (const cli_option_t *a = cli_command_actions; a->name; a++)
        if (cmd->kind == CMD_SCENARIO || strcmp(a->name, "python") != 0)
            print_option(a, 2, NULL);
    if (cmd->kind != CMD_BUILTIN) {
        printf("\nGlobal options, before or after %s ('%s --help' says more):\n  ",
               cmd->name, cli_program());
        char list[1024] = "";
        size_t len = 0;
        for (const cli_global_t *g = cli_global_options; g->option.name && len < sizeof list;
             g++) /* "--scale=F", one word: a line never ends between the two */
            if (!help_refuses_global(cmd, &g->option))
                len += (size_t)snprintf(list + len, sizeof list - len, "%s--%s%s%s",
                                        len ? " " : "", g->option.name,
                                        g->option.type == OPT_FLAG ? "" : "=",
                                        cli_metavar(&g->option));
        wrap(list, 2, 2);
    }
}

void help_list(help_commands_t cmds)
{
    int name_width = 12, variant_width = 8; /* the columns as wide as their longest */
    for (size_t i = 0; i < cmds.n; i++) {
        const cli_command_t *cmd = cmds.all[i];
        for (const cli_variant_t *v = cmd->variants; v->summary && cmd->kind == CMD_SCENARIO; v++) {
            name_width = (int)strlen(cmd->name) > name_width ? (int)strlen(cmd->name) : name_width;
            if (v->name && (int)strlen(v->name) > variant_width)
                variant_width = (int)strlen(v->name);
        }
    }
    for (size_t i = 0; i < cmds.n; i++) {
        const cli_command_t *cmd = cmds.all[i];
        if (cmd->kind != CMD_SCENARIO)
            continue;
        for (const cli_variant_t *v = cmd->variants; v->summary; v++)
            printf("%-*s %-*s %s  %s\n", name_width + 1, cmd->name, variant_width + 1,
                   v->name ? v->name : "-", cli_variant_seed(cmd, v), v->summary);
    }
}

static void print_commands(help_commands_t cmds, bool scenarios)
{
    for (size_t i = 0; i < cmds.n; i++) {
        const cli_command_t *cmd = cmds.all[i];
        if ((cmd->kind == CMD_SCENARIO) != scenarios)
            continue;
        int col = printf("  %-13s ", cmd->name);
        wrap(cmd->summary, col, 16);
    }
}

/* What --schedule does, ending with the commands and options that refuse it, from
 * the tables. Returns buf. */
const char *help_schedules_text(help_commands_t cmds, char *buf, size_t size)
{
    int n = 0;
    size_t len = (size_t)snprintf(buf, size, "%s", cli_schedules_about);
    for (size_t i = 0; i < cmds.n; i++) {
        const cli_command_t *cmd = cmds.all[i];
        for (const cli_option_t *o = cmd->options; o && o->name; o++)
            if (o->no_schedule && len < size)
                len += (size_t)snprintf(buf + len, size - len, "%s%s --%s",
                                        n++ ? ", " : " Refused by: ", cmd->name, o->name);
        if (cmd->no_schedule && len < size)
            len += (size_t)snprintf(buf + len, size - len, "%s%s", n++ ? ", " : " Refused by: ",
                                    cmd->name);
    }
    if (len + 1 < size)
        snprintf(buf + len, size - len, ".");
    return buf;
}

bool help_takes_scenario(const cli_command_t *cmd)
{
    const char *words = cmd->variants[0].positional;
    return cmd->kind != CMD_SCENARIO && words && strncmp(words, "SCENARIO", 8) == 0;
}

/* The usage lines: scenarios, the commands that run one, then the others on one
 * line, wrapped; all from the table, so a command added there is in them. */
static void print_top_usage(help_commands_t cmds)
{
    const char *prog = cli_program();
    printf("usage: %s [GLOBAL OPTIONS] SCENARIO [VARIANT] [OPTIONS]\n", prog);
    for (size_t i = 0; i < cmds.n; i++)
        if (help_takes_scenario(cmds.all[i]))
            printf("       %s [GLOBAL OPTIONS] %s %s\n", prog, cmds.all[i]->name,
                   cmds.all[i]->variants[0].positional);
    int indent = 8 + (int)strlen(prog), col = printf("       %s ", prog);
    for (size_t i = 0; i <= cmds.n; i++) {
        const cli_command_t *cmd = i < cmds.n ? cmds.all[i] : NULL;
        if (cmd && (cmd->kind == CMD_SCENARIO || help_takes_scenario(cmd)))
            continue;
        char item[160]; /* a command and its words: a line never ends inside one */
        const char *words = !cmd ? NULL : cli_has_variants(cmd) ? "[WORKLOAD]"
                                                                : cmd->variants[0].positional;
        int len = snprintf(item, sizeof item, "%s%s%s", cmd ? cmd->name : "--help | --version",
                           words ? " " : "", words ? words : "");
        bool first = col == indent;
        if (!first && col + 3 + len > WIDTH)
            col = printf("\n%*s| ", indent, "") - 1;
        else if (!first)
            col += printf(" | ");
        col += printf("%s", item);
    }
    printf("\n\n");
}

/* The environment variables: those of the global options, then the others. */
static void print_environment(void)
{
    char text[160];
    for (const cli_global_t *g = cli_global_options; g->option.name; g++) {
        if (!g->env)
            continue;
        snprintf(text, sizeof text, "the default of --%s", g->option.name);
        int col = printf("  %-*s ", LEFT - 2, g->env);
        wrap(text, col, LEFT + 1);
    }
    for (const cli_environment_t *e = cli_environment; e->name; e++) {
        int col = printf("  %-*s ", LEFT - 2, e->name);
        wrap(e->meaning, col, LEFT + 1);
    }
}

/* The exit statuses from..to (all: 0, 255). */
static void print_exit_statuses(int from, int to)
{
    for (const cli_exit_status_t *e = cli_exit_statuses; e->meaning; e++) {
        if (e->status < from || e->status > to)
            continue;
        int col = printf("  %-4d ", e->status);
        wrap(e->meaning, col, 7);
    }
}

void help_top(help_commands_t cmds)
{
    const char *prog = cli_program();
    char text[1200];
    print_top_usage(cmds);
    wrap("Python's threading tutorials, re-created in C on POSIX threads: each scenario "
         "prints the trace its tutorial's Python program prints ('thrdemo SCENARIO "
         "--python' shows that program), on libthrdemo, a C library with Python's "
         "threading API.", 0, 0);
    snprintf(text, sizeof text, "Scenarios ('%s list' shows every variant, '%s SCENARIO "
             "--help' one):", prog, prog);
    printf("\n");
    wrap(text, 0, 2);
    print_commands(cmds, true);
    printf("\nCommands:\n");
    print_commands(cmds, false);
    snprintf(text, sizeof text, "Topics ('%s help TOPIC'):", prog);
    printf("\n");
    wrap(text, 0, 2);
    for (const help_topic_t *t = help_topics; t->name; t++) {
        int col = printf("  %-13s ", t->name);
        wrap(t->summary, col, 16);
    }
    printf("\nGlobal options, before or after SCENARIO:\n");
    for (const cli_global_t *g = cli_global_options; g->option.name; g++)
        print_option(&g->option, 2, g->env);
    for (const cli_option_t *a = cli_top_actions; a->name; a++)
        print_option(a, 2, NULL);
    printf("\nOptions given twice:\n  ");
    wrap(cli_repeated_about, 2, 2);
    printf("\nSchedules (--schedule POLICY; '%s help schedule' says more):\n  ", prog);
    wrap(help_schedules_text(cmds, text, sizeof text), 2, 2);
    printf("\nEnvironment:\n");
    print_environment();
    printf("\nExit status:\n");
    print_exit_statuses(0, 255);
}

/* The global option called name, with its environment variable. */
static void print_global(const char *name)
{
    for (const cli_global_t *g = cli_global_options; g->option.name; g++)
        if (strcmp(g->option.name, name) == 0)
            print_option(&g->option, 2, g->env);
}

/* `help schedule`: --schedule, the options that go with it, and explore. */
static void topic_schedule(help_commands_t cmds)
{
    const char *prog = cli_program();
    char text[1200];
    printf("usage: %s [GLOBAL OPTIONS] --schedule POLICY SCENARIO [VARIANT] [OPTIONS]\n"
           "       %s explore SCENARIO [VARIANT] [OPTIONS]\n\n", prog, prog);
    wrap(help_schedules_text(cmds, text, sizeof text), 0, 0);
    printf("\nOptions:\n");
    print_global("schedule");
    print_global("max-steps");
    print_global("explain");
    printf("\nExit status:\n");
    print_exit_statuses(EXIT_DEADLOCK, EXIT_MAX_STEPS);
    snprintf(text, sizeof text, "'%s explore SCENARIO' runs many schedules of a scenario "
             "and counts its distinct outcomes; 'explore --all' runs every one up to "
             "equivalence ('%s explore --help').", prog, prog);
    printf("\n");
    wrap(text, 0, 0);
}

/* `help timeline`: the chart and the trace file, and the options of both. */
static void topic_timeline(help_commands_t cmds)
{
    (void)cmds;
    const char *prog = cli_program();
    char text[600];
    printf("usage: %s [GLOBAL OPTIONS] --timeline SCENARIO [VARIANT] [OPTIONS]\n"
           "       %s [GLOBAL OPTIONS] --trace FILE SCENARIO [VARIANT] [OPTIONS]\n\n", prog,
           prog);
    snprintf(text, sizeof text, "--timeline draws, after the run, one row per thread (and "
             "coroutine) in start order, time across: running, blocked (on a lock, an Event, "
             "a queue, a join), sleeping, and a mark where it printed a line; a legend "
             "below. --trace writes the same run as Chrome Trace Event JSON for "
             "ui.perfetto.dev. Under --schedule both are the same on every run: '%s "
             "--schedule fifo event --timeline'.", prog);
    wrap(text, 0, 0);
    printf("\nOptions:\n");
    print_global("timeline");
    print_global("width");
    print_global("ascii");
    print_global("trace");
    print_global("trace-limit");
    printf("\nEnvironment:\n");
    for (const cli_environment_t *e = cli_environment; e->name; e++) {
        int col = printf("  %-*s ", LEFT - 2, e->name);
        wrap(e->meaning, col, LEFT + 1);
    }
}

const help_topic_t help_topics[] = {
    { "schedule", "--schedule, --max-steps, --explain and explore: runs in a chosen order",
      topic_schedule },
    { "timeline", "--timeline and --trace: what each thread did, as a chart or a file",
      topic_timeline },
    { 0 },
};

const help_topic_t *help_find_topic(const char *name)
{
    for (const help_topic_t *t = help_topics; t->name; t++)
        if (strcmp(t->name, name) == 0)
            return t;
    return NULL;
}

int help_check_all(help_commands_t cmds)
{
    for (size_t i = 0; i < cmds.n; i++)
        if (cli_check_table(cmds.all[i]) != 0)
            return -1;
    return 0;
}
