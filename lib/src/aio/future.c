/* SPDX-License-Identifier: MIT */
/* future.c - asyncio.Future and asyncio.Task (task.h): futures.py and tasks.py's
 * Task.__step / __wakeup on stackful coroutines.
 *
 * DESIGN. A future goes PENDING -> FINISHED (a result, or an exception code) or
 * PENDING -> CANCELLED, once; then each done callback is scheduled on its loop
 * (call_soon), in the order they were added, and a callback added later is
 * scheduled at once. A task is a future with a coroutine. Each step resumes the
 * coroutine until it returns or awaits:
 *
 *   the coroutine...        the step
 *   yields a pending future add Task.task_wakeup to it; remember it (fut_waiter)
 *   yields NULL (sleep(0))  schedule the next step (call_soon)
 *   returns 0               set_result(the body's result)
 *   returns -ECANCELED      cancel (CancelledError escaped the body)
 *   returns another code    set_exception(code, the message td_aio_raise gave, or
 *                           for TD_ETASK the last failed await's code and message)
 *
 * task_wakeup steps the task again when what it awaited is done, and the await
 * returns that future's outcome. cancel() of a waiting task cancels fut_waiter
 * (whose wakeup then resumes it with the await giving -ECANCELED); when there is
 * none (the task is ready, running, or not started) it sets must_cancel, which the
 * next step turns into -ECANCELED at the await (CancelledError thrown in), or, for a
 * coroutine that never ran, into the task's cancellation without running it. The
 * loop holds a reference to every task not done; the coroutine (and its stack) is
 * freed the moment it returns.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aio.h"

/* What a step sends into the coroutine to make its pending await give -ECANCELED. */
static char cancel_signal;
#define CANCEL_SIGNAL ((void *)&cancel_signal)

static atomic_ulong task_counter; /* Task-N: every task of the process, from 1 */

static char *copy_text(const char *text)
{
    return text ? strdup(text) : NULL;
}

/* *slot = a copy of text (which may be *slot itself). */
static void set_text(char **slot, const char *text)
{
    char *copy = copy_text(text);
    free(*slot);
    *slot = copy;
}

/* ---- futures ----------------------------------------------------------------------- */

enum { SPARE_FUTURES = TD__AIO_REUSE ? 1024 : 0 };

