/* SPDX-License-Identifier: MIT */
/* help.c - `list`, --help, the man page and the shell completions, each a walk over
 * the same tables the parser reads (cli.h). The man page and the completions are
 * written by the binary itself at build time (thrdemo --man, --completion SHELL),
 * after cli_check_table() has passed every table, so an inconsistent table fails
 * the build rather than mislead a reader.
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
static const char *detail(const cli_option_t *o, char *buf, size_t size)
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
    snprintf(text, sizeof text, "%s%s%s%s", o->help, detail(o, more, sizeof more),
             env ? "; env " : "", env ? env : "");
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
static const char *schedules_text(help_commands_t cmds, char *buf, size_t size)
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
    wrap(schedules_text(cmds, text, sizeof text), 2, 2);
    printf("\nExit status:\n");
    for (const cli_exit_status_t *e = cli_exit_statuses; e->meaning; e++) {
        int col = printf("  %-4d ", e->status);
        wrap(e->meaning, col, 7);
    }
}

/* ---- the man page --------------------------------------------------------------------- */

/* text in roff: backslashes and dashes escaped, no line starting with a control
 * character, '\n' as a line break. */
static void roff(const char *text)
{
    bool line_start = true;
    for (const char *p = text; *p; p++) {
        if (line_start && (*p == '.' || *p == '\''))
            fputs("\\&", stdout);
        line_start = false;
        if (*p == '\\')
            fputs("\\e", stdout);
        else if (*p == '-')
            fputs("\\-", stdout);
        else if (*p == '\n') {
            fputs("\n.br\n", stdout);
            line_start = true;
        } else
            putchar(*p);
    }
}

/* A .TP tag: bold word, then (if any) an italic argument, on one line. */
static void man_tag(const char *bold_prefix, const char *bold, const char *italic)
{
    printf(".TP\n.%s \"%s", italic ? "BI" : "B", bold_prefix);
    roff(bold);
    printf("\"");
    if (italic) {
        printf(" \" ");
        roff(italic);
        printf("\"");
    }
    printf("\n");
}

static void man_option(const cli_option_t *o, const char *env)
{
    char more[160];
    man_tag("\\-\\-", o->name, o->type == OPT_FLAG ? NULL : cli_metavar(o));
    roff(o->help);
    roff(detail(o, more, sizeof more));
    if (env) {
        printf("; environment variable ");
        roff(env);
    }
    printf(".\n");
}

static void man_command(const cli_command_t *cmd)
{
    printf(".SS %s", cmd->name);
    if (cmd->seed)
        printf(" (seed %s)", cmd->seed);
    printf("\n");
    roff(cmd->about);
    printf("\n");
    if (cmd->lesson) {
        printf(".PP\n.I The lesson:\n");
        roff(cmd->lesson);
        printf("\n");
    }
    for (const cli_variant_t *v = cmd->variants; v->summary && cmd->kind != CMD_BUILTIN; v++) {
        man_tag("", v->name ? v->name : cmd->name, v->positional);
        roff(v->summary);
        const char *seed = cli_variant_seed(cmd, v);
        if (seed && seed != cmd->seed)
            printf(" (seed %s)", seed);
        printf(".\n.RS\n");
        for (const cli_option_t *o = cmd->options; o && o->name; o++)
            if (cli_applies_to(o, v))
                man_option(o, NULL);
        if (v->example) {
            printf(".PP\nExample: \\fBthrdemo ");
            roff(v->example);
            printf("\\fR\n");
        }
        printf(".RE\n");
    }
    if (cmd->python) {
        printf(".PP\nPython \\(-> libthrdemo:\n.RS\n");
        for (const cli_pycall_t *p = cmd->python; p->python; p++) {
            man_tag("", p->python, NULL);
            roff(p->td);
            printf("\n");
        }
        printf(".RE\n");
    }
}

static int check_all(help_commands_t cmds)
{
    for (size_t i = 0; i < cmds.n; i++)
        if (cli_check_table(cmds.all[i]) != 0)
            return -1;
    return 0;
}

