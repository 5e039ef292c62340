/* SPDX-License-Identifier: MIT */
/* coro.c - stackful coroutines (coro.h).
 *
 * DESIGN. A coroutine is a struct and a stack. Stacks come from slabs (one mapping
 * holds SLAB_STACKS of them), each stack with a guard region of TD_CORO_GUARD bytes
 * below it (stacks grow down). On Linux 6.13+ a guard is installed with
 * madvise(MADV_GUARD_INSTALL), which does not split the mapping, so a slab stays one
 * kernel mapping however many coroutines live in it; older kernels get mprotect
 * guards, two mappings a stack, and the vm.max_map_count limit coro.h documents.
 * A freed stack goes to its pool's free list, pages and guard as they are, and the
 * next coroutine of that size takes it with no system call (stack_take/stack_give).
 * The stack is prepared lazily, on the first resume, so a coroutine that never runs
 * touches no stack page. A switch saves the running side's registers on its own
 * stack and loads the other side's stack pointer: on x86-64 a dozen instructions
 * (td__coro_switch), elsewhere glibc's swapcontext (which adds a sigprocmask system
 * call per switch).
 *
 * Who runs: `state` is the one word other threads may look at. Resume and close take a
 * coroutine from CREATED or SUSPENDED to RUNNING with a compare-and-swap, so two
 * resumes can never both run it; only the resumer that won writes the other fields
 * until it stores SUSPENDED or CLOSED again (release), after the coroutine's stack is
 * no longer in use. `current` (per thread) is the innermost running coroutine; each
 * coroutine remembers the one it interrupted (`outer`) and restores it when it stops.
 *
 * Stack overflow: a fault inside the guard of the thread's running coroutine is an
 * overflow (a guard region faults as SIGSEGV at the address touched, as a PROT_NONE
 * page does). The SIGSEGV handler (installed once; SA_ONSTACK) runs on the thread's
 * alternate signal stack, which resume sets up the first time a thread resumes a
 * coroutine (and a pthread key removes when the thread exits). It writes one line and
 * aborts. Every other fault is passed to the handler that was there before.
 *
 * Sanitizers: AddressSanitizer must know which stack is in use (for its stack checks
 * and fake stacks) and ThreadSanitizer which fiber (for happens-before): every switch
 * is announced to them (start/finish_switch_fiber, switch_to_fiber).
 *
 * Shared (copied) stacks, after libaco. Every coroutine points at a td_coro_stack:
 * its own (allocated with the coroutine, right after its struct) or a shared one.
 * A stack knows its `occupant`, the coroutine whose frames are on it; an own stack's
 * occupant is always its coroutine. Resuming a coroutine that is not its stack's
 * occupant first copies the occupant's live bytes [its saved sp, top) into the
 * occupant's buffer (`saved`), then copies the resumed one's bytes back to where
 * they were (or, at its first resume, lays out its first frame), and makes it the
 * occupant (move_in). Saving is lazy, as libaco's: a coroutine that yields keeps its
 * frames in place, so the loop stepping one task and then the same again copies
 * nothing. The buffer grows to the exact size needed (16-byte multiples) and shrinks
 * only below a quarter of its size, so a coroutine that alternates between a few
 * depths does not realloc at each switch. A coroutine that returns leaves no frames:
 * the stack has no occupant then. Freeing a suspended coroutine closes it (which moves
 * it in); freeing the occupant just clears `occupant`. The cost grows with the bytes
 * copied (libaco's README measures a resume at 33 ns with 8 live bytes, 59 ns with 232
 * and 91 ns with 488), so what matters is the depth at which a coroutine yields, and
 * libaco's warning is coro.h's pointer rule: a local's address handed to another
 * coroutine of the stack points into that one's frames once it runs.
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
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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
 * compiler may keep one): td_coro_yield reads `current` only before its switch, and
 * resume's code after its switch runs on the same thread as before it. */

/* Initial-exec (TD__TLS): the SIGSEGV handler reads it without __tls_get_addr. */
static TD__TLS td_coro_t *current;

static td_coro_t *get_current(void)
{
    return current;
}

