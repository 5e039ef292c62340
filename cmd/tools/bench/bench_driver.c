/* SPDX-License-Identifier: MIT */
/* bench_driver.c - runs the workloads `thrdemo bench` was asked for and reports
 * them: a table (printed row by row as they are measured), or one JSON document, or
 * CSV, each carrying the machine and the date.
 *
 * Each implementation runs once to warm up, then `runs` times; a row holds the
 * median, min and max of each metric. A workload with a parameter (threads' count,
 * queue's capacity) runs once per value, and its implementations are compared at
 * the same value. Every comparison is a sentence with libthrdemo's implementation
 * as its subject: "libthrdemo Lock is 1.31x faster than pthread_mutex", "... uses
 * 1.02x more memory than raw pthreads"; the factor is always >= 1 and the words
 * say which way. A failed self-check stops that implementation's runs and is said
 * on stderr, with its reason, as soon as it happens.
 *
 * `bench all` runs each workload in a process of its own (bench_process.c): this
 * binary again, `bench WORKLOAD` with the options that apply to it and
 * BENCH_ROWS_ENV in its environment, which makes it write each row, as soon as it
 * is measured, as one line on its stdout:
 *
 *   row TAB workload TAB impl TAB param TAB runs TAB ok TAB median0 TAB min0 TAB
 *   max0 TAB median1 TAB min1 TAB max1 TAB note
 *
 * impl is the implementation's index in bench_impls (the child is the same binary),
 * ok is 1 or 0, the figures are %.17g ("nan" for an unused metric), and the note is
 * the failed check's reason with backslash, tab, CR and newline escaped as \\, \t,
 * \r and \n. The parent adds the rows as if it had measured them, so the table,
 * JSON and CSV, their comparisons and the exit status are what one process would
 * give. A child that dies (a crash, a signal, an exit before its last row) leaves
 * each row it did not send as FAILED, the note saying how it ended; a child stopped
 * by Ctrl-C leaves them out, as a stopped run does.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <thrdemo/log.h>

#include "bench.h"

enum { MAX_RUNS = 101, MAX_ROWS = 128, LINE = 2048 };

typedef struct row {
    const bench_impl_t *impl;
    const bench_workload_t *workload;
    long param;                          /* the parameter's value, 0 if none */
    char name[64];                       /* impl with %N filled in */
    char metric[BENCH_METRICS][48];
    int runs;                            /* measured */
    double median[BENCH_METRICS], min[BENCH_METRICS], max[BENCH_METRICS];
    bool ok;
    char note[BENCH_NOTE];
} row_t;

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
static void grouped(char *out, size_t size, long value)
{
    if (value >= 1000000)
        snprintf(out, size, "%ld,%03ld,%03ld", value / 1000000, value / 1000 % 1000, value % 1000);
    else if (value >= 10000)
        snprintf(out, size, "%ld,%03ld", value / 1000, value % 1000);
    else
        snprintf(out, size, "%ld", value);
}

/* A round count in short: 1M, 20k; others grouped. */
static void short_count(char *out, size_t size, long value)
{
    if (value % 1000000 == 0)
        snprintf(out, size, "%ldM", value / 1000000);
    else if (value % 1000 == 0)
        snprintf(out, size, "%ldk", value / 1000);
    else
        grouped(out, size, value);
}

/* pattern with "%N" replaced by the parameter ("10,000 threads", "Queue(1024)"),
 * "%S" by the parameter in short ("100k tasks gathered") and "%M" by the messages
 * ("1M ints"). */
static void fill(char *out, size_t size, const char *pattern, long param, long messages)
{
    char number[32];
    const char *at = strstr(pattern, "%N");
    if (at)
        grouped(number, sizeof number, param);
    else if ((at = strstr(pattern, "%S")) != NULL)
        short_count(number, sizeof number, param);
    else if ((at = strstr(pattern, "%M")) != NULL)
        short_count(number, sizeof number, messages);
    if (!at)
        snprintf(out, size, "%s", pattern);
    else
        snprintf(out, size, "%.*s%s%s", (int)(at - pattern), pattern, number, at + 2);
}

