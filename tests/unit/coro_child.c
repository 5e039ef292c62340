/* SPDX-License-Identifier: MIT */
/* coro_child.c - run by test_coro for what must happen in a process of its own:
 *   coro_child overflow [thread]  a coroutine with a 64 KiB stack recurses until it
 *                                 runs into its guard (on a second thread with
 *                                 "thread"): the process must die with the message
 *   coro_child overflow shared    the same on a shared 64 KiB stack, with another
 *                                 coroutine's frames saved from it first
 *   coro_child stack-in-use       a shared stack freed while a coroutine is made on it
 *   coro_child pointer-rule WHAT  an asyncio task hands another one a pointer to its
 *                                 own local variable (WHAT: "task" as a coroutine's
 *                                 argument, "queue" as a queue item): a Debug build
 *                                 aborts with its message; otherwise prints "ran"
 *   coro_child fault              a coroutine writes through a bad pointer: an
 *                                 ordinary SIGSEGV, not reported as an overflow
 *   coro_child many               create coroutines until creation fails or 100,000
 *                                 live, run each to its yield; prints "created N
 *                                 resumed R error E again A mappings M guards G" (A: a
 *                                 creation after freeing them all; M: mappings added)
 * With "mprotect" as the last argument, a seccomp filter first makes the kernel refuse
 * MADV_GUARD_INSTALL as a kernel before 6.13 does (EINVAL), so the library's
 * fallback to mprotect guards runs.
 * A separate program, exec'd: fork() alone in a threaded process is what TSan refuses. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <thrdemo/thrdemo.h>

enum { SMALL_STACK = 64 * 1024, MAX_COROS = 100000 };

/* Not a tail call, and a frame the compiler must keep. */
static int recurse(int depth)
{
    volatile char frame[256];
    memset((char *)frame, depth & 0x7f, sizeof frame);
    if (depth == 0)
        return frame[7];
    return recurse(depth - 1) + frame[depth % 256];
}

static void *overflowing(td_coro_t *co, void *arg)
{
    (void)co;
    (void)arg;
    return (void *)(intptr_t)recurse(1 << 30);
}

static void *faulting(td_coro_t *co, void *arg)
{
    (void)co;
    volatile int *bad = arg;
    *bad = 1;
    return NULL;
}

static int run_one(td_coro_fn fn, void *arg)
{
    td_coro_t *co;
    int rc = td_coro_new(&co, fn, arg, &(td_coro_attr_t){ .stack_size = SMALL_STACK });
    if (rc != 0) {
        fprintf(stderr, "coro_child: td_coro_new: %s\n", td_strerror(rc));
        return 1;
    }
    rc = td_coro_resume(co, NULL, NULL);
    fprintf(stderr, "coro_child: the coroutine came back (%d)\n", rc);
    return 1;
}

static void *parked(td_coro_t *co, void *arg)
{
    (void)arg;
    td_coro_yield(co, NULL, NULL);
    return NULL;
}

/* A sibling parks on the shared stack first, so the overflowing one moves it out. */
static int run_shared(void)
{
    td_coro_stack_t *stack;
    td_coro_t *parked_one, *co;
    if (td_coro_stack_new(&stack, SMALL_STACK) != 0 ||
        td_coro_new(&parked_one, parked, NULL, &(td_coro_attr_t){ .shared = stack }) != 0 ||
        td_coro_new(&co, overflowing, NULL, &(td_coro_attr_t){ .shared = stack }) != 0) {
        fprintf(stderr, "coro_child: cannot make the coroutines\n");
        return 1;
    }
    td_coro_resume(parked_one, NULL, NULL);
    int rc = td_coro_resume(co, NULL, NULL);
    fprintf(stderr, "coro_child: the coroutine came back (%d)\n", rc);
    return 1;
}

static int stack_in_use(void)
{
    td_coro_stack_t *stack;
    td_coro_t *co;
    if (td_coro_stack_new(&stack, 0) != 0 ||
        td_coro_new(&co, parked, NULL, &(td_coro_attr_t){ .shared = stack }) != 0)
        return 1;
    td_coro_stack_free(stack);
    fprintf(stderr, "coro_child: td_coro_stack_free came back\n");
    return 1;
}

