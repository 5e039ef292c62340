/* SPDX-License-Identifier: MIT */
/* log.c - whole-line output under one process-wide lock.
 *
 * A line is formatted into a buffer (a stack one, or the heap for a long line) and
 * handed to write() whole, so no other thread's bytes can land inside it and no
 * stdio buffer holds it back from a pipe. output_mutex guards the fd, the format and
 * the first error; td__log_freeze takes it for good at exit, which silences daemon
 * threads without tearing a line. The %H:%M:%S of the asctime format is read from
 * the library's one clock (virtual under a schedule), in local time.
 * The log is a service: it uses the runtime (thread names, line counts) and the
 * core, and nothing below calls it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runtime/runtime.h"
#include "services.h"
#include "thrdemo/log.h"

static pthread_mutex_t output_mutex = TD__MUTEX_INITIALIZER;
static int output_fd = STDOUT_FILENO;
static td_log_format_t log_format = TD_LOG_MESSAGE;
static int first_error;

enum { STACK_LINE = 512 };

static int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Write prefix + message + "\n" as one line. */
static int emit(const char *prefix, const char *fmt, va_list ap) TD_PRINTF(2, 0);

static int emit(const char *prefix, const char *fmt, va_list ap)
{
    int saved_errno = errno;
    char stack[STACK_LINE];
    va_list again;
    va_copy(again, ap);
    size_t plen = strlen(prefix);
    int mlen = vsnprintf(NULL, 0, fmt, ap);
    if (mlen < 0) {
        va_end(again);
        return -EINVAL;
    }
    size_t len = plen + (size_t)mlen + 1;
    char *line = len + 1 <= sizeof stack ? stack : malloc(len + 1);
    if (!line) {
        va_end(again);
        return -ENOMEM;
    }
    memcpy(line, prefix, plen);
    vsnprintf(line + plen, (size_t)mlen + 1, fmt, again);
    va_end(again);
    line[len - 1] = '\n';

    bool observed = TD__OBSERVING();
    uint64_t seq = 0;
    td__mutex_lock(&output_mutex);
    int rc = write_all(output_fd, line, len);
    if (rc != 0 && first_error == 0)
        first_error = rc;
    if (observed)
        seq = td__observe_seq(); /* under the lock: numbered in stdout's order */
    td__mutex_unlock(&output_mutex);

    td__thread_count_line();
    if (observed) {
        td__report_fn report = atomic_load_explicit(&td__reporter, memory_order_acquire);
        if (report)
            report(&(td__report_t){ .kind = TD_OBS_LINE, .primitive = "log", .result = rc,
                                    .timeout = -1, .seq = seq, .text = line,
                                    .len = len - 1 });
    }
    if (line != stack)
        free(line);
    errno = saved_errno;
    return rc;
}

int td_print(const char *fmt, ...)
{
    TD__POINT(TD__POINT_LINE, NULL); /* before the output lock is taken */
    va_list ap;
    va_start(ap, fmt);
    int rc = emit("", fmt, ap);
    va_end(ap);
    return rc;
}

static void format_prefix(td_log_format_t format, char *buf, size_t size)
{
    buf[0] = '\0';
    if (format == TD_LOG_THREADNAME) {
        char name[200];
        td_thread_get_name(td_current_thread(), name, sizeof name);
        snprintf(buf, size, "(%-10s) ", name);
    } else if (format == TD_LOG_ASCTIME) {
        time_t now = (time_t)(td__wall_now() / TD__NS_PER_S);
        struct tm tm;
        if (td__sched != NULL)
            gmtime_r(&now, &tm); /* a virtual clock's time is the same everywhere */
        else
            localtime_r(&now, &tm);
        strftime(buf, size, "%H:%M:%S: ", &tm);
    }
}

int td_log(const char *fmt, ...)
{
    TD__POINT(TD__POINT_LINE, NULL); /* before the output lock is taken */
    td__mutex_lock(&output_mutex);
    td_log_format_t format = log_format;
    td__mutex_unlock(&output_mutex);
    char prefix[256];
    format_prefix(format, prefix, sizeof prefix);
    va_list ap;
    va_start(ap, fmt);
    int rc = emit(prefix, fmt, ap);
    va_end(ap);
    return rc;
}

void td_log_set_format(td_log_format_t format)
{
    td__mutex_lock(&output_mutex);
    log_format = format;
    td__mutex_unlock(&output_mutex);
}

int td_log_set_fd(int fd)
{
    td__mutex_lock(&output_mutex);
    int old = output_fd;
    output_fd = fd;
    td__mutex_unlock(&output_mutex);
    return old;
}

int td_log_status(void)
{
    td__mutex_lock(&output_mutex);
    int rc = first_error;
    td__mutex_unlock(&output_mutex);
    return rc;
}

void td__log_freeze(void)
{
    td__mutex_lock(&output_mutex); /* never released: the process is ending */
}

/* A fork while another thread writes a line must not leave the child's output
 * lock held by a thread that does not exist there. */
__attribute__((constructor)) static void log_atfork(void)
{
    td__fork_guard(TD__FORK_OUTPUT, &output_mutex, NULL);
}