td_aio_future_t *td__afut_alloc(td_loop_t *loop, size_t size, enum fut_kind kind)
{
    if (loop->closing)
        return NULL;
    td_aio_future_t *f;
    if (kind == K_FUTURE && loop->spare_futures) { /* a read or a sleep: reuse one */
        f = loop->spare_futures;
        loop->spare_futures = f->next;
        loop->spare_futures_n--;
        memset(f, 0, sizeof *f);
    } else if (!(f = calloc(1, size))) {
        return NULL;
    }
    f->refs = 1;
    f->kind = kind;
    f->state = F_PENDING;
    f->loop = loop;
    f->cbs = f->inline_cbs;
    f->cap_cbs = sizeof f->inline_cbs / sizeof f->inline_cbs[0];
    td__loop_adopt(loop, f);
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
    td_aio_future_t *f = td__afut_alloc(loop, sizeof *f, K_FUTURE);
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

static void drop_callbacks(td_aio_future_t *f)
{
    for (size_t i = 0; i < f->n_cbs; i++)
        if (f->cbs[i].release)
            f->cbs[i].release(f->cbs[i].arg);
    f->n_cbs = 0;
}

static void destroy_task(struct aio_task *t)
{
    if (t->coro) /* only after its loop was freed can it still be here */
        td__coro_destroy(t->coro);
    td_aio_future_free(t->fut_waiter);
    free(t->name);
    free(t->raise_message);
    free(t->last_message);
}

void td_aio_future_free(td_aio_future_t *f)
{
    if (!f || --f->refs > 0)
        return;
    if (f->loop)
        td__loop_forget(f->loop, f);
    drop_callbacks(f);
    if (f->cbs != f->inline_cbs)
        free(f->cbs);
    free(f->exc_message);
    free(f->cancel_message);
    if (f->kind == K_TASK)
        destroy_task(td__as_task(f));
    else if (f->kind == K_GATHER)
        td__gather_destroy(f);
    td_loop_t *loop = f->loop;
    /* Kept as spare only while the loop lives and has room (never under a sanitizer,
     * which must see every future freed). A difference, because with SPARE_FUTURES 0
     * "n < SPARE_FUTURES" is gcc's always-false warning; n never exceeds it. */
    if (f->kind == K_FUTURE && loop && !loop->closing &&
        SPARE_FUTURES - loop->spare_futures_n > 0) {
        f->next = loop->spare_futures;
        loop->spare_futures = f;
        loop->spare_futures_n++;
        return;
    }
    free(f);
}

void td__afut_orphan(td_aio_future_t *f)
{
    td__loop_forget(f->loop, f);
    f->loop = NULL;
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

/* The future is done: schedule every callback, in the order added. */
static void schedule_callbacks(td_aio_future_t *f)
{
    for (size_t i = 0; i < f->n_cbs; i++) {
        struct callback *cb = &f->cbs[i];
        int rc = f->loop ? td__loop_schedule(f->loop, H_DONE, cb->fn, f, cb->arg, cb->release)
                         : -ESHUTDOWN;
        if (rc == -ENOMEM)
            td__out_of_memory("in the event loop");
        if (rc != 0 && cb->release)
            cb->release(cb->arg); /* the loop is gone: nobody will call it */
    }
    f->n_cbs = 0;
}

void td__afut_finish(td_aio_future_t *f, void *result, int code, const char *message)
{
    f->state = F_FINISHED;
    f->result = result;
    f->exc_code = code;
    set_text(&f->exc_message, message);
    schedule_callbacks(f);
}

int td_aio_future_set_result(td_aio_future_t *f, void *result)
{
    if (!f || f->kind == K_TASK || f->state != F_PENDING)
        return -EINVAL;
    TD__AIO_CHECK_POINTER(f->loop, result, "td_aio_future_set_result", "the result");
    td__afut_finish(f, result, 0, NULL);
    return 0;
}

int td_aio_future_set_exception(td_aio_future_t *f, int code, const char *message)
{
    if (!f || code >= 0 || f->kind == K_TASK || f->state != F_PENDING)
        return -EINVAL;
    td__afut_finish(f, NULL, code, message);
    return 0;
}

bool td__afut_cancel_plain(td_aio_future_t *f, const char *msg)
{
    if (f->state != F_PENDING)
        return false;
    f->state = F_CANCELLED;
    set_text(&f->cancel_message, msg);
    schedule_callbacks(f);
    return true;
}

static bool task_cancel(struct aio_task *t, const char *msg);

bool td_aio_future_cancel(td_aio_future_t *f, const char *msg)
{
    if (!f)
        return false;
    switch (f->kind) {
    case K_TASK: return task_cancel(td__as_task(f), msg);
    case K_GATHER: return td__gather_cancel(f, msg);
    case K_FUTURE: break;
    }
    return td__afut_cancel_plain(f, msg);
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
    if (f->state != F_PENDING) {
        if (!f->loop)
            return -ESHUTDOWN;
        return td__loop_schedule(f->loop, H_DONE, fn, f, arg, release);
    }
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

/* ---- tasks ------------------------------------------------------------------------- */

bool td_aio_is_task(const td_aio_future_t *f)
{
    return f && f->kind == K_TASK;
}

struct aio_task *td__current_task(void)
{
    td_loop_t *loop = td__running_loop();
    return loop && loop->current ? td__as_task(loop->current) : NULL;
}

td_aio_task_t *td_aio_current_task(void)
{
    struct aio_task *t = td__current_task();
    return t ? &t->base : NULL;
}

/* Runs on the task's stack: the coroutine function, its result kept for the step. */
static void *task_body(td_coro_t *co, void *arg)
{
    (void)co;
    struct aio_task *t = arg;
    void *result = NULL;
    t->body_rc = t->fn(t->arg, &result);
    t->base.result = result; /* the task's own result once it is finished */
    return NULL;
}

/* The stack a new task of the loop runs on: its shared one (made now if need be) unless
 * the coroutine asks for a stack of its own or a size of its own. */
static int task_stack(td_loop_t *loop, const td_aio_coro_t *coro, td_coro_attr_t *attr)
{
    *attr = (td_coro_attr_t){ .stack_size = coro->stack_size };
    if (coro->own_stack || coro->stack_size != 0)
        return 0;
    if (!loop->stack) {
        int rc = td_coro_stack_new(&loop->stack, 0);
        if (rc != 0)
            return rc;
    }
    attr->shared = loop->stack;
    return 0;
}

int td_loop_create_task(td_loop_t *loop, td_aio_task_t **out, td_aio_coro_t coro)
{
    if (!loop || !coro.fn)
        return -EINVAL;
    if (loop->closing)
        return -ESHUTDOWN;
    TD__AIO_CHECK_POINTER(loop, coro.arg, "td_aio_create_task",
                          "the coroutine's argument");
    td_coro_attr_t attr;
    int rc = task_stack(loop, &coro, &attr);
    if (rc != 0)
        return rc;
    struct aio_task *t = (struct aio_task *)td__afut_alloc(
        loop, sizeof *t + td__coro_size(&attr), K_TASK);
    if (!t)
        return -ENOMEM;
    t->fn = coro.fn;
    t->arg = coro.arg;
    t->coro_name = coro.name ? coro.name : "coro";
    t->coro_file = coro.file;
    t->coro_line = coro.line;
    rc = td__coro_init(t->coro_space, task_body, t, &attr);
    if (rc == 0)
        t->coro = (td_coro_t *)t->coro_space;
    if (rc == 0)
        rc = td__loop_schedule(loop, H_TASK_STEP, NULL, &t->base, NULL, NULL);
    if (rc != 0) {
        td_aio_future_free(&t->base);
        return rc;
    }
    td__coro_report_as(t->coro, "task", t);
    t->number = (unsigned)atomic_fetch_add_explicit(&task_counter, 1, memory_order_relaxed) + 1;
    TD__OBSERVE(TD_OBS_AIO_TASK_NEW, "task", t, (int)t->number);
    /* refs: the loop's until the task is done, and the caller's */
    if (out)
        *out = td_aio_future_ref(&t->base);
    return 0;
}

int td_aio_create_task(td_aio_task_t **out, td_aio_coro_t coro)
{
    td_loop_t *loop = td__running_loop();
    return loop ? td_loop_create_task(loop, out, coro) : -EPERM;
}

/* The coroutine is done (returned, or never to run): its outcome becomes the task's. */
static void task_settle(struct aio_task *t)
{
    td_aio_future_t *f = &t->base;
    td__coro_destroy(t->coro); /* its saved frames or stack go now */
    t->coro = NULL;
    if (t->must_cancel || t->body_rc == -ECANCELED) { /* with cancel()'s message */
        t->must_cancel = false;
        td__afut_cancel_plain(f, f->cancel_message);
    } else if (t->body_rc == 0) {
        TD__AIO_CHECK_POINTER(f->loop, f->result, "a task's coroutine", "its result");
        td__afut_finish(f, f->result, 0, NULL);
    } else if (t->body_rc == TD_ETASK && t->last_code != 0) {
        td__afut_finish(f, NULL, t->last_code, t->last_message); /* re-raised */
    } else {
        const char *msg = t->body_rc == t->raise_code ? t->raise_message : NULL;
        td__afut_finish(f, NULL, t->body_rc, msg);
    }
    t->cancels_requested = 0;
    TD__OBSERVE(TD_OBS_AIO_TASK_END, "task", t, td__afut_outcome(f, NULL));
    td_aio_future_free(f); /* the loop's reference */
}

static void task_wakeup(td_aio_future_t *awaited, void *task)
{
    (void)awaited;
    td__task_step(task);
}

/* The coroutine awaits `awaited`, which is pending: wake the task when it is done. */
static void task_waits(struct aio_task *t, td_aio_future_t *awaited)
{
    if (td__afut_add_callback(awaited, task_wakeup, &t->base, "Task.task_wakeup()", NULL) != 0)
        td__out_of_memory("in the event loop");
    t->fut_waiter = td_aio_future_ref(awaited);
    if (t->must_cancel && td_aio_future_cancel(awaited, t->base.cancel_message))
        t->must_cancel = false;
}

void td__task_step(td_aio_future_t *f)
{
    struct aio_task *t = td__as_task(f);
    if (f->state != F_PENDING || !t->coro)
        return; /* a wake-up that came after the task's end (abandoned with its loop) */
    bool cancel = t->must_cancel;
    t->must_cancel = false;
    td_aio_future_free(t->fut_waiter);
    t->fut_waiter = NULL;
    if (cancel && !t->started) { /* thrown into a coroutine that never ran: it never will */
        td_coro_close(t->coro);
        t->body_rc = -ECANCELED;
        task_settle(t);
        return;
    }
    t->started = true;
    td_loop_t *loop = f->loop;
    loop->current = f;
    void *awaited = NULL;
    int rc = td_coro_resume(t->coro, cancel ? CANCEL_SIGNAL : NULL, &awaited);
    loop->current = NULL;
    if (rc == TD_ESTOP) {
        task_settle(t);
    } else if (rc != 0) { /* it could not run at all (no signal stack for it) */
        td_coro_close(t->coro);
        t->body_rc = rc;
        task_settle(t);
    } else if (!awaited) { /* a bare yield: run again at the next turn */
        if (td__loop_schedule(loop, H_TASK_STEP, NULL, f, NULL, NULL) != 0)
            td__out_of_memory("in the event loop");
    } else {
        task_waits(t, awaited);
    }
}

static bool task_cancel(struct aio_task *t, const char *msg)
{
    td_aio_future_t *f = &t->base;
    if (f->state != F_PENDING)
        return false;
    t->cancels_requested++;
    if (t->fut_waiter && td_aio_future_cancel(t->fut_waiter, msg))
        return true; /* its wake-up will throw CancelledError in */
    t->must_cancel = true;
    set_text(&f->cancel_message, msg);
    return true;
}

void td__task_abandon(td_aio_future_t *f)
{
    struct aio_task *t = td__as_task(f);
    if (f->state != F_PENDING)
        return;
    td_aio_future_free(t->fut_waiter);
    t->fut_waiter = NULL;
    if (t->coro) { /* closing it makes its pending await give -ECANCELED */
        td_loop_t *loop = f->loop;
        loop->current = f;
        td__coro_destroy(t->coro);
        loop->current = NULL;
        t->coro = NULL;
    }
    f->state = F_CANCELLED;
    drop_callbacks(f);
    td_aio_future_free(f); /* the loop's reference */
}

/* ---- awaiting ---------------------------------------------------------------------- */

/* Suspend the running task, handing `awaited` (NULL: a bare yield) to its step:
 * 0 when resumed normally, -ECANCELED when resumed to be cancelled (or closed),
 * -EPERM when the caller is not the task's own coroutine. */
static int suspend(struct aio_task *t, td_aio_future_t *awaited)
{
    void *sent = NULL;
    int rc = td_coro_yield(t->coro, awaited, &sent);
    if (rc == -EINVAL)
        return -EPERM; /* called from some other coroutine the task is running */
    return rc != 0 || sent == CANCEL_SIGNAL ? -ECANCELED : 0;
}

void td__task_remember(struct aio_task *t, int code, const char *message)
{
    t->last_code = code;
    set_text(&t->last_message, message);
}

int td__task_outcome(struct aio_task *t, const td_aio_future_t *f, void **result)
{
    int rc = td__afut_outcome(f, result);
    if (rc == TD_ETASK)
        td__task_remember(t, f->exc_code, f->exc_message);
    return rc;
}

int td__await(td_aio_future_t *f, void **result)
{
    struct aio_task *t = td__current_task();
    if (!t)
        return -EPERM;
    if (!f || f == &t->base || f->loop != t->base.loop)
        return -EINVAL;
    if (f->state == F_PENDING) {
        int rc = suspend(t, f);
        if (rc != 0)
            return rc;
    }
    return td__task_outcome(t, f, result);
}

int td_aio_await(td_aio_future_t *f, void **result)
{
    return td__await(f, result);
}

int td__yield_once(void)
{
    struct aio_task *t = td__current_task();
    return t ? suspend(t, NULL) : -EPERM;
}

void td_aio_where(const char *file, int line)
{
    struct aio_task *t = td__current_task();
    if (t) {
        t->where_file = file;
        t->where_line = line;
    }
}

int td_aio_raise(int code, const char *message)
{
    struct aio_task *t = td__current_task();
    if (t) {
        t->raise_code = code;
        set_text(&t->raise_message, message);
    }
    return code;
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

/* ---- the pointer rule ------------------------------------------------------------------ */

bool td__aio_on_shared_stack(const td_loop_t *loop, const void *p)
{
    return loop && td_coro_stack_holds(loop->stack, p);
}

void td__aio_check_pointer(const td_loop_t *loop, const void *p, const char *call,
                           const char *what)
{
    const td_loop_t *running = td__running_loop();
    if (!td__aio_on_shared_stack(loop, p) && !td__aio_on_shared_stack(running, p))
        return;
    td__misuse("%s: %s points into a task's stack, which other tasks' frames overwrite "
               "while that task waits (the pointer rule, task.h): use static or heap "
               "memory, or give the task a stack of its own (own_stack)", call, what);
}

/* ---- task queries ---------------------------------------------------------------------- */

size_t td_aio_task_get_name(const td_aio_task_t *f, char *buf, size_t size)
{
    if (!td_aio_is_task(f))
        return (size_t)snprintf(buf, size, "%s", "");
    const struct aio_task *t = (const struct aio_task *)f;
    if (t->name)
        return (size_t)snprintf(buf, size, "%s", t->name);
    return (size_t)snprintf(buf, size, "Task-%u", t->number);
}

int td_aio_task_set_name(td_aio_task_t *f, const char *name)
{
    if (!td_aio_is_task(f) || !name)
        return -EINVAL;
    char *copy = strdup(name);
    if (!copy)
        return -ENOMEM;
    struct aio_task *t = td__as_task(f);
    free(t->name);
    t->name = copy;
    return 0;
}

const char *td_aio_task_coro_name(const td_aio_task_t *f)
{
    return td_aio_is_task(f) ? ((const struct aio_task *)f)->coro_name : NULL;
}

size_t td_aio_task_stack_touched(const td_aio_task_t *f)
{
    const struct aio_task *t = td_aio_is_task(f) ? (const struct aio_task *)f : NULL;
    return t && t->coro ? td_coro_stack_touched(t->coro) : 0;
}

int td_aio_task_cancelling(const td_aio_task_t *f)
{
    return td_aio_is_task(f) ? ((const struct aio_task *)f)->cancels_requested : 0;
}

size_t td_aio_all_tasks(td_loop_t *loop, td_aio_task_t **out, size_t max)
{
    size_t n = 0;
    if (!loop && !(loop = td__running_loop()))
        return 0;
    for (td_aio_future_t *f = loop->first; f; f = f->next) {
        if (f->kind != K_TASK || f->state != F_PENDING)
            continue;
        if (n < max && out)
            out[n] = f;
        n++;
    }
    return n;
}

/* ---- repr ---------------------------------------------------------------------------- */

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
    if (f->kind == K_TASK && f->state == F_PENDING && td__as_task((td_aio_future_t *)f)->cancels_requested)
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
    const char *cls = f->kind == K_TASK ? "Task" : f->kind == K_GATHER ? "_GatheringFuture"
                                                                         : "Future";
    put(o, "<%s %s", cls, state_name(f));
    if (f->kind == K_TASK) {
        const struct aio_task *t = (const struct aio_task *)f;
        char name[64];
        td_aio_task_get_name(f, name, sizeof name);
        put(o, " name=");
        put_str_repr(o, name);
        put_coro(o, t);
        if (t->fut_waiter) {
            put(o, " wait_for=");
            put_repr(o, t->fut_waiter);
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
