/* SPDX-License-Identifier: MIT */
/* bench_report.c - what `thrdemo bench` prints of its rows: the table (row by row, as
 * measured), one JSON document, or CSV, each carrying the machine and the date; and
 * in each, how a row compares with libthrdemo's row of the same workload and
 * parameter, as a sentence with libthrdemo as its subject ("libthrdemo Lock is 1.31x
 * faster than pthread_mutex"): the factor is always >= 1 and the words say which way. */
#include "bench_report.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <thrdemo/log.h>

/* How one row compares with libthrdemo's row of the same workload and parameter. */
typedef struct comparison {
    const row_t *versus; /* libthrdemo's row; NULL: no comparison (it is that row) */
    double factor;       /* >= 1 */
    int sign;            /* +1 libthrdemo better, -1 worse, 0 the same */
    char text[200];
} comparison_t;

/* ---- words -------------------------------------------------------------------------- */

static const char *kind_name(bench_kind_t kind)
{
    static const char *const names[] = { "time", "rate", "memory", "lateness", "cpu" };
    return names[kind];
}

static bool lower_is_better(bench_kind_t kind)
{
    return kind != BENCH_RATE;
}

/* The words of a comparison: verb, then "faster than" or its siblings. */
typedef struct words {
    const char *verb, *better, *worse, *same;
} words_t;

static const words_t *words(bench_kind_t kind)
{
    static const words_t table[] = {
        [BENCH_TIME] = { "is", "faster than", "slower than", "is as fast as" },
        [BENCH_RATE] = { "is", "faster than", "slower than", "is as fast as" },
        [BENCH_MEMORY] = { "uses", "less memory than", "more memory than", "uses as much memory as" },
        [BENCH_LATENESS] = { "is", "more punctual than", "less punctual than", "is as punctual as" },
        [BENCH_CPU] = { "uses", "less CPU than", "more CPU than", "uses as much CPU as" },
    };
    return &table[kind];
}

/* 1.31, 12.3, 121, 1234: three significant digits, never an exponent. */
static const char *factor_text(double factor, char buf[32])
{
    snprintf(buf, 32, factor >= 1000 ? "%.0f" : "%.3g", factor);
    return buf;
}

/* A count as people write it: 1024, 10,000, 1,234,567. */

static void compare(const row_t *rows, size_t n, const row_t *row, int m, comparison_t *c)
{
    memset(c, 0, sizeof *c);
    const row_t *ref = NULL;
    for (size_t i = 0; i < n && !ref; i++)
        if (rows[i].impl->reference && rows[i].workload == row->workload &&
            rows[i].param == row->param)
            ref = &rows[i];
    bench_kind_t kind = row->impl->kind[m];
    double mine = ref ? ref->median[m] : 0, theirs = row->median[m];
    if (!ref || ref == row || !(mine > 0) || !(theirs > 0) || !ref->ok || !row->ok)
        return;
    if (strcmp(ref->impl->unit[m], row->impl->unit[m]) != 0)
        return; /* different measures (bytes per task beside a run's MB): no comparison */
    double better_by = lower_is_better(kind) ? theirs / mine : mine / theirs;
    char f[32];
    c->versus = ref;
    c->factor = better_by >= 1 ? better_by : 1 / better_by;
    factor_text(c->factor, f);
    c->sign = strcmp(f, "1") == 0 ? 0 : better_by > 1 ? 1 : -1;
    const words_t *w = words(kind);
    if (c->sign == 0)
        snprintf(c->text, sizeof c->text, "%s %s %s", ref->name, w->same, row->name);
    else
        snprintf(c->text, sizeof c->text, "%s %s %sx %s %s", ref->name, w->verb, f,
                 c->sign > 0 ? w->better : w->worse, row->name);
}

/* ---- writing ------------------------------------------------------------------------ */

void bench_add(line_t *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(l->s + l->n, sizeof l->s - l->n, fmt, ap);
    va_end(ap);
    if (w > 0)
        l->n = l->n + (size_t)w < sizeof l->s ? l->n + (size_t)w : sizeof l->s - 1;
}

static void add_json_string(line_t *l, const char *text)
{
    bench_add(l, "\"");
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '"' || *p == '\\')
            bench_add(l, "\\%c", *p);
        else if (*p < 0x20)
            bench_add(l, "\\u%04x", *p);
        else
            bench_add(l, "%c", *p);
    }
    bench_add(l, "\"");
}

