/* SPDX-License-Identifier: MIT */
/* engine.c - many schedules of one command, each run in a process of its own.
 *
 * Each run is this very binary (/proc/self/exe) with --schedule POLICY:SEED put
 * before the command, so its Thread-N counters, its random values and its virtual
 * clock start afresh, and a deadlock or a crash ends that run only. Up to `jobs`
 * runs go at once, each pinned to one CPU of its own (the scheduler keeps all of a
 * run's threads on the CPU it starts on). The parent is one thread: a poll() loop
 * over the runs' stdout and stderr pipes, hashing stdout as it streams (FNV-1a), and
 * picking out the outcome line (lock-counter's final value) and stderr's first line.
 *
 * A run's outcome is its exit status and its stdout's hash; runs with the same
 * outcome are one row (tally.c counts and reports them). pct needs to know how many
 * choices a run makes (its STEPS): one calibration run under pct:BASE:DEPTH counts the
 * scheduling points first.
 */
#include "tally.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <thrdemo/log.h>

#include "cli/cli.h"
#include "run/schedrun.h"

extern char **environ;

enum { MAX_WORDS = 160, MAX_JOBS = 256 };

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

unsigned explore_cpus(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0 || CPU_COUNT(&set) < 1)
        return 1;
    return (unsigned)CPU_COUNT(&set);
}

/* ---- a run's command line --------------------------------------------------------- */

typedef struct command {
    char *words[MAX_WORDS]; /* words[0] is the program */
    size_t n;
    char policy[64];
} command_t;

void explore_policy_text(const explore_options_t *o, uint64_t steps, uint64_t seed,
                         char *buf, size_t size)
{
    td_policy_t p = { .kind = o->policy, .seed = seed, .depth = o->depth, .steps = steps };
    td_policy_format(&p, buf, size);
}

/* thrdemo --schedule POLICY [globals] SCENARIO ...: words[0] is the name thrdemo was
 * run by; the file run is /proc/self/exe. */
static void make_command(const explore_options_t *o, uint64_t steps, uint64_t seed,
                         command_t *c)
{
    explore_policy_text(o, steps, seed, c->policy, sizeof c->policy);
    c->n = 0;
    c->words[c->n++] = (char *)cli_program(); /* what its messages call it */
    c->words[c->n++] = "--schedule";
    c->words[c->n++] = c->policy;
    for (size_t i = 0; i < o->n_globals && c->n + 1 < MAX_WORDS; i++)
        c->words[c->n++] = o->globals[i];
    for (size_t i = 0; i < o->n_words && c->n + 1 < MAX_WORDS; i++)
        c->words[c->n++] = o->words[i];
    c->words[c->n] = NULL;
}

/* "thrdemo --schedule random:5 lock-counter --lock none" into buf. */
const char *explore_replay_command(const explore_options_t *o, uint64_t steps, uint64_t seed,
                                   char *buf, size_t size)
{
    command_t c;
    make_command(o, steps, seed, &c);
    schedrun_command_line(buf, size, (int)c.n - 1, c.words + 1);
    return buf;
}

char **explore_environment(const char *extra)
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = calloc(n + 2, sizeof *env);
    if (!env)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "THRDEMO_SEED=", 13) != 0 &&
            strncmp(environ[i], "THRDEMO_SCALE=", 14) != 0 &&
            strncmp(environ[i], "THRDEMO_EXPLORE_FD=", 19) != 0)
            env[k++] = environ[i];
    if (extra)
        env[k++] = (char *)extra;
    return env;
}

/* ---- starting and reading runs ------------------------------------------------------ */

static _Noreturn void exec_run(const command_t *c, int out, int err, unsigned cpu, char **env)
{
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    sched_setaffinity(0, sizeof one, &one); /* the schedule keeps the run on it */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL); /* the runner blocked SIGINT and SIGTERM */
    if (dup2(out, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0)
        _exit(127);
    execve("/proc/self/exe", c->words, env);
    dprintf(STDERR_FILENO, "thrdemo: explore: cannot run /proc/self/exe: %s\n", strerror(errno));
    _exit(127);
}

