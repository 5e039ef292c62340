/* SPDX-License-Identifier: MIT */
/* task.c - asyncio.Task (task.h): tasks.py's Task.__step / __wakeup on stackful
 * coroutines, and the await they are built on.
 *
 * DESIGN. A task is a future (its ops: task_ops) with a coroutine. Each step resumes
 * the coroutine until it returns or awaits:
 *
 *   the coroutine...        the step
 *   yields a pending future add Task.task_wakeup to it; remember it (fut_waiter)
 *   yields NULL (sleep(0))  schedule the next step (a ready item of the loop's)
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
 * coroutine that never ran, into the task's cancellation without running it.
 *
 * A task may also wait with no future at all: parked (td__task_park), it yields
 * PARKED and its waker calls td__task_unpark, which steps it at once (from inside
 * libuv's I/O callback, when nothing else waits to run) or at the next turn. A
 * stream's read and write wait so: a future per read cost an allocation from the
 * spares, a done callback, a loop handle and a second hop through the ready queue
 * on every round trip of an echo server. cancel() of a parked task unparks it with
 * must_cancel set, which its step throws in as CancelledError, as a cancelled
 * fut_waiter would. The
 * loop holds a reference to every task not done; the coroutine (and its stack) is
 * freed the moment it returns. A step is scheduled as a ready item, not a handle:
 * the loop hands it back to future.c's hook, which calls task_ops.step.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aio.h"

/* What a step sends into the coroutine to make its pending await give -ECANCELED. */
static char cancel_signal;
#define CANCEL_SIGNAL ((void *)&cancel_signal)

/* What a parked coroutine yields in place of a future. */
static char park_signal;
#define PARKED ((void *)&park_signal)

static atomic_ulong task_counter; /* Task-N: every task of the process, from 1 */

static bool task_cancel(td_aio_future_t *f, const char *msg);
static void destroy_task(td_aio_future_t *f);
static void task_abandon(td_aio_future_t *f);
static void task_step(td_aio_future_t *f);
static void unpark(struct aio_task *t, bool now);

static const struct td__afut_ops task_ops = {
    "Task", task_cancel, destroy_task, task_abandon, task_step, true
};

static void destroy_task(td_aio_future_t *f)
{
    struct aio_task *t = td__as_task(f);
    if (t->coro) /* only after its loop was freed can it still be here */
        td__coro_destroy(t->coro);
    td_aio_future_free(t->fut_waiter);
    free(t->name);
    free(t->raise_message);
    free(t->last_message);
}

/* Schedule the task's next step: 0 or -ENOMEM/-ESHUTDOWN. */
static int schedule_step(td_loop_t *loop, td_aio_future_t *f)
{
    int rc = td__loop_ready_item(loop, td_aio_future_ref(f));
    if (rc != 0)
        td_aio_future_free(f);
    return rc;
}

/* ---- tasks ------------------------------------------------------------------------- */

bool td_aio_is_task(const td_aio_future_t *f)
{
    return f && f->ops == &task_ops;
}

struct aio_task *td__current_task(void)
{
    td_loop_t *loop = td__running_loop();
    return loop && loop->futures && loop->futures->current
               ? td__as_task(loop->futures->current)
               : NULL;
}

bool td__aio_may_run_now(const td_loop_t *loop)
{
    return td__loop_may_run_now(loop) && !(loop->futures && loop->futures->current);
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
        loop, sizeof *t + td__coro_size(&attr), &task_ops);
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
        rc = schedule_step(loop, &t->base);
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
    task_step(task);
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

/* Step a parked task: now, when nothing else waits to run and no task is being
 * stepped, else at the next turn. The loop's reference keeps it while it runs, but
 * a step that ends it drops that one: hold one of our own across. */
static void unpark(struct aio_task *t, bool now)
{
    td_aio_future_t *f = &t->base;
    t->parked = false;
    if (now && td__aio_may_run_now(f->loop)) {
        f->loop->callbacks_run++; /* counted as the ready item it stands for */
        td_aio_future_ref(f);
        task_step(f);
        td_aio_future_free(f);
        return;
    }
    int rc = schedule_step(f->loop, f);
    if (rc == -ENOMEM)
        td__out_of_memory("in the event loop");
    /* -ESHUTDOWN: the loop is closing, and abandons the task itself */
}

static void task_step(td_aio_future_t *f)
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
    loop->futures->current = f;
    void *awaited = NULL;
    int rc = td_coro_resume(t->coro, cancel ? CANCEL_SIGNAL : NULL, &awaited);
    loop->futures->current = NULL;
    if (rc == TD_ESTOP) {
        task_settle(t);
    } else if (rc != 0) { /* it could not run at all (no signal stack for it) */
        td_coro_close(t->coro);
        t->body_rc = rc;
        task_settle(t);
    } else if (!awaited) { /* a bare yield: run again at the next turn */
        if (schedule_step(loop, f) != 0)
            td__out_of_memory("in the event loop");
    } else if (awaited == PARKED) {
        t->parked = true;
        if (t->must_cancel) /* it cancelled itself, then parked: throw it in now */
            unpark(t, false);
    } else {
        task_waits(t, awaited);
    }
}

static bool task_cancel(td_aio_future_t *f, const char *msg)
{
    struct aio_task *t = td__as_task(f);
    if (f->state != F_PENDING)
        return false;
    t->cancels_requested++;
    if (t->parked) { /* its step throws CancelledError in, with the message */
        t->must_cancel = true;
        td__afut_set_text(&f->cancel_message, msg);
        unpark(t, false);
        return true;
    }
    if (t->fut_waiter && td_aio_future_cancel(t->fut_waiter, msg))
        return true; /* its wake-up will throw CancelledError in */
    t->must_cancel = true;
    td__afut_set_text(&f->cancel_message, msg);
    return true;
}

static void task_abandon(td_aio_future_t *f)
{
    struct aio_task *t = td__as_task(f);
    if (f->state != F_PENDING)
        return;
    td_aio_future_free(t->fut_waiter);
    t->fut_waiter = NULL;
    t->parked = false;
    if (t->coro) { /* closing it makes its pending await give -ECANCELED */
        td_loop_t *loop = f->loop;
        loop->futures->current = f;
        td__coro_destroy(t->coro);
        loop->futures->current = NULL;
        t->coro = NULL;
    }
    f->state = F_CANCELLED;
    td__afut_drop_callbacks(f);
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
    td__afut_set_text(&t->last_message, message);
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

int td__task_park(void)
{
    struct aio_task *t = td__current_task();
    return t ? suspend(t, PARKED) : -EPERM;
}

void td__task_unpark(struct aio_task *t, bool now)
{
    if (t && t->parked)
        unpark(t, now);
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
        td__afut_set_text(&t->raise_message, message);
    }
    return code;
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
    for (td_aio_future_t *f = loop->futures ? loop->futures->first : NULL; f; f = f->next) {
        if (f->ops != &task_ops || f->state != F_PENDING)
            continue;
        if (n < max && out)
            out[n] = f;
        n++;
    }
    return n;
}
