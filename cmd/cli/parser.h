/* SPDX-License-Identifier: MIT */
/* parser.h - what the parser's files share (cli.c, errors.c, values.c, globals.c,
 * check.c) and nothing else includes: the helpers each needs of another. */
#ifndef THRDEMO_CLI_PARSER_H
#define THRDEMO_CLI_PARSER_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"

/* "; did you mean '<prefix>X'?" into buf, X the candidate nearest to word, or "" when
 * none is near: returns buf. */
const char *cli_did_you_mean(const char *word, const char *const *candidates, size_t n,
                             const char *prefix, char *buf, size_t size);
/* Whether word is one of the space-separated words of list (the whole word). */
bool cli_word_in(const char *word, const char *list);
/* Check value against opt's type and range; label names it in the error ("--x" or an
 * environment variable): 0, or EXIT_USAGE after the error. */
int cli_check_value(const char *command, const cli_option_t *opt, const char *label,
                    const char *value);
/* Split arg = "--name[=value]": returns the name's length, *value after '=' or NULL. */
size_t cli_split_option(const char *arg, const char **value);
/* The value of the option at argv[*i]: after_eq when given, else the next word
 * (moving *i); NULL when there is none: a last word, or one that is itself an option. */
const char *cli_take_value(int argc, char **argv, int *i, const char *after_eq);
/* The row of cmd called name (len bytes), preferring one that applies to variant,
 * with its index in *index; NULL if no row is called so. */
const cli_option_t *cli_find_option(const cli_command_t *cmd, const cli_variant_t *variant,
                                    const char *name, size_t len, size_t *index);
/* The variant of cmd called word, or NULL. */
const cli_variant_t *cli_find_variant(const cli_command_t *cmd, const char *word);

#endif
