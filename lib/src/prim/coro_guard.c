/* SPDX-License-Identifier: MIT */
/* coro_guard.c - stack overflow: the fault handler and the signal stacks it runs on.
 *
 * Every coroutine stack has a guard region below it (coro_slab.c). A fault inside the
 * guard of the thread's running coroutine is an overflow (a guard region faults as
 * SIGSEGV at the address touched, as a PROT_NONE page does). The SIGSEGV handler
 * (installed once; SA_ONSTACK) runs on the thread's alternate signal stack, which
 * resume sets up the first time a thread resumes a coroutine (and a pthread key
 * removes when the thread exits). It writes one line and aborts, with only
 * async-signal-safe calls. Every other fault is passed to the handler that was there
 * before.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "coro_internal.h"

enum { ALTSTACK_MIN = 16 * 1024, ALTSTACK_SIZE = 64 * 1024 };

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static struct sigaction previous_segv;
static pthread_key_t altstack_key;
/* This thread has an alternate signal stack. */
static TD__TLS bool thread_ready;

static size_t altstack_size(void)
{
    size_t size = ALTSTACK_SIZE;
#ifdef _SC_SIGSTKSZ
    long dynamic = sysconf(_SC_SIGSTKSZ); /* large on CPUs with big vector registers */
    if (dynamic > 0 && (size_t)dynamic * 2 > size)
        size = (size_t)dynamic * 2;
#endif
    return td__coro_round_up(size, td__coro_page_size());
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
    const td_coro_t *co = td__coro_running;
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

void td__coro_guard_once(void)
{
    pthread_once(&init_once, init);
}

int td__coro_prepare_thread(void)
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

