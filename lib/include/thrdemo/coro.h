/* SPDX-License-Identifier: MIT */
/* coro.h - stackful coroutines: a function that runs on a stack of its own and can
 * stop half-way (yield) and be continued later (resume), on the thread that resumes
 * it. The layer under Python's generators (generator.h) and asyncio's coroutines.
 *
 * A coroutine is not a thread: it never runs by itself. It runs only inside a
 * td_coro_resume() call, on the caller's thread, until it yields or returns; then
 * resume returns. One coroutine may resume another (a generator looping over another
 * one); each yield goes back to whoever resumed it.
 *
 * States, as inspect.getgeneratorstate names them (GEN_CREATED, ...):
 *
 *   state      resume(v)                         close()
 *   CREATED    v must be NULL; runs the body     -> CLOSED, the body never runs
 *   RUNNING    -EBUSY (already executing)        -EBUSY
 *   SUSPENDED  the pending yield returns 0 with  the pending yield returns
 *              *sent = v; runs to the next       -ECANCELED; the body must clean
 *              yield (0) or the return (TD_ESTOP) up and return (-> CLOSED)
 *   CLOSED     -EINVAL                           0, nothing to do
 *
 * Values go both ways: resume(co, v, &out) makes the pending td_coro_yield() return
 * with *sent = v (Python's send); td_coro_yield(co, w, &sent) makes that resume
 * return 0 with out = w; the body's return value comes out of the resume that saw it
 * return, with TD_ESTOP (Python's StopIteration.value).
 *
 * Closing (Python's GeneratorExit): td_coro_close() of a suspended coroutine resumes
 * it once more with its pending yield returning -ECANCELED. The body must then
 * release what it holds and return. A body that yields again instead is resumed no
 * further: close() returns -EPROTO ("generator ignored GeneratorExit") and the
 * coroutine stays SUSPENDED. td_coro_free() of a suspended coroutine closes it first.
 *
 * Stacks: each coroutine has a stack of its own (TD_CORO_STACK_DEFAULT bytes unless
 * td_coro_attr_t says otherwise), or shares one with others (td_coro_attr_t.shared:
 * see "Shared (copied) stacks" below); every stack has a guard of TD_CORO_GUARD bytes
 * below it that
 * faults on any access. Memory is only spent on the pages a coroutine actually touches
 * (one or two for a shallow body: td_coro_stack_touched tells). Running off the end of
 * the stack hits the guard; the library's SIGSEGV handler, on an alternate signal
 * stack that each thread gets when it first resumes a coroutine, then ends the
 * process with
 *   "libthrdemo: coroutine stack overflow (stack of N bytes) ..."
 * instead of letting it corrupt memory. Faults elsewhere go to the handler that was
 * installed before (or the default action). A frame larger than the guard can jump
 * over it, into the stack of another coroutine: code with very large locals should be
 * built with -fstack-clash-protection.
 *
 * Shared (copied) stacks: a coroutine made with td_coro_attr_t.shared runs on a stack
 * it shares with the other coroutines made on it (td_coro_stack_new), as libaco's
 * "copy stack" does. Its frames stay on the shared stack until another coroutine of
 * the same stack is resumed; only then are its live bytes (from its saved stack
 * pointer up to the top, a few hundred bytes for a shallow body) copied out into a
 * buffer of its own, sized to fit, and copied back in when it is resumed next. So a
 * suspended coroutine costs its struct and the bytes it really uses, not a page, and
 * making one costs no page fault. The price is a copy at each switch between two
 * coroutines of one stack, and a rule:
 *
 *   THE POINTER RULE. While a coroutine on a shared stack is suspended, its frames
 *   are not where they were: another coroutine's occupy that memory. No pointer to a
 *   local variable of such a coroutine may be used by anyone else (another coroutine,
 *   a callback, another thread) until it runs again. Keep what others must reach in
 *   static or heap memory, or give the coroutine a stack of its own.
 *
 * Generators (generator.h) and coroutines made without .shared have stacks of their
 * own, so pointers to their locals stay valid while they are suspended; asyncio's
 * tasks run on their loop's shared stack unless they opt out (task.h).
 *
 * One coroutine of a shared stack runs at a time, in the whole process: resuming one
 * while another one of the same stack is running (on this thread: a coroutine
 * resuming a sibling; or on another thread) returns -EBUSY and changes nothing.
 * Otherwise a coroutine on a shared stack may be resumed from any thread, as any
 * other. Running off the end of a shared stack hits its guard, reported as for any
 * stack ("... (shared stack of N bytes) ..."). td_coro_free of the coroutine whose
 * frames occupy the stack just lets the stack go; the stack must outlive every
 * coroutine made on it (td_coro_stack_free of a stack still in use aborts).
 *
 * Stacks are carved from slabs, 64 to a mapping, and reused: freeing a coroutine puts
 * its stack on a free list, and the next td_coro_new of the same stack size takes it
 * without a system call or a page fault. Up to 1,024 freed stacks per size keep their
 * pages; past that the older half is given back with MADV_FREE (the kernel takes
 * those pages when it needs memory, which is when RSS falls), and td_coro_trim()
 * gives every free stack's pages back at once (MADV_DONTNEED), as malloc_trim does.
 * Address space is kept for reuse.
 *
 * The limit on live coroutines: on Linux 6.13 and later the guards are guard regions
 * (madvise MADV_GUARD_INSTALL), which do not split a mapping, so a slab of 64 stacks
 * is one kernel mapping and memory is the only limit (100,000 suspended coroutines
 * with shallow stacks take about 400 MB, a page or so each). On older kernels the
 * guards are PROT_NONE pages (mprotect), two mappings a stack, and Linux allows a
 * process vm.max_map_count of them (65,530 by default), shared with everything else
 * it maps: about 32,000 coroutines can exist at once. td_coro_guard_method() says
 * which. At the limit td_coro_new() returns -ENOMEM and nothing else happens;
 * freeing coroutines makes room again.
 *
 * Threads: a coroutine may be resumed from any thread, one resume at a time (a second
 * one at once gets -EBUSY). Code in a body should not keep addresses of thread-local
 * variables (errno included) across a yield if the coroutine may be resumed on
 * another thread next. The calls below are thread-safe in that sense; td_coro_free
 * must not race with anything else on the same coroutine.
 *
 * Switching: on x86-64 a dozen instructions that swap the callee-saved registers and
 * the stack pointer (a resume + yield round trip costs 45-100 ns on the project's
 * VM, all checks included; on a shared stack, when the resumed coroutine is not the
 * one whose frames are there, two copies of their live bytes besides: about 80 ns
 * for two shallow coroutines taking turns, `thrdemo bench async-switch`); elsewhere, or when the library is built with
 * -DTHRDEMO_CORO_SWITCH=ucontext or with -fcf-protection (shadow stacks), glibc's
 * swapcontext, which also makes a sigprocmask system call per switch (about 1 us a
 * round trip there), and with which a coroutine runs with the signal mask its thread
 * had when it was created or last yielded. td_coro_switch_method() says which one this build uses.
 * Under AddressSanitizer and ThreadSanitizer every switch is announced to the
 * sanitizer (fiber annotations), so neither reports false errors.
 */
