/* SPDX-License-Identifier: MIT */
/* sched_explore.c - one run of an exploration (explore.h), inside the run's process:
 * it follows the request and writes down every decision for the engine (dpor.c).
 *
 * The request is one line from the engine: the replay choices that lead to the
 * branch being explored, the first decision after them ("free": from there on the
 * run makes its own choices) and the sleep set there: the threads whose next step
 * was explored from that state already. Or "record": the run keeps its own policy
 * (random, pct) and only writes its decisions down, so that explore can turn a
 * sampled schedule into replay choices and shrink them. A sleeping thread is not chosen; it wakes
 * when a step that must keep its order with its own next step runs (Godefroid's
 * sleep sets), and a run in which every thread free to go on sleeps stops: it could
 * only repeat explored schedules (TD_SCHED_REDUNDANT).
 *
 * What the run writes, a line per record, is all the engine knows of it:
 *   N decision self self_free yielding chosen {number:status:kind:object}...
 *       a decision: the thread that ran (0: none), whether it could go on, whether it
 *       yielded, the thread chosen, and every runnable thread with its status (f free
 *       to run, h held back, s asleep) and its next step;
 *   E number object     the step just run ended that thread (its object);
 *   S why               the run stopped: 0 it ended, else a TD_SCHED_* reason.
 * Objects are numbered in the order the run first writes them, so two runs that make
 * the same first decisions number them alike; 0 is the output (LINE) or nothing.
 * Everything here is done by the thread holding the token (sched.c's design).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ptrmap.h"
#include "sched_internal.h"
#include "thrdemo/explore.h"

enum { MAX_THREADS = 64 };

struct td_explore_request {
    int fd;
    bool record_only; /* keep the run's own policy: write its decisions, no more */
    uint64_t free;    /* the first decision the run makes itself */
    uint64_t asleep;  /* the sleep set there, a bit per thread number - 1 */
    bool lines_commute;
    char choices[];   /* replay choices "T@D,..." */
};

static struct {
    bool active;
    const struct td_explore_request *request;
    int fd;
    uint64_t asleep;
    uint64_t applied;       /* the decision whose sleep set is up to date */
    uint64_t decisions;     /* recorded so far (the policy counts its own way) */
    bool stopped;
    td__ptrmap_t objects;   /* object -> number */
    uint32_t n_objects;
    struct {
        unsigned thread;    /* the thread chosen at the last decision (0: none yet) */
        td__op_t op;        /* the step it was to run */
        bool ended;
        uint32_t end_object;
    } last;
} E;

/* ---- what a step does --------------------------------------------------------------- */

td__access_t td__op_access(unsigned kind, bool lines_commute)
{
    switch (kind) {
    case TD__POINT_START: return TD__LOCAL;
    case TD__POINT_LINE: return lines_commute ? TD__LOCAL : TD__WRITES;
    case TD__POINT_YIELD:
    case TD__POINT_RACE:
    case TD__POINT_FUTURE: return TD__ANYTHING;
    case TD__POINT_EVENT_WAIT:
    case TD__POINT_JOIN:
    case TD__POINT_QUEUE_JOIN:
    case TD__POINT_READ: return TD__READS;
    default: return TD__WRITES;
    }
}

bool td__op_dependent(td__op_t a, td__op_t b, bool lines_commute)
{
    td__access_t x = td__op_access(a.kind, lines_commute), y = td__op_access(b.kind, lines_commute);
    if (x == TD__LOCAL || y == TD__LOCAL)
        return false;
    if (x == TD__ANYTHING || y == TD__ANYTHING)
        return true;
    return a.object == b.object && !(x == TD__READS && y == TD__READS);
}

/* ---- the request -------------------------------------------------------------------- */

/* One line from fd, without its newline, into a new string: NULL on error or EOF. */
static char *read_line(int fd)
{
    size_t cap = 256, len = 0;
    char *line = malloc(cap);
    while (line) {
        char c;
        ssize_t got = read(fd, &c, 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            free(line);
            return NULL;
        }
        if (c == '\n') {
            line[len] = '\0';
            return line;
        }
        if (len + 1 == cap) {
            char *grown = realloc(line, cap *= 2);
            if (!grown)
                free(line);
            line = grown;
        }
        if (line)
            line[len++] = c;
    }
    return NULL;
}

/* "free=F sleep=T,T commute=0|1 choices=T@D,..." into a request (sleep and choices
 * may be empty): NULL if it is not one. */
static struct td_explore_request *parse_request(const char *line, int fd)
{
    unsigned long long free_at;
    int commute, used = 0;
    if (sscanf(line, "free=%llu commute=%d sleep=%n", &free_at, &commute, &used) != 2 || !used)
        return NULL;
    const char *p = line + used;
    uint64_t asleep = 0;
    while (*p >= '0' && *p <= '9') {
        char *end;
        unsigned long t = strtoul(p, &end, 10);
        if (t == 0 || t > MAX_THREADS)
            return NULL;
        asleep |= 1ULL << (t - 1);
        p = *end == ',' ? end + 1 : end;
    }
    if (strncmp(p, " choices=", 9) != 0)
        return NULL;
    p += 9;
    struct td_explore_request *r = malloc(sizeof *r + strlen(p) + 1);
    if (!r)
        return NULL;
    *r = (struct td_explore_request){ .fd = fd, .free = free_at, .asleep = asleep,
                                      .lines_commute = commute != 0 };
    strcpy(r->choices, p);
    return r;
}

