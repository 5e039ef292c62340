/* SPDX-License-Identifier: MIT */
/* bench_coro.c - what a coroutine switch costs: 1,000,000 resume + yield round trips
 * of a libthrdemo coroutine, the same through the generator API (next()), and a pair
 * of glibc swapcontext calls (what the portable fallback pays: two sigprocmask system
 * calls a round trip); ns per round trip. Then 10,000 coroutines left suspended at
 * once, each having formatted a line first (a task that logged, then sleeps): the
 * process's RSS while they live and the stack bytes each one touched.
 *
 * async-switch: two coroutines resumed in turn, 1,000,000 resume + suspend in all, on
 * one shared stack (as a loop's tasks are: every resume copies the other one's few
 * live bytes out and its own in) and on stacks of their own; ns per resume+suspend.
 * The shared-stack row checks that each one's live stack is under 256 bytes (in an
 * optimised build). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

#include <thrdemo/coro.h>
#include <thrdemo/generator.h>

#include "bench.h"

enum { ROUND_TRIPS = 1000000, SLEEPERS = 10000 };

/* ---- switch round trips ------------------------------------------------------------ */

/* Yields 0, 1, 2, ...; the caller checks that every value arrives in order. */
static void *counter(td_coro_t *co, void *arg)
{
    (void)arg;
    for (intptr_t n = 0;; n++)
        if (td_coro_yield(co, (void *)n, NULL) != 0)
            return NULL;
}

static void *gen_counter(td_gen_t *gen, void *arg)
{
    (void)arg;
    for (intptr_t n = 0;; n++)
        if (td_gen_yield(gen, (void *)n, NULL) != 0)
            return NULL;
}

static void check_count(bench_result_t *r, intptr_t wrong)
{
    if (wrong != 0) {
        r->ok = false;
        snprintf(r->note, sizeof r->note, "%ld values out of order", (long)wrong);
    }
}

static bool created(bench_result_t *r, int rc)
{
    if (rc != 0) {
        r->ok = false;
        snprintf(r->note, sizeof r->note, "cannot create a coroutine: %s", td_strerror(rc));
    }
    return rc == 0;
}

void bench_coro_td(bench_result_t *r)
{
    td_coro_t *co;
    if (!created(r, td_coro_new(&co, counter, NULL, NULL)))
        return;
    intptr_t wrong = 0;
    double start = bench_now();
    for (intptr_t i = 0; i < ROUND_TRIPS; i++) {
        void *out;
        wrong += td_coro_resume(co, NULL, &out) != 0 || (intptr_t)out != i;
    }
    r->value[0] = (bench_now() - start) / ROUND_TRIPS * 1e9;
    td_coro_free(co);
    check_count(r, wrong);
}

void bench_coro_gen(bench_result_t *r)
{
    td_gen_t *gen;
    if (!created(r, td_gen_new(&gen, gen_counter, NULL, NULL)))
        return;
    intptr_t wrong = 0;
    double start = bench_now();
    for (intptr_t i = 0; i < ROUND_TRIPS; i++) {
        void *out;
        wrong += td_gen_next(gen, &out) != 0 || (intptr_t)out != i;
    }
    r->value[0] = (bench_now() - start) / ROUND_TRIPS * 1e9;
    td_gen_free(gen);
    check_count(r, wrong);
}

/* The same round trip on bare glibc ucontext: no states, no checks, two swapcontext. */
static ucontext_t caller_ctx, callee_ctx;
static intptr_t passed;

static void uc_counter(void)
{
    for (;;) {
        passed++;
        swapcontext(&callee_ctx, &caller_ctx);
    }
}

void bench_coro_swapcontext(bench_result_t *r)
{
    static char stack[64 * 1024] __attribute__((aligned(16)));
    getcontext(&callee_ctx);
    callee_ctx.uc_stack.ss_sp = stack;
    callee_ctx.uc_stack.ss_size = sizeof stack;
    callee_ctx.uc_link = NULL;
    makecontext(&callee_ctx, uc_counter, 0);
    passed = 0;
    double start = bench_now();
    for (intptr_t i = 0; i < ROUND_TRIPS; i++)
        swapcontext(&caller_ctx, &callee_ctx);
    r->value[0] = (bench_now() - start) / ROUND_TRIPS * 1e9;
    check_count(r, passed - ROUND_TRIPS);
}

