/* SPDX-License-Identifier: MIT */
/* coro_shared.c - shared (copied) stacks, after libaco: moving frames in and out.
 *
 * Every coroutine points at a td_coro_stack: its own (allocated with the coroutine,
 * right after its struct) or a shared one. A stack knows its `occupant`, the
 * coroutine whose frames are on it; an own stack's occupant is always its coroutine.
 * Resuming a coroutine that is not its stack's occupant first copies the occupant's
 * live bytes [its saved sp, top) into the occupant's buffer (`saved`), then copies
 * the resumed one's bytes back to where they were (or, at its first resume, lays out
 * its first frame), and makes it the occupant (move_in). Saving is lazy, as libaco's:
 * a coroutine that yields keeps its frames in place, so the loop stepping one task
 * and then the same again copies nothing. The buffer grows to the exact size needed
 * (16-byte multiples) and shrinks only below a quarter of its size, so a coroutine
 * that alternates between a few depths does not realloc at each switch. A coroutine
 * that returns leaves no frames: the stack has no occupant then. Freeing a suspended
 * coroutine closes it (which moves it in); freeing the occupant just clears
 * `occupant`. The cost grows with the bytes copied, so what matters is the depth at
 * which a coroutine yields, and libaco's warning is coro.h's pointer rule: a local's
 * address handed to another coroutine of the stack points into that one's frames
 * once it runs.
 *
 * Who may touch a shared stack: `busy` is claimed (compare-and-swap, acquire) by the
 * resume that runs one of its coroutines, after that coroutine's own state CAS, and
 * released (release) once the coroutine has switched back out; `occupant` and every
 * coroutine's `saved` bytes are only read or written by the holder of `busy`. A resume
 * that finds the stack busy undoes its state CAS and returns -EBUSY: the stack is in
 * use by a running coroutine, perhaps its own resumer, whose frames cannot be moved.
 * So a shared stack runs one coroutine at a time across threads. `users` counts the
 * coroutines made on it, for td_coro_stack_free's check.
 *
 * Where the live bytes start: with the assembly switch, the saved stack pointer is
 * exact (td__coro_switch pushed everything below the caller's frame). With ucontext,
 * switch_out records the address of a local of a function it calls (stack_point):
 * every frame of switch_out's callers lies above it, and swapcontext resumes with the
 * stack pointer of its caller, so nothing live is below that address.
 *
 * Copying under the sanitizers: ASan poisons redzones inside the frames being copied
 * and would report memcpy's read of them; the range is unpoisoned first, on both
 * sides, so the stack holds no stale poison of another coroutine's frames (the
 * resumed frames lose their redzones until their functions return, which only costs
 * detection). The fiber announced to ASan for a coroutine on a shared stack has the
 * shared stack's bounds. ucontext's swapcontext is intercepted by ASan, which
 * unpoisons the target stack itself. TSan: the copy is made by the resumer before
 * __tsan_switch_to_fiber, which orders it before the coroutine's own accesses; `busy`
 * orders copies made on different threads.
 */
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "coro_internal.h"

int td_coro_stack_new(td_coro_stack_t **out, size_t size)
{
    size = td__coro_usable_size(size);
    if (!out || size == 0)
        return -EINVAL;
    td__coro_guard_once();
    td_coro_stack_t *stack = calloc(1, sizeof *stack);
    if (!stack)
        return -ENOMEM;
    int rc = td__coro_stack_take(stack, size);
    if (rc != 0) {
        free(stack);
        return rc;
    }
    stack->shared = true;
    atomic_init(&stack->busy, false);
    atomic_init(&stack->users, 0);
    *out = stack;
    return 0;
}

void td_coro_stack_free(td_coro_stack_t *stack)
{
    if (!stack)
        return;
    if (atomic_load_explicit(&stack->users, memory_order_acquire) != 0)
        td__misuse("td_coro_stack_free of a shared stack that coroutines still use");
    td__coro_stack_give(stack);
    free(stack);
}

bool td_coro_stack_holds(const td_coro_stack_t *stack, const void *p)
{
    const char *c = p;
    return stack && c >= stack->base && c < stack->base + stack->size;
}

static char *stack_top(const td_coro_stack_t *stack)
{
    return stack->base + stack->size;
}

