/* SPDX-License-Identifier: MIT */
/* thread.c - Python's Thread, its registry and the interpreter-exit rule.
 *
 * State per thread (struct td_thread):
 *   refs         atomic; the creator's handle, the running thread, enumerate copies
 *   name         guarded by registry_mutex (it may be renamed while others read it)
 *   state        atomic NEW -> RUNNING -> STOPPED; `done` is a futex word set to 1
 *                when the thread's function has returned, which join waits on
 *   prev, next   the registry list, guarded by registry_mutex
 * start() does not wait for the new thread to run (CPython's waits on _started):
 * that wait costs a wake-up per thread, 3.8x raw pthread_create on 10,000
 * threads. ident is known when start() returns; the kernel id is reported by the
 * new thread, and td_thread_native_id waits for it (the `started` word: 0, 1 once
 * reported, 2 while someone sleeps waiting for it).
 * Joining means waiting on `done` against a CLOCK_MONOTONIC deadline
 * (pthread_timedjoin_np waits on the wall clock). The pthread itself is joinable
 * (glibc's detached threads tear down much slower: 10,000 of them at once took
 * 850 ms against 500 ms joinable) and reaped exactly once, as `reap` decides:
 * the first td_thread_join to see it finished claims it and calls pthread_join;
 * a handle dropped by td_thread_free before that detaches it instead. The registry holds every
 * thread from start() until its function returns, so enumerate() lists exactly the
 * threads that are alive.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"
#include "thrdemo/thread.h"

enum { NEW, RUNNING, STOPPED };
enum { UNREAPED, JOINED, DETACHED };
enum { MIN_STACK = 32 * 1024 };

struct td_thread {
    atomic_int refs;
    char *name;
    td_thread_fn target;
    void *arg;
    atomic_bool daemon;
    atomic_int state;
    atomic_uint started; /* 0, 1 once the kernel id is known, 2 while awaited */
    atomic_uint done;    /* 0 running, 1 finished, 2 while a joiner sleeps */
    atomic_int reap;     /* UNREAPED, then JOINED or DETACHED, once */
    atomic_ulong ident;
    atomic_long native_id;
    atomic_uint_fast64_t lines;
    bool is_static; /* the main thread lives in static storage */
    struct td_thread *prev, *next;
};

static pthread_mutex_t registry_mutex = TD__MUTEX_INITIALIZER;
static struct td_thread *registry_head; /* the main thread first, then by start */
static struct td_thread *registry_tail;
static unsigned long name_counter;      /* "Thread-N": guarded by registry_mutex */
static unsigned long dummy_counter;
static atomic_size_t stack_size_setting;

struct atexit_call {
    void (*fn)(void *);
    void *arg;
    struct atexit_call *next;
};
static pthread_mutex_t atexit_mutex = TD__MUTEX_INITIALIZER;
static struct atexit_call *atexit_calls; /* newest first; guarded by atexit_mutex */

static struct td_thread main_thread;
static _Thread_local struct td_thread *current;
static _Thread_local char self_key_anchor;
static pthread_key_t dummy_key;

_Atomic(const td_observer_t *) td__observer;

uintptr_t td__self_key(void)
{
    return (uintptr_t)&self_key_anchor;
}

static long kernel_tid(void)
{
    return (long)syscall(SYS_gettid);
}

static void registry_lock(void)
{
    td__mutex_lock(&registry_mutex);
}

static void registry_unlock(void)
{
    td__mutex_unlock(&registry_mutex);
}

/* Both called with registry_mutex held. */
static void registry_add(struct td_thread *t)
{
    t->prev = registry_tail;
    t->next = NULL;
    if (registry_tail)
        registry_tail->next = t;
    else
        registry_head = t;
    registry_tail = t;
}

static void registry_remove(struct td_thread *t)
{
    if (t->prev)
        t->prev->next = t->next;
    else
        registry_head = t->next;
    if (t->next)
        t->next->prev = t->prev;
    else
        registry_tail = t->prev;
    t->prev = t->next = NULL;
}

static void mark_stopped(struct td_thread *t)
{
    registry_lock();
    registry_remove(t);
    atomic_store_explicit(&t->state, STOPPED, memory_order_release);
    registry_unlock();
    if (atomic_exchange_explicit(&t->done, 1, memory_order_acq_rel) == 2)
        td__futex_wake(&t->done, INT32_MAX); /* only when a joiner sleeps */
}

/* A thread the library did not start ends: take its Dummy-N entry away. */
static void dummy_exit(void *self)
{
    struct td_thread *t = self;
    mark_stopped(t);
    td_thread_free(t);
}

