/* SPDX-License-Identifier: MIT */
/* exhaustive.c - `explore ... --all`: every schedule of a scenario up to equivalence,
 * by the library's exploration engine (explore.h), and what each class printed.
 *
 * Each run is this binary again (/proc/self/exe) under `--schedule replay:` with the
 * environment variable THRDEMO_EXPLORE_FD=3, on whose descriptor (one end of a socket
 * pair) it reads the engine's request and writes what it decides (schedrun.c calls
 * td_explore_child); its stdout is hashed and its outcome line picked out as in
 * sampling (engine.c). Runs go one at a time: the next branch depends on what the
 * last run showed. A run's outcome is the scenario's declared outcome value where it
 * has one (lock-counter's final value; then the order of printed lines is not part of
 * the outcome, and lines commute), else its stdout's hash; deadlocks, the step limit,
 * crashes and hangs are outcomes of their own. Each outcome keeps the schedule that
 * showed it with the fewest preemptions (then the fewest decisions).
 */
#include "exhaustive_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <thrdemo/explore.h>
#include <thrdemo/log.h>

#include "cli/cli.h"
#include "run/schedrun.h"

enum { RECORD_FD = 3 };

double explore_all_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- one run ------------------------------------------------------------------------ */

char **explore_all_environment(void)
{
    return explore_environment("THRDEMO_EXPLORE_FD=3");
}

size_t explore_all_run_words(const explore_options_t *o, char **words, bool implicit)
{
    size_t n = 0;
    words[n++] = (char *)cli_program(); /* its messages' name; the file is /proc/self/exe */
    words[n++] = "--schedule";
    words[n++] = "replay:";
    size_t globals = implicit ? o->n_globals : o->n_globals - o->n_implicit;
    for (size_t i = 0; i < globals && n + 1 < MAX_WORDS; i++)
        words[n++] = o->globals[i];
    for (size_t i = 0; i < o->n_words && n + 1 < MAX_WORDS; i++)
        words[n++] = o->words[i];
    words[n] = NULL;
    return n;
}

static _Noreturn void exec_run(const explore_options_t *o, const char *policy, int out, int err,
                               int record, char **env)
{
    char *words[MAX_WORDS];
    explore_all_run_words(o, words, true);
    if (policy)
        words[2] = (char *)policy;
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL); /* the runner blocked SIGINT and SIGTERM */
    if (dup2(out, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0 ||
        dup2(record, RECORD_FD) < 0)
        _exit(127);
    execve("/proc/self/exe", words, env);
    dprintf(STDERR_FILENO, "thrdemo: explore: cannot run /proc/self/exe: %s\n", strerror(errno));
    _exit(127);
}

/* Keep what a run wrote on its record descriptor. */
static bool keep_record(search_t *s, const char *buf, size_t n)
{
    if (s->record_len + n + 1 > s->record_cap) {
        size_t cap = (s->record_len + n + 1) * 2;
        char *grown = realloc(s->record, cap);
        if (!grown)
            return false;
        s->record = grown;
        s->record_cap = cap;
    }
    memcpy(s->record + s->record_len, buf, n);
    s->record_len += n;
    return true;
}

/* Run the request to its end: its wait status in *status, r filled as engine.c's
 * runs are. 0, or -errno when it could not start. */
