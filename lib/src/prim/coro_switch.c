/* SPDX-License-Identifier: MIT */
/* coro_switch.c - the switch between a coroutine and its resumer (coro_internal.h).
 *
 * A switch saves the running side's registers on its own stack and loads the other
 * side's stack pointer: on x86-64 a dozen instructions (td__coro_switch), elsewhere
 * glibc's swapcontext (which adds a sigprocmask system call per switch). The first
 * switch into a coroutine enters coro_entry at the bottom of its stack, laid out by
 * td__coro_prepare_stack; coro_entry calls the body and switches out for the last
 * time when it returns.
 *
 * Sanitizers: AddressSanitizer must know which stack is in use (for its stack checks
 * and fake stacks) and ThreadSanitizer which fiber (for happens-before): every switch
 * is announced to them (start/finish_switch_fiber, switch_to_fiber).
 */
#include <stdint.h>
#include <string.h>

#include "coro_internal.h"

/* Which coroutine runs on this thread: the switch's own state, kept here, below the
 * files that read it (the guard's fault handler, the shared stacks, the object). */
TD__TLS td_coro_t *td__coro_running;

static void coro_entry(void);

#if CORO_ASM
/* Save the callee-saved registers and the SSE/x87 control words on the current stack,
 * store the stack pointer in *save, load load_sp and restore what is saved there.
 * The control words are loaded only when they differ from the ones in force, each
 * compared at its own width (a wider load of the two would stall on forwarding from
 * their two stores): ldmxcsr and fldcw cost more than the rest of the switch, and a
 * program almost never changes them. It leaves by popping the return address and
 * jumping to it, as Boost.Context's jump_fcontext does, not with ret: ret is
 * predicted from the return stack buffer, which holds the address this side was
 * called from, never the other side's, so every switch mispredicted (measured:
 * resume+yield 54 ns with ret, 35 ns with the jump; a generator's next() 55 and 45;
 * a task's resume+suspend on the shared stack 63 and 44). */
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
        "\tmovl (%rsp), %eax\n\tmovzwl 4(%rsp), %ecx\n"
        "\tmovq %rsi, %rsp\n"
        "\tcmpl (%rsp), %eax\n\tjne 1f\n"
        "\tcmpw 4(%rsp), %cx\n\tje 2f\n"
        "1:\n"
        "\tldmxcsr (%rsp)\n\tfldcw 4(%rsp)\n"
        "2:\n"
        "\taddq $8, %rsp\n"
        "\tpopq %r15\n\tpopq %r14\n\tpopq %r13\n\tpopq %r12\n\tpopq %rbx\n\tpopq %rbp\n"
        "\tpopq %r8\n\tjmp *%r8\n"
        ".size td__coro_switch, .-td__coro_switch\n");

/* Lay out the stack as td__coro_switch leaves it, so that the first switch "returns"
 * into coro_entry, with a null return address and frame pointer above it so that
 * backtraces end there, and rsp = 8 mod 16 as at any function's entry. */
void td__coro_prepare_stack(td_coro_t *co)
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
void td__coro_prepare_stack(td_coro_t *co)
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

/* An address below every frame of its caller (see the design note of coro_shared.c). */
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
void td__coro_switch_in(td_coro_t *co)
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
void td__coro_switch_out(td_coro_t *co)
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
    td_coro_t *co = td__coro_running;
    arrived(co);
    co->transfer = co->fn(co, co->arg);
    co->returned = true;
    td__coro_switch_out(co);
    td__fatal("a coroutine that had returned was switched into");
}

