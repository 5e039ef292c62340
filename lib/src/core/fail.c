/* SPDX-License-Identifier: MIT */
/* fail.c - the library's ways to stop a process that cannot go on: three, each
 * saying so once, with one prefix, on stderr, then abort().
 *
 * - td__fatal: the library's own bug (an invariant broken, a system call that cannot
 *   fail failing): "libthrdemo: internal error: ...".
 * - td__misuse: the caller broke a rule a void function cannot report (freeing a loop
 *   that runs, destroying an event tasks wait on): "libthrdemo: misuse: ...", as libuv
 *   aborts on a closed handle.
 * - td__out_of_memory: where no error can be returned (inside the event loop, a
 *   thread's own record): "libthrdemo: out of memory: ...".
 * The message is formatted into a buffer on the stack and written with one write(2):
 * no malloc, no stdio lock, so it works in a fork()ed child, in a signal handler's
 * path and with the heap exhausted.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core.h"

static _Noreturn TD__PRINTF(2, 0) void die(const char *kind, const char *fmt, va_list ap)
{
    char line[512];
    int n = snprintf(line, sizeof line, "libthrdemo: %s: ", kind);
    if (n < 0 || (size_t)n >= sizeof line)
        n = 0;
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m < sizeof line - (size_t)n - 1
                                              ? (size_t)m : sizeof line - (size_t)n - 2);
    line[len++] = '\n';
    ssize_t ignored = write(STDERR_FILENO, line, len);
    (void)ignored;
    abort();
}

_Noreturn void td__fatal(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    die("internal error", fmt, ap);
}

_Noreturn void td__misuse(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    die("misuse", fmt, ap);
}

_Noreturn void td__out_of_memory(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    die("out of memory", fmt, ap);
}