int explore_all_run_one(search_t *s, const char *request, char **env, run_t *r, int *status)
{
    int out[2], err[2], rec[2];
    if (pipe2(out, O_CLOEXEC) != 0)
        return -errno;
    if (pipe2(err, O_CLOEXEC) != 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, rec)) {
        int e = errno;
        close(out[0]);
        close(out[1]);
        return -e;
    }
    pid_t pid = fork();
    if (pid == 0)
        exec_run(s->o->base, s->policy, out[1], err[1], rec[1], env);
    int e = errno;
    close(out[1]);
    close(err[1]);
    close(rec[1]);
    if (pid < 0) {
        close(out[0]);
        close(err[0]);
        close(rec[0]);
        return -e;
    }
    memset(r, 0, sizeof *r);
    r->pid = pid;
    r->hash = 0xcbf29ce484222325ULL;
    r->started = explore_all_now();
    s->record_len = 0;
    /* The request is a line: it fits the socket's buffer, so this does not block. */
    if (write(rec[0], request, strlen(request)) < 0) {
        /* the run died before reading it: its status says so */
    }
    int fds[3] = { out[0], err[0], rec[0] };
    static char buf[16384]; /* not on the stack, which may be 64 KiB (ulimit -s) */
    while (fds[0] >= 0 || fds[1] >= 0 || fds[2] >= 0) {
        struct pollfd p[4];
        nfds_t n = 0;
        int which[3];
        for (int w = 0; w < 3; w++)
            if (fds[w] >= 0) {
                which[n] = w;
                p[n++] = (struct pollfd){ .fd = fds[w], .events = POLLIN };
            }
        if (s->o->base->stop_fd >= 0)
            p[n] = (struct pollfd){ .fd = s->o->base->stop_fd, .events = POLLIN };
        if (poll(p, n + (s->o->base->stop_fd >= 0), 100) < 0 && errno != EINTR)
            break;
        for (nfds_t k = 0; k < n; k++) {
            if (!p[k].revents)
                continue;
            int w = which[k];
            ssize_t got = read(fds[w], buf, sizeof buf);
            if (got < 0 && (errno == EINTR || errno == EAGAIN))
                continue;
            if (got <= 0) {
                if (w < 2)
                    explore_take_bytes(s->o->base, r, w, "\n", r->line_len[w] ? 1 : 0);
                close(fds[w]);
                fds[w] = -1;
            } else if (w < 2) {
                explore_take_bytes(s->o->base, r, w, buf, (size_t)got);
            } else if (!keep_record(s, buf, (size_t)got)) {
                kill(pid, SIGKILL);
            }
        }
        double timeout = s->o->base->timeout;
        bool late = timeout > 0 && explore_all_now() - r->started > timeout;
        if ((late || s->o->base->stopping()) && !r->killed) {
            kill(pid, late ? SIGKILL : SIGTERM);
            r->killed = late;
        }
    }
    while (waitpid(pid, status, 0) < 0 && errno == EINTR)
        ;
    return 0;
}

int explore_all_rerun(const search_t *s, const outcome_t *o, char *buf, size_t size)
{
    int err[2];
    if (size == 0 || pipe2(err, O_CLOEXEC) != 0)
        return -errno;
    char *words[MAX_WORDS];
    explore_all_run_words(s->o->base, words, true);
    words[2] = (char *)o->schedule;
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        if (null < 0 || dup2(null, STDOUT_FILENO) < 0 || dup2(err[1], STDERR_FILENO) < 0)
            _exit(127);
        execv("/proc/self/exe", words); /* words[0] is only its name */
        _exit(127);
    }
    close(err[1]);
    size_t len = 0;
    ssize_t got;
    while ((got = read(err[0], buf + len, size - 1 - len)) > 0 || (got < 0 && errno == EINTR))
        len += got > 0 ? (size_t)got : 0;
    buf[len] = '\0';
    close(err[0]);
    if (pid > 0)
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
    return pid < 0 ? -EAGAIN : 0;
}

/* ---- outcomes ------------------------------------------------------------------------- */

/* What the run ended as, as the table shows it: 0 for an ordinary end (value set),
 * else a problem (value says which). */
bool explore_all_run_value(const search_t *s, const run_t *r, int status, char *value,
                           size_t size)
{
    if (r->killed) {
        snprintf(value, size, "hung");
        return true;
    }
    if (WIFSIGNALED(status)) {
        snprintf(value, size, "crash (signal %d)", WTERMSIG(status));
        return true;
    }
    int code = WEXITSTATUS(status);
    if (code == EXIT_DEADLOCK || code == EXIT_MAX_STEPS || code != 0) {
        snprintf(value, size, code == EXIT_DEADLOCK    ? "deadlock"
                              : code == EXIT_MAX_STEPS ? "step limit"
                                                       : "exit %d",
                 code);
        return true;
    }
    if (s->o->base->outcome)
        snprintf(value, size, "%s", r->outcome[0] ? r->outcome : "(no such line)");
    else
        snprintf(value, size, "%08x", (unsigned)(r->hash >> 32));
    return false;
}

