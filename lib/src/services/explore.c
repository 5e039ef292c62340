/* SPDX-License-Identifier: MIT */
/* explore.c - td_sched_explore: the exploration engine (dpor.c) driving runs of a
 * function, each in a forked child, and the tally of their outcomes.
 *
 * A run's child reads its request on one end of a socket pair, writes its record
 * there as it goes (sched_explore.c), and its outcome, when fn returns, on a pipe of
 * its own; its exit status says how it ended. The parent is one thread: it writes the
 * request, reads the record to its end, then the outcome, then reaps the child.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/core.h"
#include "thrdemo/explore.h"
#include "thrdemo/thread.h"

enum { OUTCOME_MAX = 4096, STUCK_BASE = 100, FN_FAILED = 1 };

/* A run that cannot go on ends here. A redundant one stops with threads that ended
 * unjoined, parked by design: it leaves by the system call itself, past the exit
 * hooks of a sanitizer, which would report them as leaked threads. */
static void child_stuck(int why, const char *report, void *ctx)
{
    (void)report;
    (void)ctx;
    if (why == TD_SCHED_REDUNDANT)
        syscall(SYS_exit_group, STUCK_BASE + why);
    _exit(STUCK_BASE + why);
}

/* Write all of text on fd (a child's last words: errors have nobody to go to). */
static void write_all(int fd, const char *text, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, text, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        text += n;
        len -= (size_t)n;
    }
}

static _Noreturn void run_child(int record_fd, int outcome_fd,
                                int (*fn)(void *arg, char *buf, size_t size), void *arg)
{
    td_sched_config_t config = { .on_stuck = child_stuck };
    if (td_explore_child(record_fd, &config) != 0 || td_sched_begin(&config) != 0)
        _exit(STUCK_BASE);
    static char outcome[OUTCOME_MAX];
    int code = fn(arg, outcome, sizeof outcome);
    td_shutdown(); /* threads fn left running finish under the schedule too */
    td_sched_end();
    outcome[sizeof outcome - 1] = '\0';
    write_all(outcome_fd, outcome, strlen(outcome));
    _exit(code == 0 ? 0 : FN_FAILED);
}

