/* SPDX-License-Identifier: MIT */
/* atexit.c - callbacks td_shutdown() runs before it joins threads (CPython's
 * threading._register_atexit), newest first.
 *
 * atexit_mutex guards the list and each call's `running` flag, and is never held
 * while a callback runs: a callback (a pool's shutdown) uses Locks and Queues, and a
 * real mutex held across those could deadlock against a thread that unregisters,
 * and would be held across scheduling points under --schedule. An unregister that
 * finds its callback running waits on `finished`, which each call bumps.
 */
#include <errno.h>
#include <stdlib.h>

#include "runtime.h"

struct atexit_call {
    void (*fn)(void *);
    void *arg;
    bool running;
    unsigned round; /* the td__atexit_run round that last called it */
    struct atexit_call *next;
};

static pthread_mutex_t atexit_mutex = TD__MUTEX_INITIALIZER;
static struct atexit_call *atexit_calls; /* newest first; guarded by atexit_mutex */
static unsigned rounds;                  /* guarded by atexit_mutex */
static atomic_uint finished;             /* bumped after each call returns */

/* A fork while another thread registers a hook must not leave the child's list
 * locked by a thread that does not exist there. */
__attribute__((constructor)) static void atexit_atfork(void)
{
    td__fork_guard(TD__FORK_ATEXIT, &atexit_mutex, NULL);
}

int td__atexit_register(void (*fn)(void *), void *arg)
{
    struct atexit_call *call = calloc(1, sizeof *call);
    if (!call)
        return -ENOMEM;
    call->fn = fn;
    call->arg = arg;
    td__mutex_lock(&atexit_mutex);
    call->round = rounds;
    call->next = atexit_calls;
    atexit_calls = call;
    td__mutex_unlock(&atexit_mutex);
    return 0;
}

/* The registration of fn(arg) (atexit_mutex held), or NULL. */
static struct atexit_call **find(void (*fn)(void *), void *arg)
{
    for (struct atexit_call **p = &atexit_calls; *p; p = &(*p)->next)
        if ((*p)->fn == fn && (*p)->arg == arg)
            return p;
    return NULL;
}

void td__atexit_unregister(void (*fn)(void *), void *arg)
{
    td__mutex_lock(&atexit_mutex);
    struct atexit_call **p;
    while ((p = find(fn, arg)) != NULL && (*p)->running) {
        unsigned seen = atomic_load_explicit(&finished, memory_order_acquire);
        td__mutex_unlock(&atexit_mutex);
        td__wait_until(&finished, seen, td__forever());
        td__mutex_lock(&atexit_mutex);
    }
    if (p) {
        struct atexit_call *gone = *p;
        *p = gone->next;
        free(gone);
    }
    td__mutex_unlock(&atexit_mutex);
}

/* The newest call not yet made in this round, marked running (atexit_mutex held). */
static struct atexit_call *claim_next(unsigned round)
{
    for (struct atexit_call *c = atexit_calls; c; c = c->next) {
        if (c->round != round && !c->running) {
            c->round = round;
            c->running = true;
            return c;
        }
    }
    return NULL;
}

void td__atexit_run(void)
{
    td__mutex_lock(&atexit_mutex);
    unsigned round = ++rounds;
    struct atexit_call *c;
    while ((c = claim_next(round)) != NULL) {
        td__mutex_unlock(&atexit_mutex);
        c->fn(c->arg);
        td__mutex_lock(&atexit_mutex);
        c->running = false;
        atomic_fetch_add_explicit(&finished, 1, memory_order_release);
        td__wake(&finished, INT32_MAX);
    }
    td__mutex_unlock(&atexit_mutex);
}
