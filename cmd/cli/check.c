/* SPDX-License-Identifier: MIT */
/* check.c - a command's table checked for what a reader of the help would trip on:
 * options without help, defaults their own row refuses, options of variants that do
 * not exist, two rows of one option for one variant, examples the parser refuses, a
 * scenario without its Python program. The build runs it over every table when it
 * writes the man page and the completions, so a wrong table fails the build. */
#include "parser.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "python.h"

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
        if (o->def && o->type != OPT_FLAG &&
            cli_check_value(cmd->name, o, o->name, o->def) != 0)
            return table_error(cmd, "a default its own row refuses", o->name);
        for (const char *p = o->variants; p && *p;) {
            char word[32];
            size_t len = strcspn(p, " ");
            snprintf(word, sizeof word, "%.*s", (int)len, p);
            if (!cli_find_variant(cmd, word))
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