/* Make the range [p, p + n) of a stack plain memory for ASan (see the design note). */
static void unpoison(const void *p, size_t n)
{
#if TD__ASAN
    __asan_unpoison_memory_region(p, n);
#else
    (void)p, (void)n;
#endif
}

/* Room for n saved bytes: grown to fit, shrunk below a quarter. false: no memory. */
static bool saved_room(td_coro_t *co, size_t n)
{
    if (n > UINT32_MAX)
        return false;
    if (n <= co->saved_cap && n >= co->saved_cap / 4)
        return true;
    size_t cap = td__coro_round_up(n ? n : 1, 16);
    char *buf = realloc(co->saved, cap);
    if (!buf)
        return n <= co->saved_cap; /* keep the larger one */
    co->saved = buf;
    co->saved_cap = (uint32_t)cap;
    return true;
}

/* Copy the occupant's live frames out of its shared stack: 0 or -ENOMEM. */
static int save_occupant(td_coro_stack_t *stack)
{
    td_coro_t *occupant = stack->occupant;
    size_t n = (size_t)(stack_top(stack) - (char *)occupant->sp);
    if (!saved_room(occupant, n))
        return -ENOMEM;
    unpoison(occupant->sp, n);
    memcpy(occupant->saved, occupant->sp, n);
    occupant->saved_len = (uint32_t)n;
    stack->occupant = NULL;
    return 0;
}

/* Put co's frames on its stack (the caller holds it): 0 or -ENOMEM (nothing moved). */
static int move_in(td_coro_t *co, int from)
{
    td_coro_stack_t *stack = co->stack;
    if (stack->occupant) {
        int rc = save_occupant(stack);
        if (rc != 0)
            return rc;
    }
    if (from == TD_CORO_CREATED) {
        td__coro_prepare_stack(co);
    } else {
        unpoison(co->sp, co->saved_len);
        memcpy(co->sp, co->saved, co->saved_len);
    }
    stack->occupant = co;
    return 0;
}

/* Take co's shared stack for one run: false when one of its coroutines is running. */
static bool claim_stack(td_coro_stack_t *stack)
{
    bool idle = false;
    return atomic_compare_exchange_strong_explicit(&stack->busy, &idle, true,
                                                   memory_order_acquire, memory_order_relaxed);
}

static void unclaim_stack(td_coro_stack_t *stack)
{
    atomic_store_explicit(&stack->busy, false, memory_order_release);
}

int td__coro_take_stack(td_coro_t *co, int from)
{
    td_coro_stack_t *stack = co->stack;
    if (!stack->shared) {
        if (from == TD_CORO_CREATED)
            td__coro_prepare_stack(co);
        return 0; /* an own stack: nothing to move */
    }
    if (!claim_stack(stack))
        return -EBUSY;
    int rc = stack->occupant == co ? 0 : move_in(co, from);
    if (rc != 0)
        unclaim_stack(stack);
    return rc;
}

void td__coro_leave_stack(td_coro_t *co)
{
    td_coro_stack_t *stack = co->stack;
    if (!stack->shared)
        return;
    if (co->returned)
        stack->occupant = NULL;
    unclaim_stack(stack);
}

/* Such a coroutine is the stack's occupant, and the stack stays busy until this thread
 * switches back into it. */
bool td__coro_running_here(const td_coro_stack_t *stack)
{
    for (const td_coro_t *c = td__coro_running; c; c = c->outer)
        if (c->stack == stack)
            return true;
    return false;
}

/* Take the stack, waiting while another thread runs one of its coroutines: false when
 * a coroutine of this thread runs there (it would never be let go). */
static bool claim_stack_waiting(td_coro_stack_t *stack)
{
    while (!claim_stack(stack)) {
        if (td__coro_running_here(stack))
            return false;
        sched_yield(); /* a switch of another thread's: a few hundred nanoseconds */
    }
    return true;
}

/* If co's frames occupy the stack, they are gone. When a coroutine of this thread runs
 * there, co is not the occupant; when another thread's does, it may be moving co's
 * frames: wait for it. */
void td__coro_leave_shared(td_coro_t *co)
{
    td_coro_stack_t *stack = co->stack;
    if (claim_stack_waiting(stack)) {
        if (stack->occupant == co)
            stack->occupant = NULL;
        unclaim_stack(stack);
    }
    free(co->saved);
    atomic_fetch_sub_explicit(&stack->users, 1, memory_order_release);
}
