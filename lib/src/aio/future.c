/* SPDX-License-Identifier: MIT */
/* future.c - asyncio.Future (task.h): futures.py's Future, and each loop's record of
 * its futures.
 *
 * DESIGN. A future goes PENDING -> FINISHED (a result, or an exception code) or
 * PENDING -> CANCELLED, once; then each done callback is scheduled on its loop
 * (call_soon), in the order they were added, and a callback added later is
 * scheduled at once. A scheduled callback is a loop handle: run_callback(future,
 * its entry in cbs) or, dropped unrun, drop_callback; the handle holds a reference to
 * the future, so the entries in cbs, which no one writes once the future is done, stay
 * until the last has run (one added later has an entry of its own on the heap).
 *
 * Futures know no tasks and no gather: what differs (cancel, freeing, the loop's end,
 * a task's step) is in the ops table each future points to. The loop knows no futures:
 * each loop's futures record (struct td__futures: spares, the task being stepped, the
 * list of live futures) hangs in its `futures` slot, made with its first future, and
 * the hooks set with it let the loop hand back ready items and close the record
 * first when it is freed: pending tasks abandoned (their coroutines closed), every
 * future still referenced orphaned (its loop NULL), the spares freed.
 */
#include <stdlib.h>
#include <string.h>

#include "aio.h"

enum { SPARE_FUTURES = TD__AIO_REUSE ? 1024 : 0 };

const struct td__afut_ops td__future_ops = { "Future", NULL, NULL, NULL, NULL, false };

void td__afut_set_text(char **slot, const char *text)
{
    char *copy = text ? strdup(text) : NULL;
    free(*slot);
    *slot = copy;
}

/* ---- the loop's record of its futures ------------------------------------------------ */

static void run_item(void *item)
{
    td_aio_future_t *f = item;
    f->ops->step(f);
    td_aio_future_free(f);
}

static void drop_item(void *item)
{
    td_aio_future_free(item);
}

static void adopt(struct td__futures *r, td_aio_future_t *f)
{
    f->prev = r->last;
    f->next = NULL;
    if (r->last)
        r->last->next = f;
    else
        r->first = f;
    r->last = f;
}

static void forget(struct td__futures *r, td_aio_future_t *f)
{
    if (f->prev)
        f->prev->next = f->next;
    else
        r->first = f->next;
    if (f->next)
        f->next->prev = f->prev;
    else
        r->last = f->prev;
    f->prev = f->next = NULL;
}

/* The loop is going: pending futures with an abandon (tasks) are closed and
 * cancelled, their refs dropped; what is still referenced is orphaned. */
static void abandon_pending(struct td__futures *r)
{
    size_t n = 0;
    for (td_aio_future_t *f = r->first; f; f = f->next)
        n += f->ops->abandon && f->state == F_PENDING;
    td_aio_future_t **pending = n ? malloc(n * sizeof *pending) : NULL;
    if (n && !pending)
        td__out_of_memory("in the event loop"); /* or a task would wait for ever */
    size_t i = 0;
    for (td_aio_future_t *f = r->first; f; f = f->next)
        if (f->ops->abandon && f->state == F_PENDING)
            pending[i++] = td_aio_future_ref(f);
    for (i = 0; i < n; i++)
        pending[i]->ops->abandon(pending[i]);
    for (i = 0; i < n; i++)
        td_aio_future_free(pending[i]);
    free(pending);
}

static void on_close(td_loop_t *loop)
{
    struct td__futures *r = loop->futures;
    abandon_pending(r);
    while (r->first) { /* the futures still referenced elsewhere */
        td_aio_future_t *f = r->first;
        forget(r, f);
        f->loop = NULL;
    }
    while (r->spare) {
        td_aio_future_t *f = r->spare;
        r->spare = f->next;
        free(f);
    }
    free(r);
    loop->futures = NULL;
}

static const struct td__loop_hooks hooks = { run_item, drop_item, on_close };

/* The loop's record, made (and its hooks set) on first use: NULL when out of memory. */
static struct td__futures *record_of(td_loop_t *loop)
{
    if (!loop->futures && (loop->futures = calloc(1, sizeof *loop->futures)) != NULL)
        loop->hooks = &hooks;
    return loop->futures;
}

/* ---- futures ----------------------------------------------------------------------- */