__attribute__((constructor)) static void register_main_thread(void)
{
    struct td_thread *t = &main_thread;
    t->name = strdup("MainThread");
    if (!t->name)
        abort();
    t->is_static = true;
    atomic_init(&t->refs, 1);
    atomic_init(&t->state, RUNNING);
    atomic_init(&t->ident, (unsigned long)pthread_self());
    atomic_init(&t->native_id, kernel_tid());
    atomic_init(&t->started, 1);
    atomic_init(&t->reap, DETACHED); /* not ours to join */
    pthread_key_create(&dummy_key, dummy_exit);
    registry_lock();
    registry_add(t);
    registry_unlock();
    current = t;
}

/* "<prefix>-N" or "<prefix>-N (target)", freshly allocated (NULL if out of memory). */
static char *format_name(const char *prefix, unsigned long n, const char *target)
{
    char buf[32];
    int len = snprintf(buf, sizeof buf, "%s-%lu", prefix, n);
    size_t size = (size_t)len + (target ? strlen(target) + 3 : 0) + 1;
    char *name = malloc(size);
    if (!name)
        return NULL;
    if (target)
        snprintf(name, size, "%s (%s)", buf, target);
    else
        memcpy(name, buf, (size_t)len + 1);
    return name;
}

static char *default_name(const char *target_name)
{
    registry_lock();
    unsigned long n = ++name_counter;
    registry_unlock();
    return format_name("Thread", n, target_name);
}

static struct td_thread *make_dummy(void)
{
    struct td_thread *t = calloc(1, sizeof *t);
    if (!t)
        abort(); /* a thread with no object cannot be described; like libuv's aborts */
    registry_lock();
    unsigned long n = ++dummy_counter;
    registry_unlock();
    t->name = format_name("Dummy", n, NULL);
    if (!t->name)
        abort();
    atomic_init(&t->refs, 1);
    atomic_init(&t->daemon, true);
    atomic_init(&t->state, RUNNING);
    atomic_init(&t->ident, (unsigned long)pthread_self());
    atomic_init(&t->native_id, kernel_tid());
    atomic_init(&t->started, 1);
    atomic_init(&t->reap, DETACHED); /* not ours to join */
    registry_lock();
    registry_add(t);
    registry_unlock();
    pthread_setspecific(dummy_key, t);
    return t;
}

td_thread_t *td_current_thread(void)
{
    if (!current)
        current = make_dummy();
    return current;
}

td_thread_t *td_main_thread(void)
{
    return &main_thread;
}

void td__observe(const td_observer_t *obs, td_obs_kind_t kind, const char *primitive,
                 const void *object, td_thread_t *thread, int result)
{
    td_obs_event_t ev = { .kind = kind, .primitive = primitive, .object = object,
                          /* A report must not register a foreign thread: */
                          .thread = thread ? thread : current,
                          .result = result };
    obs->notify(&ev, obs->ctx);
}

const td_observer_t *td_observer_set(const td_observer_t *observer)
{
    return atomic_exchange_explicit(&td__observer, observer, memory_order_acq_rel);
}

int td_thread_new(td_thread_t **out, const td_thread_attr_t *attr)
{
    if (!out || !attr || !attr->target)
        return -EINVAL;
    struct td_thread *t = calloc(1, sizeof *t);
    if (!t)
        return -ENOMEM;
    t->name = attr->name ? strdup(attr->name) : default_name(attr->target_name);
    if (!t->name) {
        free(t);
        return -ENOMEM;
    }
    t->target = attr->target;
    t->arg = attr->arg;
    bool daemon = attr->daemon == TD_DAEMON_INHERIT ? td_thread_daemon(td_current_thread())
                                                    : attr->daemon == TD_DAEMON_YES;
    atomic_init(&t->daemon, daemon);
    atomic_init(&t->refs, 1);
    atomic_init(&t->state, NEW);
    *out = t;
    return 0;
}

td_thread_t *td_thread_ref(td_thread_t *thread)
{
    atomic_fetch_add_explicit(&thread->refs, 1, memory_order_relaxed);
    return thread;
}

/* Drop a reference; the last one frees the object. */
static void unref(struct td_thread *t)
{
    if (atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) != 1)
        return;
    free(t->name);
    free(t);
}

void td_thread_free(td_thread_t *thread)
{
    if (!thread || thread->is_static)
        return;
    /* Nobody joined it (yet): let the system reap it when it ends. */
    int unreaped = UNREAPED;
    if (atomic_load_explicit(&thread->state, memory_order_acquire) != NEW &&
        atomic_compare_exchange_strong(&thread->reap, &unreaped, DETACHED))
        pthread_detach((pthread_t)atomic_load(&thread->ident));
    unref(thread);
}