/* ---- the pointer rule (task.h) ---------------------------------------------------- */

static int reads_it(void *arg, void **result)
{
    (void)arg, (void)result;
    return 0;
}

static int hands_out_a_local(void *arg, void **result)
{
    (void)result;
    int local = 42;
    if (strcmp(arg, "task") == 0) {
        td_aio_task_t *t;
        int rc = td_aio_create_task(&t, TD_AIO_CORO(reads_it, &local));
        if (rc == 0)
            rc = td_aio_await(t, NULL);
        td_aio_future_free(t);
        return rc;
    }
    td_aio_queue_t *q;
    int rc = td_aio_queue_new(&q, 0);
    if (rc == 0)
        rc = td_aio_queue_put(q, &local);
    void *item;
    if (rc == 0)
        rc = td_aio_queue_get(q, &item);
    td_aio_queue_free(q);
    return rc;
}

static int break_the_pointer_rule(const char *what)
{
    int rc = td_aio_run(TD_AIO_CORO(hands_out_a_local, (void *)what), NULL, NULL);
    printf("ran %d\n", rc);
    return 0;
}

static void overflow_on_thread(void *arg)
{
    (void)arg;
    run_one(overflowing, NULL);
}


/* Lines of /proc/self/maps: the process's mappings. */
static long mappings(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    long n = 0;
    for (int c; f && (c = fgetc(f)) != EOF;)
        n += c == '\n';
    if (f)
        fclose(f);
    return n;
}

static int many(void)
{
    static td_coro_t *coros[MAX_COROS];
    const td_coro_attr_t attr = { .stack_size = TD_CORO_STACK_MIN };
    long before = mappings();
    int n = 0, rc = 0;
    while (n < MAX_COROS && (rc = td_coro_new(&coros[n], parked, NULL, &attr)) == 0)
        n++;
    int resumed = 0; /* each one really usable: run them up to their yield */
    for (int i = 0; i < n; i++)
        resumed += td_coro_resume(coros[i], NULL, NULL) == 0;
    long added = mappings() - before;
    for (int i = 0; i < n; i++)
        td_coro_free(coros[i]);
    td_coro_t *again;
    int again_rc = td_coro_new(&again, parked, NULL, &attr);
    td_coro_free(again_rc == 0 ? again : NULL);
    printf("created %d resumed %d error %d again %d mappings %ld guards %s\n", n, resumed, rc,
           again_rc, added, td_coro_guard_method());
    return 0;
}

/* Make madvise(..., MADV_GUARD_INSTALL) fail with EINVAL, as before Linux 6.13. */
static int refuse_guard_regions(void)
{
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_madvise, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[2])),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 102 /* MADV_GUARD_INSTALL */, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EINVAL & SECCOMP_RET_DATA)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = { .len = sizeof filter / sizeof filter[0], .filter = filter };
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
        perror("coro_child: seccomp");
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[argc - 1], "mprotect") == 0) {
        if (refuse_guard_regions() != 0)
            return 3;
        argc--;
    }
    if (argc >= 2 && strcmp(argv[1], "overflow") == 0) {
        if (argc == 3 && strcmp(argv[2], "thread") == 0) {
            td_thread_t *t;
            if (td_thread_new(&t, &(td_thread_attr_t){ .target = overflow_on_thread }) != 0 ||
                td_thread_start(t) != 0)
                return 1;
            td_thread_join(t, TD_FOREVER);
            return 1;
        }
        if (argc == 3 && strcmp(argv[2], "shared") == 0)
            return run_shared();
        return run_one(overflowing, NULL);
    }
    if (argc == 2 && strcmp(argv[1], "stack-in-use") == 0)
        return stack_in_use();
    if (argc == 3 && strcmp(argv[1], "pointer-rule") == 0)
        return break_the_pointer_rule(argv[2]);
    if (argc == 2 && strcmp(argv[1], "fault") == 0)
        return run_one(faulting, (void *)(uintptr_t)16);
    if (argc == 2 && strcmp(argv[1], "many") == 0)
        return many();
    fprintf(stderr, "usage: coro_child overflow [thread] | fault | many  [mprotect]\n");
    return 2;
}