static void set_current(td_coro_t *co)
{
    current = co;
}

/* ---- the switch ------------------------------------------------------------------------ */

static void coro_entry(void);

#if CORO_ASM
/* Save the callee-saved registers and the SSE/x87 control words on the current stack,
 * store the stack pointer in *save, load load_sp and restore what is saved there. */
void td__coro_switch(void **save, void *load_sp);
__asm__(".text\n"
        ".p2align 4\n"
        ".globl td__coro_switch\n"
        ".hidden td__coro_switch\n"
        ".type td__coro_switch, @function\n"
        "td__coro_switch:\n"
        "\tpushq %rbp\n\tpushq %rbx\n\tpushq %r12\n\tpushq %r13\n\tpushq %r14\n\tpushq %r15\n"
        "\tsubq $8, %rsp\n\tstmxcsr (%rsp)\n\tfnstcw 4(%rsp)\n"
        "\tmovq %rsp, (%rdi)\n"
        "\tmovq %rsi, %rsp\n"
        "\tldmxcsr (%rsp)\n\tfldcw 4(%rsp)\n\taddq $8, %rsp\n"
        "\tpopq %r15\n\tpopq %r14\n\tpopq %r13\n\tpopq %r12\n\tpopq %rbx\n\tpopq %rbp\n"
        "\tret\n"
        ".size td__coro_switch, .-td__coro_switch\n");

/* Lay out the stack as td__coro_switch leaves it, so that the first switch "returns"
 * into coro_entry, with a null return address and frame pointer above it so that
 * backtraces end there, and rsp = 8 mod 16 as at any function's entry. */
static void prepare_stack(td_coro_t *co)
{
    uintptr_t top = (uintptr_t)(co->stack->base + co->stack->size) & ~(uintptr_t)15;
    void **sp = (void **)top;
    *--sp = NULL;               /* coro_entry's return address: none */
    void (*entry)(void) = coro_entry; /* where td__coro_switch's ret goes */
    memcpy(--sp, &entry, sizeof entry);
    for (int i = 0; i < 6; i++)
        *--sp = NULL;           /* rbp, rbx, r12-r15 */
    uint32_t control[2] = { 0, 0 };
    __asm__ volatile("stmxcsr %0" : "=m"(control[0]));
    __asm__ volatile("fnstcw %0" : "=m"(control[1]));
    *--sp = NULL;
    memcpy(sp, control, sizeof control);
    co->sp = sp;
}

static void backend_switch_in(td_coro_t *co)
{
    td__coro_switch(&co->caller_sp, co->sp);
}

static void backend_switch_out(td_coro_t *co)
{
    td__coro_switch(&co->sp, co->caller_sp);
}

const char *td_coro_switch_method(void)
{
    return "x86-64 assembly";
}
#else
static void prepare_stack(td_coro_t *co)
{
    if (getcontext(&co->context) != 0)
        td__fatal("getcontext failed");
    co->context.uc_stack.ss_sp = co->stack->base;
    co->context.uc_stack.ss_size = co->stack->size;
    co->context.uc_link = NULL; /* coro_entry never returns */
    makecontext(&co->context, coro_entry, 0);
}

static void backend_switch_in(td_coro_t *co)
{
    ucontext_t caller;
    caller.uc_stack = (stack_t){ 0 }; /* ASan's swapcontext reads it on the way back */
    co->caller_context = &caller;
    if (swapcontext(&caller, &co->context) != 0)
        td__fatal("swapcontext failed");
}

/* An address below every frame of its caller (see the design note). */
static __attribute__((noinline)) void *stack_point(void)
{
    char here;
    void *p = &here;
    __asm__ volatile("" : "+r"(p)); /* the address escapes: `here` has a stack slot */
    return p;
}

static void backend_switch_out(td_coro_t *co)
{
    co->sp = (void *)((uintptr_t)stack_point() & ~(uintptr_t)15);
    if (swapcontext(&co->context, co->caller_context) != 0)
        td__fatal("swapcontext failed");
}

const char *td_coro_switch_method(void)
{
    return "ucontext (swapcontext)";
}
#endif