int help_man(help_commands_t cmds)
{
    if (check_all(cmds) != 0)
        return -1;
    printf(".\\\" Generated by 'thrdemo --man' from the command tables: do not edit.\n");
    printf(".TH THRDEMO 1 \"\" \"thrdemo %s\" \"User Commands\"\n", td_version());
    printf(".SH NAME\nthrdemo \\- Python's threading tutorials, re\\-created in C on POSIX "
           "threads\n");
    printf(".SH SYNOPSIS\n.B thrdemo\n[\\fIGLOBAL OPTIONS\\fR] \\fISCENARIO\\fR "
           "[\\fIVARIANT\\fR] [\\fIOPTIONS\\fR] [\\fB\\-\\-\\fR \\fIWORD\\fR...]\n.br\n"
           ".B thrdemo\n\\fBlist\\fR | \\fBhelp\\fR [\\fICOMMAND\\fR] | \\fBbench\\fR "
           "[\\fIWORKLOAD\\fR] | \\fB\\-\\-help\\fR | \\fB\\-\\-version\\fR\n");
    printf(".SH DESCRIPTION\n");
    roff("Each scenario re-creates a Python threading tutorial and prints the trace its "
         "Python program prints; --python shows that program. Trace lines go to stdout, "
         "whole and flushed; errors and --stats go to stderr. Every duration is nominal "
         "and multiplied by --scale. A scenario's options follow its variant; global "
         "options may stand before or after the scenario; -- ends the options, so every "
         "word after it is an argument.");
    printf("\n.SH GLOBAL OPTIONS\n");
    for (const cli_global_t *g = cli_global_options; g->option.name; g++)
        man_option(&g->option, g->env);
    for (const cli_option_t *a = cli_top_actions; a->name; a++)
        man_option(a, NULL);
    printf(".SH COMMANDS\n");
    for (size_t i = 0; i < cmds.n; i++)
        if (cmds.all[i]->kind != CMD_SCENARIO)
            man_command(cmds.all[i]);
    printf(".SH SCENARIOS\n");
    for (size_t i = 0; i < cmds.n; i++)
        if (cmds.all[i]->kind == CMD_SCENARIO)
            man_command(cmds.all[i]);
    printf(".PP\nEvery scenario also takes:\n.RS\n");
    for (const cli_option_t *a = cli_command_actions; a->name; a++)
        man_option(a, NULL);
    printf(".RE\n.PP\n");
    roff(cli_repeated_about);
    printf("\n.SH SCHEDULES\n");
    char text[1200];
    roff(schedules_text(cmds, text, sizeof text));
    printf("\n.SH EXIT STATUS\n");
    for (const cli_exit_status_t *e = cli_exit_statuses; e->meaning; e++) {
        printf(".TP\n.B %d\n", e->status);
        roff(e->meaning);
        printf(".\n");
    }
    printf(".SH ENVIRONMENT\n");
    for (const cli_global_t *g = cli_global_options; g->option.name; g++) {
        if (g->env) {
            printf(".TP\n.B %s\nThe default of \\fB\\-\\-%s\\fR.\n", g->env, g->option.name);
        }
    }
    printf(".SH SEE ALSO\n\\fBpython3\\fR(1), \\fBpthreads\\fR(7)\n");
    return 0;
}

/* ---- shell completions ---------------------------------------------------------------- */

/* Whether a global option, or a command's row before o, is called as o is. */
static bool seen_before(help_commands_t cmds, const cli_option_t *o)
{
    for (const cli_global_t *g = cli_global_options; g->option.name; g++)
        if (strcmp(g->option.name, o->name) == 0)
            return true;
    for (size_t i = 0; i < cmds.n; i++)
        for (const cli_option_t *p = cmds.all[i]->options; p && p->name; p++) {
            if (p == o)
                return false;
            if (strcmp(p->name, o->name) == 0)
                return true;
        }
    return false;
}

/* Every option that takes a value, once each, separated by sep. */
static void value_options(help_commands_t cmds, const char *sep)
{
    const char *s = "";
    for (const cli_global_t *g = cli_global_options; g->option.name; g++, s = sep)
        if (g->option.type != OPT_FLAG)
            printf("%s--%s", s, g->option.name);
    for (size_t i = 0; i < cmds.n; i++)
        for (const cli_option_t *o = cmds.all[i]->options; o && o->name; o++)
            if (o->type != OPT_FLAG && !seen_before(cmds, o))
                printf("%s--%s", sep, o->name);
}

static void completion_choices(help_commands_t cmds)
{
    for (const cli_global_t *g = cli_global_options; g->option.name; g++)
        if (g->option.type == OPT_CHOICE)
            printf("        --%s) _thrdemo_offer %s; return 0;;\n", g->option.name,
                   g->option.choices);
    for (size_t i = 0; i < cmds.n; i++)
        for (const cli_option_t *o = cmds.all[i]->options; o && o->name; o++)
            if (o->type == OPT_CHOICE && !seen_before(cmds, o))
                printf("        --%s) _thrdemo_offer %s; return 0;;\n", o->name, o->choices);
}

