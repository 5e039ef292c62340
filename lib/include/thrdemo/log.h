/* SPDX-License-Identifier: MIT */
/* log.h - whole-line, thread-safe output: Python's print and the logging formats
 * the seeds use.
 *
 * Each call writes one complete line to the output (stdout by default) under one
 * process-wide lock with a single write, so lines of different threads never tear,
 * and a pipe sees every line as soon as it is written. Each line is counted for the
 * thread that wrote it (td_thread_lines).
 */
#ifndef THRDEMO_LOG_H
#define THRDEMO_LOG_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum td_log_format {
    TD_LOG_MESSAGE,    /* "%(message)s" */
    TD_LOG_THREADNAME, /* "(%(threadName)-10s) %(message)s" */
    TD_LOG_ASCTIME     /* "%(asctime)s: %(message)s" with datefmt "%H:%M:%S" */
} td_log_format_t;

#if defined(__GNUC__)
#define TD_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define TD_PRINTF(a, b)
#endif

/* Write one line (a newline is added), like Python's print: 0 or -errno. */
TD_API int td_print(const char *fmt, ...) TD_PRINTF(1, 2);
/* Write one line in the logging format chosen with td_log_set_format: 0 or -errno. */
TD_API int td_log(const char *fmt, ...) TD_PRINTF(1, 2);
/* Choose the format of td_log lines (logging.basicConfig's format). */
TD_API void td_log_set_format(td_log_format_t format);
/* Send lines to fd instead of stdout (for tests); returns the previous fd. */
TD_API int td_log_set_fd(int fd);
/* The first write error seen (a negative errno), or 0 if every line was written. */
TD_API int td_log_status(void);

#ifdef __cplusplus
}
#endif
#endif