/* Into the coroutine, from its resumer; returns when it yields or returns. */
static void switch_in(td_coro_t *co)
{
#if TD__ASAN
    void *fake_stack = NULL;
    __sanitizer_start_switch_fiber(&fake_stack, co->stack->base, co->stack->size);
#endif
#if TD__TSAN
    co->caller_fiber = __tsan_get_current_fiber();
    __tsan_switch_to_fiber(co->fiber, 0);
#endif
    backend_switch_in(co);
#if TD__ASAN
    __sanitizer_finish_switch_fiber(fake_stack, NULL, NULL);
#endif
}

/* Runs first on the coroutine's stack after each switch in. */
static void arrived(td_coro_t *co)
{
#if TD__ASAN
    __sanitizer_finish_switch_fiber(co->fake_stack, &co->caller_bottom, &co->caller_size);
#else
    (void)co;
#endif
}

/* Back to the resumer; returns at the next resume (perhaps on another thread). */
static void switch_out(td_coro_t *co)
{
#if TD__ASAN
    /* After the return there is no next time: ASan may drop the fake frames. */
    __sanitizer_start_switch_fiber(co->returned ? NULL : &co->fake_stack, co->caller_bottom,
                                   co->caller_size);
#endif
#if TD__TSAN
    __tsan_switch_to_fiber(co->caller_fiber, 0);
#endif
    backend_switch_out(co);
    arrived(co);
}

/* The bottom of every coroutine's stack. */
static void coro_entry(void)
{
    td_coro_t *co = get_current();
    arrived(co);
    co->transfer = co->fn(co, co->arg);
    co->returned = true;
    switch_out(co);
    td__fatal("a coroutine that had returned was switched into");
}

/* ---- stack overflow: the guard, the handler, the signal stacks ------------------------- */

enum { ALTSTACK_MIN = 16 * 1024, ALTSTACK_SIZE = 64 * 1024 };

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static struct sigaction previous_segv;
static pthread_key_t altstack_key;
/* This thread has an alternate signal stack. */
static TD__TLS bool thread_ready;

static size_t page_size(void)
{
    return (size_t)sysconf(_SC_PAGESIZE);
}

static size_t round_up(size_t n, size_t to)
{
    return (n + to - 1) / to * to;
}

static size_t altstack_size(void)
{
    size_t size = ALTSTACK_SIZE;
#ifdef _SC_SIGSTKSZ
    long dynamic = sysconf(_SC_SIGSTKSZ); /* large on CPUs with big vector registers */
    if (dynamic > 0 && (size_t)dynamic * 2 > size)
        size = (size_t)dynamic * 2;
#endif
    return round_up(size, page_size());
}

/* Append the decimal (base 10) or hexadecimal (base 16) digits of n to *p. */
static void put_number(char **p, uintptr_t n, unsigned base)
{
    char digits[24];
    int len = 0;
    do {
        digits[len++] = "0123456789abcdef"[n % base];
        n /= base;
    } while (n);
    while (len)
        *(*p)++ = digits[--len];
}

static void put_text(char **p, const char *text)
{
    size_t len = strlen(text);
    memcpy(*p, text, len);
    *p += len;
}

/* In the signal handler: only async-signal-safe calls. */
static void report_overflow(const td_coro_stack_t *stack, const void *addr)
{
    char line[256], *p = line;
    put_text(&p, stack->shared ? "libthrdemo: coroutine stack overflow (shared stack of "
                               : "libthrdemo: coroutine stack overflow (stack of ");
    put_number(&p, stack->size, 10);
    put_text(&p, " bytes): fault at 0x");
    put_number(&p, (uintptr_t)addr, 16);
    put_text(&p, stack->shared ? " in the guard below it; give the coroutine a larger stack "
                                 "(td_coro_stack_new's size)\n"
                               : " in the guard below it; give the coroutine a larger stack "
                                 "(td_coro_attr_t.stack_size)\n");
    ssize_t ignored = write(STDERR_FILENO, line, (size_t)(p - line));
    (void)ignored;
    abort();
}