/* Start one run: 0, or -errno (said by the caller). */
static int start_run(const command_t *c, run_t *r, char **env)
{
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) != 0)
        return -errno;
    if (pipe2(err, O_CLOEXEC) != 0) {
        int e = errno;
        close(out[0]);
        close(out[1]);
        return -e;
    }
    pid_t pid = fork();
    if (pid == 0)
        exec_run(c, out[1], err[1], r->cpu, env);
    int e = errno;
    close(out[1]);
    close(err[1]);
    if (pid < 0) {
        close(out[0]);
        close(err[0]);
        return -e;
    }
    r->pid = pid;
    r->fd[0] = out[0];
    r->fd[1] = err[0];
    r->hash = 0xcbf29ce484222325ULL;
    r->started = now();
    r->killed = false;
    r->line_len[0] = r->line_len[1] = 0;
    r->outcome[0] = r->err[0] = r->err_last[0] = '\0';
    return 0;
}

/* A whole line of stdout (which == 0) or stderr (1): keep what the report needs. */
static void take_line(const explore_options_t *o, run_t *r, int which, const char *line)
{
    if (which == 1) {
        if (!r->err[0])
            snprintf(r->err, sizeof r->err, "%s", line);
        snprintf(r->err_last, sizeof r->err_last, "%s", line);
    } else if (o->outcome && !r->outcome[0] && strncmp(line, o->outcome, strlen(o->outcome)) == 0) {
        const char *rest = line + strlen(o->outcome);
        snprintf(r->outcome, sizeof r->outcome, "%s", *rest ? rest : line); /* a whole line */
    }
}

void explore_take_bytes(const explore_options_t *o, run_t *r, int which, const char *buf,
                        size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (which == 0)
            r->hash = (r->hash ^ (unsigned char)buf[i]) * 0x100000001b3ULL;
        if (buf[i] == '\n') {
            r->line[which][r->line_len[which]] = '\0';
            take_line(o, r, which, r->line[which]);
            r->line_len[which] = 0;
        } else if (r->line_len[which] + 1 < EXPLORE_LINE) {
            r->line[which][r->line_len[which]++] = buf[i];
        }
    }
}

/* Read what fd has into buf: false once it is closed (at end of file). */
static bool drain(const explore_options_t *o, run_t *r, int which, char *buf, size_t size)
{
    ssize_t n = read(r->fd[which], buf, size);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return true;
    if (n <= 0) {
        if (r->line_len[which] > 0) { /* a last line without its newline */
            r->line[which][r->line_len[which]] = '\0';
            take_line(o, r, which, r->line[which]);
        }
        close(r->fd[which]);
        r->fd[which] = -1;
        return false;
    }
    explore_take_bytes(o, r, which, buf, (size_t)n);
    return true;
}

/* ---- the loop ----------------------------------------------------------------------- */

typedef struct pool {
    run_t runs[MAX_JOBS];
    bool busy[MAX_JOBS];
    unsigned cpus[MAX_JOBS];
    unsigned n_cpus, jobs, running;
    char read_buf[65536]; /* one read of a pipe: here, on the heap, for the stack may be
                             as small as 64 KiB (ulimit -s; issue 21) */
} pool_t;

static void init_pool(pool_t *p, unsigned jobs)
{
    memset(p, 0, sizeof *p);
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        for (int cpu = 0; cpu < CPU_SETSIZE && p->n_cpus < MAX_JOBS; cpu++)
            if (CPU_ISSET(cpu, &set))
                p->cpus[p->n_cpus++] = (unsigned)cpu;
    if (p->n_cpus == 0)
        p->cpus[p->n_cpus++] = 0;
    p->jobs = jobs < MAX_JOBS ? jobs : MAX_JOBS;
}

/* After the stop, every run still going is told to stop too (again at each step: a
 * second SIGTERM ends it at once, as a second Ctrl-C does). */
static void stop_runs(const explore_options_t *o, pool_t *p)
{
    if (!o->stopping())
        return;
    for (unsigned i = 0; i < p->jobs; i++)
        if (p->busy[i])
            kill(p->runs[i].pid, SIGTERM);
}

/* Wait for the runs' output (or the stop, or the next timeout check); collect every
 * run whose two pipes have closed, counting it in t (if any) unless the stop ended it. */
