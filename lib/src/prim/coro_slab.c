/* SPDX-License-Identifier: MIT */
/* coro_slab.c - coroutine stacks: slabs with guard regions, pools, free lists.
 *
 * Stacks come from slabs (one mapping holds SLAB_STACKS of them), each stack with a
 * guard region of TD_CORO_GUARD bytes below it (stacks grow down). On Linux 6.13+ a
 * guard is installed with madvise(MADV_GUARD_INSTALL), which does not split the
 * mapping, so a slab stays one kernel mapping however many coroutines live in it;
 * older kernels get mprotect guards, two mappings a stack, and the vm.max_map_count
 * limit coro.h documents. A freed stack goes to its pool's free list, pages and
 * guard as they are, and the next coroutine of that size takes it with no system
 * call (td__coro_stack_take/give). The stack is prepared lazily, on the first resume
 * (coro.c), so a coroutine that never runs touches no stack page.
 * Every pool and slot list is guarded by pools_lock, which takes a slot in
 * core/fork.c.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "coro_internal.h"

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
    size_t page = td__coro_page_size();
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
    p->guard = td__coro_round_up(TD_CORO_GUARD, td__coro_page_size());
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

size_t td__coro_usable_size(size_t size)
{
    if (size == 0)
        size = TD_CORO_STACK_DEFAULT;
    if (size < TD_CORO_STACK_MIN || size > SIZE_MAX / 2)
        return 0;
    return td__coro_round_up(size, td__coro_page_size());
}

int td__coro_stack_take(td_coro_stack_t *stack, size_t size)
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

void td__coro_stack_give(const td_coro_stack_t *stack)
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

