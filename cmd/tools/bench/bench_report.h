/* SPDX-License-Identifier: MIT */
/* bench_report.h - between the bench driver (bench_driver.c: measuring, the rows
 * between processes, the run) and its report (bench_report.c: the comparisons in
 * words, the table, JSON and CSV): a measured row, and a line being built. */
#ifndef THRDEMO_BENCH_REPORT_H
#define THRDEMO_BENCH_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "bench.h"

enum { BENCH_LINE = 2048 };

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

typedef struct line {
    char s[BENCH_LINE];
    size_t n;
} line_t;

/* Append printf's output to l, cut short at its end. */
void bench_add(line_t *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The table's first lines: the machine, then the column heads. */
void bench_print_table_header(const bench_machine_t *mc);
/* One row of the table (one line per metric), compared with libthrdemo's row among
 * rows[0..n). */
void bench_print_table_row(const row_t *rows, size_t n, const row_t *row);
/* Every row as one JSON document, with the machine and the options. */
void bench_print_json(const bench_options_t *o, const bench_machine_t *mc,
                      const row_t *rows, size_t n);
/* Every row as CSV, one line per figure, the machine in each. */
void bench_print_csv(const bench_machine_t *mc, const row_t *rows, size_t n);

#endif
