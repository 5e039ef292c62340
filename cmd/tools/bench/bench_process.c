/* SPDX-License-Identifier: MIT */
/* bench_process.c - one workload of `bench all` in a process of its own: start it,
 * read the lines it writes, forward a stop, wait for its end.
 *
 * The child is this binary again (the caller passes /proc/self/exe), so no memory,
 * freed stack, thread or warm cache of one workload is left for the next one to pay
 * for or profit from. The parent is one thread in a poll() loop over the child's
 * stdout and stderr pipes and the runner's stop descriptor.
 *
 * Stopping: the child gets its own process group, so a Ctrl-C typed at the terminal
 * reaches the parent alone, which forwards exactly one SIGINT: the child stops in
 * order after its current run and still reports what it measured (a second signal
 * would make it end at once). Its stderr comes through the parent, which drops the
 * child's own "interrupted" line, so a stop is said once. It ignores SIGTTOU, so its progress line on the
 * terminal never stops it (a background group writing to a terminal with `stty
 * tostop`). It keeps the parent's blocked SIGINT and SIGTERM, so a stop that arrives
 * before its own runner is ready waits for it, but not their being ignored (as a
 * shell starts a command in the background), which would lose the stop. If the parent dies, the kernel kills
 * the child (PR_SET_PDEATHSIG): no measurement goes on that nobody reads.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

enum { LINE_MAX_BYTES = 8192 };

/* After fork(), before exec: async-signal-safe calls only. */
static _Noreturn void exec_child(char *const words[], char *const env[], const int out[2],
                                 pid_t parent)
{
    setpgid(0, 0);
    signal(SIGTTOU, SIG_IGN);
    signal(SIGINT, SIG_DFL); /* a shell starts `bench all &` with them ignored, which */
    signal(SIGTERM, SIG_DFL); /* exec keeps: the forwarded stop would be lost */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
        _exit(127); /* the parent is gone already */
    if (dup2(out[0], STDOUT_FILENO) < 0 || dup2(out[1], STDERR_FILENO) < 0)
        _exit(127);
    execve(words[0], words, env);
    static const char why[] = "thrdemo: bench: cannot run this binary again for a workload\n";
    ssize_t n = write(STDERR_FILENO, why, sizeof why - 1);
    (void)n;
    _exit(127);
}

typedef struct reader {
    char line[LINE_MAX_BYTES];
    size_t len;
    bool too_long; /* the line so far did not fit: drop it */
    void (*on_line)(char *line, void *arg);
    void *arg;
    bool stopped; /* a stop was forwarded */
} reader_t;

static void take_bytes(reader_t *r, const char *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (buf[i] == '\n') {
            r->line[r->len] = '\0';
            if (!r->too_long)
                r->on_line(r->line, r->arg);
            r->len = 0;
            r->too_long = false;
        } else if (r->len + 1 < sizeof r->line) {
            r->line[r->len++] = buf[i];
        } else {
            r->too_long = true;
        }
    }
}

/* What the child says on stderr goes to ours as it comes (its progress line
 * included), but for the "interrupted" line that its stop ends with (after the
 * progress line's clearing, on the same line): the parent says that once, for both. */
static void relay_stderr(reader_t *r, const char *buf, size_t n)
{
    static const char interrupted[] = "thrdemo: interrupted by ";
    while (n > 0) {
        const char *nl = memchr(buf, '\n', n);
        size_t part = nl ? (size_t)(nl - buf) + 1 : n;
        const char *said = r->stopped ? memmem(buf, part, interrupted, sizeof interrupted - 1)
                                      : NULL;
        fwrite(buf, 1, said ? (size_t)(said - buf) : part, stderr);
        buf += part;
        n -= part;
    }
    fflush(stderr);
}

/* Read the child's stdout and stderr until both close, forwarding one SIGINT on a
 * stop. */
static void read_until_closed(pid_t pid, int fd[2], int stop_fd, reader_t *r)
{
    r->stopped = stop_fd < 0; /* nothing to forward */
    while (fd[0] >= 0 || fd[1] >= 0) {
        struct pollfd fds[3] = { { .fd = fd[0], .events = POLLIN },
                                 { .fd = fd[1], .events = POLLIN },
                                 { .fd = r->stopped ? -1 : stop_fd, .events = POLLIN } };
        if (poll(fds, 3, -1) < 0 && errno != EINTR)
            break; /* cannot happen with these arguments; waitpid still ends it */
        if (fds[2].revents) {
            kill(pid, SIGINT);
            r->stopped = true;
        }
        for (int k = 0; k < 2; k++) {
            if (!fds[k].revents)
                continue;
            char buf[4096];
            ssize_t n = read(fd[k], buf, sizeof buf);
            if (n < 0 && (errno == EINTR || errno == EAGAIN))
                continue;
            if (n <= 0) {
                close(fd[k]);
                fd[k] = -1;
            } else if (k == 0) {
                take_bytes(r, buf, (size_t)n);
            } else {
                relay_stderr(r, buf, (size_t)n);
            }
        }
    }
    for (int k = 0; k < 2; k++)
        if (fd[k] >= 0)
            close(fd[k]);
}

int bench_run_child(char *const words[], char *const env[], int stop_fd,
                    void (*on_line)(char *line, void *arg), void *arg, int *status)
{
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) != 0)
        return -errno;
    if (pipe2(err, O_CLOEXEC) != 0) {
        int error = errno;
        close(out[0]);
        close(out[1]);
        return -error;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0)
        exec_child(words, env, (int[2]){ out[1], err[1] }, parent);
    int error = errno;
    close(out[1]);
    close(err[1]);
    if (pid < 0) {
        close(out[0]);
        close(err[0]);
        return -error;
    }
    setpgid(pid, pid); /* as the child does: whichever runs first, it is done */
    static reader_t r; /* one child at a time */
    r = (reader_t){ .on_line = on_line, .arg = arg };
    read_until_closed(pid, (int[2]){ out[0], err[0] }, stop_fd, &r);
    while (waitpid(pid, status, 0) < 0)
        if (errno != EINTR)
            return -errno;
    return 0;
}

void bench_child_ended(int status, char *buf, size_t size)
{
    if (WIFSIGNALED(status))
        snprintf(buf, size, "was killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else
        snprintf(buf, size, "exited with status %d", WEXITSTATUS(status));
}