/* Read fd to its end into *buf (grown as needed): its length, or -errno. */
static ssize_t read_all(int fd, char **buf, size_t *cap)
{
    size_t len = 0;
    for (;;) {
        if (len + 4096 > *cap) {
            size_t grown_cap = (*cap + 4096) * 2;
            char *grown = realloc(*buf, grown_cap);
            if (!grown)
                return -ENOMEM;
            *buf = grown;
            *cap = grown_cap;
        }
        ssize_t n = read(fd, *buf + len, *cap - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            break;
        len += (size_t)n;
    }
    (*buf)[len] = '\0';
    return (ssize_t)len;
}

/* ---- the tally ---------------------------------------------------------------------- */

static int tally(td_explore_report_t *r, const char *value, const char *schedule,
                 const td_explore_run_t *run)
{
    for (size_t i = 0; i < r->n_outcomes; i++) {
        td_explore_outcome_t *o = &r->outcomes[i];
        if (strcmp(o->value, value) != 0)
            continue;
        o->count++;
        if (run->preemptions < o->preemptions ||
            (run->preemptions == o->preemptions && run->decisions < o->decisions)) {
            char *copy = strdup(schedule);
            if (!copy)
                return -ENOMEM;
            free(o->schedule);
            o->schedule = copy;
            o->preemptions = run->preemptions;
            o->decisions = run->decisions;
        }
        return 0;
    }
    td_explore_outcome_t *grown = realloc(r->outcomes, (r->n_outcomes + 1) * sizeof *grown);
    if (!grown)
        return -ENOMEM;
    r->outcomes = grown;
    td_explore_outcome_t o = { strdup(value), 1, strdup(schedule), run->preemptions,
                               run->decisions };
    if (!o.value || !o.schedule) {
        free(o.value);
        free(o.schedule);
        return -ENOMEM;
    }
    r->outcomes[r->n_outcomes++] = o;
    return 0;
}

/* What a run ended as, when fn's outcome does not say. */
static const char *ending(int status, const td_explore_run_t *run, char *buf, size_t size)
{
    if (run->stuck == TD_SCHED_DEADLOCK)
        return "deadlock";
    if (run->stuck == TD_SCHED_STEP_LIMIT)
        return "step limit";
    if (WIFSIGNALED(status)) {
        snprintf(buf, size, "crashed (signal %d)", WTERMSIG(status));
        return buf;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == FN_FAILED)
        return "failed";
    return NULL;
}

/* One run of request: its record fed to ex and its outcome tallied. */
static int one_run(td_explore_t *ex, const char *request,
                   int (*fn)(void *arg, char *buf, size_t size), void *arg,
                   td_explore_report_t *report, char **buf, size_t *cap)
{
    int sv[2], out[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return -errno;
    if (pipe2(out, O_CLOEXEC) != 0) {
        int e = errno;
        close(sv[0]);
        close(sv[1]);
        return -e;
    }
    fflush(NULL); /* nothing buffered is written twice */
    pid_t pid = fork();
    if (pid == 0) {
        close(sv[0]);
        close(out[0]);
        run_child(sv[1], out[1], fn, arg);
    }
    close(sv[1]);
    close(out[1]);
    int rc = pid < 0 ? -errno : 0;
    if (rc == 0) {
        write_all(sv[0], request, strlen(request));
        ssize_t len = read_all(sv[0], buf, cap);
        char *outcome = NULL;
        size_t outcome_cap = 0;
        ssize_t olen = read_all(out[0], &outcome, &outcome_cap);
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        rc = len < 0 ? (int)len : olen < 0 ? (int)olen : td_explore_feed(ex, *buf, (size_t)len);
        td_explore_run_t run;
        td_explore_last(ex, &run);
        if (rc == 0 && !run.redundant) {
            char schedule[8192], why[64];
            td_explore_last_schedule(ex, schedule, sizeof schedule);
            const char *end = ending(status, &run, why, sizeof why);
            report->deadlocks += run.stuck == TD_SCHED_DEADLOCK;
            report->failures += end && run.stuck != TD_SCHED_DEADLOCK;
            rc = tally(report, end ? end : outcome, schedule, &run);
        }
        free(outcome);
    }
    close(sv[0]);
    close(out[0]);
    return rc;
}

int td_sched_explore(const td_explore_options_t *options, uint64_t max_runs,
                     int (*fn)(void *arg, char *buf, size_t size), void *arg,
                     td_explore_report_t *report)
{
    if (!fn || !report)
        return -EINVAL;
    memset(report, 0, sizeof *report);
    td_explore_t *ex;
    int rc = td_explore_new(&ex, options);
    if (rc != 0)
        return rc;
    char *buf = NULL;
    size_t cap = 0;
    const char *request;
    uint64_t runs = 0;
    while (rc == 0 && (max_runs == 0 || runs < max_runs) &&
           (rc = td_explore_next(ex, &request)) == 1) {
        rc = one_run(ex, request, fn, arg, report, &buf, &cap);
        runs++;
    }
    if (rc == 0 && max_runs && runs == max_runs)
        rc = td_explore_next(ex, &request) == 0 ? 0 : 1; /* 1: more was left */
    td_explore_stats_t stats;
    td_explore_stats(ex, &stats);
    report->schedules = stats.schedules;
    report->redundant = stats.redundant;
    report->exhaustive = rc == 0;
    free(buf);
    td_explore_free(ex);
    return rc < 0 ? rc : 0;
}

void td_explore_report_free(td_explore_report_t *report)
{
    if (!report)
        return;
    for (size_t i = 0; i < report->n_outcomes; i++) {
        free(report->outcomes[i].value);
        free(report->outcomes[i].schedule);
    }
    free(report->outcomes);
    memset(report, 0, sizeof *report);
}