static outcome_t *find_or_add(search_t *s, const char *value)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->outcomes[i].value, value) == 0)
            return &s->outcomes[i];
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        outcome_t *grown = realloc(s->outcomes, cap * sizeof *grown);
        if (!grown)
            return NULL;
        s->outcomes = grown;
        s->cap = cap;
    }
    outcome_t *o = &s->outcomes[s->n++];
    memset(o, 0, sizeof *o);
    snprintf(o->value, sizeof o->value, "%s", value);
    return o;
}

/* Count the run fed last under its value, keeping its schedule if it is the shortest. */
/* A bounded run of the shortening pass: a shorter schedule for its outcome, if it is
 * one. */
static void count_shorter(search_t *s, const run_t *r, int status)
{
    td_explore_run_t run;
    td_explore_last(s->ex, &run);
    char value[EXPLORE_LINE];
    if (explore_all_run_value(s, r, status, value, sizeof value) && !run.stuck)
        return; /* killed (the run timeout) or crashed: not an outcome of the program's */
    for (size_t i = 0; i < s->n; i++) {
        outcome_t *o = &s->outcomes[i];
        if (strcmp(o->value, value) != 0)
            continue;
        if (run.preemptions < o->preemptions ||
            (run.preemptions == o->preemptions && run.decisions < o->decisions)) {
            td_explore_last_schedule(s->ex, o->schedule, sizeof o->schedule);
            o->preemptions = run.preemptions;
            o->decisions = run.decisions;
        }
        return;
    }
    s->not_found++; /* every class was run: this would be a bug of the reduction */
}

static int count_run(search_t *s, const run_t *r, int status)
{
    td_explore_run_t run;
    td_explore_last(s->ex, &run);
    if (run.redundant)
        return 0;
    if (s->shortening) {
        count_shorter(s, r, status);
        return 0;
    }
    char value[EXPLORE_LINE];
    bool problem = explore_all_run_value(s, r, status, value, sizeof value);
    outcome_t *o = find_or_add(s, value);
    if (!o)
        return -ENOMEM;
    s->deadlocks += run.stuck == TD_SCHED_DEADLOCK;
    bool shorter = o->count == 0 || run.preemptions < o->preemptions ||
                   (run.preemptions == o->preemptions && run.decisions < o->decisions);
    o->count++;
    o->problem = problem;
    if (shorter) {
        td_explore_last_schedule(s->ex, o->schedule, sizeof o->schedule);
        o->preemptions = run.preemptions;
        o->decisions = run.decisions;
        snprintf(o->err, sizeof o->err, "%s", r->err);
    }
    return 0;
}

/* ---- the search ------------------------------------------------------------------------ */

static int search(search_t *s)
{
    char **env = explore_all_environment();
    if (!env)
        return -ENOMEM;
    int rc = 0;
    const char *request;
    while ((rc = td_explore_next(s->ex, &request)) == 1) {
        td_explore_stats_t st;
        td_explore_stats(s->ex, &st);
        if (s->shortening && s->shortening_runs >= s->budget) {
            rc = 1; /* the pass's budget is spent: what it found stands */
            break;
        }
        if (!s->shortening && s->o->max_schedules && st.schedules >= s->o->max_schedules) {
            s->stopped = "--max-schedules";
            break;
        }
        if (s->o->time_limit > 0 && explore_all_now() - s->started > s->o->time_limit) {
            if (s->shortening)
                rc = 1;
            else
                s->stopped = "the time limit";
            break;
        }
        if (s->o->base->stopping()) {
            if (s->shortening)
                rc = 1;
            else
                s->stopped = "the stop (Ctrl-C)";
            break;
        }
        s->shortening_runs += s->shortening;
        run_t r;
        int status = 0;
        rc = explore_all_run_one(s, request, env, &r, &status);
        if (rc == 0 && s->o->base->stopping()) {
            s->stopped = "the stop (Ctrl-C)";
            break;
        }
        if (rc == 0)
            rc = td_explore_feed(s->ex, s->record ? s->record : "", s->record_len);
        if (rc == -EPROTO) {
            cli_error("explore: a run did not replay the decisions it was given: the scenario "
                      "is not deterministic under a schedule, so --all cannot go on");
            s->stopped = "a run that did not replay";
            rc = 0;
            break;
        }
        if (rc == 0)
            rc = count_run(s, &r, status);
        if (rc != 0)
            break;
        if (st.runs == 0 && !s->shortening)
            explore_all_estimate(s);
        explore_all_progress(s, false);
    }
    explore_all_progress(s, true);
    free(env);
    return rc < 0 ? rc : rc == 1 ? 1 : 0;
}