static void step(const explore_options_t *o, pool_t *p, tally_t *t)
{
    stop_runs(o, p);
    struct pollfd fds[2 * MAX_JOBS + 1];
    int owner[2 * MAX_JOBS];
    nfds_t n = 0;
    for (unsigned i = 0; i < p->jobs; i++)
        for (int w = 0; w < 2 && p->busy[i]; w++)
            if (p->runs[i].fd[w] >= 0) {
                owner[n] = (int)i * 2 + w;
                fds[n++] = (struct pollfd){ .fd = p->runs[i].fd[w], .events = POLLIN };
            }
    nfds_t n_runs = n;
    if (o->stop_fd >= 0)
        fds[n++] = (struct pollfd){ .fd = o->stop_fd, .events = POLLIN };
    if (poll(fds, n, 100) < 0 && errno != EINTR)
        return;
    for (nfds_t k = 0; k < n_runs; k++)
        if (fds[k].revents)
            drain(o, &p->runs[owner[k] / 2], owner[k] % 2, p->read_buf, sizeof p->read_buf);
    for (unsigned i = 0; i < p->jobs; i++) {
        run_t *r = &p->runs[i];
        if (!p->busy[i])
            continue;
        if (o->timeout > 0 && !r->killed && now() - r->started > o->timeout) {
            kill(r->pid, SIGKILL);
            r->killed = true;
        }
        if (r->fd[0] >= 0 || r->fd[1] >= 0)
            continue;
        /* Read before the run is reaped: one reaped before the stop came counts, which
         * whoever sees it gone (a test) may rely on. */
        bool stopped = o->stopping();
        int status;
        while (waitpid(r->pid, &status, 0) < 0 && errno == EINTR)
            ;
        p->busy[i] = false;
        p->running--;
        if (t && stopped)
            t->cut_short++;
        else if (t)
            explore_count_run(o, t, r, status);
    }
}

/* The scheduling points of one pct run (read from its replay line), for STEPS. */
static uint64_t calibrate(const explore_options_t *o, char **env)
{
    pool_t *p = calloc(1, sizeof *p);
    if (!p)
        return 0;
    init_pool(p, 1);
    command_t c;
    make_command(o, 0, o->first_seed, &c);
    p->runs[0].cpu = p->cpus[0];
    p->runs[0].seed = o->first_seed;
    uint64_t steps = 0;
    if (start_run(&c, &p->runs[0], env) == 0) {
        p->busy[0] = true;
        p->running = 1;
        while (p->running > 0)
            step(o, p, NULL); /* which the stop cuts short too (issue 21) */
        const char *at = strstr(p->runs[0].err_last, " scheduling points)");
        const char *open = at ? at : NULL;
        while (open && open > p->runs[0].err_last && open[-1] != '(')
            open--;
        for (const char *d = open; d && d < at; d++)
            if (*d >= '0' && *d <= '9')
                steps = steps * 10 + (uint64_t)(*d - '0');
    }
    free(p);
    return steps < 2 ? 2 : steps;
}

int explore_main(const explore_options_t *o)
{
    char **env = explore_environment(NULL);
    if (!env)
        env = environ;
    uint64_t steps = o->policy == TD_POLICY_PCT ? calibrate(o, env) : 0;
    pool_t *p = calloc(1, sizeof *p);
    tally_t t = { 0 };
    if (!p) {
        cli_error("explore: out of memory");
        return -1;
    }
    init_pool(p, o->jobs);
    uint64_t next = 0;
    int rc = 0;
    explore_progress_t shown;
    explore_progress_start(&shown);
    while ((next < o->runs && !o->stopping()) || p->running > 0) {
        for (unsigned i = 0; i < p->jobs && next < o->runs && !o->stopping(); i++) {
            if (p->busy[i])
                continue;
            command_t c;
            make_command(o, steps, o->first_seed + next, &c);
            p->runs[i].cpu = p->cpus[i % p->n_cpus];
            p->runs[i].seed = o->first_seed + next;
            int err = start_run(&c, &p->runs[i], env);
            if (err != 0) {
                cli_error("explore: cannot start a run: %s", strerror(-err));
                rc = -1;
                next = o->runs;
                break;
            }
            p->busy[i] = true;
            p->running++;
            next++;
        }
        step(o, p, &t);
        explore_progress(o, &t, &shown, false);
    }
    explore_progress(o, &t, &shown, true);
    explore_report(o, &t, steps);
    free(t.rows);
    free(t.values);
    free(p);
    if (env != environ)
        free(env);
    return rc != 0 ? rc : t.problems > 0;
}
