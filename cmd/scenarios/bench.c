/* SPDX-License-Identifier: MIT */
/* bench.c - `thrdemo bench [WORKLOAD] [--runs N] [--json | --csv]`: how much a lock,
 * a wake-up, a queue hand-off, a timer, a thread and a coroutine switch really cost,
 * libthrdemo beside plain C (pthreads, futexes, atomics, swapcontext), all in this
 * one process.
 *
 * Each implementation runs once to warm up, then --runs times; the table shows the
 * median, min and max, and says how libthrdemo compares in words ("libthrdemo Lock
 * is 1.31x faster than pthread_mutex"). Every run checks itself (final counter 0,
 * every message received once, every thread joined); a failed check is said on
 * stderr with its reason and makes the exit status 1. --json and --csv carry the
 * machine, the build and the date with the figures; progress goes to stderr when
 * it is a terminal. The workloads and the driver live in cmd/bench/.
 *
 * Things to try: `bench lock`; `bench queue --capacity 1 --messages 20000`;
 * `bench threads --count 1000 --json`; `bench async --tasks 1000000 --runs 1`;
 * scripts/bench.sh (adds CPython doing the
 * same work) and scripts/bench.sh --plot (the scaling curves as SVG).
 */
#include <unistd.h>

#include "../bench/bench.h"
#include "scenarios.h"

int check_bench(const cli_args_t *args)
{
    if (cli_flag(args, "json") && cli_flag(args, "csv"))
        return cli_usage_error("bench", "--json and --csv cannot be used together");
    return 0;
}

/* An integer option of the chosen workload, or 0 (the workload's default) when the
 * workload has no such option or it was not given. */
static long given(const cli_args_t *args, const char *name)
{
    return cli_has(args, name) && cli_given(args, name) ? (long)cli_int(args, name) : 0;
}

int run_bench(const cli_args_t *args)
{
    bench_options_t options = {
        .only = cli_variant_is(args, "all") ? NULL : args->variant->name,
        .runs = (int)cli_int(args, "runs"),
        .format = cli_flag(args, "json") ? BENCH_JSON : cli_flag(args, "csv") ? BENCH_CSV
                                                                                : BENCH_TABLE,
        .count = given(args, "count"),
        .capacity = given(args, "capacity"),
        .messages = cli_has(args, "messages") ? (long)cli_int(args, "messages") : 0,
        .progress = isatty(STDERR_FILENO),
        .stopping = runner_stopping,
    };
    bench_async_set_tasks(given(args, "tasks")); /* async's own: not a driver option */
    return bench_main(&options) == 0 ? EXIT_OK : EXIT_RUNTIME;
}
