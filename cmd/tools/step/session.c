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
 * is printed twice.
 */
#include "step.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "run/runner.h"
#include "run/schedrun.h"

extern char **environ;

enum { MAX_THREADS_SHOWN = 256, LINE = 1024, STEP_FD = 3 };

/* One live thread as the run told it: "thread N can|held|blocked NAME\tWHAT". */
struct shown {
    unsigned number;
    bool can_go;
    char name[CLI_NAME_MAX];
    char what[LINE];
};

struct decision {
    unsigned long long index; /* the replay policy's number for it */
    unsigned chosen;          /* the policy's pick */
    unsigned asking;          /* who reached it (0: a thread that ended) */
    struct shown threads[MAX_THREADS_SHOWN];
    size_t n;
};

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
    char input[LINE]; /* what stdin has sent beyond the line read */
    size_t input_len;
    bool input_eof;
} S = { .pid = -1, .to = -1 };

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One line of step's talk on stderr, after the scenario's lines so far. */
static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fflush(stdout);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fflush(stderr);
}

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

/* /proc/self/exe --schedule replay:PREFIX [globals] SCENARIO ... into words. */
static void run_words(char **words, char *policy, size_t size)
{
    size_t n = 0;
    snprintf(policy, size, "replay:%s", S.o->prefix);
    words[n++] = "/proc/self/exe";
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
    execve(words[0], words, env);
    dprintf(STDERR_FILENO, "thrdemo: step: cannot run %s: %s\n", words[0], strerror(errno));
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
static int next_question(struct decision *d)
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
        struct shown *t = &d->threads[d->n];
        if (d->n < MAX_THREADS_SHOWN &&
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
    say("step: %s: %s\n", label, command);
}

/* ---- the user's side ------------------------------------------------------------------ */

static void help(void)
{
    say("step: at each choice, type what goes on:\n"
        "  N or NAME  the thread numbered N in the list, or called NAME (Thread-2)\n"
        "  Enter      the thread marked *, the one the plain order runs\n"
        "  u          undo the last choice (the run is replayed up to it)\n"
        "  r          let the plain order run to the end (also at the end of the input)\n"
        "  s          print the command that replays the choices so far\n"
        "  q          quit, printing that command\n"
        "  ? or h     this help\n");
}

static void show(const struct decision *d)
{
    int width = 0;
    for (size_t i = 0; i < d->n; i++)
        if ((int)strlen(d->threads[i].name) > width)
            width = (int)strlen(d->threads[i].name);
    say("step: choice %zu: who goes on?\n", S.n_choices + 1);
    for (size_t i = 0; i < d->n; i++) {
        const struct shown *t = &d->threads[i];
        say("  %2u  %-*s %c %s%s\n", t->number, width, t->name,
            t->number == d->chosen ? '*' : ' ', t->can_go ? "" : "cannot go: ", t->what);
    }
}

/* The next line the user typed into buf: 1, 0 at the end of the input, -1 when
 * the session must stop (Ctrl-C). */
static int read_input(char *buf, size_t size)
{
    for (;;) {
        char *nl = memchr(S.input, '\n', S.input_len);
        if (nl || (S.input_eof && S.input_len > 0)) {
            size_t len = nl ? (size_t)(nl - S.input) : S.input_len;
            snprintf(buf, size, "%.*s", (int)len, S.input);
            size_t used = nl ? len + 1 : len;
            memmove(S.input, S.input + used, S.input_len - used);
            S.input_len -= used;
            return 1;
        }
        if (S.input_eof)
            return 0;
        if (S.input_len == sizeof S.input)
            S.input_len = 0; /* a line longer than any answer: dropped */
        struct pollfd fds[2] = { { STDIN_FILENO, POLLIN, 0 }, { runner_stop_fd(), POLLIN, 0 } };
        if (poll(fds, fds[1].fd >= 0 ? 2 : 1, -1) < 0 && errno != EINTR)
            return 0;
        if (runner_stopping())
            return -1;
        if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
        ssize_t n = read(STDIN_FILENO, S.input + S.input_len, sizeof S.input - S.input_len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            S.input_eof = true;
        else
            S.input_len += (size_t)n;
    }
}

static void trim(char *s)
{
    size_t len = strlen(s);
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
        s[--len] = '\0';
    size_t lead = strspn(s, " \t");
    memmove(s, s + lead, strlen(s + lead) + 1);
}

/* Whether word names thread t: its number, its name, or its name without the
 * function in parentheses ("Thread-2" for "Thread-2 (decrement)"); any case. */
static bool names(const char *word, const struct shown *t)
{
    char number[16];
    snprintf(number, sizeof number, "%u", t->number);
    size_t short_len = strcspn(t->name, " ");
    return strcmp(word, number) == 0 || strcasecmp(word, t->name) == 0 ||
           (strlen(word) == short_len && strncasecmp(word, t->name, short_len) == 0);
}

/* The threads that can go, "2, 3", into buf. */
static const char *can_go_list(const struct decision *d, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < d->n && len < size; i++)
        if (d->threads[i].can_go)
            len += (size_t)snprintf(buf + len, size - len, "%s%u", len ? ", " : "",
                                    d->threads[i].number);
    return buf;
}

/* The thread word names among d's, or NULL after saying why it cannot go. */
static const struct shown *pick(const struct decision *d, const char *word)
{
    char list[256];
    for (size_t i = 0; i < d->n; i++) {
        const struct shown *t = &d->threads[i];
        if (!names(word, t))
            continue;
        if (t->can_go)
            return t;
        say("step: %s cannot go now (%s); choose %s\n", t->name, t->what,
            can_go_list(d, list, sizeof list));
        return NULL;
    }
    char q[CLI_QUOTE_SIZE];
    say("step: '%s' is no thread here and no command; choose %s, or ? for help\n",
        cli_quote(word, q), can_go_list(d, list, sizeof list));
    return NULL;
}

static bool keep_choice(const struct decision *d, unsigned thread)
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
static turn_t ask_user(const struct decision *d)
{
    show(d);
    for (;;) {
        char line[LINE];
        if (S.interactive)
            say("step> ");
        int got = read_input(line, sizeof line);
        if (got < 0)
            return STOPPED;
        if (got == 0) {
            say("%sstep: end of the input: the plain order runs to the end (as r)\n",
                S.interactive ? "\n" : "");
            answer("run", true);
            return GO_ON;
        }
        trim(line);
        if (!S.interactive)
            say("step> %s\n", line);
        if (strcmp(line, "?") == 0 || strcmp(line, "h") == 0 || strcmp(line, "help") == 0) {
            help();
        } else if (strcmp(line, "s") == 0) {
            say_replay("replay so far");
        } else if (strcmp(line, "q") == 0) {
            return QUIT;
        } else if (strcmp(line, "u") == 0) {
            if (S.n_choices > 0)
                return UNDO;
            say("step: nothing to undo\n");
        } else if (strcmp(line, "r") == 0) {
            answer("run", true);
            return GO_ON;
        } else {
            unsigned number = d->chosen;
            const struct shown *t = line[0] ? pick(d, line) : NULL;
            if (line[0] && !t)
                continue;
            if (t)
                number = t->number;
            if (!keep_choice(d, number)) {
                say("step: out of memory\n");
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
    say("step: undone: back to choice %zu (what was printed after it is taken back)\n",
        S.n_choices + 1);
    return start_run(true);
}

/* How the run ended, in one line, and the command that replays it. */
static int finish(int status)
{
    if (status == 0)
        say("step: the run ended (exit status 0)\n");
    else if (status == EXIT_DEADLOCK)
        say("step: the run ended in a deadlock (exit status 3): each thread waits as said "
            "above\n");
    else if (status == EXIT_MAX_STEPS)
        say("step: the run passed --max-steps (exit status 4)\n");
    else if (status > 128)
        say("step: the run died of signal %d\n", status - 128);
    else
        say("step: the run ended with exit status %d\n", status);
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
    static struct decision d;
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
