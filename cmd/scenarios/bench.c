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
 * `bench threads --count 1000 --json`; scripts/bench.sh (adds CPython doing the
 * same work) and scripts/bench.sh --plot (the scaling curves as SVG).
 */
#include <unistd.h>

#include "../bench/bench.h"
#include "scenarios.h"

static int run(const cli_args_t *args)
{
    if (cli_flag(args, "json") && cli_flag(args, "csv"))
        return cli_usage_error("bench", "--json and --csv cannot be used together");
    bench_options_t options = {
        .only = cli_variant_is(args, "all") ? NULL : args->variant,
        .runs = (int)cli_int(args, "runs"),
        .format = cli_flag(args, "json") ? BENCH_JSON : cli_flag(args, "csv") ? BENCH_CSV
                                                                                : BENCH_TABLE,
        .count = cli_int(args, "count"),
        .capacity = cli_flag(args, "capacity") ? cli_int(args, "capacity") : 0,
        .messages = cli_int(args, "messages"),
        .progress = isatty(STDERR_FILENO),
        .stopping = cli_stopping,
    };
    return bench_main(&options) == 0 ? EXIT_OK : EXIT_RUNTIME;
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
    { "runs", OPT_INT, "5", "measured runs per implementation (after one warm-up)", NULL, 1, 101, false, 0 },
    { "json", OPT_FLAG, NULL, "one JSON document (machine, date, results) instead of the table", NULL, 0, 0, false, 0 },
    { "csv", OPT_FLAG, NULL, "CSV, one row per figure, machine and date in every row", NULL, 0, 0, false, 0 },
    { "count", OPT_INT, "10000", "threads to start", "all threads", 1, 100000, false, 0 },
    { "capacity", OPT_INT, NULL, "queue capacity (default: 10, then 1024)", "all queue", 1, 1048576, false, 0 },
    { "messages", OPT_INT, "1000000", "integers sent through the queue", "all queue", 1000, 100000000, false, 0 },
    { 0 },
};

const scenario_t scenario_bench = {
    .name = "bench",
    .seed = "-",
    .variants = variants,
    .options = options,
    .run = run,
    .help = "What a lock, a wake-up, a queue hand-off, a timer and a thread cost: libthrdemo\n"
            "beside pthreads, futexes and atomics, in one process, each comparison said in\n"
            "words. Exit 1 if a self-check fails (the reason on stderr).\n"
            "Things to try: 'bench lock'; 'bench queue --capacity 1 --messages 20000';\n"
            "'bench threads --count 1000 --json'; scripts/bench.sh; scripts/bench.sh --plot.\n",
};
