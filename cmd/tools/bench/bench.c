/* SPDX-License-Identifier: MIT */
/* bench.c - `thrdemo bench [WORKLOAD] [--runs N] [--json | --csv]`: how much a lock,
 * a wake-up, a queue hand-off, a timer, a thread and a coroutine switch really cost,
 * libthrdemo beside plain C (pthreads, futexes, atomics, swapcontext).
 *
 * Each implementation runs once to warm up, then --runs times, taking turns with
 * the others of its workload; the table shows the median, min and max, and says
 * how libthrdemo compares in words ("libthrdemo Lock is 1.31x faster than
 * pthread_mutex"). Every run checks itself (final counter 0,
 * every message received once, every thread joined); a failed check is said on
 * stderr with its reason and makes the exit status 1. --json and --csv carry the
 * machine, the build and the date with the figures; progress goes to stderr when
 * it is a terminal. `bench WORKLOAD` measures in this process; `bench all` runs
 * each workload in a process of its own (this binary again, with the options that
 * apply to it and THRDEMO_BENCH_ROWS=1 or =progress, which makes it hand its rows
 * back on its stdout), so that no workload's memory, threads or caches weigh on
 * another's figures. The workloads and the driver live beside it.
 *
 * Things to try: `bench lock`; `bench queue --capacity 1 --messages 20000`;
 * `bench queue-mpmc --messages 200000`; `bench all --workloads lock,queue --runs 3`;
 * `bench threads --count 1000 --json`; `bench async --tasks 1000000 --runs 1`;
 * scripts/bench.sh (adds CPython doing the
 * same work and judges the targets) and scripts/bench.sh --plot (the scaling curves
 * as SVG).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "scenarios/scenarios.h"
#include "tools/tools.h"

/* Its options, one enumerator per row of the table at the end, by which the story
 * reads them: a name mistyped does not compile. */
enum {
    BENCH_OPT_RUNS,
    BENCH_OPT_JSON,
    BENCH_OPT_CSV,
    BENCH_OPT_COUNT,
    BENCH_OPT_CAPACITY,
    BENCH_OPT_CAPACITY_QUEUE,
    BENCH_OPT_CAPACITY_QUEUE_MPMC,
    BENCH_OPT_MESSAGES,
    BENCH_OPT_MESSAGES_QUEUE,
    BENCH_OPT_MESSAGES_QUEUE_MPMC,
    BENCH_OPT_TASKS,
    BENCH_OPT_WORKLOADS,
};

/* The workload a word of --workloads names: 0, or the usage error said. */
static int check_workload(const cli_args_t *args, const char *word, size_t len)
{
    const char *names[64];
    size_t n = 0;
    for (const cli_variant_t *v = args->command->variants; v->summary && n < 64; v++) {
        if (strcmp(v->name, "all") == 0)
            continue;
        if (strlen(v->name) == len && strncmp(v->name, word, len) == 0)
            return 0;
        names[n++] = v->name;
    }
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)(len < 63 ? len : 63), word);
    const char *near = cli_nearest(name, names, n);
    if (near)
        return cli_usage_error("bench", "--workloads: no workload '%s'; did you mean '%s'?",
                               name, near);
    return cli_usage_error("bench", "--workloads: no workload '%s'", name);
}

static int check_bench(const cli_args_t *args)
{
    if (cli_flag(args, BENCH_OPT_JSON) && cli_flag(args, BENCH_OPT_CSV))
        return cli_usage_error("bench", "--json and --csv cannot be used together");
    if (!cli_has(args, BENCH_OPT_WORKLOADS) || !cli_given(args, BENCH_OPT_WORKLOADS))
        return 0;
    const char *list = cli_text(args, BENCH_OPT_WORKLOADS);
    for (const char *p = list;; p++) {
        size_t len = strcspn(p, ",");
        int rc = check_workload(args, p, len);
        if (rc != 0)
            return rc;
        p += len;
        if (!*p)
            return 0;
    }
}

/* An integer option of the chosen workload, or 0 (the workload's default) when the
 * workload has no such option or it was not given. */
static long given(const cli_args_t *args, cli_opt_t option)
{
    return cli_has(args, option) && cli_given(args, option) ? (long)cli_int(args, option) : 0;
}

/* What child_words needs: the parsed command line, room for "--name" words. */
typedef struct forwarding {
    const cli_args_t *args;
    char names[CLI_MAX_OPTIONS][40];
} forwarding_t;