td_aio_future_t *td__afut_alloc(td_loop_t *loop, size_t size, const struct td__afut_ops *ops)
{
    struct td__futures *r = loop->closing ? NULL : record_of(loop);
    if (!r)
        return NULL;
    td_aio_future_t *f;
    if (ops == &td__future_ops && r->spare) { /* a read or a sleep: reuse one */
        f = r->spare;
        r->spare = f->next;
        r->spare_n--;
        memset(f, 0, sizeof *f);
    } else if (!(f = calloc(1, size))) {
        return NULL;
    }
    f->refs = 1;
    f->ops = ops;
    f->state = F_PENDING;
    f->loop = loop;
    f->cbs = f->inline_cbs;
    f->cap_cbs = sizeof f->inline_cbs / sizeof f->inline_cbs[0];
    adopt(r, f);
    return f;
}

int td_aio_future_new(td_aio_future_t **out, td_loop_t *loop)
{
    if (!out)
        return -EINVAL;
    if (!loop) {
        int rc = td_aio_get_event_loop(&loop);
        if (rc != 0)
            return rc;
    }
    if (loop->closing)
        return -ESHUTDOWN;
    td_aio_future_t *f = td__afut_alloc(loop, sizeof *f, &td__future_ops);
    if (!f)
        return -ENOMEM;
    *out = f;
    return 0;
}

td_aio_future_t *td_aio_future_ref(td_aio_future_t *f)
{
    f->refs++;
    return f;
}

void td__afut_release(void *f)
{
    td_aio_future_free(f);
}

void td__afut_drop_callbacks(td_aio_future_t *f)
{
    for (size_t i = 0; i < f->n_cbs; i++)
        if (f->cbs[i].release)
            f->cbs[i].release(f->cbs[i].arg);
    f->n_cbs = 0;
}

void td_aio_future_free(td_aio_future_t *f)
{
    if (!f || --f->refs > 0)
        return;
    td_loop_t *loop = f->loop;
    if (loop)
        forget(loop->futures, f);
    td__afut_drop_callbacks(f);
    if (f->cbs != f->inline_cbs)
        free(f->cbs);
    free(f->exc_message);
    free(f->cancel_message);
    if (f->ops->destroy)
        f->ops->destroy(f);
    /* Kept as spare only while the loop lives and has room (never under a sanitizer,
     * which must see every future freed). A difference, because with SPARE_FUTURES 0
     * "n < SPARE_FUTURES" is gcc's always-false warning; n never exceeds it. */
    if (f->ops == &td__future_ops && loop && !loop->closing &&
        SPARE_FUTURES - loop->futures->spare_n > 0) {
        struct td__futures *r = loop->futures;
        f->next = r->spare;
        r->spare = f;
        r->spare_n++;
        return;
    }
    free(f);
}

bool td_aio_future_done(const td_aio_future_t *f)
{
    return f->state != F_PENDING;
}

bool td_aio_future_cancelled(const td_aio_future_t *f)
{
    return f->state == F_CANCELLED;
}

td_loop_t *td_aio_future_get_loop(const td_aio_future_t *f)
{
    return f->loop;
}

/* ---- done callbacks on the loop -------------------------------------------------------- */

/* A scheduled callback: a = the future (the handle's reference), b = its entry. */
static void run_callback(void *a, void *b)
{
    struct callback *cb = b;
    cb->fn(a, cb->arg);
    td_aio_future_free(a);
}

static void drop_callback(void *a, void *b)
{
    struct callback *cb = b;
    if (cb->release)
        cb->release(cb->arg);
    td_aio_future_free(a);
}

/* A callback added to a done future: its entry is its own, on the heap. */
static void run_late_callback(void *a, void *b)
{
    run_callback(a, b);
    free(b);
}

static void drop_late_callback(void *a, void *b)
{
    drop_callback(a, b);
    free(b);
}

/* The future is done: schedule every callback, in the order added. */
static void schedule_callbacks(td_aio_future_t *f)
{
    for (size_t i = 0; i < f->n_cbs; i++) {
        struct callback *cb = &f->cbs[i];
        int rc = f->loop ? td__loop_schedule(f->loop, run_callback, f, cb, drop_callback)
                         : -ESHUTDOWN;
        if (rc == 0)
            td_aio_future_ref(f); /* the handle's */
        if (rc == -ENOMEM)
            td__out_of_memory("in the event loop");
        if (rc != 0 && cb->release)
            cb->release(cb->arg); /* the loop is gone: nobody will call it */
    }
    f->n_cbs = 0;
}

/* Schedule a callback of a future already done: 0, -ENOMEM or -ESHUTDOWN. */
static int schedule_late(td_aio_future_t *f, const struct callback *cb)
{
    if (!f->loop)
        return -ESHUTDOWN;
    struct callback *own = malloc(sizeof *own);
    if (!own)
        return -ENOMEM;
    *own = *cb;
    int rc = td__loop_schedule(f->loop, run_late_callback, f, own, drop_late_callback);
    if (rc != 0) {
        free(own);
        return rc;
    }
    td_aio_future_ref(f);
    return 0;
}