/* ---- two coroutines in turn: copied stack, own stacks --------------------------------- */

/* The live stack of each coroutine, as the workload promises; an unoptimised build's
 * frames are larger, so there it is only checked that copies were made. */
#ifdef __OPTIMIZE__
enum { LIVE_BYTES_MAX = 256 };
#else
enum { LIVE_BYTES_MAX = 4096 };
#endif

/* Resume a and b in turn, ROUND_TRIPS resumes in all; ns per resume+suspend. */
static void take_turns(bench_result_t *r, td_coro_stack_t *shared)
{
    const td_coro_attr_t attr = { .shared = shared };
    td_coro_t *a = NULL, *b = NULL;
    if (!created(r, td_coro_new(&a, counter, NULL, &attr)) ||
        !created(r, td_coro_new(&b, counter, NULL, &attr))) {
        td_coro_free(a);
        return;
    }
    intptr_t wrong = 0;
    double start = bench_now();
    for (intptr_t i = 0; i < ROUND_TRIPS / 2; i++) {
        void *out_a, *out_b;
        wrong += td_coro_resume(a, NULL, &out_a) != 0 || (intptr_t)out_a != i;
        wrong += td_coro_resume(b, NULL, &out_b) != 0 || (intptr_t)out_b != i;
    }
    r->value[0] = (bench_now() - start) / ROUND_TRIPS * 1e9;
    size_t saved = td_coro_stack_touched(a); /* a was copied out when b ran last */
    td_coro_free(a);
    td_coro_free(b);
    check_count(r, wrong);
    if (r->ok && shared && (saved == 0 || saved >= LIVE_BYTES_MAX)) {
        r->ok = false;
        snprintf(r->note, sizeof r->note, "%zu live stack bytes saved, not 1 to %d", saved,
                 LIVE_BYTES_MAX - 1);
    }
}

void bench_switch_copied(bench_result_t *r)
{
    td_coro_stack_t *stack;
    int rc = td_coro_stack_new(&stack, 0);
    if (!created(r, rc))
        return;
    take_turns(r, stack);
    td_coro_stack_free(stack);
}

void bench_switch_own(bench_result_t *r)
{
    take_turns(r, NULL);
}

/* ---- 10,000 asleep ------------------------------------------------------------------ */

/* VmRSS of this process, in bytes (0 if unknown). */
static double rss_bytes(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[128];
    double kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %lf kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb * 1024;
}

static void *logs_then_sleeps(td_coro_t *co, void *arg)
{
    char line[128];
    snprintf(line, sizeof line, "task %ld: %s at %.3f", (long)(intptr_t)arg, "waiting", 1.5);
    /* The await; using the line keeps the formatting from being optimised away. */
    td_coro_yield(co, line[0] == 't' ? arg : NULL, NULL);
    return NULL;
}

void bench_coro_sleepers(bench_result_t *r)
{
    static td_coro_t *coros[SLEEPERS];
    int made = 0, wrong = 0;
    for (; made < SLEEPERS; made++)
        if (!created(r, td_coro_new(&coros[made], logs_then_sleeps, NULL, NULL)))
            break;
    size_t touched = 0;
    for (intptr_t i = 0; i < made; i++) {
        void *out;
        wrong += td_coro_resume(coros[i], (void *)0, &out) != 0;
        touched += td_coro_stack_touched(coros[i]);
    }
    r->value[0] = rss_bytes() / 1e6;
    r->value[1] = made ? (double)touched / made : 0;
    for (int i = 0; i < made; i++)
        td_coro_free(coros[i]);
    if (r->ok && wrong)
        check_count(r, wrong);
}
