/* SPDX-License-Identifier: MIT */
/* sched_report.c - what the controlled scheduler says when a run is stuck (a deadlock,
 * or the step limit): one line per live thread, what it waits for and, for a lock,
 * which thread holds it (sched_internal.h).
 *
 * What a thread waits on and which locks are held come from the observer's reports
 * (td__sched_report_note, made by the thread holding the token); objects without a
 * name are numbered in order of first appearance ("event #3"), so a report reads the
 * same on every run of a schedule. R, the holders and the objects seen, is touched
 * only by the thread holding the token, and lives for one schedule.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched_internal.h"
#include "thrdemo/observer.h"

struct holder {
    const void *lock;
    unsigned number;
};

static struct {
    struct holder *holders;
    size_t n_holders, cap_holders;
    const void **objects; /* every object seen, for "lock #3" in reports */
    size_t n_objects, cap_objects;
} R;

/* The object's name, or "#k" in order of first appearance ("event #3"). */
static void object_name(const void *object, char *buf, size_t size)
{
    if (td_object_get_name(object, buf, size) > 0)
        return;
    size_t k = 0;
    while (k < R.n_objects && R.objects[k] != object)
        k++;
    snprintf(buf, size, "#%zu", k + 1);
}

static unsigned holder_of(const void *lock)
{
    for (size_t i = 0; i < R.n_holders; i++)
        if (R.holders[i].lock == lock)
            return R.holders[i].number;
    return 0;
}

static const char *thread_name(struct sthread *const *threads, unsigned number, char *buf,
                               size_t size)
{
    struct sthread *t = number ? threads[number - 1] : NULL;
    if (t && t->thread)
        td_thread_get_name(t->thread, buf, size);
    else
        snprintf(buf, size, "thread %u", number);
    return buf;
}

static void append(char *buf, size_t size, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void append(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
    if (*len >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *len, size - *len, fmt, ap);
    va_end(ap);
    if (n > 0)
        *len += (size_t)n;
}

/* One line per live thread: what it waits for and, for a lock, who holds it. */
static void describe_waits(char *buf, size_t size, size_t *len, struct sthread *const *threads,
                           size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct sthread *t = threads[i];
        if (t->state == FINISHED)
            continue;
        char name[128], what[128], holder[128];
        thread_name(threads, t->number, name, sizeof name);
        if (t->state == RUNNABLE) {
            append(buf, size, len, "  %s is runnable\n", name);
            continue;
        }
        if (!t->waits_on) {
            append(buf, size, len, "  %s waits\n", name);
            continue;
        }
        if (strcmp(t->waits_kind, "thread") == 0) {
            td_thread_get_name((td_thread_t *)t->waits_on, what, sizeof what);
            append(buf, size, len, "  %s waits to join %s\n", name, what);
            continue;
        }
        object_name(t->waits_on, what, sizeof what);
        unsigned h = holder_of(t->waits_on);
        if (h)
            append(buf, size, len, "  %s waits for %s %s, held by %s\n", name, t->waits_kind,
                   what, thread_name(threads, h, holder, sizeof holder));
        else
            append(buf, size, len, "  %s waits on %s %s\n", name, t->waits_kind, what);
    }
}

void td__sched_report_write(char *buf, size_t size, int why, uint64_t steps,
                            struct sthread *const *threads, size_t n)
{
    size_t len = 0;
    if (size > 0)
        buf[0] = '\0';
    if (why == TD_SCHED_DEADLOCK)
        append(buf, size, &len,
               "deadlock: every thread is blocked and no timeout is pending "
               "(after %llu scheduling points)\n",
               (unsigned long long)steps);
    else
        append(buf, size, &len,
               "stopped after %llu scheduling points (the step limit): it may never end\n",
               (unsigned long long)steps);
    describe_waits(buf, size, &len, threads, n);
}

/* ---- what the observer tells: waits and lock holders ---------------------------------- */

static void remember_object(const void *object)
{
    for (size_t i = 0; i < R.n_objects; i++)
        if (R.objects[i] == object)
            return;
    if (R.n_objects == R.cap_objects) {
        size_t cap = R.cap_objects ? R.cap_objects * 2 : 32;
        const void **grown = realloc(R.objects, cap * sizeof *grown);
        if (!grown)
            return;
        R.objects = grown;
        R.cap_objects = cap;
    }
    R.objects[R.n_objects++] = object;
}

static void set_holder(const void *lock, unsigned number)
{
    for (size_t i = 0; i < R.n_holders; i++) {
        if (R.holders[i].lock == lock) {
            R.holders[i].number = number;
            return;
        }
    }
    if (R.n_holders == R.cap_holders) {
        size_t cap = R.cap_holders ? R.cap_holders * 2 : 16;
        struct holder *grown = realloc(R.holders, cap * sizeof *grown);
        if (!grown)
            return;
        R.holders = grown;
        R.cap_holders = cap;
    }
    R.holders[R.n_holders++] = (struct holder){ lock, number };
}

void td__sched_report_note(const td__report_t *r, struct sthread *self)
{
    td_obs_kind_t kind = r->kind;
    const char *primitive = r->primitive;
    const void *object = r->object;
    if (object)
        remember_object(object);
    switch (kind) {
    case TD_OBS_WAIT_BEGIN:
        self->waits_kind = primitive;
        self->waits_on = object;
        break;
    case TD_OBS_WAIT_END:
        self->waits_kind = NULL;
        self->waits_on = NULL;
        break;
    case TD_OBS_ACQUIRE:
        set_holder(object, self->number);
        break;
    case TD_OBS_RELEASE:
        set_holder(object, 0);
        break;
    default:
        break;
    }
}

unsigned td__sched_report_holder(const void *lock)
{
    return lock ? holder_of(lock) : 0;
}

void td__sched_report_finished(unsigned number)
{
    for (size_t i = 0; i < R.n_holders; i++)
        if (R.holders[i].number == number)
            R.holders[i].number = 0;
}

void td__sched_report_clear(void)
{
    free(R.holders);
    free(R.objects);
    memset(&R, 0, sizeof R);
}
