/* SPDX-License-Identifier: MIT */
/* stepchild.c - the run step drives: at each decision where two or more threads can
 * go on, say every live thread's next step to step and run the one it answers with
 * (stepchild.h has the protocol).
 *
 * The hook runs on the thread that reached the decision, one thread at a time (the
 * schedule's hand-off orders them), so C is plain memory. A thread's next step gets
 * its source line from the stack it had when it reached its point: the hook keeps
 * each thread's last stack, taken every time that thread asks, since a thread that
 * waits is asked about later, from another thread, whose stack says nothing of it.
 */
#include "stepchild.h"

#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <thrdemo/observer.h>
#include <thrdemo/thread.h>

#include "cli/cli.h"
#include "explain.h"

enum { MAX_STACKS = 256, WHAT = 512 };

struct stack {
    void *frames[EXPLAIN_FRAMES];
    int n;
};

static struct {
    int fd;
    int saved_stdout; /* while quiet: the real stdout; else -1 */
    bool running;     /* answered "run": the plain order to the end, no more questions */
    struct stack stacks[MAX_STACKS]; /* by thread number - 1 */
} C = { .fd = -1, .saved_stdout = -1 };

/* ---- talking to step ------------------------------------------------------------------ */

static void say(const char *text, size_t len)
{
    while (len > 0) {
        ssize_t n = write(C.fd, text, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            _exit(EXIT_RUNTIME); /* step has gone: nobody to run for */
        text += n;
        len -= (size_t)n;
    }
}

/* One line of step's answer, without its newline. */
static void hear(char *buf, size_t size)
{
    size_t len = 0;
    for (;;) {
        char c;
        ssize_t n = read(C.fd, &c, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            _exit(EXIT_RUNTIME);
        if (c == '\n')
            break;
        if (len + 1 < size)
            buf[len++] = c;
    }
    buf[len] = '\0';
}

static void be_quiet(void)
{
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    C.saved_stdout = dup(STDOUT_FILENO);
    if (null < 0 || C.saved_stdout < 0 || dup2(null, STDOUT_FILENO) < 0)
        C.saved_stdout = -1;
    if (null >= 0)
        close(null);
}

static void show_output(void)
{
    if (C.saved_stdout < 0)
        return;
    fflush(stdout);
    dup2(C.saved_stdout, STDOUT_FILENO);
    close(C.saved_stdout);
    C.saved_stdout = -1;
}

/* ---- what a thread does next, in words ---------------------------------------------- */

static void holder_name(const td_sched_decision_t *d, unsigned number, char *buf, size_t size)
{
    snprintf(buf, size, "thread %u", number);
    for (size_t i = 0; i < d->n; i++)
        if (d->threads[i].number == number)
            td_thread_get_name(d->threads[i].thread, buf, size);
}

/* "reads shared_resource", "acquires lock_b, held by Thread-1 (a_then_b)", or for a
 * blocked thread what it waits for. */
static void next_step(const td_sched_decision_t *d, const td_sched_thread_view_t *v, char *buf,
                      size_t size)
{
    char object[CLI_NAME_MAX] = "", holder[CLI_NAME_MAX] = "";
    if (v->holder)
        holder_name(d, v->holder, holder, sizeof holder);
    if (v->blocked && v->waits_kind && strcmp(v->waits_kind, "sleep") == 0) {
        snprintf(buf, size, "sleeps");
    } else if (v->blocked && v->waits_on && strcmp(v->waits_kind, "thread") == 0) {
        explain_object_name(v->waits_on, "thread", object, sizeof object);
        snprintf(buf, size, "waits to join %s", object);
    } else if (v->blocked && v->waits_on) {
        explain_object_name(v->waits_on, v->waits_kind, object, sizeof object);
        snprintf(buf, size, "waits for %s %s%s%s", v->waits_kind, object,
                 holder[0] ? ", held by " : "", holder);
    } else if (!v->can_go && strcmp(v->verb, "joins") == 0 && v->object) {
        explain_object_name(v->object, v->noun, object, sizeof object); /* held back until it ends */
        snprintf(buf, size, "waits to join %s, which has not ended", object);
    } else if (strcmp(v->verb, "starts") == 0 && v->object == v->thread) {
        snprintf(buf, size, "begins its run"); /* not yet run */
    } else if (strcmp(v->verb, "starts") == 0) {
        explain_object_name(v->object, v->noun, object, sizeof object);
        snprintf(buf, size, "goes on after starting %s", object);
    } else {
        if (v->object)
            explain_object_name(v->object, v->noun, object, sizeof object);
        snprintf(buf, size, "%s%s%s%s%s", v->blocked ? "waits: " : "", v->verb,
                 object[0] ? " " : "", object, holder[0] ? ", held by " : "");
        size_t len = strlen(buf);
        snprintf(buf + len, size - len, "%s", holder);
    }
}

/* " (lock_counter.c:60)" for v's next step, from its stack when it reached it. */
static void source_line(const td_sched_thread_view_t *v, char *buf, size_t size)
{
    buf[0] = '\0';
    if (!v->caller)
        return;
    const struct stack *s = v->number <= MAX_STACKS ? &C.stacks[v->number - 1] : NULL;
    char line[256];
    explain_source_line(v->caller, s ? s->frames : NULL, s ? s->n : 0, line, sizeof line);
    if (line[0])
        snprintf(buf, size, " (%s)", line);
}

/* ---- the decision --------------------------------------------------------------------- */

static void tell(const td_sched_decision_t *d)
{
    static char text[64 * 1024];
    size_t len = (size_t)snprintf(text, sizeof text, "decision %llu %u %u\n",
                                  (unsigned long long)d->decision, d->chosen, d->asking);
    for (size_t i = 0; i < d->n && len < sizeof text; i++) {
        const td_sched_thread_view_t *v = &d->threads[i];
        char name[CLI_NAME_MAX], what[WHAT], at[300];
        td_thread_get_name(v->thread, name, sizeof name);
        next_step(d, v, what, sizeof what);
        source_line(v, at, sizeof at);
        len += (size_t)snprintf(text + len, sizeof text - len, "thread %u %s %s\t%s%s\n",
                                v->number, v->can_go ? "can" : v->blocked ? "blocked" : "held",
                                name, what, at);
    }
    if (len < sizeof text)
        len += (size_t)snprintf(text + len, sizeof text - len, "ask\n");
    say(text, len < sizeof text ? len : sizeof text - 1);
}

static unsigned on_decide(const td_sched_decision_t *d, void *ctx)
{
    (void)ctx;
    if (C.running)
        return 0;
    if (d->asking >= 1 && d->asking <= MAX_STACKS) {
        struct stack *s = &C.stacks[d->asking - 1];
        s->n = backtrace(s->frames, EXPLAIN_FRAMES);
    }
    if (d->can_go < 2)
        return 0; /* nothing to choose */
    fflush(stdout); /* the lines before it, before the question */
    tell(d);
    char answer[64];
    hear(answer, sizeof answer);
    if (strstr(answer, " show"))
        show_output();
    if (strncmp(answer, "run", 3) == 0) {
        C.running = true;
        return 0;
    }
    return (unsigned)strtoul(answer, NULL, 10);
}

bool stepchild_begin(td_sched_config_t *config)
{
    const char *fd = getenv("THRDEMO_STEP_FD");
    if (!fd)
        return false;
    C.fd = atoi(fd);
    const char *quiet = getenv("THRDEMO_STEP_QUIET");
    if (quiet && strcmp(quiet, "1") == 0)
        be_quiet();
    void *warm[1];
    backtrace(warm, 1); /* its first call loads libgcc: not in the middle of a run */
    config->on_decide = on_decide;
    return true;
}
