/* SPDX-License-Identifier: MIT */
/* session.c - a step session: the run in a child process, the user's choices.
 *
 * The run is this binary again under `--schedule replay:PREFIX`, its stdout and
 * stderr the session's own (the scenario's lines appear as it prints them, step's
 * talk is on stderr), its stdin /dev/null, and one end of a socket pair on descriptor
 * 3, where it asks at each decision that has a choice (run/stepchild.h). The session
 * keeps the choices made, each with the policy's own pick there, so the replay string
 * is the prefix and the choices that differ from the policy's ("T@D").
 *
 * Undo kills the run and starts a fresh one, quiet (stdout to /dev/null), which the
 * session answers with the choices kept but the last; the answer to the first
 * question the user answers again says "show". A run is deterministic under a
 * schedule, so the new run is the old one up to there, and no line the user has seen
 * is printed twice. What the user sees and types is prompt.c's.
 */
#include "step.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "run/runner.h"
#include "run/schedrun.h"

extern char **environ;

enum { LINE = STEP_LINE, STEP_FD = 3 };

struct choice {
    unsigned long long decision;
    unsigned thread;
    bool differs; /* not the policy's pick: it goes into the replay string */
};

static struct {
    const step_options_t *o;
    struct choice *choices;
    size_t n_choices, cap_choices;
    pid_t pid;
    FILE *from; /* the run's questions */
    int to;     /* the answers */
    bool quiet; /* the run prints nothing until an answer says "show" */
    bool interactive;
} S = { .pid = -1, .to = -1 };

/* ---- the run ------------------------------------------------------------------------ */

/* The environment of a run: this one's, with step's descriptor and quiet flag. */
static char **run_environment(bool quiet)
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = calloc(n + 3, sizeof *env);
    if (!env)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "THRDEMO_STEP_", 13) != 0 &&
            strncmp(environ[i], "THRDEMO_EXPLORE_FD=", 19) != 0)
            env[k++] = environ[i];
    env[k++] = "THRDEMO_STEP_FD=3";
    env[k++] = quiet ? "THRDEMO_STEP_QUIET=1" : "THRDEMO_STEP_QUIET=0";
    return env;
}

/* thrdemo --schedule replay:PREFIX [globals] SCENARIO ... into words (the file run is
 * /proc/self/exe; words[0] names it as it was invoked, for its messages). */
static void run_words(char **words, char *policy, size_t size)
{
    size_t n = 0;
    snprintf(policy, size, "replay:%s", S.o->prefix);
    words[n++] = (char *)cli_program();
    words[n++] = "--schedule";
    words[n++] = policy;
    for (size_t i = 0; i < S.o->n_globals && n + 1 < STEP_MAX_WORDS; i++)
        words[n++] = S.o->globals[i];
    for (size_t i = 0; i < S.o->n_words && n + 1 < STEP_MAX_WORDS; i++)
        words[n++] = S.o->words[i];
    words[n] = NULL;
}

static _Noreturn void exec_run(char **words, char **env, int fd)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL); /* the runner blocked SIGINT and SIGTERM */
    int null = open("/dev/null", O_RDONLY);
    if (dup2(fd, STEP_FD) < 0 || null < 0 || dup2(null, STDIN_FILENO) < 0)
        _exit(127);
    execve("/proc/self/exe", words, env);
    dprintf(STDERR_FILENO, "thrdemo: step: cannot run /proc/self/exe: %s\n", strerror(errno));
    _exit(127);
}

/* Start a run (quiet: printing nothing until told): 0, or -errno. */
static int start_run(bool quiet)
{
    static char policy[8192];
    char *words[STEP_MAX_WORDS];
    run_words(words, policy, sizeof policy);
    char **env = run_environment(quiet);
    int sv[2];
    if (!env || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        free(env);
        return -ENOMEM;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0)
        exec_run(words, env, sv[1]);
    int e = errno;
    free(env);
    close(sv[1]);
    if (pid < 0) {
        close(sv[0]);
        return -e;
    }
    S.pid = pid;
    S.to = sv[0];
    S.from = fdopen(dup(sv[0]), "r");
    S.quiet = quiet;
    return S.from ? 0 : -ENOMEM;
}