/* A fault that is not ours: do what would have happened without this handler. */
static void pass_on(int sig, siginfo_t *info, void *context)
{
    if (previous_segv.sa_flags & SA_SIGINFO) {
        previous_segv.sa_sigaction(sig, info, context);
        return;
    }
    if (previous_segv.sa_handler != SIG_DFL && previous_segv.sa_handler != SIG_IGN) {
        previous_segv.sa_handler(sig);
        return;
    }
    /* Default action: returning re-runs the faulting instruction, which now ends the
     * process as it would have; a SIGSEGV sent by kill() is raised again. */
    struct sigaction dfl = { .sa_handler = SIG_DFL };
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
    if (info->si_code <= 0)
        raise(sig);
}

static void on_segv(int sig, siginfo_t *info, void *context)
{
    const td_coro_t *co = get_current();
    const char *addr = info->si_addr;
    if (co && addr >= co->stack->guard && addr < co->stack->base)
        report_overflow(co->stack, addr);
    pass_on(sig, info, context);
}

static void drop_altstack(void *stack)
{
    stack_t now;
    if (sigaltstack(NULL, &now) == 0 && now.ss_sp == stack) {
        stack_t off = { .ss_flags = SS_DISABLE };
        sigaltstack(&off, NULL);
    }
    munmap(stack, altstack_size());
}

static void init(void)
{
    if (pthread_key_create(&altstack_key, drop_altstack) != 0)
        td__out_of_memory("no thread-specific key left for coroutines");
    struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO | SA_ONSTACK };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &previous_segv);
}

/* Give the calling thread an alternate signal stack, unless it has one: 0 or -ENOMEM. */
static int prepare_thread(void)
{
    if (thread_ready)
        return 0;
    stack_t now;
    if (sigaltstack(NULL, &now) == 0 && !(now.ss_flags & SS_DISABLE) &&
        now.ss_size >= ALTSTACK_MIN) {
        thread_ready = true; /* a sanitizer's or the program's own */
        return 0;
    }
    size_t size = altstack_size();
    void *stack = mmap(NULL, size, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (stack == MAP_FAILED)
        return -ENOMEM;
    stack_t ss = { .ss_sp = stack, .ss_size = size };
    if (sigaltstack(&ss, NULL) != 0 || pthread_setspecific(altstack_key, stack) != 0) {
        drop_altstack(stack);
        return -ENOMEM;
    }
    thread_ready = true;
    return 0;
}

/* ---- stacks: slabs with guard regions, and a free list ---------------------------------- */

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102 /* Linux 6.13+; glibc's headers do not define it yet */
#endif

/* SLAB_STACKS stacks share one mapping. A pool keeps up to DIRTY_MAX freed stacks with
 * their pages as they are (a coroutine made next takes one with no page fault); past
 * that, the older half is given back to the kernel with MADV_FREE, which it reclaims
 * when it needs memory. td_coro_trim gives everything back at once (MADV_DONTNEED). */
enum { SLAB_STACKS = 64, DIRTY_MAX = 1024 };

enum { GUARD_MADVISE = 1, GUARD_MPROTECT = 2 };

/* Slots (a guard, then a stack), by their lowest address. */
struct slots {
    char **at;
    size_t n, cap;
};

/* The stacks of one size. Every field is guarded by pools_lock. */
struct stack_pool {
    size_t size;        /* usable bytes */
    size_t guard;       /* bytes of guard below each stack */
    size_t stride;      /* guard + size: one slot */
    char *fresh;        /* the newest slab's first slot never handed out */
    size_t fresh_left;  /* how many never-used slots follow there */
    struct slots dirty; /* freed, pages resident: handed out first, newest first */
    struct slots clean; /* freed, pages given back to the kernel */
    struct stack_pool *next;
};

static pthread_mutex_t pools_lock = TD__MUTEX_INITIALIZER;
static struct stack_pool *pools;
static pthread_once_t probe_once = PTHREAD_ONCE_INIT;
static int guard_method; /* written once, by probe_guards */

/* Issue 21: a fork while another thread took or gave back a stack left the child's
 * pools locked for good, and its first coroutine or generator hung. */
__attribute__((constructor)) static void pools_atfork(void)
{
    td__fork_guard(TD__FORK_STACKS, &pools_lock, NULL);
}

/* Whether this kernel has guard regions (MADV_GUARD_INSTALL, Linux 6.13): it says
 * EINVAL when it does not know the advice (or the mapping cannot have them). */
static void probe_guards(void)
{
    size_t page = page_size();
    guard_method = GUARD_MPROTECT;
    char *map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (map == MAP_FAILED)
        return;
    int saved = errno;
    if (madvise(map, page, MADV_GUARD_INSTALL) == 0)
        guard_method = GUARD_MADVISE;
    errno = saved;
    munmap(map, 2 * page);
}

/* mmap's and mprotect's ENOMEM (which is also the limit of mappings) or EAGAIN. */
static int map_error(void)
{
    return errno == EAGAIN ? -EAGAIN : -ENOMEM;
}

/* Make [guard, guard + size) fault on any access: 0, -ENOMEM or -EAGAIN. */
static int install_guard(char *guard, size_t size)
{
    int saved = errno, rc = 0;
    if (guard_method == GUARD_MADVISE && madvise(guard, size, MADV_GUARD_INSTALL) == 0)
        goto out;
    /* Older kernels, or a mapping that cannot have guard regions (mlock'ed) */
    if (mprotect(guard, size, PROT_NONE) != 0)
        rc = map_error();
out:
    errno = saved;
    return rc;
}

/* Room for extra more slots: false when there is no memory for it. */
static bool slots_reserve(struct slots *s, size_t extra)
{
    if (s->n + extra <= s->cap)
        return true;
    size_t cap = s->cap ? s->cap : 64;
    while (cap < s->n + extra)
        cap *= 2;
    char **at = realloc(s->at, cap * sizeof *at);
    if (!at)
        return false;
    s->at = at;
    s->cap = cap;
    return true;
}

static bool slots_push(struct slots *s, char *slot)
{
    if (!slots_reserve(s, 1))
        return false;
    s->at[s->n++] = slot;
    return true;
}

/* Move the first n slots of from to the end of to (room reserved). */
static void slots_move(struct slots *from, size_t n, struct slots *to)
{
    memcpy(to->at + to->n, from->at, n * sizeof *to->at);
    to->n += n;
    from->n -= n;
    memmove(from->at, from->at + n, from->n * sizeof *from->at);
}

static char *slots_pop(struct slots *s)
{
    return s->n ? s->at[--s->n] : NULL;
}

static int by_address(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t) * (char *const *)a, y = (uintptr_t) * (char *const *)b;
    return x < y ? -1 : x > y;
}

