/* SPDX-License-Identifier: MIT */
/* prompt.c - step's side that talks to the user: the question (each live thread and
 * what it does next, the plain order's pick marked *), the help, the answers read
 * from stdin a line at a time (while the stop pipe says whether Ctrl-C came), and
 * which thread an answer names. I, the input not yet used, belongs to the session's
 * one thread.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "run/runner.h"
#include "step.h"

static struct {
    char input[STEP_LINE]; /* what stdin has sent beyond the lines read */
    size_t input_len;
    bool input_eof;
} I;

void step_say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fflush(stdout);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fflush(stderr);
}

void step_help(void)
{
    step_say("step: at each choice, type what goes on:\n"
             "  N or NAME  the thread numbered N in the list, or called NAME (Thread-2)\n"
             "  Enter      the thread marked *, the one the plain order runs\n"
             "  u          undo the last choice (the run is replayed up to it)\n"
             "  r          let the plain order run to the end (also at the end of the input)\n"
             "  s          print the command that replays the choices so far\n"
             "  q          quit, printing that command\n"
             "  ? or h     this help\n");
}

void step_show(const struct step_decision *d, size_t choice)
{
    int width = 0;
    for (size_t i = 0; i < d->n; i++)
        if ((int)strlen(d->threads[i].name) > width)
            width = (int)strlen(d->threads[i].name);
    step_say("step: choice %zu: who goes on?\n", choice);
    for (size_t i = 0; i < d->n; i++) {
        const struct step_shown *t = &d->threads[i];
        step_say("  %2u  %-*s %c %s%s\n", t->number, width, t->name,
                 t->number == d->chosen ? '*' : ' ', t->can_go ? "" : "cannot go: ", t->what);
    }
}

int step_read_input(char *buf, size_t size)
{
    for (;;) {
        char *nl = memchr(I.input, '\n', I.input_len);
        if (nl || (I.input_eof && I.input_len > 0)) {
            size_t len = nl ? (size_t)(nl - I.input) : I.input_len;
            snprintf(buf, size, "%.*s", (int)len, I.input);
            size_t used = nl ? len + 1 : len;
            memmove(I.input, I.input + used, I.input_len - used);
            I.input_len -= used;
            return 1;
        }
        if (I.input_eof)
            return 0;
        if (I.input_len == sizeof I.input)
            I.input_len = 0; /* a line longer than any answer: dropped */
        struct pollfd fds[2] = { { STDIN_FILENO, POLLIN, 0 }, { runner_stop_fd(), POLLIN, 0 } };
        if (poll(fds, fds[1].fd >= 0 ? 2 : 1, -1) < 0 && errno != EINTR)
            return 0;
        if (runner_stopping())
            return -1;
        if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
        ssize_t n = read(STDIN_FILENO, I.input + I.input_len, sizeof I.input - I.input_len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            I.input_eof = true;
        else
            I.input_len += (size_t)n;
    }
}

void step_trim(char *s)
{
    size_t len = strlen(s);
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
        s[--len] = '\0';
    size_t lead = strspn(s, " \t");
    memmove(s, s + lead, strlen(s + lead) + 1);
}

/* Whether word names thread t: its number, its name, or its name without the
 * function in parentheses ("Thread-2" for "Thread-2 (decrement)"); any case. */
static bool names(const char *word, const struct step_shown *t)
{
    char number[16];
    snprintf(number, sizeof number, "%u", t->number);
    size_t short_len = strcspn(t->name, " ");
    return strcmp(word, number) == 0 || strcasecmp(word, t->name) == 0 ||
           (strlen(word) == short_len && strncasecmp(word, t->name, short_len) == 0);
}

/* The threads that can go, "2, 3", into buf. */
static const char *can_go_list(const struct step_decision *d, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < d->n && len < size; i++)
        if (d->threads[i].can_go)
            len += (size_t)snprintf(buf + len, size - len, "%s%u", len ? ", " : "",
                                    d->threads[i].number);
    return buf;
}

const struct step_shown *step_pick(const struct step_decision *d, const char *word)
{
    char list[256];
    for (size_t i = 0; i < d->n; i++) {
        const struct step_shown *t = &d->threads[i];
        if (!names(word, t))
            continue;
        if (t->can_go)
            return t;
        step_say("step: %s cannot go now (%s); choose %s\n", t->name, t->what,
            can_go_list(d, list, sizeof list));
        return NULL;
    }
    char q[CLI_QUOTE_SIZE];
    step_say("step: '%s' is no thread here and no command; choose %s, or ? for help\n",
        cli_quote(word, q), can_go_list(d, list, sizeof list));
    return NULL;
}

