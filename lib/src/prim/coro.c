/* SPDX-License-Identifier: MIT */
/* coro.c - stackful coroutines (coro.h): the coroutine object.
 *
 * DESIGN. A coroutine is a struct and a stack: its own (allocated right after its
 * struct, the memory from a slab of stacks with a guard region below each,
 * coro_slab.c) or a shared one its frames are copied on and off (coro_shared.c).
 * The stack is prepared lazily, on the first resume, so a coroutine that never runs
 * touches no stack page. A resume switches onto the coroutine's stack and back
 * (coro_switch.c); an overflow into the guard ends the process with one line
 * (coro_guard.c). coro_internal.h lists the pieces.
 *
 * Who runs: `state` is the one word other threads may look at. Resume and close take a
 * coroutine from CREATED or SUSPENDED to RUNNING with a compare-and-swap, so two
 * resumes can never both run it; only the resumer that won writes the other fields
 * until it stores SUSPENDED or CLOSED again (release), after the coroutine's stack is
 * no longer in use. td__coro_running (per thread) is the innermost running coroutine;
 * each coroutine remembers the one it interrupted (`outer`) and restores it when it
 * stops.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "coro_internal.h"

/* ---- create, free ---------------------------------------------------------------------- */

size_t td__coro_size(const td_coro_attr_t *attr)
{
    /* An own stack's record lives right after the coroutine. */
    return sizeof(struct td_coro) + (attr && attr->shared ? 0 : sizeof(td_coro_stack_t));
}

int td__coro_init(void *mem, td_coro_fn fn, void *arg, const td_coro_attr_t *attr)
{
    if (!fn)
        return -EINVAL;
    td_coro_stack_t *shared = attr ? attr->shared : NULL;
    size_t size = td__coro_usable_size(attr ? attr->stack_size : 0);
    if (!shared && size == 0)
        return -EINVAL;
    td__coro_guard_once();
    td_coro_t *c = mem;
    if (shared) {
        c->stack = shared;
        atomic_fetch_add_explicit(&shared->users, 1, memory_order_relaxed);
    } else {
        c->stack = (td_coro_stack_t *)(c + 1);
        int rc = td__coro_stack_take(c->stack, size);
        if (rc != 0)
            return rc;
        c->stack->occupant = c;
    }
    c->fn = fn;
    c->arg = arg;
    c->report_kind = "coro";
    c->report_object = c;
#if TD__TSAN
    c->fiber = __tsan_create_fiber(0);
#endif
    atomic_init(&c->state, TD_CORO_CREATED);
    return 0;
}

int td_coro_new(td_coro_t **co, td_coro_fn fn, void *arg, const td_coro_attr_t *attr)
{
    if (!co || !fn)
        return -EINVAL;
    if (!(attr && attr->shared) && td__coro_usable_size(attr ? attr->stack_size : 0) == 0)
        return -EINVAL; /* before any allocation */
    void *mem = calloc(1, td__coro_size(attr));
    if (!mem)
        return -ENOMEM;
    int rc = td__coro_init(mem, fn, arg, attr);
    if (rc != 0) {
        free(mem);
        return rc;
    }
    *co = mem;
    return 0;
}

/* Close a suspended coroutine that is being freed; on a shared stack that another
 * thread is using, wait for it rather than drop the frames unwound. */
static void close_for_free(td_coro_t *co)
{
    while (td_coro_close(co) == -EBUSY && co->stack->shared &&
           !td__coro_running_here(co->stack))
        sched_yield();
}

void td_coro_free(td_coro_t *co)
{
    if (!co)
        return;
    td__coro_destroy(co);
    free(co);
}

void td__coro_destroy(td_coro_t *co)
{
    int state = atomic_load_explicit(&co->state, memory_order_acquire);
    if (state == TD_CORO_RUNNING)
        td__misuse("td_coro_free of a running coroutine");
    if (state == TD_CORO_SUSPENDED)
        close_for_free(co); /* -EPROTO, -EBUSY: its frames are dropped unwound, as in Python */
#if TD__TSAN
    __tsan_destroy_fiber(co->fiber);
#endif
    if (co->stack->shared)
        td__coro_leave_shared(co);
    else
        td__coro_stack_give(co->stack);
}

/* ---- resume, yield, close --------------------------------------------------------------- */

/* Run co, which the caller has just moved to RUNNING (its stack taken), until it
 * yields or returns. */