static void add_json_number(line_t *l, double v)
{
    if (isfinite(v))
        bench_add(l, "%.6g", v);
    else
        bench_add(l, "null");
}

/* One CSV field (RFC 4180: quoted when it holds a comma, a quote or a newline). */
static void add_csv(line_t *l, const char *text, bool last)
{
    if (strpbrk(text, ",\"\n")) {
        bench_add(l, "\"");
        for (const char *p = text; *p; p++) {
            if (*p == '"')
                bench_add(l, "\"\"");
            else
                bench_add(l, "%c", *p);
        }
        bench_add(l, "\"");
    } else {
        bench_add(l, "%s", text);
    }
    bench_add(l, last ? "" : ",");
}

/* A figure of CSV, empty for one never measured. */
static void add_csv_number(line_t *l, double v)
{
    if (isfinite(v))
        bench_add(l, "%.6g", v);
    bench_add(l, ",");
}

void bench_print_table_header(const bench_machine_t *mc)
{
    td_print("# thrdemo %s bench, %s: %s, %ld cores (%ld allowed), %s, %s, %s, %s", mc->version,
             mc->date, mc->cpu, mc->cores, mc->cores_allowed, mc->kernel, mc->libc,
             mc->compiler, mc->build_type);
    td_print("%-12s %-28s %-22s %-6s %12s %12s %12s  %-6s  %s", "workload", "implementation",
             "metric", "unit", "median", "min", "max", "check", "comparison");
}

/* A figure of the table: "-" for one never measured (its process died first). */
static void add_table_number(line_t *l, double v)
{
    if (isfinite(v))
        bench_add(l, " %12.4g", v);
    else
        bench_add(l, " %12s", "-");
}

void bench_print_table_row(const row_t *rows, size_t n, const row_t *row)
{
    for (int m = 0; m < BENCH_METRICS && row->impl->metric[m]; m++) {
        comparison_t c;
        line_t l = { .n = 0 };
        compare(rows, n, row, m, &c);
        bench_add(&l, "%-12s %-28s %-22s %-6s", row->workload->name, row->name, row->metric[m],
            row->impl->unit[m]);
        add_table_number(&l, row->median[m]);
        add_table_number(&l, row->min[m]);
        add_table_number(&l, row->max[m]);
        bench_add(&l, "  %-6s  %s", row->ok ? "ok" : "FAILED", c.text);
        while (l.n > 0 && l.s[l.n - 1] == ' ') /* the reference row has no comparison */
            l.s[--l.n] = '\0';
        td_print("%s", l.s);
    }
}

static void add_json_result(line_t *l, const row_t *rows, size_t n, const row_t *row, int m)
{
    comparison_t c;
    compare(rows, n, row, m, &c);
    bench_kind_t kind = row->impl->kind[m];
    bench_add(l, "    {\"workload\": ");
    add_json_string(l, row->workload->name);
    if (row->workload->param) {
        bench_add(l, ", \"param\": {\"name\": ");
        add_json_string(l, row->workload->param);
        bench_add(l, ", \"value\": %ld}", row->param);
    } else {
        bench_add(l, ", \"param\": null");
    }
    bench_add(l, ", \"implementation\": ");
    add_json_string(l, row->name);
    bench_add(l, ", \"metric\": ");
    add_json_string(l, row->metric[m]);
    bench_add(l, ", \"unit\": ");
    add_json_string(l, row->impl->unit[m]);
    bench_add(l, ", \"kind\": \"%s\", \"better\": \"%s\", \"runs\": %d, \"median\": ", kind_name(kind),
        lower_is_better(kind) ? "lower" : "higher", row->runs);
    add_json_number(l, row->median[m]);
    bench_add(l, ", \"min\": ");
    add_json_number(l, row->min[m]);
    bench_add(l, ", \"max\": ");
    add_json_number(l, row->max[m]);
    bench_add(l, ", \"ok\": %s, \"note\": ", row->ok ? "true" : "false");
    add_json_string(l, row->note);
    if (c.versus) {
        bench_add(l, ", \"versus\": ");
        add_json_string(l, c.versus->name);
        bench_add(l, ", \"factor\": %.4g, \"libthrdemo\": \"%s\", \"comparison\": ", c.factor,
            c.sign > 0 ? "better" : c.sign < 0 ? "worse" : "same");
        add_json_string(l, c.text);
    } else {
        bench_add(l, ", \"versus\": null, \"factor\": null, \"libthrdemo\": null, \"comparison\": null");
    }
    bench_add(l, "}");
}

