/* SPDX-License-Identifier: MIT */
/* bench_driver.c - runs the workloads `thrdemo bench` was asked for and hands the
 * rows to the report: a table (printed row by row as they are measured), or one JSON
 * document, or CSV, each carrying the machine and the date.
 *
 * Each implementation runs once to warm up, then `runs` times, the implementations
 * compared with each other taking turns (one run of each per round; memory rows one
 * after the other, see measure()); a row holds the median, min and max of each
 * metric. A workload with a parameter (threads' count,
 * queue's capacity) runs once per value, and its implementations are compared at
 * the same value (bench_report.c prints the rows and says each comparison in
 * words). A failed self-check stops that implementation's runs and is said
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

#include "bench_report.h"

enum { MAX_RUNS = 101, MAX_ROWS = 128 };

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

/* One implementation's figures so far. */
typedef struct samples {
    row_t *row;
    double values[BENCH_METRICS][MAX_RUNS];
    int n;
    bool failed; /* a check failed: no more runs */
} samples_t;

/* Run row's implementation once (run -1 is the warm-up) and keep its figures; a
 * failed check keeps the run's figures only if it is the row's first. */
static void run_once(const bench_options_t *o, samples_t *s, int run)
{
    row_t *row = s->row;
    show_progress(o, row, run);
    bench_result_t r = { .param = row->param, .messages = messages_of(o, row->workload),
                         .ok = true };
    row->impl->run(&r);
    if ((run >= 0 || !r.ok) && s->n < MAX_RUNS) {
        for (int m = 0; m < BENCH_METRICS; m++)
            s->values[m][s->n] = r.value[m];
        s->n++;
    }
    if (!r.ok) {
        s->failed = true;
        row->ok = false;
        snprintf(row->note, sizeof row->note, "%s", r.note);
    }
}

/* The median, min and max of each metric into the row. */
static void summarise(samples_t *s)
{
    row_t *row = s->row;
    int n = s->n;
    row->runs = n;
    for (int m = 0; m < BENCH_METRICS && n > 0; m++) {
        qsort(s->values[m], (size_t)n, sizeof s->values[m][0], by_value);
        row->min[m] = s->values[m][0];
        row->max[m] = s->values[m][n - 1];
        row->median[m] = n % 2 ? s->values[m][n / 2]
                               : (s->values[m][n / 2 - 1] + s->values[m][n / 2]) / 2;
    }
}

/* Whether the workload's rows are measured in turns: all of them but those that
 * measure memory, which must not find what another implementation left behind
 * (freed stacks held for reuse, a peak set by the run before). */
static bool measured_in_turns(const row_t *rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (int m = 0; m < BENCH_METRICS; m++)
            if (rows[i].impl->metric[m] && rows[i].impl->kind[m] == BENCH_MEMORY)
                return false;
    return n > 1;
}

/* Warm up each row's implementation once, then measure each up to o->runs times.
 * Rows compared with each other take turns, one run of each in every round, so
 * that a machine whose speed drifts over the minutes (another guest on the host, a
 * frequency change) moves their ratio as little as it can: measured one row after
 * the other, the Lock's five runs and pthread_mutex's five a few seconds later
 * came out 0.69x one evening and 1.11x two hours before. Memory rows go one after
 * the other (measured_in_turns). A failed check ends that row's runs. */
static void measure(const bench_options_t *o, row_t *rows, size_t n)
{
    static samples_t samples[MAX_ROWS];
    for (size_t i = 0; i < n; i++) {
        rows[i].ok = true;
        samples[i] = (samples_t){ .row = &rows[i] };
    }
    int runs = o->runs < MAX_RUNS ? o->runs : MAX_RUNS;
    bool turns = measured_in_turns(rows, n);
    size_t group = turns ? n : 1; /* the rows that take turns: all, or one at a time */
    for (size_t first = 0; first < n; first += group)
        for (int run = -1; run < runs && !o->stopping(); run++)
            for (size_t i = first; i < first + group && !o->stopping(); i++)
                if (!samples[i].failed)
                    run_once(o, &samples[i], run);
    clear_progress(o);
    for (size_t i = 0; i < n; i++)
        summarise(&samples[i]);
}

/* ---- rows between processes -------------------------------------------------------- */

static void add_escaped(line_t *l, const char *text)
{
    for (const char *p = text; *p; p++) {
        switch (*p) {
        case '\\': bench_add(l, "\\\\"); break;
        case '\t': bench_add(l, "\\t"); break;
        case '\n': bench_add(l, "\\n"); break;
        case '\r': bench_add(l, "\\r"); break;
        default: bench_add(l, "%c", *p);
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
    bench_add(&l, "row\t%s\t%td\t%ld\t%d\t%d", row->workload->name, row->impl - bench_impls,
        row->param, row->runs, row->ok ? 1 : 0);
    for (int m = 0; m < BENCH_METRICS; m++)
        bench_add(&l, "\t%.17g\t%.17g\t%.17g", row->median[m], row->min[m], row->max[m]);
    bench_add(&l, "\t");
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
        bench_print_table_row(rep->rows, rep->n, &rep->rows[rep->n - 1]);
    else if (rep->o->format == BENCH_ROWS)
        print_row_line(row);
}

/* Measure each implementation of the workload at each of its values, here. */
static void run_here(report_t *rep, const bench_workload_t *workload)
{
    const bench_options_t *o = rep->o;
    long values[3];
    int n_values = param_values(o, workload, values);
    for (int v = 0; v < n_values && !o->stopping(); v++) {
        static row_t rows[MAX_ROWS];
        size_t n = 0;
        for (size_t i = 0; i < bench_n_impls && n < MAX_ROWS; i++)
            if (strcmp(bench_impls[i].workload, workload->name) == 0)
                start_row(&rows[n++], o, &bench_impls[i], workload, values[v]);
        measure(o, rows, n);
        for (size_t i = 0; i < n; i++)
            if (rows[i].runs > 0) /* else stopped before a single run */
                keep_row(rep, &rows[i], false);
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
    bench_add(&why, "its process (thrdemo");
    for (size_t i = 1; i < n; i++)
        bench_add(&why, " %s", words[i]);
    if (rc < 0) {
        bench_add(&why, ") could not be started: %s", strerror(-rc));
    } else {
        char ended[160];
        bench_child_ended(status, ended, sizeof ended);
        bench_add(&why, ") %s before measuring it", ended);
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
        bench_print_table_header(&machine);
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
        bench_print_json(o, &machine, rep.rows, rep.n);
    else if (o->format == BENCH_CSV)
        bench_print_csv(&machine, rep.rows, rep.n);
    return rep.all_ok ? 0 : 1;
}
