/* SPDX-License-Identifier: MIT */
/* main.c - the thrdemo binary: global options, the scenario table, dispatch, and the
 * exit through libthrdemo's interpreter-exit rule.
 *
 * Like git's commands[], one table lists the scenarios; `list`, `help` and dispatch
 * all read it. Work common to every scenario happens here once: parsing before,
 * and after the run the stdout check and the exit that joins non-daemon threads.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <thrdemo/log.h>
#include <thrdemo/thread.h>

#include "cli.h"
#include "scenarios/scenarios.h"
#include "stats.h"

static const scenario_t *const scenarios[] = {
    &scenario_event,
    &scenario_monitor,
    &scenario_lock_counter,
    &scenario_threads,
    &scenario_timer,
    &scenario_daemon,
    &scenario_join_timeout,
    &scenario_enumerate,
    &scenario_prodcons,
    &scenario_redis_gate,
    &scenario_tcp_echo,
    &scenario_generator,
    &scenario_bench,
};
enum { N_SCENARIOS = sizeof scenarios / sizeof scenarios[0] };

static const scenario_t *find_scenario(const char *name)
{
    for (size_t i = 0; i < N_SCENARIOS; i++)
        if (strcmp(scenarios[i]->name, name) == 0)
            return scenarios[i];
    return NULL;
}

static void print_list(void)
{
    for (size_t i = 0; i < N_SCENARIOS; i++) {
        const scenario_t *sc = scenarios[i];
        if (!sc->variants) {
            printf("%-13s %-9s %s  %s\n", sc->name, "-", sc->seed, sc->summary);
            continue;
        }
        for (const cli_variant_t *v = sc->variants; v->name; v++)
            printf("%-13s %-9s %s  %s\n", sc->name, v->name, sc->seed, v->summary);
    }
}

static void print_usage(void)
{
    printf("usage: thrdemo [GLOBAL OPTIONS] SCENARIO [VARIANT] [SCENARIO OPTIONS]\n"
           "       thrdemo list | help SCENARIO | --help | --version\n\n"
           "Python's threading tutorials, re-created in C on POSIX threads.\n\n"
           "Scenarios:\n");
    for (size_t i = 0; i < N_SCENARIOS; i++) {
        const scenario_t *sc = scenarios[i];
        printf("  %-13s %s\n", sc->name, sc->variants ? sc->variants[0].summary : sc->summary);
    }
    printf("\nGlobal options (before or after SCENARIO):\n"
           "  --scale F      multiply every duration by F > 0 (default 1, env THRDEMO_SCALE)\n"
           "  --seed N       seed every random choice (env THRDEMO_SEED)\n"
           "  --stats        print wall time, threads and counts on stderr after the run\n"
           "  --quiet        leave out per-item lines (prodcons, tcp-echo), keep milestones\n"
           "  --help         show this help; 'thrdemo SCENARIO --help' for a scenario's\n"
           "  --version      show the version\n\n"
           "Exit status: 0 success, 1 runtime failure, 2 usage error, 130 after Ctrl-C.\n");
}

/* THRDEMO_SCALE and THRDEMO_SEED, parsed as strictly as the options. */
static int read_environment(void)
{
    const char *scale = getenv("THRDEMO_SCALE");
    if (scale && *scale) {
        double s;
        if (cli_parse_double(scale, &s) != 0 || !(s > 0))
            return cli_usage_error(NULL, "THRDEMO_SCALE: '%s' is not a number over 0", scale);
        cli_globals.scale = s;
    }
    const char *seed = getenv("THRDEMO_SEED");
    if (seed && *seed) {
        if (cli_parse_u64(seed, &cli_globals.seed) != 0)
            return cli_usage_error(NULL, "THRDEMO_SEED: '%s' is not a whole number >= 0", seed);
        cli_globals.seed_given = true;
    }
    return 0;
}

/* Global options before the scenario's name; *first is left at that name. */
static int leading_globals(int argc, char **argv, int *first)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            print_usage();
            exit(EXIT_OK);
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("thrdemo %s\n", td_version());
            exit(EXIT_OK);
        }
        int g = cli_global_option(NULL, argc, argv, &i);
        if (g < 0)
            return -g;
        if (g == 0)
            return cli_usage_error(NULL, "unknown option '%s'", argv[i]);
    }
    *first = i;
    return 0;
}

/* After the run: report a failed stdout (a full disk, a closed pipe) as git does. */
static int check_output(int rc)
{
    int err = td_log_status();
    if (fflush(stdout) != 0 && err == 0)
        err = -1;
    if (err != 0) {
        cli_error("error writing the output: %s", err == -1 ? "stdio" : strerror(-err));
        return rc == EXIT_OK ? EXIT_RUNTIME : rc;
    }
    return rc;
}

static int run_scenario(const scenario_t *sc, int argc, char **argv)
{
    cli_args_t args;
    bool help;
    int rc = cli_parse(sc, argc, argv, &args, &help);
    if (rc != 0)
        return rc;
    if (help) {
        cli_print_help(sc);
        return EXIT_OK;
    }
    if (cli_globals.stats)
        stats_enable();
    cli_install_signals();
    rc = sc->run(&args);
    /* Python's threading._shutdown: wait for the non-daemon threads the scenario
     * left running (daemon --no-daemon), so that a Ctrl-C meanwhile still counts. */
    td_shutdown();
    if (cli_stop_signal() != 0) {
        cli_error("interrupted by %s", cli_stop_signal() == SIGINT ? "Ctrl-C" : "SIGTERM");
        rc = 128 + cli_stop_signal();
    }
    return check_output(rc);
}

int main(int argc, char **argv)
{
    int rc = read_environment();
    int first = 1;
    if (rc == 0)
        rc = leading_globals(argc, argv, &first);
    if (rc != 0)
        return rc;
    if (first >= argc)
        return cli_usage_error(NULL, "no scenario given; 'thrdemo list' shows them");
    const char *name = argv[first];
    if (strcmp(name, "list") == 0) {
        if (first + 1 < argc)
            return cli_usage_error(NULL, "list takes no arguments");
        print_list();
        return check_output(EXIT_OK);
    }
    if (strcmp(name, "help") == 0) {
        if (first + 2 != argc)
            return cli_usage_error(NULL, "usage: thrdemo help SCENARIO");
        const scenario_t *sc = find_scenario(argv[first + 1]);
        if (!sc)
            return cli_usage_error(NULL, "unknown scenario '%s'", argv[first + 1]);
        cli_print_help(sc);
        return check_output(EXIT_OK);
    }
    const scenario_t *sc = find_scenario(name);
    if (!sc)
        return cli_usage_error(NULL, "unknown scenario '%s'", name);
    /* The exit rule: non-daemon threads have finished, daemon threads die here. */
    td_exit(run_scenario(sc, argc - first - 1, argv + first + 1));
}