int td_explore_child(int fd, td_sched_config_t *config)
{
    if (fd < 0 || !config)
        return -EINVAL;
    char *line = read_line(fd);
    if (!line)
        return -EINVAL;
    int commute = 0, used = 0;
    struct td_explore_request *r = NULL;
    if (sscanf(line, "record commute=%d%n", &commute, &used) == 1 && line[used] == '\0') {
        r = calloc(1, sizeof *r + 1);
        if (r)
            *r = (struct td_explore_request){ .fd = fd, .record_only = true, .free = UINT64_MAX,
                                              .lines_commute = commute != 0 };
    } else {
        r = parse_request(line, fd);
    }
    free(line);
    if (!r)
        return -EINVAL;
    if (!r->record_only)
        config->policy = (td_policy_t){ .kind = TD_POLICY_REPLAY, .choices = r->choices };
    config->explore = r;
    return 0;
}

/* ---- the run ------------------------------------------------------------------------ */

bool td__explore_active(void)
{
    return E.active;
}

void td__explore_begin(const td_sched_config_t *config)
{
    td__ptrmap_free(&E.objects);
    memset(&E, 0, sizeof E);
    if (!config->explore)
        return;
    E.active = true;
    E.request = config->explore;
    E.fd = config->explore->fd;
    E.asleep = config->explore->asleep;
    E.applied = config->explore->free;
}

/* The object's number in this run (0 for NULL), numbering it if it is new. */
static uint32_t object_number(const void *object)
{
    uintptr_t n = 0;
    if (!object || td__ptrmap_get(&E.objects, object, &n))
        return (uint32_t)n;
    if (td__ptrmap_put(&E.objects, object, ++E.n_objects) != 0)
        td__out_of_memory("explore: numbering objects");
    return E.n_objects;
}

static td__op_t next_op(const struct sthread *t)
{
    return (td__op_t){ (uint8_t)t->next_kind, object_number(t->next_object) };
}

static bool is_asleep(const struct sthread *t)
{
    return t->number <= MAX_THREADS && (E.asleep >> (t->number - 1) & 1);
}

/* Wake the sleeping threads whose next step must keep its order with the step run
 * at the last decision (or, when it ended its thread, that thread's join). */
static void wake_dependent(struct sthread *const *threads, size_t n)
{
    for (size_t i = 0; i < n && i < MAX_THREADS; i++) {
        const struct sthread *t = threads[i];
        if (!is_asleep(t))
            continue;
        td__op_t op = next_op(t);
        bool joins_ended = E.last.ended && op.kind == TD__POINT_JOIN &&
                           op.object == E.last.end_object;
        if (t->state != RUNNABLE || joins_ended ||
            td__op_dependent(op, E.last.op, E.request->lines_commute))
            E.asleep &= ~(1ULL << i);
    }
}

bool (*td__explore_asleep(struct sthread *const *threads, size_t n, uint64_t decision))(
    const struct sthread *t)
{
    if (decision < E.request->free)
        return NULL;
    if (decision > E.applied) {
        wake_dependent(threads, n);
        E.applied = decision;
    }
    return is_asleep;
}

/* Write one record; a run whose engine went away has nobody to tell, and goes on. */
static void put(const char *text, size_t len)
{
    while (len > 0) {
        ssize_t wrote = write(E.fd, text, len);
        if (wrote < 0 && errno == EINTR)
            continue;
        if (wrote <= 0)
            return;
        text += wrote;
        len -= (size_t)wrote;
    }
}

void td__explore_record(struct sthread *const *threads, size_t n, const struct sthread *self,
                        bool yielding, const struct sthread *chosen)
{
    static char buf[64 + MAX_THREADS * 40];
    uint64_t decision = E.decisions++;
    size_t len = (size_t)snprintf(buf, sizeof buf, "N %llu %u %d %d %u",
                                  (unsigned long long)decision,
                                  self ? self->number : 0, self && td__sched_free_to_run(self),
                                  yielding, chosen ? chosen->number : 0);
    for (size_t i = 0; i < n && i < MAX_THREADS && len + 40 < sizeof buf; i++) {
        const struct sthread *t = threads[i];
        if (t->state != RUNNABLE)
            continue;
        td__op_t op = next_op(t);
        char status = !td__sched_free_to_run(t)                         ? 'h'
                      : decision >= E.request->free && is_asleep(t) ? 's'
                                                                     : 'f';
        len += (size_t)snprintf(buf + len, sizeof buf - len, " %u:%c:%u:%u", t->number, status,
                                op.kind, op.object);
    }
    buf[len++] = '\n';
    put(buf, len);
    if (chosen)
        E.last.op = next_op(chosen);
    E.last.thread = chosen ? chosen->number : 0;
    E.last.ended = false;
}

void td__explore_record_end(const struct sthread *t, const void *thread_object)
{
    char buf[64];
    E.last.ended = true;
    E.last.end_object = object_number(thread_object);
    int len = snprintf(buf, sizeof buf, "E %u %u\n", t->number, E.last.end_object);
    put(buf, (size_t)len);
}

void td__explore_record_stop(int why)
{
    if (!E.active || E.stopped)
        return;
    E.stopped = true;
    char buf[32];
    int len = snprintf(buf, sizeof buf, "S %d\n", why);
    put(buf, (size_t)len);
}
