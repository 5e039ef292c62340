/* SPDX-License-Identifier: MIT */
/* predict.c - --predict: the guess first, then the run, the verdict, the steps.
 *
 * The guess is read before anything runs. The run is this binary again
 * (/proc/self/exe) with the same words, less --predict, plus --explain, so its
 * steps come on stderr after it as --explain prints them (for lock-counter, its own
 * account of the lost update too). Its stdout comes through a pipe: passed on line by
 * line, the first line that starts with the outcome text kept. Its stderr and its exit
 * status are its own. The verdict is the last line, after everything the run said.
 */
#include "predict.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "schedrun.h"

enum { ANSWER = 512, MAX_WORDS = 256 };

static void trim(char *s)
{
    size_t len = strcspn(s, "\r\n");
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    s[len] = '\0';
    size_t lead = strspn(s, " \t");
    memmove(s, s + lead, len - lead + 1);
}

/* The outcome text of the run: a prefix whose rest is the value, or a whole line. */
static const char *outcome_of(const cli_args_t *args)
{
    return args->variant->outcome ? args->variant->outcome : args->command->outcome;
}

static bool whole_line(const char *outcome)
{
    size_t len = strlen(outcome);
    return len > 0 && outcome[len - 1] != ' ';
}

/* Ask, and read the guess into buf: 0, or -1 at the end of the input. */
static int ask(const char *outcome, char *buf, size_t size)
{
    if (whole_line(outcome))
        fprintf(stderr, "predict: will it print '%s'? (y or n; n: it deadlocks or stops "
                        "first) ", outcome);
    else
        fprintf(stderr, "predict: what will it print after '%s'? ", outcome);
    fflush(stderr);
    if (!fgets(buf, (int)size, stdin))
        return -1;
    trim(buf);
    if (!isatty(STDIN_FILENO))
        fprintf(stderr, "%s\n", buf); /* the answer, where no terminal echoed it */
    return buf[0] ? 0 : -1;
}

/* The command again: this binary (/proc/self/exe) named as it was invoked (the
 * replay line it prints names it so), the words as given without --predict, and
 * --explain (stdin /dev/null, stdout to out). */
static _Noreturn void exec_run(int out)
{
    char **argv = schedrun_argv();
    int argc = schedrun_argc();
    char *words[MAX_WORDS];
    int n = 0;
    words[n++] = (char *)cli_program();
    for (int i = 1; i < argc && n + 2 < MAX_WORDS; i++)
        if (strcmp(argv[i], "--predict") != 0)
            words[n++] = argv[i];
    words[n++] = "--explain";
    words[n] = NULL;
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL); /* the runner blocked SIGINT and SIGTERM */
    int null = open("/dev/null", O_RDONLY);
    if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0)
        _exit(127);
    execv("/proc/self/exe", words);
    dprintf(STDERR_FILENO, "thrdemo: --predict: cannot run /proc/self/exe: %s\n",
            strerror(errno));
    _exit(127);
}

/* Pass the run's stdout on, keeping in value the outcome's value (or line). */
static void pass_on(FILE *in, const char *outcome, char *value, size_t size)
{
    char line[4096];
    size_t len = strlen(outcome);
    value[0] = '\0';
    bool found = false;
    while (fgets(line, sizeof line, in)) {
        fputs(line, stdout);
        fflush(stdout);
        if (found || strncmp(line, outcome, len) != 0)
            continue;
        found = true;
        const char *src = line[len] && line[len] != '\n' ? line + len : line;
        size_t n = strcspn(src, "\n"); /* a longer one is cut: it is compared, not shown */
        n = n < size ? n : size - 1;
        memcpy(value, src, n);
        value[n] = '\0';
    }
}

static bool says_yes(const char *guess)
{
    return strcasecmp(guess, "y") == 0 || strcasecmp(guess, "yes") == 0;
}

static bool says_no(const char *guess)
{
    return strcasecmp(guess, "n") == 0 || strcasecmp(guess, "no") == 0;
}

static const char *how_it_ended(int status, char *buf, size_t size)
{
    if (status == EXIT_DEADLOCK)
        return "it deadlocked (exit status 3)";
    if (status == EXIT_MAX_STEPS)
        return "it passed --max-steps (exit status 4)";
    snprintf(buf, size, "it ended with exit status %d", status);
    return buf;
}

static void verdict(const char *outcome, const char *guess, const char *value, int status)
{
    char ended[64];
    bool printed = value[0] != '\0';
    if (whole_line(outcome)) {
        bool right = printed ? says_yes(guess) : says_no(guess);
        fprintf(stderr, "predict: you said %s; %s: %s\n", guess,
                printed ? "it printed it" : how_it_ended(status, ended, sizeof ended),
                right ? "right" : "wrong");
    } else if (printed) {
        fprintf(stderr, "predict: you said %s; it printed %s: %s\n", guess, value,
                strcmp(guess, value) == 0 ? "right" : "wrong");
    } else {
        fprintf(stderr, "predict: you said %s; it printed no result: %s\n", guess,
                how_it_ended(status, ended, sizeof ended));
    }
}

int predict_run(const cli_args_t *args)
{
    const char *outcome = outcome_of(args);
    char guess[ANSWER], value[ANSWER];
    for (;;) {
        if (ask(outcome, guess, sizeof guess) != 0) {
            fprintf(stderr, "\n");
            return cli_usage_error(args->command->name, "--predict: no answer on stdin");
        }
        if (!whole_line(outcome) || says_yes(guess) || says_no(guess))
            break;
        fprintf(stderr, "predict: answer y or n\n"); /* and again */
    }
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        cli_error("--predict: %s", strerror(errno));
        return EXIT_RUNTIME;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0)
        exec_run(fds[1]);
    close(fds[1]);
    FILE *in = pid > 0 ? fdopen(fds[0], "r") : NULL;
    if (!in) {
        cli_error("--predict: cannot run the scenario: %s", strerror(errno));
        close(fds[0]);
        return EXIT_RUNTIME;
    }
    pass_on(in, outcome, value, sizeof value);
    fclose(in);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    verdict(outcome, guess, value, rc);
    return rc;
}
