/* SPDX-License-Identifier: MIT */
/* repr.c - repr() of a Future, a Task or a _GatheringFuture (td_aio_future_repr), as
 * futures.py's _future_repr_info and tasks.py's _task_repr_info write it.
 *
 * DESIGN. One pass over the future into a bounded buffer, snprintf's way: what does
 * not fit is counted, not written, so the caller learns the size it needed. The class
 * is the future's ops' name; a task adds its name, coroutine and what it waits for
 * (itself a repr, nested).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "aio.h"

struct text {
    char *buf;
    size_t size, len;
};

__attribute__((format(printf, 2, 3))) static void put(struct text *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->len < o->size ? o->buf + o->len : NULL,
                      o->len < o->size ? o->size - o->len : 0, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len += (size_t)n;
}

/* Python's repr of a str: single quotes unless it holds one and no double quote. */
static void put_str_repr(struct text *o, const char *s)
{
    char quote = strchr(s, '\'') && !strchr(s, '"') ? '"' : '\'';
    put(o, "%c", quote);
    for (; *s; s++) {
        if (*s == quote || *s == '\\')
            put(o, "\\%c", *s);
        else if (*s == '\n')
            put(o, "\\n");
        else
            put(o, "%c", *s);
    }
    put(o, "%c", quote);
}

static const char *state_name(const td_aio_future_t *f)
{
    if (td_aio_is_task(f) && f->state == F_PENDING && td__as_task((td_aio_future_t *)f)->cancels_requested)
        return "cancelling";
    switch (f->state) {
    case F_PENDING: return "pending";
    case F_CANCELLED: return "cancelled";
    case F_FINISHED: break;
    }
    return "finished";
}

static void put_exception(struct text *o, int code, const char *message)
{
    const char *type = code == TD_EEXCEPTION ? "Exception"
                       : code == -ECANCELED  ? "CancelledError"
                       : code == -ETIMEDOUT  ? "TimeoutError"
                                             : NULL;
    if (type) {
        put(o, "%s(", type);
        if (message)
            put_str_repr(o, message);
        put(o, ")");
        return;
    }
    put(o, "OSError(%d, ", -code);
    put_str_repr(o, message ? message : td_strerror(code));
    put(o, ")");
}

static void put_callback(struct text *o, const struct callback *cb)
{
    if (cb->name)
        put(o, "%s", cb->name);
    else
        put(o, "<callback %p>()", cb->arg);
}

static void put_callbacks(struct text *o, const td_aio_future_t *f)
{
    if (f->n_cbs == 0)
        return;
    put(o, " cb=[");
    put_callback(o, &f->cbs[0]);
    if (f->n_cbs == 2) {
        put(o, ", ");
        put_callback(o, &f->cbs[1]);
    } else if (f->n_cbs > 2) {
        put(o, ", <%u more>, ", (unsigned)(f->n_cbs - 2));
        put_callback(o, &f->cbs[f->n_cbs - 1]);
    }
    put(o, "]");
}

static void put_coro(struct text *o, const struct aio_task *t)
{
    put(o, " coro=<%s()", t->coro_name);
    bool done = !t->coro || td_coro_state(t->coro) == TD_CORO_CLOSED;
    if (done && t->coro_file)
        put(o, " done, defined at %s:%d", t->coro_file, t->coro_line);
    else if (!done && t->where_file)
        put(o, " running at %s:%d", t->where_file, t->where_line);
    else if (!done && t->coro_file)
        put(o, " running at %s:%d", t->coro_file, t->coro_line);
    put(o, ">");
}

static void put_repr(struct text *o, const td_aio_future_t *f)
{
    put(o, "<%s %s", f->ops->cls, state_name(f));
    if (td_aio_is_task(f)) {
        const struct aio_task *t = (const struct aio_task *)f;
        char name[64];
        td_aio_task_get_name(f, name, sizeof name);
        put(o, " name=");
        put_str_repr(o, name);
        put_coro(o, t);
        if (t->fut_waiter) {
            put(o, " wait_for=");
            put_repr(o, t->fut_waiter);
        } else if (t->parked) { /* a stream's wait: Python's would be this future */
            put(o, " wait_for=<Future pending cb=[Task.task_wakeup()]>");
        }
    }
    if (f->state == F_FINISHED && f->exc_code != 0) {
        put(o, " exception=");
        put_exception(o, f->exc_code, f->exc_message);
    } else if (f->state == F_FINISHED) {
        if (f->result)
            put(o, " result=<%p>", f->result);
        else
            put(o, " result=None");
    }
    put_callbacks(o, f);
    put(o, ">");
}

size_t td_aio_future_repr(const td_aio_future_t *f, char *buf, size_t size)
{
    struct text o = { buf, size, 0 };
    if (size > 0)
        buf[0] = '\0';
    put_repr(&o, f);
    return o.len;
}