static int run(td_coro_t *co, void *value, void **out, bool closing)
{
    co->closing = closing;
    co->transfer = value;
    co->outer = td__coro_running;
    td__coro_running = co;
    TD__OBSERVE(TD_OBS_CORO_RESUME, co->report_kind, co->report_object, 0);
    td__coro_switch_in(co);
    td__coro_running = co->outer;
    void *got = co->transfer;
    int rc = co->returned ? TD_ESTOP : 0;
    TD__OBSERVE(TD_OBS_CORO_SUSPEND, co->report_kind, co->report_object, rc);
    td__coro_leave_stack(co);
    /* From here on another thread may resume it. */
    atomic_store_explicit(&co->state, rc == TD_ESTOP ? TD_CORO_CLOSED : TD_CORO_SUSPENDED,
                          memory_order_release);
    if (out)
        *out = got;
    return rc;
}

/* co was moved from `from` to RUNNING: take its stack and run it, or put it back. */
static int start(td_coro_t *co, int from, void *value, void **out, bool closing)
{
    int rc = td__coro_take_stack(co, from);
    if (rc != 0) {
        atomic_store_explicit(&co->state, from, memory_order_release);
        return rc;
    }
    return run(co, value, out, closing);
}

int td_coro_resume(td_coro_t *co, void *value, void **out)
{
    if (!co)
        return -EINVAL;
    int rc = td__coro_prepare_thread();
    if (rc != 0)
        return rc;
    int state = atomic_load_explicit(&co->state, memory_order_acquire);
    do {
        if (state == TD_CORO_RUNNING)
            return -EBUSY;
        if (state == TD_CORO_CLOSED || (state == TD_CORO_CREATED && value != NULL))
            return -EINVAL;
    } while (!atomic_compare_exchange_weak_explicit(&co->state, &state, TD_CORO_RUNNING,
                                                    memory_order_acq_rel,
                                                    memory_order_acquire));
    return start(co, state, value, out, false);
}

int td_coro_yield(td_coro_t *co, void *value, void **sent)
{
    if (!co || co != td__coro_running)
        return -EINVAL;
    co->transfer = value;
    td__coro_switch_out(co);
    void *got = co->transfer;
    if (co->closing) {
        if (sent)
            *sent = NULL;
        return -ECANCELED;
    }
    if (sent)
        *sent = got;
    return 0;
}

int td_coro_close(td_coro_t *co)
{
    if (!co)
        return -EINVAL;
    int rc = td__coro_prepare_thread();
    if (rc != 0)
        return rc;
    int state = atomic_load_explicit(&co->state, memory_order_acquire);
    for (;;) {
        if (state == TD_CORO_CLOSED)
            return 0;
        if (state == TD_CORO_RUNNING)
            return -EBUSY;
        int to = state == TD_CORO_CREATED ? TD_CORO_CLOSED : TD_CORO_RUNNING;
        if (atomic_compare_exchange_weak_explicit(&co->state, &state, to,
                                                  memory_order_acq_rel, memory_order_acquire)) {
            if (to == TD_CORO_CLOSED)
                return 0; /* never started: nothing to unwind */
            break;
        }
    }
    rc = start(co, TD_CORO_SUSPENDED, NULL, NULL, true);
    return rc == TD_ESTOP ? 0 : rc < 0 ? rc : -EPROTO;
}


/* ---- queries ---------------------------------------------------------------------------- */

void td__coro_report_as(td_coro_t *co, const char *kind, const void *object)
{
    co->report_kind = kind;
    co->report_object = object;
}

td_coro_state_t td_coro_state(const td_coro_t *co)
{
    return (td_coro_state_t)atomic_load_explicit(&co->state, memory_order_acquire);
}

const char *td_coro_state_name(td_coro_state_t state)
{
    switch (state) {
    case TD_CORO_CREATED: return "CORO_CREATED";
    case TD_CORO_RUNNING: return "CORO_RUNNING";
    case TD_CORO_SUSPENDED: return "CORO_SUSPENDED";
    case TD_CORO_CLOSED: return "CORO_CLOSED";
    }
    return "?";
}

td_coro_t *td_coro_current(void)
{
    return td__coro_running;
}

size_t td_coro_stack_size(const td_coro_t *co)
{
    return co->stack->size;
}

td_coro_stack_t *td_coro_shared_stack(const td_coro_t *co)
{
    return co->stack->shared ? co->stack : NULL;
}

size_t td_coro_stack_touched(const td_coro_t *co)
{
    const td_coro_stack_t *stack = co->stack;
    if (stack->shared)
        return co->saved_cap;
    size_t page = td__coro_page_size(), touched = 0;
    unsigned char resident[256];
    for (size_t off = 0; off < stack->size; off += sizeof resident * page) {
        size_t len = stack->size - off;
        if (len > sizeof resident * page)
            len = sizeof resident * page;
        if (mincore(stack->base + off, len, resident) != 0)
            return 0;
        for (size_t i = 0; i < len / page; i++)
            touched += (resident[i] & 1) ? page : 0;
    }
    return touched;
}