/* A class's run is one of its interleavings, not always the one with the fewest
 * preemptions. So after a complete search, every schedule with at most K preemptions
 * is run, K = 0, 1, ... up to one below the most any outcome's schedule has
 * (iterative context bounding, as CHESS does), each run that shows an outcome with
 * fewer preemptions (or as many and fewer decisions) giving it that schedule; within
 * a budget of as many runs as the search made (at least 100), and the time limit. */
static void shorten(search_t *s)
{
    unsigned most = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->outcomes[i].preemptions > most)
            most = s->outcomes[i].preemptions;
    td_explore_stats_t st;
    td_explore_stats(s->ex, &st);
    td_explore_t *search_ex = s->ex;
    s->shortening = true;
    s->budget = st.runs > 100 ? st.runs : 100;
    s->shortest_bound = -1;
    for (unsigned k = 0; k < most; k++) {
        td_explore_options_t eo = { .bounded = true, .max_preemptions = k,
                                    .lines_commute = s->o->base->outcome != NULL };
        if (td_explore_new(&s->ex, &eo) != 0)
            break;
        int rc = search(s);
        td_explore_free(s->ex);
        s->shortening_cut = rc != 0;
        if (rc != 0)
            break;
        s->shortest_bound = (int)k;
        most = 0; /* what is left to shorten */
        for (size_t i = 0; i < s->n; i++)
            if (s->outcomes[i].preemptions > most)
                most = s->outcomes[i].preemptions;
    }
    s->ex = search_ex;
    s->shortening = false;
}

int explore_all_main(const explore_all_t *o)
{
    search_t s = { .o = o, .started = explore_all_now() };
    td_explore_options_t eo = { .bounded = o->preemptions >= 0,
                                .max_preemptions =
                                    o->preemptions >= 0 ? (unsigned)o->preemptions : 0,
                                .lines_commute = o->base->outcome != NULL };
    if (td_explore_new(&s.ex, &eo) != 0) {
        cli_error("explore: out of memory");
        return -1;
    }
    int rc = search(&s);
    if (rc < 0)
        cli_error("explore: %s", strerror(-rc));
    if (rc == 0 && !s.stopped && o->preemptions < 0)
        shorten(&s);
    if (s.not_found)
        cli_error("explore: %llu run%s with few preemptions showed an outcome the search did "
                  "not: the reduction missed a class (please report it with the command)",
                  (unsigned long long)s.not_found, s.not_found == 1 ? "" : "s");
    if (s.n > 1)
        qsort(s.outcomes, s.n, sizeof *s.outcomes, explore_all_by_problem);
    if (o->json)
        explore_all_json(&s);
    else
        explore_all_table(&s);
    int result = rc < 0 ? -1 : 0;
    if (result == 0 && o->expect)
        result = explore_all_check_expected(&s);
    else if (result == 0)
        for (size_t i = 0; i < s.n && result == 0; i++)
            result = s.outcomes[i].problem ? 1 : 0;
    free(s.outcomes);
    free(s.record);
    td_explore_free(s.ex);
    return result;
}