/* Whether some option row called name applies to the variant called workload. */
static bool takes(const cli_command_t *cmd, const char *workload, const char *name)
{
    const cli_variant_t *variant = cmd->variants;
    while (variant->summary && strcmp(variant->name, workload) != 0)
        variant++;
    for (const cli_option_t *o = cmd->options; o->name; o++)
        if (strcmp(o->name, name) == 0 && cli_applies_to(o, variant))
            return true;
    return false;
}

/* `bench all`'s command line for one workload alone: "bench WORKLOAD --runs N" and
 * each option given that the workload takes (the output format stays the parent's). */
static size_t child_words(void *ctx, const char *workload, const char **words)
{
    forwarding_t *f = ctx;
    const cli_command_t *cmd = f->args->command;
    size_t n = 0;
    words[n++] = "bench";
    words[n++] = workload;
    words[n++] = "--runs";
    words[n++] = cli_text(f->args, BENCH_OPT_RUNS);
    for (size_t i = 0; cmd->options[i].name && n + 2 < BENCH_MAX_WORDS; i++) {
        const char *name = cmd->options[i].name;
        if (!f->args->given[i] || strcmp(name, "runs") == 0 || strcmp(name, "json") == 0 ||
            strcmp(name, "csv") == 0 || !takes(cmd, workload, name))
            continue;
        snprintf(f->names[i], sizeof f->names[i], "--%s", name);
        words[n++] = f->names[i];
        if (cmd->options[i].type != OPT_FLAG)
            words[n++] = f->args->text[i];
    }
    return n;
}

/* Whether this process measures a workload of `bench all` for its parent, and
 * whether the parent wants the progress line. */
static bool for_parent(bool *progress)
{
    const char *rows = getenv(BENCH_ROWS_ENV);
    *progress = rows && strcmp(rows, "progress") == 0;
    return rows && (strcmp(rows, "1") == 0 || *progress);
}

static bench_format_t format(const cli_args_t *args)
{
    return cli_flag(args, BENCH_OPT_JSON)  ? BENCH_JSON
           : cli_flag(args, BENCH_OPT_CSV) ? BENCH_CSV
                                           : BENCH_TABLE;
}

static int run_bench(const cli_args_t *args)
{
    static forwarding_t forwarding;
    forwarding.args = args;
    bool all = cli_variant_is(args, "all"), progress = false;
    bool child = for_parent(&progress);
    bench_options_t options = {
        .only = all ? NULL : args->variant->name,
        .workloads = all && cli_given(args, BENCH_OPT_WORKLOADS)
                         ? cli_text(args, BENCH_OPT_WORKLOADS)
                         : NULL,
        .runs = (int)cli_int(args, BENCH_OPT_RUNS),
        .format = child ? BENCH_ROWS : format(args),
        .count = given(args, BENCH_OPT_COUNT),
        .capacity = given(args, BENCH_OPT_CAPACITY),
        .tasks = given(args, BENCH_OPT_TASKS),
        .messages = given(args, BENCH_OPT_MESSAGES),
        .progress = child ? progress : isatty(STDERR_FILENO),
        .stopping = runner_stopping,
        .stop_fd = runner_stop_fd(),
        .child_words = all ? child_words : NULL,
        .child_ctx = &forwarding,
    };
    return bench_main(&options) == 0 ? EXIT_OK : EXIT_RUNTIME;
}

/* `thrdemo bench`: its variants, options, lesson and Python calls, which the parser,
 * the help and `list` read (cli.h). */