void bench_print_json(const bench_options_t *o, const bench_machine_t *mc,
                      const row_t *rows, size_t n)
{
    line_t l = { .n = 0 };
    td_print("{");
    bench_add(&l, "  \"thrdemo\": ");
    add_json_string(&l, mc->version);
    bench_add(&l, ", \"date\": ");
    add_json_string(&l, mc->date);
    bench_add(&l, ", \"runs\": %d,", o->runs);
    td_print("%s", l.s);
    l.n = 0;
    bench_add(&l, "  \"machine\": {\"cpu\": ");
    add_json_string(&l, mc->cpu);
    bench_add(&l, ", \"cores\": %ld, \"cores_allowed\": %ld, \"kernel\": ", mc->cores, mc->cores_allowed);
    add_json_string(&l, mc->kernel);
    bench_add(&l, ", \"libc\": ");
    add_json_string(&l, mc->libc);
    bench_add(&l, ", \"compiler\": ");
    add_json_string(&l, mc->compiler);
    bench_add(&l, ", \"build_type\": ");
    add_json_string(&l, mc->build_type);
    bench_add(&l, "},");
    td_print("%s", l.s);
    td_print("  \"results\": [");
    size_t lines = 0, total = 0;
    for (size_t i = 0; i < n; i++)
        for (int m = 0; m < BENCH_METRICS && rows[i].impl->metric[m]; m++)
            total++;
    for (size_t i = 0; i < n; i++) {
        for (int m = 0; m < BENCH_METRICS && rows[i].impl->metric[m]; m++) {
            l.n = 0;
            add_json_result(&l, rows, n, &rows[i], m);
            td_print("%s%s", l.s, ++lines < total ? "," : "");
        }
    }
    td_print("  ]");
    td_print("}");
}

void bench_print_csv(const bench_machine_t *mc, const row_t *rows, size_t n)
{
    td_print("date,thrdemo,cpu,cores,cores_allowed,kernel,libc,compiler,build_type,workload,"
             "param,param_value,implementation,metric,unit,kind,better,runs,median,min,max,ok,"
             "note,versus,factor,libthrdemo,comparison");
    for (size_t i = 0; i < n; i++) {
        const row_t *row = &rows[i];
        for (int m = 0; m < BENCH_METRICS && row->impl->metric[m]; m++) {
            comparison_t c;
            compare(rows, n, row, m, &c);
            line_t l = { .n = 0 };
            char num[64];
            const char *machine[] = { mc->date, mc->version, mc->cpu };
            for (size_t k = 0; k < 3; k++)
                add_csv(&l, machine[k], false);
            bench_add(&l, "%ld,%ld,", mc->cores, mc->cores_allowed);
            add_csv(&l, mc->kernel, false);
            add_csv(&l, mc->libc, false);
            add_csv(&l, mc->compiler, false);
            add_csv(&l, mc->build_type, false);
            add_csv(&l, row->workload->name, false);
            add_csv(&l, row->workload->param ? row->workload->param : "", false);
            if (row->workload->param)
                bench_add(&l, "%ld", row->param);
            bench_add(&l, ",");
            add_csv(&l, row->name, false);
            add_csv(&l, row->metric[m], false);
            add_csv(&l, row->impl->unit[m], false);
            bench_add(&l, "%s,%s,%d,", kind_name(row->impl->kind[m]),
                lower_is_better(row->impl->kind[m]) ? "lower" : "higher", row->runs);
            add_csv_number(&l, row->median[m]);
            add_csv_number(&l, row->min[m]);
            add_csv_number(&l, row->max[m]);
            bench_add(&l, "%s,", row->ok ? "true" : "false");
            add_csv(&l, row->note, false);
            add_csv(&l, c.versus ? c.versus->name : "", false);
            snprintf(num, sizeof num, "%.4g", c.factor);
            add_csv(&l, c.versus ? num : "", false);
            add_csv(&l, !c.versus ? "" : c.sign > 0 ? "better" : c.sign < 0 ? "worse" : "same",
                    false);
            add_csv(&l, c.text, true);
            td_print("%s", l.s);
        }
    }
}
