/* SPDX-License-Identifier: MIT */
/* schedrun.c - --schedule around a run: begin, stuck reports, the replay line.
 *
 * The schedule begins on the main thread before the scenario starts any thread, so
 * every thread it starts is controlled. A stuck run (deadlock, step limit) ends in
 * on_stuck on a controlled thread while the others stay parked: it writes the
 * report and the replay line and leaves with _exit, since exit()'s handlers would
 * take locks and reach scheduling points of a schedule that cannot go on.
 *
 * A run that `explore --all` starts finds THRDEMO_EXPLORE_FD in its environment: on
 * that descriptor it reads the exploration's request and writes its decisions
 * (td_explore_child); the variable is explore's and this file's only. A run that
 * `thrdemo step` drives finds THRDEMO_STEP_FD (stepchild.c).
 */
#include "schedrun.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <thrdemo/explore.h>
#include <thrdemo/schedule.h>

#include "cli/cli.h"
#include "explain.h"
#include "stepchild.h"

static int saved_argc;
static char **saved_argv;
static bool active;
static bool exploring; /* a run of explore --all */
static bool stepped;   /* a run that thrdemo step drives */
static void (*stop_fn)(void);

void schedrun_remember(int argc, char **argv)
{
    saved_argc = argc;
    saved_argv = argv;
}

const char *schedrun_program(void)
{
    return saved_argc > 0 && saved_argv[0][0] ? saved_argv[0] : "thrdemo";
}

char **schedrun_argv(void)
{
    return saved_argv;
}

int schedrun_argc(void)
{
    return saved_argc;
}

bool schedrun_active(void)
{
    return active;
}

const char *schedrun_grouped(unsigned long long value, char buf[32])
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%llu", value), o = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}

/* Whether a shell would read word back as itself, unquoted. */
static bool plain_word(const char *word)
{
    return *word && strspn(word, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                 "0123456789-_=:,./+@%") == strlen(word);
}

size_t schedrun_shell_words(char *buf, size_t size, int n, char *const *words)
{
    size_t len = 0;
    for (int i = 0; i < n; i++) {
        const char *w = words[i];
        char piece[4096];
        size_t p = 0;
        if (plain_word(w)) {
            p = (size_t)snprintf(piece, sizeof piece, "%s", w);
        } else { /* 'it'\''s': single quotes, each ' as '\'' */
            piece[p++] = '\'';
            for (; *w && p + 6 < sizeof piece; w++) {
                if (*w == '\'') {
                    memcpy(piece + p, "'\\''", 4);
                    p += 4;
                } else {
                    piece[p++] = *w;
                }
            }
            piece[p++] = '\'';
            piece[p] = '\0';
        }
        int wrote = snprintf(len < size ? buf + len : NULL, len < size ? size - len : 0, "%s%s",
                             i ? " " : "", piece);
        len += wrote > 0 ? (size_t)wrote : 0;
    }
    if (n == 0 && size)
        buf[0] = '\0';
    return len;
}

size_t schedrun_command_line(char *buf, size_t size, int n, char *const *words)
{
    char *program[] = { (char *)cli_program() };
    size_t len = schedrun_shell_words(buf, size, 1, program);
    if (n == 0)
        return len;
    size_t rest = len + 1 < size ? size - len - 1 : 0;
    if (rest)
        buf[len] = ' ';
    return len + 1 + schedrun_shell_words(rest ? buf + len + 1 : NULL, rest, n, words);
}

/* "thrdemo: schedule random:5 (4,123 scheduling points); replay: thrdemo ..." */
static void replay_line(void)
{
    if (cli_globals.policy.kind == TD_POLICY_FIFO || exploring || stepped)
        return; /* one fixed order: the command itself replays it; explore and step say
                   their own */
    char policy[8192], steps[32], command[8192];
    td_policy_format(&cli_globals.policy, policy, sizeof policy);
    schedrun_command_line(command, sizeof command, saved_argc - 1, saved_argv + 1);
    fprintf(stderr, "thrdemo: schedule %s (%s scheduling points); replay: %s\n", policy,
            schedrun_grouped(td_sched_steps(), steps), command);
}

static void on_stuck(int why, const char *report, void *ctx)
{
    (void)ctx;
    /* An exploration's run that could only repeat explored schedules: nothing to say.
     * It leaves by the system call itself, past a sanitizer's exit hooks, which would
     * report the threads it stopped by design as leaked. */
    if (why == TD_SCHED_REDUNDANT)
        syscall(SYS_exit_group, EXIT_OK);
    fflush(stdout);
    explain_print(); /* how it came to this, before who waits for what */
    fprintf(stderr, "thrdemo: %s", report); /* its first line, then one per thread */
    replay_line();
    fflush(stderr);
    _exit(why == TD_SCHED_DEADLOCK ? EXIT_DEADLOCK : EXIT_MAX_STEPS);
}

static void on_interrupt(void *ctx)
{
    (void)ctx;
    stop_fn();
}

int schedrun_begin(void (*stop)(void))
{
    if (!cli_globals.scheduled)
        return 0;
    if (!cli_globals.seed_given) { /* random values come from the schedule's seed */
        cli_globals.seed = cli_globals.policy.kind == TD_POLICY_FIFO ? 0 : cli_globals.policy.seed;
        cli_globals.seed_given = true;
    }
    cli_globals.scale = 1.0; /* virtual time costs nothing: no reason to scale it */
    stop_fn = stop;
    td_sched_config_t config = { .policy = cli_globals.policy,
                                 .max_steps = cli_globals.max_steps,
                                 .on_interrupt = on_interrupt,
                                 .on_stuck = on_stuck };
    const char *explore_fd = getenv("THRDEMO_EXPLORE_FD");
    if (explore_fd && td_explore_child(atoi(explore_fd), &config) != 0) {
        cli_error("cannot read the exploration's request on descriptor %s", explore_fd);
        return EXIT_RUNTIME;
    }
    exploring = explore_fd != NULL;
    stepped = !exploring && stepchild_begin(&config);
    explain_begin(&config);
    int rc = td_sched_begin(&config);
    if (rc != 0) {
        cli_error("cannot begin the schedule: %s", td_strerror(rc));
        return EXIT_RUNTIME;
    }
    active = true;
    atexit(replay_line); /* before --stats registers its summary: printed after it */
    atexit(explain_print); /* before the replay line, which stays the last */
    return 0;
}
