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
    printf("usage: thrdemo%s %s", cmd->kind == CMD_BUILTIN ? "" : " [GLOBAL OPTIONS]",
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
        printf("    example: thrdemo %s\n", v->example);
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
        printf("\nExample:\n  thrdemo %s\n", cmd->variants[0].example);
    if (cmd->no_schedule) {
        printf("\nNot under --schedule: it ");
        wrap(cmd->no_schedule, 27, 2);
    }
    if (cmd->python) {
        int width = 0;
        for (const cli_pycall_t *p = cmd->python; p->python; p++)
            width = (int)strlen(p->python) > width ? (int)strlen(p->python) : width;
        printf("\nPython -> libthrdemo:\n");
        for (const cli_pycall_t *p = cmd->python; p->python; p++)
            printf("  %-*s -> %s\n", width, p->python, p->td);
    }
    printf("\nActions:\n");
    for (const cli_option_t *a = cli_command_actions; a->name; a++)
        if (cmd->kind == CMD_SCENARIO || strcmp(a->name, "python") != 0)
            print_option(a, 2, NULL);
    if (cmd->kind != CMD_BUILTIN) {
        printf("\nGlobal options, before or after %s ('thrdemo --help' says more):\n ",
               cmd->name);
        for (const cli_global_t *g = cli_global_options; g->option.name; g++)
            printf(" --%s%s%s", g->option.name, g->option.type == OPT_FLAG ? "" : " ",
                   cli_metavar(&g->option));
        printf("\n");
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

void help_top(help_commands_t cmds)
{
    printf("usage: thrdemo [GLOBAL OPTIONS] SCENARIO [VARIANT] [OPTIONS]\n"
           "       thrdemo list | help [COMMAND] | bench [WORKLOAD] | --help | --version\n\n");
    wrap("Python's threading tutorials, re-created in C on POSIX threads: each scenario "
         "prints the trace its tutorial's Python program prints ('thrdemo SCENARIO "
         "--python' shows that program), on libthrdemo, a C library with Python's "
         "threading API.", 0, 0);
    printf("\nScenarios ('thrdemo list' shows every variant, 'thrdemo SCENARIO --help' "
           "one):\n");
    print_commands(cmds, true);
    printf("\nCommands:\n");
    print_commands(cmds, false);
    printf("\nGlobal options, before or after SCENARIO:\n");
    for (const cli_global_t *g = cli_global_options; g->option.name; g++)
        print_option(&g->option, 2, g->env);
    for (const cli_option_t *a = cli_top_actions; a->name; a++)
        print_option(a, 2, NULL);
    printf("\nOptions given twice:\n  ");
    wrap(cli_repeated_about, 2, 2);
    printf("\nSchedules (--schedule POLICY):\n  ");
    char text[1200];
    wrap(help_schedules_text(cmds, text, sizeof text), 2, 2);
    printf("\nExit status:\n");
    for (const cli_exit_status_t *e = cli_exit_statuses; e->meaning; e++) {
        int col = printf("  %-4d ", e->status);
        wrap(e->meaning, col, 7);
    }
}

int help_check_all(help_commands_t cmds)
{
    for (size_t i = 0; i < cmds.n; i++)
        if (cli_check_table(cmds.all[i]) != 0)
            return -1;
    return 0;
}