/* Give the pages of n free stacks back to the kernel (advice MADV_FREE or
 * MADV_DONTNEED), one call per run of neighbours; guards stay where they are. */
static void release(const struct stack_pool *pool, char **slots, size_t n, int advice)
{
    int saved = errno;
    qsort(slots, n, sizeof *slots, by_address);
    for (size_t i = 0, j; i < n; i = j + 1) {
        j = i; /* mprotect guards are mappings of their own: one stack per call then */
        while (guard_method == GUARD_MADVISE && j + 1 < n && slots[j + 1] == slots[j] + pool->stride)
            j++;
        char *from = slots[i] + pool->guard;
        size_t len = (j - i + 1) * pool->stride - pool->guard;
        if (madvise(from, len, advice) != 0 && advice != MADV_DONTNEED)
            madvise(from, len, MADV_DONTNEED); /* a kernel without MADV_FREE */
    }
    errno = saved;
}

/* The older half of the freed stacks whose pages are resident: give them back. */
static void purge_oldest(struct stack_pool *pool)
{
    size_t half = pool->dirty.n / 2;
    if (!slots_reserve(&pool->clean, half))
        return; /* keep them resident; the next free tries again */
    release(pool, pool->dirty.at, half, MADV_FREE);
    slots_move(&pool->dirty, half, &pool->clean);
}

static struct stack_pool *pool_for(size_t size)
{
    for (struct stack_pool *p = pools; p; p = p->next)
        if (p->size == size)
            return p;
    struct stack_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->size = size;
    p->guard = round_up(TD_CORO_GUARD, page_size());
    p->stride = p->guard + size;
    p->next = pools;
    pools = p;
    return p;
}

