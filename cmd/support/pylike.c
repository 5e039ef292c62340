/* SPDX-License-Identifier: MIT */
/* pylike.c - Python's number formats, print(end=...), and a seeded random source
 * (splitmix64, one atomic step per number, so threads may share it). */
#include "pylike.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <thrdemo/common.h>
#include <thrdemo/log.h>
#include <thrdemo/schedule.h>

/* The shortest digits that read back as value, in %e form: "d.ddde±x". */
static void shortest_e(double value, char *buf, size_t size)
{
    for (int precision = 0; precision < 17; precision++) {
        snprintf(buf, size, "%.*e", precision, value);
        if (strtod(buf, NULL) == value)
            return;
    }
    snprintf(buf, size, "%.16e", value);
}

const char *py_float(double value, char buf[32])
{
    char e[40];
    shortest_e(value, e, sizeof e);
    char *mark = strchr(e, 'e');
    int exp = atoi(mark + 1);
    *mark = '\0';
    bool negative = e[0] == '-';
    char digits[24];
    size_t nd = 0;
    for (const char *p = e + negative; *p; p++)
        if (isdigit((unsigned char)*p))
            digits[nd++] = *p;
    digits[nd] = '\0';
    char *out = buf;
    if (negative)
        *out++ = '-';
    if (exp < -4 || exp >= 16) { /* Python's repr switches to exponent form here */
        out += sprintf(out, "%c", digits[0]);
        if (nd > 1)
            out += sprintf(out, ".%s", digits + 1);
        sprintf(out, "e%c%02d", exp < 0 ? '-' : '+', abs(exp));
    } else if (exp < 0) {
        sprintf(out, "0.%0*d%s", -exp - 1, 0, digits);
        if (-exp - 1 == 0)
            sprintf(out, "0.%s", digits);
    } else if ((size_t)exp + 1 >= nd) {
        sprintf(out, "%s%0*d.0", digits, exp + 1 - (int)nd, 0);
        if (exp + 1 == (int)nd)
            sprintf(out, "%s.0", digits);
    } else {
        sprintf(out, "%.*s.%s", exp + 1, digits, digits + exp + 1);
    }
    return buf;
}

const char *py_number(const cli_args_t *args, cli_opt_t option, char buf[32])
{
    const char *text = cli_text(args, option);
    if (strpbrk(text, ".eE"))
        return py_float(cli_number(args, option), buf);
    snprintf(buf, 32, "%lld", (long long)cli_number(args, option));
    return buf;
}

static char pending[256]; /* a line print(end=...) has begun: main thread only */

void py_print(const char *text, const char *end)
{
    size_t len = strlen(pending);
    if (strcmp(end, "\n") == 0) {
        td_print("%s%s", pending, text);
        pending[0] = '\0';
        return;
    }
    snprintf(pending + len, sizeof pending - len, "%s%s", text, end);
}

void py_print_int(int value, const char *end)
{
    char text[16];
    snprintf(text, sizeof text, "%d", value);
    py_print(text, end);
}

struct tm *py_localtime(double when, struct tm *tm)
{
    time_t t = (time_t)when;
    return td_sched_active() ? gmtime_r(&t, tm) : localtime_r(&t, tm);
}

const char *py_ctime(double when, char buf[32])
{
    static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
    static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    struct tm tm;
    py_localtime(when, &tm);
    snprintf(buf, 32, "%s %s %2d %02d:%02d:%02d %d", days[tm.tm_wday % 7], months[tm.tm_mon % 12],
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
    return buf;
}

static atomic_uint_fast64_t random_state;
static atomic_bool random_seeded;

uint64_t py_random(void)
{
    if (!atomic_exchange(&random_seeded, true)) {
        uint64_t seed = cli_globals.seed;
        if (!cli_globals.seed_given) {
            double now = td_time(); /* the library's one clock */
            seed = (uint64_t)(now * 1e6) * 1000000007u ^ (uint64_t)getpid();
        }
        atomic_store(&random_state, seed);
    }
    uint64_t z = atomic_fetch_add(&random_state, 0x9e3779b97f4a7c15u) + 0x9e3779b97f4a7c15u;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

long long py_randint(long long lo, long long hi)
{
    return lo + (long long)(py_random() % (uint64_t)(hi - lo + 1));
}
