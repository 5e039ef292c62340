/* SPDX-License-Identifier: MIT */
/* values.c - a value against its option's row: numbers parsed strictly (nothing
 * before or after them, no "inf", "nan" or hex), whole numbers compared as whole
 * numbers, choices as whole words, strings without control characters. The parser,
 * the environment and the table check all judge a value here. */
#include "parser.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Whether word is one of the space-separated words of list (the whole word). */
bool cli_word_in(const char *word, const char *list)
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
int cli_check_value(const char *command, const cli_option_t *opt, const char *label,
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
        if (cli_word_in(value, opt->choices))
            return 0;
        const char *words[16];
        size_t k = 0;
        char copy[256];
        snprintf(copy, sizeof copy, "%s", opt->choices);
        char *save, *w = strtok_r(copy, " ", &save);
        for (; w && k < 16; w = strtok_r(NULL, " ", &save))
            words[k++] = w;
        return cli_usage_error(command, "%s: '%s' is not one of: %s%s", label,
                               cli_quote(value, q), opt->choices,
                               cli_did_you_mean(value, words, k, "", hint, sizeof hint));
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