void td__afut_finish(td_aio_future_t *f, void *result, int code, const char *message)
{
    f->state = F_FINISHED;
    f->result = result;
    f->exc_code = code;
    td__afut_set_text(&f->exc_message, message);
    schedule_callbacks(f);
}

int td_aio_future_set_result(td_aio_future_t *f, void *result)
{
    if (!f || f->ops->own_outcome || f->state != F_PENDING)
        return -EINVAL;
    TD__AIO_CHECK_POINTER(f->loop, result, "td_aio_future_set_result", "the result");
    td__afut_finish(f, result, 0, NULL);
    return 0;
}

int td_aio_future_set_exception(td_aio_future_t *f, int code, const char *message)
{
    if (!f || code >= 0 || f->ops->own_outcome || f->state != F_PENDING)
        return -EINVAL;
    td__afut_finish(f, NULL, code, message);
    return 0;
}

bool td__afut_cancel_plain(td_aio_future_t *f, const char *msg)
{
    if (f->state != F_PENDING)
        return false;
    f->state = F_CANCELLED;
    td__afut_set_text(&f->cancel_message, msg);
    schedule_callbacks(f);
    return true;
}

bool td_aio_future_cancel(td_aio_future_t *f, const char *msg)
{
    if (!f)
        return false;
    return f->ops->cancel ? f->ops->cancel(f, msg) : td__afut_cancel_plain(f, msg);
}

int td__afut_outcome(const td_aio_future_t *f, void **result)
{
    if (f->state == F_CANCELLED || f->exc_code == -ECANCELED)
        return -ECANCELED;
    if (f->exc_code != 0)
        return TD_ETASK;
    if (result)
        *result = f->result;
    return 0;
}

int td_aio_future_result(const td_aio_future_t *f, void **result)
{
    if (!f)
        return -EINVAL;
    return f->state == F_PENDING ? -EAGAIN : td__afut_outcome(f, result);
}

int td_aio_future_exception(const td_aio_future_t *f, int *code, const char **message)
{
    if (!f)
        return -EINVAL;
    if (f->state != F_FINISHED)
        return f->state == F_PENDING ? -EAGAIN : -ECANCELED;
    if (code)
        *code = f->exc_code;
    if (message)
        *message = f->exc_message;
    return 0;
}

int td__afut_add_callback(td_aio_future_t *f, td_aio_done_fn fn, void *arg,
                            const char *name, void (*release)(void *arg))
{
    if (f->state != F_PENDING)
        return schedule_late(f, &(struct callback){ fn, arg, name, release });
    if (f->n_cbs == f->cap_cbs) {
        uint32_t cap = f->cap_cbs * 2;
        struct callback *cbs = malloc(cap * sizeof *cbs);
        if (!cbs)
            return -ENOMEM;
        memcpy(cbs, f->cbs, f->n_cbs * sizeof *cbs);
        if (f->cbs != f->inline_cbs)
            free(f->cbs);
        f->cbs = cbs;
        f->cap_cbs = cap;
    }
    f->cbs[f->n_cbs++] = (struct callback){ fn, arg, name, release };
    return 0;
}

int td_aio_future_add_done_callback(td_aio_future_t *f, td_aio_done_fn fn, void *arg)
{
    if (!f || !fn)
        return -EINVAL;
    TD__AIO_CHECK_POINTER(f->loop, arg, "td_aio_future_add_done_callback", "the argument");
    return td__afut_add_callback(f, fn, arg, NULL, NULL);
}

size_t td_aio_future_remove_done_callback(td_aio_future_t *f, td_aio_done_fn fn, void *arg)
{
    size_t kept = 0, removed = 0;
    for (size_t i = 0; i < f->n_cbs; i++) {
        struct callback cb = f->cbs[i];
        if (cb.fn == fn && cb.arg == arg) {
            removed++;
            if (cb.release)
                cb.release(cb.arg);
        } else {
            f->cbs[kept++] = cb;
        }
    }
    f->n_cbs = kept;
    return removed;
}

/* ---- waiters ------------------------------------------------------------------------ */

int td__waiter_new(td_loop_t *loop, struct td__waiter **out)
{
    struct td__waiter *w = calloc(1, sizeof *w);
    if (!w)
        return -ENOMEM;
    int rc = td_aio_future_new(&w->future, loop);
    if (rc != 0) {
        free(w);
        return rc;
    }
    *out = w;
    return 0;
}

void td__waiter_free(struct td__waiter *w)
{
    td_aio_future_free(w->future);
    free(w);
}

