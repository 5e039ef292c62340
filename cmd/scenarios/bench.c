/* SPDX-License-Identifier: MIT */
/* bench.c - `thrdemo bench [WORKLOAD] [--runs N] [--json]`: how much a lock, a
 * wake-up, a queue hand-off, a timer, a thread and a coroutine switch really cost,
 * libthrdemo beside plain C (pthreads, futexes, atomics, swapcontext), all in this
 * one process.
 *
 * Each implementation runs once to warm up, then --runs times; the table shows the
 * median, min and max and the ratio of the median to libthrdemo's own figure in the
 * same workload. Every run checks itself (final counter 0, every message received
 * once, every thread joined); a failed check is shown and makes the exit status 1.
 * The workloads live in cmd/bench/, one file each.
 *
 * Things to try: `bench lock`; `bench queue --runs 11`; scripts/bench.sh, which adds
 * the same work done by CPython.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <thrdemo/log.h>

#include "../bench/bench.h"
#include "scenarios.h"

enum { MAX_RUNS = 101 };

struct row {
    const bench_impl_t *impl;
    double median[BENCH_METRICS], min[BENCH_METRICS], max[BENCH_METRICS];
    bool ok;
    char note[120];
};

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void measure(const bench_impl_t *impl, int runs, struct row *row)
{
    double values[BENCH_METRICS][MAX_RUNS];
    row->impl = impl;
    row->ok = true;
    for (int run = -1; run < runs && !cli_stopping(); run++) { /* run -1: the warm-up */
        bench_result_t r = { .ok = true };
        impl->run(&r);
        if (!r.ok && row->ok) {
            row->ok = false;
            snprintf(row->note, sizeof row->note, "%s", r.note);
        }
        for (int m = 0; m < BENCH_METRICS && run >= 0; m++)
            values[m][run] = r.value[m];
    }
    for (int m = 0; m < BENCH_METRICS; m++) {
        qsort(values[m], (size_t)runs, sizeof values[m][0], by_value);
        row->min[m] = values[m][0];
        row->max[m] = values[m][runs - 1];
        row->median[m] = runs % 2 ? values[m][runs / 2]
                                  : (values[m][runs / 2 - 1] + values[m][runs / 2]) / 2;
    }
}

/* libthrdemo's median for the same workload and metric (or 0). */
static double reference_of(const struct row *rows, size_t n, const struct row *row, int m)
{
    for (size_t i = 0; i < n; i++)
        if (rows[i].impl->reference && strcmp(rows[i].impl->workload, row->impl->workload) == 0)
            return rows[i].median[m];
    return 0;
}

static void print_row(const struct row *row, double ref, int m, bool json)
{
    const bench_impl_t *b = row->impl;
    double ratio = ref > 0 ? row->median[m] / ref : 0;
    if (json) {
        td_print("{\"workload\": \"%s\", \"implementation\": \"%s\", \"metric\": \"%s\", "
                 "\"unit\": \"%s\", \"median\": %.6g, \"min\": %.6g, \"max\": %.6g, "
                 "\"ratio\": %.4g, \"ok\": %s, \"note\": \"%s\"}",
                 b->workload, b->impl, b->metric[m], b->unit[m], row->median[m], row->min[m],
                 row->max[m], ratio, row->ok ? "true" : "false", row->note);
        return;
    }
    td_print("%-12s %-28s %-22s %-6s %12.4g %12.4g %12.4g %7.2f  %s", b->workload, b->impl,
             b->metric[m], b->unit[m], row->median[m], row->min[m], row->max[m], ratio,
             row->ok ? "ok" : row->note);
}

static int run(const cli_args_t *args)
{
    int runs = (int)cli_int(args, "runs");
    bool json = cli_flag(args, "json");
    const char *only = cli_variant_is(args, "all") ? NULL : args->variant;
    static struct row rows[64];
    size_t n = 0;
    bool all_ok = true;
    bench_init();
    if (!json)
        td_print("%-12s %-28s %-22s %-6s %12s %12s %12s %7s  %s", "workload", "implementation",
                 "metric", "unit", "median", "min", "max", "ratio", "check");
    for (size_t i = 0; i < bench_n_impls && !cli_stopping(); i++) {
        const bench_impl_t *impl = &bench_impls[i];
        if (only && strcmp(only, impl->workload) != 0)
            continue;
        struct row *row = &rows[n++];
        measure(impl, runs, row);
        all_ok &= row->ok;
        for (int m = 0; m < BENCH_METRICS && impl->metric[m]; m++)
            print_row(row, reference_of(rows, n, row, m), m, json);
    }
    return all_ok ? EXIT_OK : EXIT_RUNTIME;
}

static const cli_variant_t variants[] = {
    { "all", "every workload below, one after the other" },
    { "lock", "2 threads, 1M increments and 1M decrements under a lock" },
    { "event", "a token passed back and forth through two Events, 100,000 times" },
    { "event-sleep", "the same with 50 us of work per hand-off: the waiter sleeps" },
    { "queue", "1M integers from a producer to a consumer, capacity 10 and 1024" },
    { "queue-idle", "CPU time of a consumer waiting 1 s on an empty queue" },
    { "timer", "200 one-shot 10 ms timers, 1 ms apart: lateness p50 and p99" },
    { "threads", "10,000 threads wait on one Event, are released and joined" },
    { "coro", "1M coroutine switches (resume + yield) and generator next() calls" },
    { "coro-sleep", "10,000 coroutines suspended at once: RSS and stack bytes touched" },
    { 0 },
};

static const cli_option_t options[] = {
    { "runs", OPT_INT, "5", "measured runs per implementation (after one warm-up)", NULL, 1, MAX_RUNS, false, 0 },
    { "json", OPT_FLAG, NULL, "one JSON object per line instead of the table", NULL, 0, 0, false, 0 },
    { 0 },
};

const scenario_t scenario_bench = {
    .name = "bench",
    .seed = "-",
    .variants = variants,
    .options = options,
    .run = run,
    .help = "What a lock, a wake-up, a queue hand-off, a timer and a thread cost: libthrdemo\n"
            "beside pthreads, futexes and atomics, in one process. Exit 1 if a self-check\n"
            "fails. Things to try: 'bench lock'; 'bench queue --runs 11'; scripts/bench.sh.\n",
};
