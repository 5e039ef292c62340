/* SPDX-License-Identifier: MIT */
/* coro_internal.h - what the pieces of the coroutines share: the coroutine and stack
 * structs, the running coroutine of each thread, and the calls each piece makes of
 * the others. The pieces, from the bottom up:
 *   coro_switch.c  the switch (x86-64 assembly or ucontext) and the sanitizers' fibers
 *   coro_guard.c   stack overflow: the SIGSEGV handler and the signal stacks
 *   coro_slab.c    stacks: slabs with guard regions, pools and their free lists
 *   coro_shared.c  shared (copied) stacks: moving frames in and out
 *   coro.c         the coroutine object: create, resume, yield, close, free
 * coro.c's head holds the design of the whole; each piece's, its own invariants.
 */
#ifndef THRDEMO_CORO_INTERNAL_H
#define THRDEMO_CORO_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include "prim.h"
#include "thrdemo/coro.h"

#if !defined(THRDEMO_CORO_UCONTEXT) && defined(__x86_64__) && !defined(__CET__)
#define CORO_ASM 1 /* not with shadow stacks (-fcf-protection): swapcontext knows them */
#else
#define CORO_ASM 0
#include <ucontext.h>
#endif

#include "core/sanitizer.h"
#if TD__ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif
#if TD__TSAN
#include <sanitizer/tsan_interface.h>
#endif

/* A stack: a coroutine's own (right after its struct) or a shared one. */
struct td_coro_stack {
    struct stack_pool *pool; /* where the memory came from and goes back to */
    char *guard;             /* the guard below the stack: [guard, base) */
    char *base;              /* usable stack: [base, base + size) */
    size_t size;
    bool shared;             /* made by td_coro_stack_new */
    atomic_bool busy;        /* shared: one of its coroutines is running */
    td_coro_t *occupant;     /* whose frames are on it (NULL: none); under busy */
    atomic_size_t users;     /* shared: coroutines made on it, not yet freed */
};

struct td_coro {
    _Atomic int state;  /* td_coro_state_t */
    bool closing;       /* this run was started by close(): the yield says -ECANCELED */
    bool returned;      /* the body has returned */
    td_coro_fn fn;
    void *arg;
    const char *report_kind;     /* what the observer hears it as: "coro", "task" */
    const void *report_object;
    void *transfer;     /* the value handed over by the last switch, either way */
    td_coro_t *outer;   /* what was running on the resuming thread before */
    td_coro_stack_t *stack;
    char *saved;        /* shared stack: its frames while another's occupy the stack */
    uint32_t saved_len, saved_cap;
    void *sp;           /* its saved stack pointer while it is not running (ucontext:
                           the lowest address its frames may use) */
#if CORO_ASM
    void *caller_sp; /* the resumer's, while the coroutine runs */
#else
    ucontext_t context;
    ucontext_t *caller_context;
#endif
#if TD__ASAN
    void *fake_stack;          /* ASan's fake frames of the coroutine, while suspended */
    const void *caller_bottom; /* the resumer's stack, to switch back to */
    size_t caller_size;
#endif
#if TD__TSAN
    void *fiber;
    void *caller_fiber;
#endif
};

/* ---- the running coroutine of each thread ----------------------------------------------
 * A coroutine may be resumed on another thread than the one it last ran on, so code on
 * its stack must not use a thread-local address computed before a switch after it (a
 * compiler may keep one): td_coro_yield reads it only before its switch, and resume's
 * code after its switch runs on the same thread as before it. Initial-exec (TD__TLS):
 * the SIGSEGV handler reads it without __tls_get_addr. */
extern TD__TLS td_coro_t *td__coro_running;

/* The page size. */
static inline size_t td__coro_page_size(void)
{
    return (size_t)sysconf(_SC_PAGESIZE);
}

/* n rounded up to a multiple of to. */
static inline size_t td__coro_round_up(size_t n, size_t to)
{
    return (n + to - 1) / to * to;
}

/* ---- coro_switch.c ---- */

/* Lay out co's first frame on its stack, so that the first switch in enters its body. */
void td__coro_prepare_stack(td_coro_t *co);
/* Into co, from its resumer (co already td__coro_running); returns when it yields or
 * returns. */
void td__coro_switch_in(td_coro_t *co);
/* From co back to its resumer; returns at co's next resume (perhaps on another
 * thread). */
void td__coro_switch_out(td_coro_t *co);

/* ---- coro_guard.c ---- */

/* Install the overflow handler, once per process (every coroutine's first step). */
void td__coro_guard_once(void);
/* Give the calling thread an alternate signal stack, unless it has one: 0 or -ENOMEM. */
int td__coro_prepare_thread(void);

/* ---- coro_slab.c ---- */

/* Usable bytes asked for (0: the default), checked and rounded to pages: 0 when
 * invalid. */
size_t td__coro_usable_size(size_t size);
/* Give stack a region of size usable bytes (whole pages, guard below): 0, -ENOMEM or
 * -EAGAIN (the limit of mappings is met as ENOMEM). */
int td__coro_stack_take(td_coro_stack_t *stack, size_t size);
/* A stack whose coroutine is gone: back to its pool. */
void td__coro_stack_give(const td_coro_stack_t *stack);

/* ---- coro_shared.c ---- */

/* Before co (just made RUNNING, from state `from`) runs: its stack ready, its frames
 * on it. 0, or -EBUSY / -ENOMEM after which co must go back to `from`. */
int td__coro_take_stack(td_coro_t *co, int from);
/* After co switched back out: a returned coroutine leaves no frames; let the stack go. */
void td__coro_leave_stack(td_coro_t *co);
/* Whether a coroutine running on this thread (the current one or one it interrupted)
 * is on the stack. */
bool td__coro_running_here(const td_coro_stack_t *stack);
/* A shared stack's coroutine is being freed: its frames and saved bytes go, and it
 * stops counting as a user of the stack. */
void td__coro_leave_shared(td_coro_t *co);

#endif