/* A slot never used before, its guard installed: 0, -ENOMEM or -EAGAIN. */
static int take_fresh(struct stack_pool *pool, char **slot)
{
    if (pool->fresh_left == 0) {
        size_t len = SLAB_STACKS * pool->stride;
        char *slab = mmap(NULL, len, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
        if (slab == MAP_FAILED)
            return map_error();
        /* A huge page would make one touched byte cost 2 MiB of some other stacks. */
        int saved = errno;
        madvise(slab, len, MADV_NOHUGEPAGE);
        errno = saved;
        pool->fresh = slab;
        pool->fresh_left = SLAB_STACKS;
    }
    int rc = install_guard(pool->fresh, pool->guard);
    if (rc != 0)
        return rc; /* the slot stays fresh: it may work once mappings are freed */
    *slot = pool->fresh;
    pool->fresh += pool->stride;
    pool->fresh_left--;
    return 0;
}

/* Give stack a region of size usable bytes (whole pages): 0, -ENOMEM or -EAGAIN (the
 * limit of mappings is met as ENOMEM). */
static int stack_take(td_coro_stack_t *stack, size_t size)
{
    pthread_once(&probe_once, probe_guards);
    td__mutex_lock(&pools_lock);
    struct stack_pool *pool = pool_for(size);
    char *slot = NULL;
    int rc = pool ? 0 : -ENOMEM;
    if (pool && !(slot = slots_pop(&pool->dirty)) && !(slot = slots_pop(&pool->clean)))
        rc = take_fresh(pool, &slot);
    td__mutex_unlock(&pools_lock);
    if (rc != 0)
        return rc;
    stack->pool = pool;
    stack->guard = slot;
    stack->base = slot + pool->guard;
    stack->size = size;
    return 0;
}

/* A stack whose coroutine is gone: back to its pool. */
static void stack_give(const td_coro_stack_t *stack)
{
    struct stack_pool *pool = stack->pool;
    char *slot = stack->guard;
#if TD__ASAN
    /* Frames left on the stack are poisoned; the next coroutine here must not be. */
    __asan_unpoison_memory_region(stack->base, stack->size);
#endif
    td__mutex_lock(&pools_lock);
    if (!slots_push(&pool->dirty, slot))
        release(pool, &slot, 1, MADV_DONTNEED); /* no memory to list it: drop the slot */
    else if (pool->dirty.n > DIRTY_MAX)
        purge_oldest(pool);
    td__mutex_unlock(&pools_lock);
}

size_t td_coro_trim(void)
{
    size_t released = 0;
    td__mutex_lock(&pools_lock);
    for (struct stack_pool *p = pools; p; p = p->next) {
        if (slots_reserve(&p->clean, p->dirty.n))
            slots_move(&p->dirty, p->dirty.n, &p->clean);
        release(p, p->dirty.at, p->dirty.n, MADV_DONTNEED); /* (no memory to move them) */
        release(p, p->clean.at, p->clean.n, MADV_DONTNEED);
        released += p->dirty.n + p->clean.n;
    }
    td__mutex_unlock(&pools_lock);
    return released;
}

const char *td_coro_guard_method(void)
{
    pthread_once(&probe_once, probe_guards);
    return guard_method == GUARD_MADVISE ? "guard regions (madvise)" : "mprotect";
}

/* ---- shared stacks: moving frames in and out ---------------------------------------- */

/* Usable bytes asked for (0: the default), checked and rounded: 0 when invalid. */
static size_t usable_size(size_t size)
{
    if (size == 0)
        size = TD_CORO_STACK_DEFAULT;
    if (size < TD_CORO_STACK_MIN || size > SIZE_MAX / 2)
        return 0;
    return round_up(size, page_size());
}

int td_coro_stack_new(td_coro_stack_t **out, size_t size)
{
    size = usable_size(size);
    if (!out || size == 0)
        return -EINVAL;
    pthread_once(&init_once, init);
    td_coro_stack_t *stack = calloc(1, sizeof *stack);
    if (!stack)
        return -ENOMEM;
    int rc = stack_take(stack, size);
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
    stack_give(stack);
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
    size_t cap = round_up(n ? n : 1, 16);
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
        prepare_stack(co);
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

/* Before co (just made RUNNING, from state `from`) runs: its stack ready, its frames
 * on it. 0, or -EBUSY / -ENOMEM after which co must go back to `from`. */
static int take_stack(td_coro_t *co, int from)
{
    td_coro_stack_t *stack = co->stack;
    if (!stack->shared) {
        if (from == TD_CORO_CREATED)
            prepare_stack(co);
        return 0; /* an own stack: nothing to move */
    }
    if (!claim_stack(stack))
        return -EBUSY;
    int rc = stack->occupant == co ? 0 : move_in(co, from);
    if (rc != 0)
        unclaim_stack(stack);
    return rc;
}

/* After co switched back out: a returned coroutine leaves no frames; let the stack go. */
static void leave_stack(td_coro_t *co)
{
    td_coro_stack_t *stack = co->stack;
    if (!stack->shared)
        return;
    if (co->returned)
        stack->occupant = NULL;
    unclaim_stack(stack);
}

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
    size_t size = usable_size(attr ? attr->stack_size : 0);
    if (!shared && size == 0)
        return -EINVAL;
    pthread_once(&init_once, init);
    td_coro_t *c = mem;
    if (shared) {
        c->stack = shared;
        atomic_fetch_add_explicit(&shared->users, 1, memory_order_relaxed);
    } else {
        c->stack = (td_coro_stack_t *)(c + 1);
        int rc = stack_take(c->stack, size);
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
    if (!(attr && attr->shared) && usable_size(attr ? attr->stack_size : 0) == 0)
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

/* Whether a coroutine running on this thread (the current one or one it interrupted)
 * is on the stack: then it is the stack's occupant, and the stack stays busy until
 * this thread switches back into it. */
static bool running_here(const td_coro_stack_t *stack)
{
    for (const td_coro_t *c = get_current(); c; c = c->outer)
        if (c->stack == stack)
            return true;
    return false;
}

/* Take the stack, waiting while another thread runs one of its coroutines: false when
 * a coroutine of this thread runs there (it would never be let go). */
static bool claim_stack_waiting(td_coro_stack_t *stack)
{
    while (!claim_stack(stack)) {
        if (running_here(stack))
            return false;
        sched_yield(); /* a switch of another thread's: a few hundred nanoseconds */
    }
    return true;
}

/* A shared stack's coroutine is going: if its frames occupy the stack, they are gone.
 * When a coroutine of this thread runs there, co is not the occupant; when another
 * thread's does, it may be moving co's frames: wait for it. */
static void leave_shared(td_coro_t *co)
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

/* Close a suspended coroutine that is being freed; on a shared stack that another
 * thread is using, wait for it rather than drop the frames unwound. */
static void close_for_free(td_coro_t *co)
{
    while (td_coro_close(co) == -EBUSY && co->stack->shared && !running_here(co->stack))
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
        leave_shared(co);
    else
        stack_give(co->stack);
}

/* ---- resume, yield, close --------------------------------------------------------------- */

/* Run co, which the caller has just moved to RUNNING (its stack taken), until it
 * yields or returns. */
static int run(td_coro_t *co, void *value, void **out, bool closing)
{
    co->closing = closing;
    co->transfer = value;
    co->outer = get_current();
    set_current(co);
    TD__OBSERVE(TD_OBS_CORO_RESUME, co->report_kind, co->report_object, 0);
    switch_in(co);
    set_current(co->outer);
    void *got = co->transfer;
    int rc = co->returned ? TD_ESTOP : 0;
    TD__OBSERVE(TD_OBS_CORO_SUSPEND, co->report_kind, co->report_object, rc);
    leave_stack(co);
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
    int rc = take_stack(co, from);
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
    int rc = prepare_thread();
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
    if (!co || co != get_current())
        return -EINVAL;
    co->transfer = value;
    switch_out(co);
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
    int rc = prepare_thread();
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
    return get_current();
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
    size_t page = page_size(), touched = 0;
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
