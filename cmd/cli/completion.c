/* SPDX-License-Identifier: MIT */
/* completion.c - the bash and zsh completions from the command tables: one body both
 * shells read alike (zsh with ksharrays and shwordsplit), offering commands,
 * variants, options, choices, files after --trace and policies after --schedule;
 * written by 'thrdemo --completion SHELL' at build time. A global option a command
 * refuses (--schedule of bench, --trace of explore) is not offered for it. After
 * explore (a command that passes a scenario's options on), the words from the
 * scenario on are completed as the scenario's, plus explore's own options. */
#include "help.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <thrdemo/common.h>

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

/* The global options cmd takes, each " --name". */
static void globals_of(const cli_command_t *cmd)
{
    for (const cli_global_t *g = cli_global_options; g->option.name; g++)
        if (!help_refuses_global(cmd, &g->option))
            printf(" --%s", g->option.name);
}

/* The global options cmd refuses, each " --name". */
static void refused_by(const cli_command_t *cmd)
{
    for (const cli_global_t *g = cli_global_options; g->option.name; g++)
        if (help_refuses_global(cmd, &g->option))
            printf(" --%s", g->option.name);
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
    globals_of(cmd);
    printf(";;\n");
}

/* The arm of a command that runs a scenario (explore): the scenario first, then the
 * words from it on as that scenario's, with the command's own options beside. */
static void completion_pass_through(help_commands_t cmds, const cli_command_t *cmd)
{
    printf("    %s)\n        if [[ -z $variant ]]; then\n", cmd->name);
    printf("            if [[ $cur == -* ]]; then _thrdemo_offer --help");
    for (const cli_option_t *o = cmd->options; o && o->name; o++)
        printf(" --%s", o->name);
    globals_of(cmd);
    printf("; else _thrdemo_offer");
    for (size_t i = 0; i < cmds.n; i++)
        if (cmds.all[i]->kind == CMD_SCENARIO)
            printf(" %s", cmds.all[i]->name);
    printf("; fi\n            return 0\n        fi\n");
    printf("        if [[ $cur == -* ]]; then _thrdemo_offer");
    for (const cli_option_t *o = cmd->options; o && o->name; o++)
        printf(" --%s", o->name);
    printf("; fi\n        refuse=\"$refuse --help --python");
    refused_by(cmd);
    printf("\"\n        w=(\"${w[@]:0:at}\" \"${w[@]:at + 1}\")\n"
           "        ((cword--))\n        _thrdemo_words\n        ;;\n");
}

static void completion_command(help_commands_t cmds, const cli_command_t *cmd)
{
    if (cmd->pass_through) {
        completion_pass_through(cmds, cmd);
        return;
    }
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
    printf("    local cur=${w[cword]} prev= cmd= variant= i at=0\n");
    printf("    (( cword > 0 )) && prev=${w[cword - 1]}\n");
    printf("    local globals='");
    for (const cli_global_t *g = cli_global_options; g->option.name; g++)
        printf("%s--%s", g == cli_global_options ? "" : " ", g->option.name);
    printf("'\n    local commands='");
    for (size_t i = 0; i < cmds.n; i++)
        printf("%s%s", i ? " " : "", cmds.all[i]->name);
    printf("'\n    case $prev in\n");
    printf("        --trace) _thrdemo_files; return 0;;\n");
    printf("        --schedule) _thrdemo_offer fifo random: pct: replay:; return 0;;\n");
    completion_choices(cmds);
    printf("        ");
    value_options(cmds, "|");
    printf(") return 0;;\n    esac\n");
    printf("    for ((i = 1; i < cword; i++)); do\n        case ${w[i]} in\n        ");
    value_options(cmds, "|");
    printf(") ((i++));;\n"
           "        --) return 0;; # every word after it is an argument\n"
           "        -*) ;;\n"
           "        *) if [[ -z $cmd ]]; then cmd=${w[i]}; at=$i; elif [[ -z $variant ]]; then "
           "variant=${w[i]}; fi;;\n"
           "        esac\n    done\n");
    printf("    case $cmd in\n    '')\n        if [[ $cur == -* ]]; then _thrdemo_offer "
           "$globals --help --version; else _thrdemo_offer $commands; fi\n        ;;\n");
    for (size_t i = 0; i < cmds.n; i++)
        completion_command(cmds, cmds.all[i]);
    printf("    esac\n    return 0\n");
}

int help_completion(help_commands_t cmds, const char *shell)
{
    if (help_check_all(cmds) != 0)
        return -1;
    bool zsh = strcmp(shell, "zsh") == 0;
    if (zsh)
        printf("#compdef thrdemo\n");
    printf("# %s completion for thrdemo %s: scenarios, variants, options and choices.\n"
           "# Generated by 'thrdemo --completion %s' from the command tables: do not edit.\n\n",
           shell, td_version(), shell);
    /* _thrdemo_offer WORD...: offer the words but those in $refuse. */
    if (zsh) {
        printf("_thrdemo_offer() {\n    local x\n    local -a keep\n"
               "    for x in $*; do [[ \" $refuse \" == *\" $x \"* ]] || keep+=(\"$x\"); done\n"
               "    compadd -- \"${keep[@]}\"\n}\n\n_thrdemo_files() { _files; }\n\n");
    } else {
        printf("_thrdemo_offer() {\n    local IFS=$' \\t\\n' x keep=\n"
               "    for x in $*; do [[ \" $refuse \" == *\" $x \"* ]] || keep+=\" $x\"; done\n"
               "    COMPREPLY+=($(compgen -W \"$keep\" -- \"$cur\"))\n}\n\n"
               "_thrdemo_files() {\n    local IFS=$'\\n'\n"
               "    COMPREPLY+=($(compgen -f -- \"$cur\"))\n}\n\n");
    }
    printf("_thrdemo_words() {\n");
    completion_body(cmds);
    printf("}\n\n_thrdemo() {\n");
    if (zsh)
        printf("    setopt localoptions ksharrays shwordsplit\n"
               "    local -a w=(\"${words[@]}\")\n    local cword=$((CURRENT - 1)) refuse=\n");
    else
        printf("    local -a w=(\"${COMP_WORDS[@]}\")\n    local cword=$COMP_CWORD refuse=\n"
               "    COMPREPLY=()\n");
    printf("    _thrdemo_words\n}\n\n");
    printf(zsh ? "_thrdemo \"$@\"\n" : "complete -F _thrdemo thrdemo\n");
    return 0;
}