/* ---- measuring ---------------------------------------------------------------------- */

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void show_progress(const bench_options_t *o, const row_t *row, int run)
{
    if (!o->progress)
        return;
    if (run < 0)
        fprintf(stderr, "\r\033[Kbench %s: %s, warm-up", row->workload->name, row->name);
    else
        fprintf(stderr, "\r\033[Kbench %s: %s, run %d of %d", row->workload->name, row->name,
                run + 1, o->runs);
}

static void clear_progress(const bench_options_t *o)
{
    if (o->progress)
        fputs("\r\033[K", stderr);
}

/* The items a workload sends: --messages, else its own default. */
static long messages_of(const bench_options_t *o, const bench_workload_t *w)
{
    return o->messages > 0 ? o->messages : w->messages;
}

/* Warm up, then measure up to o->runs times; a failed check ends the runs, and its
 * run's figures are kept when it is the only one. */
static void measure(const bench_options_t *o, row_t *row)
{
    double values[BENCH_METRICS][MAX_RUNS];
    int n = 0;
    row->ok = true;
    int runs = o->runs < MAX_RUNS ? o->runs : MAX_RUNS;
    for (int run = -1; run < runs && !o->stopping(); run++) {
        show_progress(o, row, run);
        bench_result_t r = { .param = row->param, .messages = messages_of(o, row->workload),
                             .ok = true };
        row->impl->run(&r);
        if (run >= 0 || !r.ok) {
            for (int m = 0; m < BENCH_METRICS; m++)
                values[m][n] = r.value[m];
            n++;
        }
        if (!r.ok) {
            row->ok = false;
            snprintf(row->note, sizeof row->note, "%s", r.note);
            break;
        }
    }
    clear_progress(o);
    row->runs = n;
    for (int m = 0; m < BENCH_METRICS && n > 0; m++) {
        qsort(values[m], (size_t)n, sizeof values[m][0], by_value);
        row->min[m] = values[m][0];
        row->max[m] = values[m][n - 1];
        row->median[m] = n % 2 ? values[m][n / 2] : (values[m][n / 2 - 1] + values[m][n / 2]) / 2;
    }
}

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

typedef struct line {
    char s[LINE];
    size_t n;
} line_t;

static void add(line_t *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(line_t *l, const char *fmt, ...)
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
    add(l, "\"");
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '"' || *p == '\\')
            add(l, "\\%c", *p);
        else if (*p < 0x20)
            add(l, "\\u%04x", *p);
        else
            add(l, "%c", *p);
    }
    add(l, "\"");
}

static void add_json_number(line_t *l, double v)
{
    if (isfinite(v))
        add(l, "%.6g", v);
    else
        add(l, "null");
}

/* One CSV field (RFC 4180: quoted when it holds a comma, a quote or a newline). */
static void add_csv(line_t *l, const char *text, bool last)
{
    if (strpbrk(text, ",\"\n")) {
        add(l, "\"");
        for (const char *p = text; *p; p++) {
            if (*p == '"')
                add(l, "\"\"");
            else
                add(l, "%c", *p);
        }
        add(l, "\"");
    } else {
        add(l, "%s", text);
    }
    add(l, last ? "" : ",");
}

/* A figure of CSV, empty for one never measured. */
static void add_csv_number(line_t *l, double v)
{
    if (isfinite(v))
        add(l, "%.6g", v);
    add(l, ",");
}

static void print_table_header(const bench_machine_t *mc)
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
        add(l, " %12.4g", v);
    else
        add(l, " %12s", "-");
}