#ifndef THRDEMO_CORO_H
#define THRDEMO_CORO_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Stack size used when none is given: enough for printf-heavy bodies and for the
 * larger frames of sanitizer builds; only touched pages cost memory. */
#define TD_CORO_STACK_DEFAULT ((size_t)256 * 1024)
/* Smallest stack accepted. */
#define TD_CORO_STACK_MIN ((size_t)16 * 1024)
/* The PROT_NONE guard below every stack (address space only, never memory). */
#define TD_CORO_GUARD ((size_t)64 * 1024)

typedef struct td_coro td_coro_t;
/* A stack that coroutines take turns on, each one's frames copied out while another
 * one's occupy it (see "Shared (copied) stacks" above). */
typedef struct td_coro_stack td_coro_stack_t;

/* A coroutine's body: runs on the coroutine's stack, yields with td_coro_yield(co,
 * ...), and what it returns comes out of the last resume (with TD_ESTOP). */
typedef void *(*td_coro_fn)(td_coro_t *co, void *arg);

typedef enum td_coro_state {
    TD_CORO_CREATED,   /* made, never resumed */
    TD_CORO_RUNNING,   /* inside a resume (on some thread) */
    TD_CORO_SUSPENDED, /* stopped at a yield */
    TD_CORO_CLOSED     /* returned, or closed */
} td_coro_state_t;

typedef struct td_coro_attr {
    size_t stack_size; /* usable bytes, rounded up to whole pages; 0: the default */
    /* Run on this shared stack (stack_size is then ignored) rather than on a stack of
     * its own; NULL: its own. See the pointer rule above. */
    td_coro_stack_t *shared;
} td_coro_attr_t;

/* Make a coroutine that will run fn(co, arg), in state CREATED; attr may be NULL.
 * Returns 0, -EINVAL (no fn, or a stack below TD_CORO_STACK_MIN), or -ENOMEM (no
 * memory, or the process's limit of mappings reached: see above). Cheap when a freed
 * stack of the same size is there to reuse: no system call. */
TD_API int td_coro_new(td_coro_t **co, td_coro_fn fn, void *arg, const td_coro_attr_t *attr);

