/* SPDX-License-Identifier: MIT */
/* policy.c - schedule policies as text, and td_sched_check: many schedules, each in
 * a child process of its own (a deadlock or a crash ends that run only, and every
 * run starts from the same process state, Thread-N counters included). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "thrdemo/schedule.h"
#include "thrdemo/thread.h"

/* A decimal number up to the next ':' or the end: 0, or -EINVAL. */
static int number(const char **text, uint64_t *out)
{
    const char *p = *text;
    if (*p < '0' || *p > '9')
        return -EINVAL;
    uint64_t v = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
            return -EINVAL;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (*p != '\0' && *p != ':')
        return -EINVAL;
    *out = v;
    *text = *p == ':' ? p + 1 : p;
    return 0;
}

/* An optional ":NUMBER" field (*text just after the previous ':' or at the end). */
static int optional(const char **text, bool *given, uint64_t *out)
{
    *given = false;
    if (**text == '\0')
        return 0;
    *given = true;
    bool last = strchr(*text, ':') == NULL;
    int rc = number(text, out);
    return rc == 0 && !last && **text == '\0' ? -EINVAL : rc; /* "pct:1:" */
}

/* "T@D,T@D,..." with threads from 1 and decisions increasing, or "". */
static bool replay_choices_valid(const char *p)
{
    bool first = true;
    uint64_t last = 0;
    while (*p) {
        uint64_t thread, decision;
        const char *at = strchr(p, '@');
        if (!at || at == p)
            return false;
        char digits[24];
        size_t len = (size_t)(at - p);
        if (len >= sizeof digits)
            return false;
        memcpy(digits, p, len);
        digits[len] = '\0';
        const char *d = digits;
        if (number(&d, &thread) != 0 || *d != '\0' || thread == 0 || thread > 64)
            return false;
        const char *comma = strchr(at + 1, ',');
        len = comma ? (size_t)(comma - at - 1) : strlen(at + 1);
        if (len == 0 || len >= sizeof digits)
            return false;
        memcpy(digits, at + 1, len);
        digits[len] = '\0';
        d = digits;
        if (number(&d, &decision) != 0 || *d != '\0' || (!first && decision <= last))
            return false;
        first = false;
        last = decision;
        p = comma ? comma + 1 : at + 1 + len;
        if (comma && *p == '\0')
            return false; /* "1@2," */
    }
    return true;
}

int td_policy_parse(const char *text, td_policy_t *policy)
{
    if (!text || !policy)
        return -EINVAL;
    td_policy_t p = { 0 };
    if (strcmp(text, "fifo") == 0) {
        *policy = (td_policy_t){ .kind = TD_POLICY_FIFO };
        return 0;
    }
    const char *rest;
    if (strncmp(text, "random:", 7) == 0) {
        rest = text + 7;
        p.kind = TD_POLICY_RANDOM;
        if (number(&rest, &p.seed) != 0 || *rest != '\0' || rest[-1] == ':')
            return -EINVAL;
    } else if (strncmp(text, "pct:", 4) == 0) {
        rest = text + 4;
        p.kind = TD_POLICY_PCT;
        if (number(&rest, &p.seed) != 0 || (rest[-1] == ':' && *rest == '\0'))
            return -EINVAL;
        bool given;
        uint64_t depth = 3, steps = 1000;
        if (optional(&rest, &given, &depth) != 0 || (given && (depth < 1 || depth > 64)))
            return -EINVAL;
        if (given && optional(&rest, &given, &steps) != 0)
            return -EINVAL;
        if (*rest != '\0' || steps < 2)
            return -EINVAL;
        p.depth = (unsigned)depth;
        p.steps = steps;
    } else if (strncmp(text, "replay:", 7) == 0) {
        p.kind = TD_POLICY_REPLAY;
        p.choices = text + 7;
        if (!replay_choices_valid(p.choices))
            return -EINVAL;
    } else {
        return -EINVAL;
    }
    *policy = p;
    return 0;
}

size_t td_policy_format(const td_policy_t *p, char *buf, size_t size)
{
    int n;
    if (p->kind == TD_POLICY_FIFO)
        n = snprintf(buf, size, "fifo");
    else if (p->kind == TD_POLICY_RANDOM)
        n = snprintf(buf, size, "random:%" PRIu64, p->seed);
    else if (p->kind == TD_POLICY_REPLAY)
        n = snprintf(buf, size, "replay:%s", p->choices ? p->choices : "");
    else if (p->steps && p->steps != 1000)
        n = snprintf(buf, size, "pct:%" PRIu64 ":%u:%" PRIu64, p->seed, p->depth ? p->depth : 3,
                     p->steps);
    else
        n = snprintf(buf, size, "pct:%" PRIu64 ":%u", p->seed, p->depth ? p->depth : 3);
    return n < 0 ? 0 : (size_t)n;
}

/* ---- td_sched_check ----------------------------------------------------------------- */

enum { CHILD_FAILED = 1, CHILD_STUCK_BASE = 100 };

static void child_stuck(int why, const char *report, void *ctx)
{
    (void)report;
    (void)ctx;
    _exit(CHILD_STUCK_BASE + why);
}

/* In the child: one run under policy; its exit status says how it went. */
static _Noreturn void run_one(const td_policy_t *policy, uint64_t max_steps,
                              int (*fn)(void *), void *arg)
{
    td_sched_config_t config = { .policy = *policy, .max_steps = max_steps,
                                 .on_stuck = child_stuck };
    if (td_sched_begin(&config) != 0)
        _exit(CHILD_STUCK_BASE);
    int code = fn(arg);
    td_shutdown(); /* threads fn left running finish under the schedule too */
    _exit(code == 0 ? 0 : CHILD_FAILED + (code & 0x3f));
}

int td_sched_check(const td_policy_t *first, unsigned runs, uint64_t max_steps,
                   int (*fn)(void *), void *arg, td_sched_failure_t *failure)
{
    if (!first || !fn || first->kind > TD_POLICY_PCT)
        return -EINVAL;
    for (unsigned i = 0; i < runs; i++) {
        td_policy_t policy = *first;
        policy.seed = first->seed + i;
        fflush(NULL); /* the child must not write the parent's buffered output */
        pid_t pid = fork();
        if (pid < 0)
            return -errno;
        if (pid == 0)
            run_one(&policy, max_steps, fn, arg);
        int status;
        while (waitpid(pid, &status, 0) < 0)
            if (errno != EINTR)
                return -errno;
        td_sched_failure_t f = { .policy = policy, .run = i };
        if (WIFSIGNALED(status)) {
            f.status = 128 + WTERMSIG(status);
        } else if (WEXITSTATUS(status) >= CHILD_STUCK_BASE) {
            f.status = WEXITSTATUS(status) - CHILD_STUCK_BASE;
        } else if (WEXITSTATUS(status) != 0) {
            f.code = WEXITSTATUS(status) - CHILD_FAILED;
            f.code = f.code ? f.code : 1;
        } else {
            continue;
        }
        if (failure)
            *failure = f;
        return 1;
    }
    return 0;
}
