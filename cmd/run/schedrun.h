/* SPDX-License-Identifier: MIT */
/* schedrun.h - a command run under --schedule (the library's schedule.h): the
 * schedule begun before the scenario starts a thread, a stuck run reported on stderr
 * (exit 3 for a deadlock, 4 for --max-steps), Ctrl-C turned into a flag the scheduler
 * checks, and under random and pct a last line on stderr that says how to replay the
 * run. The runner calls it; without --schedule it does nothing. */
#ifndef THRDEMO_SCHEDRUN_H
#define THRDEMO_SCHEDRUN_H

#include <stdbool.h>
#include <stddef.h>

/* Remember the command line as typed, for the replay line. */
void schedrun_remember(int argc, char **argv);
/* thrdemo as it was invoked (argv[0]: "thrdemo" from PATH, "build/thrdemo"), for
 * the commands it prints. */
const char *schedrun_program(void);
/* The command line as typed (schedrun_remember's): its words, and how many. */
char **schedrun_argv(void);
int schedrun_argc(void);
/* Under --schedule, begin the schedule: from now on every thread the scenario starts
 * is controlled, and stop() runs on a controlled thread after a signal (through
 * td_sched_interrupt). --seed defaults to the policy's seed, --scale to 1. Returns 0,
 * or EXIT_RUNTIME after saying why. Without --schedule: 0, nothing done. */
int schedrun_begin(void (*stop)(void));
/* Whether the run is under --schedule (from schedrun_begin until the process ends). */
bool schedrun_active(void);

/* words[0..n) as a shell reads them back, each quoted when it must be, separated by
 * spaces, into buf (size bytes): the full length, as snprintf. */
size_t schedrun_shell_words(char *buf, size_t size, int n, char *const *words);
/* The program as it was run (cli_program()), then words[0..n), as a shell reads them
 * back: a command the user can paste, into buf; the full length, as snprintf. */
size_t schedrun_command_line(char *buf, size_t size, int n, char *const *words);
/* value with a comma between thousands ("4,123") into buf: returns buf. */
const char *schedrun_grouped(unsigned long long value, char buf[32]);

#endif