static void *bootstrap(void *self)
{
    struct td_thread *t = self;
    current = t;
    atomic_store_explicit(&t->ident, (unsigned long)pthread_self(), memory_order_relaxed);
    atomic_store_explicit(&t->native_id, kernel_tid(), memory_order_release);
    if (atomic_exchange_explicit(&t->started, 1, memory_order_acq_rel) == 2)
        td__futex_wake(&t->started, INT32_MAX);
    TD__OBSERVE(TD_OBS_THREAD_START, "thread", t, 0);
    t->target(t->arg);
    const td_observer_t *obs = atomic_load_explicit(&td__observer, memory_order_acquire);
    if (obs)
        td__observe(obs, TD_OBS_THREAD_EXIT, "thread", t, t, 0);
    mark_stopped(t);
    current = NULL;
    unref(t); /* the running thread's reference: reaping is the handle's business */
    return NULL;
}

static int spawn(struct td_thread *t, pthread_t *pt)
{
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0)
        return -EAGAIN;
    int rc = 0;
    size_t stack = atomic_load_explicit(&stack_size_setting, memory_order_relaxed);
    if (stack)
        rc = pthread_attr_setstacksize(&attr, stack);
    if (rc == 0)
        rc = pthread_create(pt, &attr, bootstrap, t);
    pthread_attr_destroy(&attr);
    return -rc;
}

int td_thread_start(td_thread_t *thread)
{
    struct td_thread *t = thread;
    registry_lock();
    if (atomic_load_explicit(&t->state, memory_order_relaxed) != NEW) {
        registry_unlock();
        return -EINVAL; /* Python: "threads can only be started once" */
    }
    atomic_store_explicit(&t->state, RUNNING, memory_order_relaxed);
    registry_add(t);
    registry_unlock();
    td_thread_ref(t); /* the running thread's reference */
    pthread_t pt;
    int rc = spawn(t, &pt);
    if (rc != 0) {
        registry_lock();
        registry_remove(t);
        atomic_store_explicit(&t->state, NEW, memory_order_relaxed);
        registry_unlock();
        atomic_fetch_sub_explicit(&t->refs, 1, memory_order_relaxed);
        return rc == -EINVAL ? -EINVAL : -EAGAIN;
    }
    /* The same value the new thread stores itself: known from here on. */
    atomic_store_explicit(&t->ident, (unsigned long)pt, memory_order_relaxed);
    return 0;
}

int td_thread_join(td_thread_t *thread, double timeout)
{
    if (thread == current)
        return -EDEADLK; /* Python: "cannot join current thread" */
    if (atomic_load_explicit(&thread->state, memory_order_acquire) == NEW)
        return -EINVAL; /* Python: "cannot join thread before it is started" */
    if (timeout != TD_FOREVER && !(timeout >= 0))
        timeout = 0;    /* Python: max(timeout, 0); NaN too */
    td__deadline_t deadline = td__deadline_in(timeout);
    TD__OBSERVE(TD_OBS_WAIT_BEGIN, "thread", thread, 0);
    int rc = 0;
    for (;;) {
        unsigned done = atomic_load_explicit(&thread->done, memory_order_acquire);
        if (done == 1)
            break;
        if (td__deadline_passed(&deadline)) {
            rc = -ETIMEDOUT;
            break;
        }
        /* Say a joiner sleeps (2), so the ending thread makes the wake call. */
        if (done == 0 && !atomic_compare_exchange_strong_explicit(
                             &thread->done, &done, 2, memory_order_acq_rel,
                             memory_order_acquire))
            continue;
        td__futex_wait(&thread->done, 2, &deadline);
    }
    /* Finished: the first joiner reaps the pthread (it is ending, so this is quick). */
    int unreaped = UNREAPED;
    if (rc == 0 && atomic_compare_exchange_strong(&thread->reap, &unreaped, JOINED))
        pthread_join((pthread_t)atomic_load(&thread->ident), NULL);
    TD__OBSERVE(TD_OBS_WAIT_END, "thread", thread, rc);
    return rc;
}

bool td_thread_is_alive(td_thread_t *thread)
{
    return atomic_load_explicit(&thread->state, memory_order_acquire) == RUNNING;
}

const char *td_thread_name(td_thread_t *thread)
{
    registry_lock();
    const char *name = thread->name;
    registry_unlock();
    return name;
}

int td_thread_set_name(td_thread_t *thread, const char *name)
{
    char *copy = strdup(name);
    if (!copy)
        return -ENOMEM;
    registry_lock();
    char *old = thread->name;
    thread->name = copy;
    registry_unlock();
    free(old);
    return 0;
}