const cli_command_t tool_bench = {
    .name = "bench", .kind = CMD_TOOL, .run = run_bench, .check = check_bench,
    .no_schedule = "measures real time ('bench schedule' measures the scheduler)",
    .no_trace = "measures what the library costs, which recording every event would change",
    .summary = "what a lock, a wake-up, a queue hand-off, a timer, a thread, a switch cost",
    .about = "What a lock, a wake-up, a queue hand-off, a timer, a thread and a coroutine "
             "switch cost: libthrdemo beside pthreads, futexes, atomics and swapcontext. "
             "Each implementation runs once to warm up, then --runs times, taking turns with "
             "the others of its workload (memory rows one after the other), so that a "
             "machine whose speed drifts moves their ratios as little as it can; the table shows "
             "the median, min and max, each comparison said in words. Exit 1 if a "
             "self-check fails (the reason on stderr). 'bench WORKLOAD' measures in one "
             "process; 'bench all' runs each workload in a process of its own, so none "
             "inherits another's memory, threads or caches, and a crash is a FAILED row. "
             "scripts/bench.sh adds the same work done by CPython and judges the targets; "
             "scripts/bench.sh --plot draws the scaling curves.",
    .variants = (const cli_variant_t[]){
        { "all", "every workload below, one after the other, each in a process of its own",
          .example = "bench all --workloads lock,queue --runs 3" },
        { "lock", "2 threads, 1M increments and 1M decrements under a lock",
          .example = "bench lock" },
        { "event", "a token passed back and forth through two Events, 100,000 times",
          .example = "bench event --json" },
        { "event-sleep", "the same with 50 us of work per hand-off: the waiter sleeps",
          .example = "bench event-sleep" },
        { "queue", "1M integers from a producer to a consumer, capacity 10 and 1024",
          .example = "bench queue --capacity 1 --messages 20000" },
        { "queue-mpmc", "4 producers and 4 consumers, 5M integers in all, capacity 1 and 1024",
          .example = "bench queue-mpmc --capacity 16 --messages 200000" },
        { "queue-idle", "CPU time of a consumer waiting 1 s on an empty queue",
          .example = "bench queue-idle --runs 1" },
        { "timer", "200 one-shot 10 ms timers, 1 ms apart: lateness p50 and p99",
          .example = "bench timer" },
        { "threads", "10,000 threads wait on one Event, are released and joined",
          .example = "bench threads --count 1000 --json" },
        { "coro", "1M coroutine switches (resume + yield) and generator next() calls",
          .example = "bench coro --runs 3" },
        { "coro-sleep", "10,000 coroutines suspended at once: RSS and stack bytes touched",
          .example = "bench coro-sleep" },
        { "async-switch", "a task's resume+suspend on the loop's shared (copied) stack",
          .example = "bench async-switch" },
        { "async", "asyncio.run: 100,000 tasks (--tasks) gathered, each sleep(0): time, RSS "
                   "and memory per task",
          .example = "bench async --tasks 1000000 --runs 1" },
        { "async-sleep", "10,000 asyncio tasks asleep at once: peak RSS and stack bytes saved",
          .example = "bench async-sleep" },
        { "schedule", "--schedule's cost: a scheduling point, a switch, a futex hand-off",
          .example = "bench schedule --runs 3" },
        { "schedule-lock", "lock-counter's 2 x 1M Lock steps under --schedule random:1",
          .example = "bench schedule-lock --runs 1" },
        { "trace", "what recording costs (--trace): 2x200k Lock inc/dec with a recorder or not",
          .example = "bench trace --runs 3" },
        { 0 } },
    .options = (const cli_option_t[]){
        [BENCH_OPT_RUNS] = { "runs", OPT_INT, "5", 1, MAX_RUNS,
          .help = "measured runs per implementation (after one warm-up)" },
        [BENCH_OPT_JSON] = { "json", OPT_FLAG,
          .help = "one JSON document (machine, date, results) instead of the table" },
        [BENCH_OPT_CSV] = { "csv", OPT_FLAG,
          .help = "CSV, one row per figure, machine and date in every row" },
        [BENCH_OPT_COUNT] = { "count", OPT_INT, "10000", 1, 100000, .variants = "all threads",
          .help = "threads to start" },
        [BENCH_OPT_CAPACITY] = { "capacity", OPT_INT, NULL, 1, 1048576, .variants = "all",
          .help = "the capacity of every queue (default: each workload's own)" },
        [BENCH_OPT_CAPACITY_QUEUE] = { "capacity", OPT_INT, NULL, 1, 1048576,
          .variants = "queue",
          .help = "queue capacity (default: 10, then 1024)" },
        [BENCH_OPT_CAPACITY_QUEUE_MPMC] = { "capacity", OPT_INT, NULL, 1, 1048576,
          .variants = "queue-mpmc",
          .help = "queue capacity (default: 1, then 1024)" },
        [BENCH_OPT_MESSAGES] = { "messages", OPT_INT, NULL, 1, 100000000, .variants = "all",
          .help = "integers sent through every queue (default: 1000000 for queue, "
                  "5000000 for queue-mpmc)" },
        [BENCH_OPT_MESSAGES_QUEUE] = { "messages", OPT_INT, NULL, 1, 100000000,
          .variants = "queue",
          .help = "integers sent through the queue (default: 1000000)" },
        [BENCH_OPT_MESSAGES_QUEUE_MPMC] = { "messages", OPT_INT, NULL, 1, 100000000,
          .variants = "queue-mpmc",
          .help = "integers sent through the queue, a quarter by each producer (default: "
                  "5000000)" },
        [BENCH_OPT_TASKS] = { "tasks", OPT_INT, "100000", 1, 10000000, .variants = "all async",
          .help = "tasks gathered" },
        [BENCH_OPT_WORKLOADS] = { "workloads", OPT_STRING, .variants = "all", .metavar = "LIST",
          .help = "only these workloads, comma-separated, in the order above (default: "
                  "every one)" },
        { 0 } },
};