/* Run the coroutine on the calling thread until it yields or returns. value is what
 * the pending td_coro_yield hands back (it must be NULL for the first resume, as
 * Python's first send() must be None); *out (if out is not NULL) receives what the
 * coroutine yielded or returned. Returns 0 (it yielded: now SUSPENDED), TD_ESTOP
 * (it returned: now CLOSED), -EBUSY (it is RUNNING: a nested or concurrent resume;
 * or it is on a shared stack where another coroutine is running), -EINVAL (it is
 * CLOSED, or a non-NULL value for a CREATED one; co NULL), or -ENOMEM (this thread's
 * first resume could not get it an alternate signal stack, or there was no memory to
 * copy out the frames of the coroutine occupying its shared stack). After -EBUSY and
 * -ENOMEM nothing has changed. */
TD_API int td_coro_resume(td_coro_t *co, void *value, void **out);

/* From inside co's body: give value to the resume that is running co, and stop until
 * the next resume, whose value is stored in *sent (if not NULL). Returns 0, or
 * -ECANCELED when td_coro_close asks the body to finish (then *sent is NULL and the
 * body must return), or -EINVAL when co is not the coroutine running on this thread. */
TD_API int td_coro_yield(td_coro_t *co, void *value, void **sent);

/* Close the coroutine (Python's generator.close()): see the table above. Returns 0
 * (it is CLOSED), -EBUSY (as for resume), -EPROTO (it yielded instead of returning;
 * it stays SUSPENDED), -EINVAL (co NULL) or -ENOMEM (as for resume). */
TD_API int td_coro_close(td_coro_t *co);

/* Free a coroutine and its stack (or its share of a shared one), closing it first if
 * it is suspended; if it cannot be closed (it ignores the close, or its shared stack
 * is busy with a coroutine running on this thread) its frames are dropped without
 * unwinding. If another thread runs a coroutine of its shared stack, it waits for the
 * stack. NULL is
 * accepted. Freeing a running coroutine is a bug: the process aborts with a message. */
TD_API void td_coro_free(td_coro_t *co);

/* A stack for coroutines to share (td_coro_attr_t.shared): size usable bytes (0:
 * TD_CORO_STACK_DEFAULT; rounded up to whole pages) with a guard below it, taken from
 * the same pool as other stacks. 0, -EINVAL (size below TD_CORO_STACK_MIN), -ENOMEM. */
TD_API int td_coro_stack_new(td_coro_stack_t **out, size_t size);

/* Give a shared stack back to the pool. NULL is accepted. Every coroutine made on it
 * must have been freed: otherwise the process aborts with a message. */
TD_API void td_coro_stack_free(td_coro_stack_t *stack);

/* Whether p points into the usable part of the stack: for a shared stack, memory that
 * belongs to whichever coroutine occupies it (the pointer rule). */
TD_API bool td_coro_stack_holds(const td_coro_stack_t *stack, const void *p);

/* The shared stack the coroutine runs on, or NULL when it has a stack of its own. */
TD_API td_coro_stack_t *td_coro_shared_stack(const td_coro_t *co);

/* The coroutine's state (a snapshot when other threads may resume it). */
TD_API td_coro_state_t td_coro_state(const td_coro_t *co);

/* inspect.getcoroutinestate's name of a state: "CORO_CREATED", ...; "?" if unknown. */
TD_API const char *td_coro_state_name(td_coro_state_t state);

/* The coroutine running on the calling thread (the innermost one), or NULL. */
TD_API td_coro_t *td_coro_current(void);

/* The usable size of the coroutine's stack in bytes (the guard not counted). */
TD_API size_t td_coro_stack_size(const td_coro_t *co);

/* What the coroutine's stack costs it in memory. With a stack of its own: the bytes
 * that are resident (mincore), that is the pages it has touched so far, plus, on a
 * reused stack, those an earlier coroutine touched that are still there (none after
 * td_coro_trim). On a shared stack: the bytes of its buffer for its saved frames
 * (0 before it was first copied out); the shared stack's pages are the stack's. */
TD_API size_t td_coro_stack_touched(const td_coro_t *co);

/* How this build switches stacks: "x86-64 assembly" or "ucontext (swapcontext)". */
TD_API const char *td_coro_switch_method(void);

/* How stacks are guarded on this kernel: "guard regions (madvise)" (Linux 6.13+: no
 * limit but memory) or "mprotect" (two mappings a stack: about 32,000 coroutines). */
TD_API const char *td_coro_guard_method(void);

/* Give the pages of every free stack back to the kernel now (MADV_DONTNEED), so RSS
 * falls at once; the stacks stay listed for reuse. Returns how many were released.
 * Thread-safe. */
TD_API size_t td_coro_trim(void);

#ifdef __cplusplus
}
#endif
#endif