bool td_thread_daemon(td_thread_t *thread)
{
    return atomic_load_explicit(&thread->daemon, memory_order_relaxed);
}

int td_thread_set_daemon(td_thread_t *thread, bool daemon)
{
    if (atomic_load_explicit(&thread->state, memory_order_acquire) != NEW)
        return -EINVAL; /* Python: "cannot set daemon status of active thread" */
    atomic_store_explicit(&thread->daemon, daemon, memory_order_relaxed);
    return 0;
}

unsigned long td_thread_ident(td_thread_t *thread)
{
    return atomic_load_explicit(&thread->ident, memory_order_relaxed);
}

long td_thread_native_id(td_thread_t *thread)
{
    if (atomic_load_explicit(&thread->state, memory_order_acquire) == NEW)
        return 0;
    unsigned started = 0;
    if (atomic_compare_exchange_strong_explicit(&thread->started, &started, 2,
                                                memory_order_acq_rel,
                                                memory_order_acquire) ||
        started == 2) {
        td__deadline_t forever = td__deadline_in(TD_FOREVER);
        while (atomic_load_explicit(&thread->started, memory_order_acquire) == 2)
            td__futex_wait(&thread->started, 2, &forever);
    }
    return atomic_load_explicit(&thread->native_id, memory_order_acquire);
}

uint64_t td_thread_lines(td_thread_t *thread)
{
    return atomic_load_explicit(&thread->lines, memory_order_relaxed);
}

void td__thread_count_line(void)
{
    atomic_fetch_add_explicit(&td_current_thread()->lines, 1, memory_order_relaxed);
}

size_t td_enumerate(td_thread_t **out, size_t cap)
{
    size_t n = 0;
    registry_lock();
    for (struct td_thread *t = registry_head; t; t = t->next, n++)
        if (n < cap)
            out[n] = td_thread_ref(t);
    registry_unlock();
    return n;
}

size_t td_active_count(void)
{
    return td_enumerate(NULL, 0);
}

unsigned long td_get_ident(void)
{
    return (unsigned long)pthread_self();
}

long td_get_native_id(void)
{
    return kernel_tid();
}

int td_stack_size(size_t size, size_t *old)
{
    if (size != 0 && size < MIN_STACK)
        return -EINVAL; /* Python: "size not valid: 32768 bytes" */
    size_t previous = atomic_exchange_explicit(&stack_size_setting, size,
                                               memory_order_relaxed);
    if (old)
        *old = previous;
    return 0;
}

size_t td_get_stack_size(void)
{
    return atomic_load_explicit(&stack_size_setting, memory_order_relaxed);
}

/* A live non-daemon thread other than the caller, with a reference, or NULL. */
static struct td_thread *next_to_join(void)
{
    struct td_thread *found = NULL;
    registry_lock();
    for (struct td_thread *t = registry_head; t && !found; t = t->next)
        if (t != current && !t->is_static && !atomic_load(&t->daemon))
            found = td_thread_ref(t);
    registry_unlock();
    return found;
}

int td__atexit_register(void (*fn)(void *), void *arg)
{
    struct atexit_call *call = malloc(sizeof *call);
    if (!call)
        return -ENOMEM;
    call->fn = fn;
    call->arg = arg;
    td__mutex_lock(&atexit_mutex);
    call->next = atexit_calls;
    atexit_calls = call;
    td__mutex_unlock(&atexit_mutex);
    return 0;
}

void td__atexit_unregister(void (*fn)(void *), void *arg)
{
    td__mutex_lock(&atexit_mutex);
    for (struct atexit_call **p = &atexit_calls; *p; p = &(*p)->next) {
        if ((*p)->fn == fn && (*p)->arg == arg) {
            struct atexit_call *gone = *p;
            *p = gone->next;
            free(gone);
            break;
        }
    }
    td__mutex_unlock(&atexit_mutex);
}

/* Newest first, like atexit. td_shutdown may run more than once, so the
 * callbacks are idempotent. */
static void run_atexit_calls(void)
{
    td__mutex_lock(&atexit_mutex);
    for (struct atexit_call *c = atexit_calls; c; c = c->next)
        c->fn(c->arg);
    td__mutex_unlock(&atexit_mutex);
}

void td_shutdown(void)
{
    run_atexit_calls();
    struct td_thread *t;
    /* New threads can be started while we wait, so look again after each join. */
    while ((t = next_to_join()) != NULL) {
        td_thread_join(t, TD_FOREVER);
        td_thread_free(t);
    }
}

void td_exit(int status)
{
    td_shutdown();
    td__log_freeze();
    exit(status);
}