/* One arm of "case $variant": the options of variant v. */
static void completion_variant(const cli_command_t *cmd, const cli_variant_t *v,
                               const char *pattern)
{
    printf("        %s) _thrdemo_offer", pattern);
    for (const cli_option_t *o = cmd->options; o && o->name; o++)
        if (cli_applies_to(o, v))
            printf(" --%s", o->name);
    for (const cli_option_t *a = cli_command_actions; a->name; a++)
        if (cmd->kind == CMD_SCENARIO || strcmp(a->name, "python") != 0)
            printf(" --%s", a->name);
    printf(" $globals;;\n");
}

static void completion_command(const cli_command_t *cmd)
{
    printf("    %s)\n", cmd->name);
    if (cmd->kind == CMD_BUILTIN && cmd->variants[0].positional) { /* help COMMAND */
        printf("        [[ -z $variant && $cur != -* ]] && _thrdemo_offer $commands\n");
        printf("        _thrdemo_offer --help\n        ;;\n");
        return;
    }
    if (cli_has_variants(cmd)) {
        printf("        if [[ -z $variant && $cur != -* ]]; then _thrdemo_offer");
        for (const cli_variant_t *v = cmd->variants; v->summary; v++)
            printf(" %s", v->name);
        printf("; return 0; fi\n");
    }
    printf("        case $variant in\n");
    for (const cli_variant_t *v = cmd->variants + 1; v->summary; v++)
        completion_variant(cmd, v, v->name);
    completion_variant(cmd, cmd->variants, "*"); /* the default, or no variant yet */
    printf("        esac\n        ;;\n");
}

/* The body both shells share: bash and zsh (with ksharrays) read it alike. It sees
 * w (the words, w[0] = thrdemo) and cword (the index of the word being completed),
 * and offers candidates through _thrdemo_offer WORD... */
static void completion_body(help_commands_t cmds)
{
    printf("    local cur=${w[cword]} prev= cmd= variant= i\n");
    printf("    (( cword > 0 )) && prev=${w[cword - 1]}\n");
    printf("    local globals='");
    for (const cli_global_t *g = cli_global_options; g->option.name; g++)
        printf("%s--%s", g == cli_global_options ? "" : " ", g->option.name);
    printf("'\n    local commands='");
    for (size_t i = 0; i < cmds.n; i++)
        printf("%s%s", i ? " " : "", cmds.all[i]->name);
    printf("'\n    case $prev in\n");
    completion_choices(cmds);
    printf("        ");
    value_options(cmds, "|");
    printf(") return 0;;\n    esac\n");
    printf("    for ((i = 1; i < cword; i++)); do\n        case ${w[i]} in\n        ");
    value_options(cmds, "|");
    printf(") ((i++));;\n"
           "        --) return 0;; # every word after it is an argument\n"
           "        -*) ;;\n"
           "        *) if [[ -z $cmd ]]; then cmd=${w[i]}; elif [[ -z $variant ]]; then "
           "variant=${w[i]}; fi;;\n"
           "        esac\n    done\n");
    printf("    case $cmd in\n    '')\n        if [[ $cur == -* ]]; then _thrdemo_offer "
           "$globals --help --version; else _thrdemo_offer $commands; fi\n        ;;\n");
    for (size_t i = 0; i < cmds.n; i++)
        completion_command(cmds.all[i]);
    printf("    esac\n    return 0\n");
}

int help_completion(help_commands_t cmds, const char *shell)
{
    if (check_all(cmds) != 0)
        return -1;
    bool zsh = strcmp(shell, "zsh") == 0;
    if (zsh)
        printf("#compdef thrdemo\n");
    printf("# %s completion for thrdemo %s: scenarios, variants, options and choices.\n"
           "# Generated by 'thrdemo --completion %s' from the command tables: do not edit.\n\n",
           shell, td_version(), shell);
    if (zsh) {
        printf("_thrdemo_offer() { compadd -- \"$@\"; }\n\n_thrdemo() {\n"
               "    setopt localoptions ksharrays\n"
               "    local -a w=(\"${words[@]}\")\n    local cword=$((CURRENT - 1))\n");
    } else {
        printf("_thrdemo_offer() {\n    local IFS=$' \\t\\n'\n"
               "    COMPREPLY+=($(compgen -W \"$*\" -- \"$cur\"))\n}\n\n_thrdemo() {\n"
               "    local -a w=(\"${COMP_WORDS[@]}\")\n    local cword=$COMP_CWORD\n"
               "    COMPREPLY=()\n");
    }
    completion_body(cmds);
    printf("}\n\n");
    printf(zsh ? "_thrdemo \"$@\"\n" : "complete -F _thrdemo thrdemo\n");
    return 0;
}