/* Wait for the run to end: its exit status, 128 + N for signal N. */
static int reap_run(void)
{
    int status = 0;
    while (waitpid(S.pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (S.from)
        fclose(S.from);
    close(S.to);
    S.from = NULL;
    S.to = -1;
    S.pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void kill_run(void)
{
    if (S.pid > 0) {
        kill(S.pid, SIGKILL);
        reap_run();
    }
}

/* The run's next question into *d: 1, or 0 when the run has ended. */
static int next_question(struct step_decision *d)
{
    char line[2 * LINE];
    d->n = 0;
    while (fgets(line, sizeof line, S.from)) {
        line[strcspn(line, "\n")] = '\0';
        if (strcmp(line, "ask") == 0)
            return 1;
        if (sscanf(line, "decision %llu %u %u", &d->index, &d->chosen, &d->asking) == 3)
            continue;
        char state[8];
        int at = 0;
        struct step_shown *t = &d->threads[d->n];
        if (d->n < STEP_MAX_THREADS &&
            sscanf(line, "thread %u %7s %n", &t->number, state, &at) == 2 && at > 0) {
            const char *tab = strchr(line + at, '\t');
            size_t name_len = tab ? (size_t)(tab - (line + at)) : strlen(line + at);
            snprintf(t->name, sizeof t->name, "%.*s", (int)name_len, line + at);
            snprintf(t->what, sizeof t->what, "%s", tab ? tab + 1 : "");
            t->can_go = strcmp(state, "can") == 0;
            d->n++;
        }
    }
    return 0;
}

/* Send the run its answer; the user's first in a quiet run also lets it print again
 * (a replayed one, by_user false, leaves it quiet). */
static void answer(const char *what, bool by_user)
{
    char line[64];
    bool show = S.quiet && by_user;
    int n = snprintf(line, sizeof line, "%s%s\n", what, show ? " show" : "");
    S.quiet = S.quiet && !show;
    if (write(S.to, line, (size_t)n) != n) {
        /* the run has gone: its end is read next */
    }
}

static void answer_thread(unsigned number, bool by_user)
{
    char text[16];
    snprintf(text, sizeof text, "%u", number);
    answer(text, by_user);
}

/* ---- the replay string ----------------------------------------------------------------- */

/* "replay:PREFIX,T@D,..." of the choices so far into buf. */
static void replay_policy(char *buf, size_t size)
{
    size_t len = (size_t)snprintf(buf, size, "replay:%s", S.o->prefix);
    bool first = S.o->prefix[0] == '\0';
    for (size_t i = 0; i < S.n_choices && len < size; i++) {
        if (!S.choices[i].differs)
            continue;
        len += (size_t)snprintf(buf + len, size - len, "%s%u@%llu", first ? "" : ",",
                                S.choices[i].thread, S.choices[i].decision);
        first = false;
    }
}

/* The command that replays the choices so far, as thrdemo was invoked. */
static void say_replay(const char *label)
{
    char policy[8192], command[16384];
    replay_policy(policy, sizeof policy);
    char *words[STEP_MAX_WORDS];
    size_t n = 0;
    words[n++] = (char *)S.o->program;
    for (size_t i = 0; i < S.o->n_words && n + 4 < STEP_MAX_WORDS; i++)
        words[n++] = S.o->words[i];
    for (size_t i = 0; i < S.o->n_globals && n + 3 < STEP_MAX_WORDS; i++)
        words[n++] = S.o->globals[i];
    words[n++] = "--schedule";
    words[n++] = policy;
    schedrun_shell_words(command, sizeof command, (int)n, words);
    step_say("step: %s: %s\n", label, command);
}

/* ---- the user's choices ---------------------------------------------------------------- */

static bool keep_choice(const struct step_decision *d, unsigned thread)
{
    if (S.n_choices == S.cap_choices) {
        size_t cap = S.cap_choices ? S.cap_choices * 2 : 64;
        struct choice *grown = realloc(S.choices, cap * sizeof *grown);
        if (!grown)
            return false;
        S.choices = grown;
        S.cap_choices = cap;
    }
    S.choices[S.n_choices++] = (struct choice){ d->index, thread, thread != d->chosen };
    return true;
}

/* What the user does at a decision. */
typedef enum { GO_ON, UNDO, QUIT, STOPPED } turn_t;

/* Ask the user at d until an answer moves the session: GO_ON once the run has its
 * answer, UNDO, QUIT, or STOPPED by Ctrl-C. */
static turn_t ask_user(const struct step_decision *d)
{
    step_show(d, S.n_choices + 1);
    for (;;) {
        char line[LINE];
        if (S.interactive)
            step_say("step> ");
        int got = step_read_input(line, sizeof line);
        if (got < 0)
            return STOPPED;
        if (got == 0) {
            step_say("%sstep: end of the input: the plain order runs to the end (as r)\n",
                S.interactive ? "\n" : "");
            answer("run", true);
            return GO_ON;
        }
        step_trim(line);
        if (!S.interactive)
            step_say("step> %s\n", line);
        if (strcmp(line, "?") == 0 || strcmp(line, "h") == 0 || strcmp(line, "help") == 0) {
            step_help();
        } else if (strcmp(line, "s") == 0) {
            say_replay("replay so far");
        } else if (strcmp(line, "q") == 0) {
            return QUIT;
        } else if (strcmp(line, "u") == 0) {
            if (S.n_choices > 0)
                return UNDO;
            step_say("step: nothing to undo\n");
        } else if (strcmp(line, "r") == 0) {
            answer("run", true);
            return GO_ON;
        } else {
            unsigned number = d->chosen;
            const struct step_shown *t = line[0] ? step_pick(d, line) : NULL;
            if (line[0] && !t)
                continue;
            if (t)
                number = t->number;
            if (!keep_choice(d, number)) {
                step_say("step: out of memory\n");
                return QUIT;
            }
            answer_thread(number, true);
            return GO_ON;
        }
    }
}

/* Undo the last choice: a fresh run, quiet, replaying the others. 0 or -errno. */
static int undo(void)
{
    S.n_choices--;
    kill_run();
    step_say("step: undone: back to choice %zu (what was printed after it is taken back)\n",
        S.n_choices + 1);
    return start_run(true);
}

/* How the run ended, in one line, and the command that replays it. */
static int finish(int status)
{
    if (status == 0)
        step_say("step: the run ended (exit status 0)\n");
    else if (status == EXIT_DEADLOCK)
        step_say("step: the run ended in a deadlock (exit status 3): each thread waits as said "
            "above\n");
    else if (status == EXIT_MAX_STEPS)
        step_say("step: the run passed --max-steps (exit status 4)\n");
    else if (status > 128)
        step_say("step: the run died of signal %d\n", status - 128);
    else
        step_say("step: the run ended with exit status %d\n", status);
    say_replay("replay");
    return status;
}

int step_session(const step_options_t *options)
{
    S.o = options;
    S.interactive = isatty(STDIN_FILENO);
    int rc = start_run(false);
    if (rc != 0) {
        cli_error("step: cannot start the run: %s", strerror(-rc));
        return EXIT_RUNTIME;
    }
    static struct step_decision d;
    size_t asked = 0; /* questions of this run answered */
    for (;;) {
        if (!next_question(&d))
            return finish(reap_run());
        if (asked < S.n_choices) { /* replaying after an undo */
            answer_thread(S.choices[asked++].thread, false);
            continue;
        }
        turn_t turn = ask_user(&d);
        if (turn == GO_ON) {
            asked = S.n_choices;
            continue;
        }
        if (turn == UNDO && (rc = undo()) == 0) {
            asked = 0;
            continue;
        }
        kill_run();
        if (turn == UNDO)
            cli_error("step: cannot start the run again: %s", strerror(-rc));
        say_replay(turn == QUIT ? "quit; replay so far" : "interrupted; replay so far");
        return turn == QUIT ? EXIT_OK : turn == UNDO ? EXIT_RUNTIME : 130;
    }
}