static void print_table_row(const row_t *rows, size_t n, const row_t *row)
{
    for (int m = 0; m < BENCH_METRICS && row->impl->metric[m]; m++) {
        comparison_t c;
        line_t l = { .n = 0 };
        compare(rows, n, row, m, &c);
        add(&l, "%-12s %-28s %-22s %-6s", row->workload->name, row->name, row->metric[m],
            row->impl->unit[m]);
        add_table_number(&l, row->median[m]);
        add_table_number(&l, row->min[m]);
        add_table_number(&l, row->max[m]);
        add(&l, "  %-6s  %s", row->ok ? "ok" : "FAILED", c.text);
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
    add(l, "    {\"workload\": ");
    add_json_string(l, row->workload->name);
    if (row->workload->param) {
        add(l, ", \"param\": {\"name\": ");
        add_json_string(l, row->workload->param);
        add(l, ", \"value\": %ld}", row->param);
    } else {
        add(l, ", \"param\": null");
    }
    add(l, ", \"implementation\": ");
    add_json_string(l, row->name);
    add(l, ", \"metric\": ");
    add_json_string(l, row->metric[m]);
    add(l, ", \"unit\": ");
    add_json_string(l, row->impl->unit[m]);
    add(l, ", \"kind\": \"%s\", \"better\": \"%s\", \"runs\": %d, \"median\": ", kind_name(kind),
        lower_is_better(kind) ? "lower" : "higher", row->runs);
    add_json_number(l, row->median[m]);
    add(l, ", \"min\": ");
    add_json_number(l, row->min[m]);
    add(l, ", \"max\": ");
    add_json_number(l, row->max[m]);
    add(l, ", \"ok\": %s, \"note\": ", row->ok ? "true" : "false");
    add_json_string(l, row->note);
    if (c.versus) {
        add(l, ", \"versus\": ");
        add_json_string(l, c.versus->name);
        add(l, ", \"factor\": %.4g, \"libthrdemo\": \"%s\", \"comparison\": ", c.factor,
            c.sign > 0 ? "better" : c.sign < 0 ? "worse" : "same");
        add_json_string(l, c.text);
    } else {
        add(l, ", \"versus\": null, \"factor\": null, \"libthrdemo\": null, \"comparison\": null");
    }
    add(l, "}");
}

static void print_json(const bench_options_t *o, const bench_machine_t *mc, const row_t *rows,
                       size_t n)
{
    line_t l = { .n = 0 };
    td_print("{");
    add(&l, "  \"thrdemo\": ");
    add_json_string(&l, mc->version);
    add(&l, ", \"date\": ");
    add_json_string(&l, mc->date);
    add(&l, ", \"runs\": %d,", o->runs);
    td_print("%s", l.s);
    l.n = 0;
    add(&l, "  \"machine\": {\"cpu\": ");
    add_json_string(&l, mc->cpu);
    add(&l, ", \"cores\": %ld, \"cores_allowed\": %ld, \"kernel\": ", mc->cores, mc->cores_allowed);
    add_json_string(&l, mc->kernel);
    add(&l, ", \"libc\": ");
    add_json_string(&l, mc->libc);
    add(&l, ", \"compiler\": ");
    add_json_string(&l, mc->compiler);
    add(&l, ", \"build_type\": ");
    add_json_string(&l, mc->build_type);
    add(&l, "},");
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

static void print_csv(const bench_machine_t *mc, const row_t *rows, size_t n)
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
            add(&l, "%ld,%ld,", mc->cores, mc->cores_allowed);
            add_csv(&l, mc->kernel, false);
            add_csv(&l, mc->libc, false);
            add_csv(&l, mc->compiler, false);
            add_csv(&l, mc->build_type, false);
            add_csv(&l, row->workload->name, false);
            add_csv(&l, row->workload->param ? row->workload->param : "", false);
            if (row->workload->param)
                add(&l, "%ld", row->param);
            add(&l, ",");
            add_csv(&l, row->name, false);
            add_csv(&l, row->metric[m], false);
            add_csv(&l, row->impl->unit[m], false);
            add(&l, "%s,%s,%d,", kind_name(row->impl->kind[m]),
                lower_is_better(row->impl->kind[m]) ? "lower" : "higher", row->runs);
            add_csv_number(&l, row->median[m]);
            add_csv_number(&l, row->min[m]);
            add_csv_number(&l, row->max[m]);
            add(&l, "%s,", row->ok ? "true" : "false");
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

/* ---- rows between processes -------------------------------------------------------- */

static void add_escaped(line_t *l, const char *text)
{
    for (const char *p = text; *p; p++) {
        switch (*p) {
        case '\\': add(l, "\\\\"); break;
        case '\t': add(l, "\\t"); break;
        case '\n': add(l, "\\n"); break;
        case '\r': add(l, "\\r"); break;
        default: add(l, "%c", *p);
        }
    }
}

/* text with add_escaped's escapes undone, in place. */
static void unescape(char *text)
{
    char *to = text;
    for (const char *p = text; *p; p++) {
        if (*p != '\\' || !p[1]) {
            *to++ = *p;
            continue;
        }
        p++;
        *to++ = *p == 't' ? '\t' : *p == 'n' ? '\n' : *p == 'r' ? '\r' : *p;
    }
    *to = '\0';
}

/* The row as one line for the parent (the format is in the comment at the top). */
static void print_row_line(const row_t *row)
{
    line_t l = { .n = 0 };
    add(&l, "row\t%s\t%td\t%ld\t%d\t%d", row->workload->name, row->impl - bench_impls,
        row->param, row->runs, row->ok ? 1 : 0);
    for (int m = 0; m < BENCH_METRICS; m++)
        add(&l, "\t%.17g\t%.17g\t%.17g", row->median[m], row->min[m], row->max[m]);
    add(&l, "\t");
    add_escaped(&l, row->note);
    td_print("%s", l.s);
}

/* ---- the run ------------------------------------------------------------------------ */

/* A row not measured yet, named: impl's name and metrics with the values filled in. */
static void start_row(row_t *row, const bench_options_t *o, const bench_impl_t *impl,
                      const bench_workload_t *workload, long param)
{
    long messages = messages_of(o, workload);
    *row = (row_t){ .impl = impl, .workload = workload, .param = param };
    fill(row->name, sizeof row->name, impl->impl, param, messages);
    for (int m = 0; m < BENCH_METRICS && impl->metric[m]; m++)
        fill(row->metric[m], sizeof row->metric[m], impl->metric[m], param, messages);
    for (int m = 0; m < BENCH_METRICS; m++)
        row->median[m] = row->min[m] = row->max[m] = NAN;
}

/* The values a workload runs with: the one given on the command line, else its
 * defaults. Returns how many. */
static int param_values(const bench_options_t *o, const bench_workload_t *w, long out[3])
{
    long given = !w->param ? 0 : strcmp(w->param, "count") == 0 ? o->count
               : strcmp(w->param, "capacity") == 0 ? o->capacity
               : strcmp(w->param, "tasks") == 0 ? o->tasks : 0;
    if (!w->param) {
        out[0] = 0;
        return 1;
    }
    if (given > 0) {
        out[0] = given;
        return 1;
    }
    int n = 0;
    while (n < 3 && w->defaults[n] > 0) {
        out[n] = w->defaults[n];
        n++;
    }
    return n;
}

/* Whether the run includes the workload: the one asked for, or one of the list. */
static bool wanted(const bench_options_t *o, const bench_workload_t *w)
{
    if (o->only)
        return strcmp(o->only, w->name) == 0;
    if (!o->workloads)
        return true;
    size_t len = strlen(w->name);
    for (const char *p = o->workloads; *p; p += strcspn(p, ",")) {
        p += *p == ',';
        if (strncmp(p, w->name, len) == 0 && (p[len] == ',' || p[len] == '\0'))
            return true;
    }
    return false;
}

/* The rows of the run so far, and how they are reported. */
typedef struct report {
    const bench_options_t *o;
    row_t rows[MAX_ROWS];
    size_t n;
    bool all_ok;
} report_t;

/* Keep a measured (or received) row: a failed check said on stderr unless said
 * already, the row printed at once when rows go out one by one. */
static void keep_row(report_t *rep, const row_t *row, bool said)
{
    if (rep->n == MAX_ROWS)
        return;
    rep->rows[rep->n++] = *row;
    if (!row->ok) {
        rep->all_ok = false;
        if (!said && rep->o->format != BENCH_ROWS) /* else the parent says it */
            fprintf(stderr, "thrdemo: bench %s, %s: %s\n", row->workload->name, row->name,
                    row->note);
    }
    if (rep->o->format == BENCH_TABLE)
        print_table_row(rep->rows, rep->n, &rep->rows[rep->n - 1]);
    else if (rep->o->format == BENCH_ROWS)
        print_row_line(row);
}

/* Measure each implementation of the workload at each of its values, here. */
static void run_here(report_t *rep, const bench_workload_t *workload)
{
    const bench_options_t *o = rep->o;
    long values[3];
    int n_values = param_values(o, workload, values);
    for (int v = 0; v < n_values; v++) {
        for (size_t i = 0; i < bench_n_impls && !o->stopping(); i++) {
            if (strcmp(bench_impls[i].workload, workload->name) != 0)
                continue;
            row_t row;
            start_row(&row, o, &bench_impls[i], workload, values[v]);
            measure(o, &row);
            if (row.runs > 0) /* else stopped before a single run */
                keep_row(rep, &row, false);
        }
    }
}

/* What the parent knows while a child measures one workload. */
typedef struct child {
    report_t *rep;
    const bench_workload_t *workload;
    size_t first; /* its first row in rep->rows */
} child_t;

/* Cut line at its tabs into at most max fields: how many. */
static size_t split_tabs(char *line, char *field[], size_t max)
{
    size_t n = 0;
    field[n++] = line;
    for (char *tab = line; n < max && (tab = strchr(tab, '\t')) != NULL; field[n++] = tab)
        *tab++ = '\0';
    return n;
}

enum { ROW_FIELDS = 13 };

/* One line from the child: a row (kept as if measured here), or anything else,
 * which goes to stderr so that nothing it says is lost. */
static void take_row_line(char *line, void *arg)
{
    child_t *c = arg;
    char *field[ROW_FIELDS];
    if (strncmp(line, "row\t", 4) != 0) {
        fprintf(stderr, "%s\n", line);
        return;
    }
    size_t n = split_tabs(line, field, ROW_FIELDS);
    size_t impl = n == ROW_FIELDS ? (size_t)strtoul(field[2], NULL, 10) : bench_n_impls;
    if (impl >= bench_n_impls || strcmp(field[1], c->workload->name) != 0 ||
        strcmp(bench_impls[impl].workload, c->workload->name) != 0) {
        fprintf(stderr, "thrdemo: bench %s: its process sent a row this binary cannot read\n",
                c->workload->name);
        return; /* its rows then count as not sent */
    }
    row_t row;
    start_row(&row, c->rep->o, &bench_impls[impl], c->workload, strtol(field[3], NULL, 10));
    row.runs = (int)strtol(field[4], NULL, 10);
    row.ok = strcmp(field[5], "1") == 0;
    for (int m = 0; m < BENCH_METRICS; m++) {
        row.median[m] = strtod(field[6 + 3 * m], NULL);
        row.min[m] = strtod(field[7 + 3 * m], NULL);
        row.max[m] = strtod(field[8 + 3 * m], NULL);
    }
    unescape(field[12]);
    snprintf(row.note, sizeof row.note, "%s", field[12]);
    keep_row(c->rep, &row, false);
}

/* Each row of the workload its child did not send, FAILED with why (said once). */
static void fail_missing(child_t *c, const char *why)
{
    report_t *rep = c->rep;
    size_t last = rep->n;
    bool said = false;
    long values[3];
    int n_values = param_values(rep->o, c->workload, values);
    for (int v = 0; v < n_values; v++) {
        for (size_t i = 0; i < bench_n_impls; i++) {
            bool sent = false;
            for (size_t k = c->first; k < last && !sent; k++)
                sent = rep->rows[k].impl == &bench_impls[i] && rep->rows[k].param == values[v];
            if (sent || strcmp(bench_impls[i].workload, c->workload->name) != 0)
                continue;
            row_t row;
            start_row(&row, rep->o, &bench_impls[i], c->workload, values[v]);
            snprintf(row.note, sizeof row.note, "%.*s", (int)sizeof row.note - 1, why);
            if (!said)
                fprintf(stderr, "thrdemo: bench %s: %s\n", c->workload->name, row.note);
            said = true;
            keep_row(rep, &row, said);
        }
    }
}

/* Our environment with BENCH_ROWS_ENV added (freed by the caller), or NULL. */
static char **child_environment(bool progress)
{
    extern char **environ;
    size_t n = 0, k = 0, len = strlen(BENCH_ROWS_ENV);
    while (environ[n])
        n++;
    char **env = calloc(n + 2, sizeof *env);
    for (size_t i = 0; env && i < n; i++)
        if (strncmp(environ[i], BENCH_ROWS_ENV, len) != 0 || environ[i][len] != '=')
            env[k++] = environ[i];
    if (env)
        env[k] = progress ? BENCH_ROWS_ENV "=progress" : BENCH_ROWS_ENV "=1";
    return env;
}

/* Measure the workload in a process of its own and keep the rows it sends. */
static void run_apart(report_t *rep, const bench_workload_t *workload, char **env)
{
    const bench_options_t *o = rep->o;
    const char *words[BENCH_MAX_WORDS] = { "/proc/self/exe" };
    size_t n = 1 + o->child_words(o->child_ctx, workload->name, words + 1);
    words[n] = NULL;
    child_t c = { .rep = rep, .workload = workload, .first = rep->n };
    int status = 0;
    int rc = env ? bench_run_child((char *const *)words, env, o->stop_fd, take_row_line, &c,
                                   &status)
                 : -ENOMEM;
    if (rc == 0 && o->stopping())
        return; /* the rows it did not send were never measured, as here */
    line_t why = { .n = 0 };
    add(&why, "its process (thrdemo");
    for (size_t i = 1; i < n; i++)
        add(&why, " %s", words[i]);
    if (rc < 0) {
        add(&why, ") could not be started: %s", strerror(-rc));
    } else {
        char ended[160];
        bench_child_ended(status, ended, sizeof ended);
        add(&why, ") %s before measuring it", ended);
    }
    fail_missing(&c, why.s); /* none when it sent every row */
}

int bench_main(const bench_options_t *o)
{
    static report_t rep;
    rep.o = o;
    rep.n = 0;
    rep.all_ok = true;
    bool apart = o->child_words && !o->only;
    char **env = apart ? child_environment(o->progress) : NULL;
    bench_machine_t machine;
    bench_machine(&machine);
    bench_init();
    if (o->format == BENCH_TABLE)
        print_table_header(&machine);
    for (size_t w = 0; w < bench_n_workloads && !o->stopping(); w++) {
        if (!wanted(o, &bench_workloads[w]))
            continue;
        if (apart)
            run_apart(&rep, &bench_workloads[w], env);
        else
            run_here(&rep, &bench_workloads[w]);
    }
    free(env);
    if (o->format == BENCH_JSON)
        print_json(o, &machine, rep.rows, rep.n);
    else if (o->format == BENCH_CSV)
        print_csv(&machine, rep.rows, rep.n);
    return rep.all_ok ? 0 : 1;
}
