/* SPDX-License-Identifier: MIT */
/* bench.c - `thrdemo bench [WORKLOAD] [--runs N] [--json | --csv]`: how much a lock,
 * a wake-up, a queue hand-off, a timer, a thread and a coroutine switch really cost,
 * libthrdemo beside plain C (pthreads, futexes, atomics, swapcontext).
 *
 * Each implementation runs once to warm up, then --runs times; the table shows the
 * median, min and max, and says how libthrdemo compares in words ("libthrdemo Lock
 * is 1.31x faster than pthread_mutex"). Every run checks itself (final counter 0,
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

int check_bench(const cli_args_t *args)
{
    if (cli_flag(args, "json") && cli_flag(args, "csv"))
        return cli_usage_error("bench", "--json and --csv cannot be used together");
    if (!cli_has(args, "workloads") || !cli_given(args, "workloads"))
        return 0;
    const char *list = cli_text(args, "workloads");
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
static long given(const cli_args_t *args, const char *name)
{
    return cli_has(args, name) && cli_given(args, name) ? (long)cli_int(args, name) : 0;
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
    words[n++] = cli_text(f->args, "runs");
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
    return cli_flag(args, "json") ? BENCH_JSON : cli_flag(args, "csv") ? BENCH_CSV : BENCH_TABLE;
}

int run_bench(const cli_args_t *args)
{
    static forwarding_t forwarding;
    forwarding.args = args;
    bool all = cli_variant_is(args, "all"), progress = false;
    bool child = for_parent(&progress);
    bench_options_t options = {
        .only = all ? NULL : args->variant->name,
        .workloads = all && cli_given(args, "workloads") ? cli_text(args, "workloads") : NULL,
        .runs = (int)cli_int(args, "runs"),
        .format = child ? BENCH_ROWS : format(args),
        .count = given(args, "count"),
        .capacity = given(args, "capacity"),
        .tasks = given(args, "tasks"),
        .messages = given(args, "messages"),
        .progress = child ? progress : isatty(STDERR_FILENO),
        .stopping = runner_stopping,
        .stop_fd = runner_stop_fd(),
        .child_words = all ? child_words : NULL,
        .child_ctx = &forwarding,
    };
    return bench_main(&options) == 0 ? EXIT_OK : EXIT_RUNTIME;
}
