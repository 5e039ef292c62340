/* SPDX-License-Identifier: MIT */
/* errors.c - the one-line errors: whatever of the user's input a message echoes is
 * escaped (control characters, bytes that are not UTF-8) and cut short, so an error is
 * always one line on stderr; and the "did you mean" of a word mistyped, by edit
 * distance. */
#include "parser.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"

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
        size_t n = td__utf8_length(s, 4), plen;
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
    char tail[160];
    if (command)
        snprintf(tail, sizeof tail, " (see '%s %s --help')", cli_program(), command);
    else
        snprintf(tail, sizeof tail, " (see '%s --help')", cli_program());
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
        if (strcmp(word, candidates[i]) == 0)
            continue; /* "did you mean '--python'?" of --python helps no one (issue 24) */
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

int cli_check_run_scenario(const char *command, const cli_args_t *args)
{
    const char *name = args->positional[0];
    const cli_command_t *cmd = cli_find_command(name);
    if (!cmd || cmd->kind != CMD_SCENARIO)
        return cli_not_a_scenario(command, name);
    cli_globals_t saved = cli_globals;
    cli_globals.scheduled = true; /* as the run will be: refusals and all */
    cli_args_t run;
    int rc = cli_parse(cmd, (int)args->n_positional - 1, (char **)args->positional + 1, &run);
    cli_globals = saved;
    if (rc == 0 && (run.help || run.python))
        return cli_usage_error(command, "%s: %s runs the scenario; ask it for its help or "
                                        "program directly",
                               run.help ? "--help" : "--python", command);
    return rc;
}

size_t cli_passed_globals(char **words)
{
    size_t n = 0;
    if (cli_globals.lang == LANG_EN) {
        words[n++] = "--lang";
        words[n++] = "en";
    }
    if (cli_globals.quiet)
        words[n++] = "--quiet";
    return n;
}

int cli_not_a_scenario(const char *command, const char *word)
{
    enum { MAX_SCENARIOS = 128 };
    const char *names[MAX_SCENARIOS];
    size_t n = 0;
    for (size_t i = 0; cli_command_at(i) && n < MAX_SCENARIOS; i++)
        if (cli_command_at(i)->kind == CMD_SCENARIO)
            names[n++] = cli_command_at(i)->name;
    char q[CLI_QUOTE_SIZE], hint[96];
    cli_did_you_mean(word, names, n, "", hint, sizeof hint);
    if (!hint[0])
        snprintf(hint, sizeof hint, " ('%s list' shows them)", cli_program());
    return cli_usage_error(command, "'%s' is not a scenario%s", cli_quote(word, q), hint);
}

/* " (did you mean 'X'?)" into buf, or "" when nothing is near. */
const char *cli_did_you_mean(const char *word, const char *const *candidates, size_t n,
                             const char *prefix, char *buf, size_t size)
{
    const char *near = cli_nearest(word, candidates, n);
    if (near)
        snprintf(buf, size, "; did you mean '%s%s'?", prefix, near);
    else
        buf[0] = '\0';
    return buf;
}
