/* SPDX-License-Identifier: MIT */
/* thread.c - Python's Thread, its registry and the interpreter-exit rule.
 *
 * State per thread (struct td_thread):
 *   refs         atomic; the creator's handle, the running thread, enumerate copies
 *   name         guarded by registry_mutex (it may be renamed while others read it,
 *                so readers copy it out under the mutex: td_thread_get_name)
 *   state        atomic NEW -> RUNNING -> STOPPED
 *   done         futex word: 0 running, 1 finished, 2 finished-awaited (a joiner
 *                sleeps); join waits on it
 *   started      futex word: 0, 1 once the kernel id is known, 2 while awaited
 *   ident        the pthread id, stored by start() after pthread_create AND by the
 *                thread itself first thing, so it is known to whichever comes first
 *   number       under a schedule, the scheduler's number for it: ident and native
 *                id are then made from it (run after run the same)
 *   sched_slot   under a schedule, the scheduler's record of it
 *   reap         who reaps the pthread, decided once (see below)
 *   prev, next   the registry list, guarded by registry_mutex
 *
 * start() does not wait for the new thread to run (CPython's waits on _started):
 * that wait would cost a wake-up per thread. The pthread is joinable (glibc tears
 * detached threads down much slower) and reaped exactly once:
 *
 *   reap          event                              next
 *   UNREAPED      a join sees the thread finished    JOINED (pthread_join)
 *   UNREAPED      td_thread_free, ident known        DETACHED (pthread_detach)
 *   UNREAPED      td_thread_free, ident not yet      DETACH_WANTED
 *   DETACH_WANTED ident stored (start or thread)     DETACHED (pthread_detach)
 *   FOREIGN       the main thread, Dummy-N, or a thread another process started
 *
 * A join reaps only after `done`, which the thread sets long after storing its
 * ident, so a join never sees ident unknown. The registry holds every thread from
 * start() until its function returns, so enumerate() lists exactly the threads
 * that are alive; after fork() the child's registry holds only the forking thread,
 * which becomes the main thread (CPython's _after_fork).
 *
 * One piece: a thread's fields, the reap table and the registry change together at
 * start, exit, join, free and fork, and the invariants above hold only read together.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime.h"

enum { NEW, RUNNING, STOPPED };
enum { UNREAPED, DETACH_WANTED, JOINED, DETACHED, FOREIGN };
enum { MIN_STACK = 32 * 1024 };

struct td_thread {
    atomic_int refs;
    char *name;
    td_thread_fn target;
    void *arg;
    atomic_bool daemon;
    atomic_int state;
    atomic_uint started;
    atomic_uint done;
    atomic_int reap;
    atomic_ulong ident;
    atomic_long native_id;
    atomic_uint_fast64_t lines;
    atomic_uint number;
    uint64_t start_order; /* registry_add's count, under registry_mutex: start order */
    void *sched_slot;
    bool is_static; /* the first main thread lives in static storage */
    struct td_thread *prev, *next;
};

static pthread_mutex_t registry_mutex = TD__MUTEX_INITIALIZER;
static struct td_thread *registry_head; /* the main thread first, then by start */
static struct td_thread *registry_tail;
static unsigned long name_counter;      /* "Thread-N": guarded by registry_mutex */
static unsigned long dummy_counter;
static uint64_t start_counter;          /* guarded by registry_mutex */
static atomic_size_t stack_size_setting;

static struct td_thread first_main;
static _Atomic(struct td_thread *) main_thread = &first_main;
static TD__TLS struct td_thread *current;
static pthread_key_t dummy_key;

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
    t->start_order = ++start_counter;
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

/* Say the thread has finished: joiners return (the ones asleep are woken). */
static void mark_done(struct td_thread *t)
{
    atomic_store_explicit(&t->state, STOPPED, memory_order_release);
    if (atomic_exchange_explicit(&t->done, 1, memory_order_acq_rel) == 2)
        td__wake(&t->done, INT32_MAX); /* only when a joiner sleeps */
}

static void mark_stopped(struct td_thread *t)
{
    registry_lock();
    registry_remove(t);
    registry_unlock();
    mark_done(t);
}

/* Drop a reference; the last one frees the object. */
static void unref(struct td_thread *t)
{
    if (atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) != 1)
        return;
    free(t->name);
    free(t);
}

/* A thread the library did not start ends: take its Dummy-N entry away. */
static void dummy_exit(void *self)
{
    struct td_thread *t = self;
    mark_stopped(t);
    if (current == t)
        current = NULL;
    unref(t);
}

/* A thread object for the calling thread, already running and not ours to reap. */
static void init_running(struct td_thread *t, char *name, bool daemon)
{
    t->name = name;
    atomic_init(&t->refs, 1);
    atomic_init(&t->daemon, daemon);
    atomic_init(&t->state, RUNNING);
    atomic_init(&t->ident, (unsigned long)pthread_self());
    atomic_init(&t->native_id, kernel_tid());
    atomic_init(&t->started, 1);
    atomic_init(&t->reap, FOREIGN);
}

/* In the child only the forking thread exists: it becomes the main thread, and every
 * other thread is finished (joins of it return at once) and never reaped here. Runs
 * with registry_mutex held by the forking thread (td__fork_guard). */
static void fork_child(void)
{
    struct td_thread *me = current;
    for (struct td_thread *t = registry_head, *next; t; t = next) {
        next = t->next;
        if (t == me)
            continue;
        registry_remove(t);
        atomic_store_explicit(&t->reap, FOREIGN, memory_order_relaxed);
        atomic_store_explicit(&t->state, STOPPED, memory_order_relaxed);
        atomic_store_explicit(&t->done, 1, memory_order_relaxed);
        atomic_store_explicit(&t->started, 1, memory_order_relaxed);
    }
    if (me) {
        atomic_store_explicit(&me->native_id, kernel_tid(), memory_order_relaxed);
        atomic_store_explicit(&me->reap, FOREIGN, memory_order_relaxed);
        atomic_store_explicit(&main_thread, me, memory_order_relaxed);
    }
}

__attribute__((constructor)) static void register_main_thread(void)
{
    char *name = strdup("MainThread");
    if (!name)
        abort();
    init_running(&first_main, name, false);
    first_main.is_static = true;
    pthread_key_create(&dummy_key, dummy_exit);
    td__fork_guard(TD__FORK_REGISTRY, &registry_mutex, fork_child);
    registry_lock();
    registry_add(&first_main);
    registry_unlock();
    current = &first_main;
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

static unsigned long next_number(unsigned long *counter)
{
    registry_lock();
    unsigned long n = ++*counter;
    registry_unlock();
    return n;
}

static struct td_thread *make_dummy(void)
{
    struct td_thread *t = calloc(1, sizeof *t);
    char *name = t ? format_name("Dummy", next_number(&dummy_counter), NULL) : NULL;
    if (!name)
        td__out_of_memory("describing a thread the library did not start");
    init_running(t, name, true);
    registry_lock();
    registry_add(t);
    registry_unlock();
    pthread_setspecific(dummy_key, t);
    return t;
}

td_thread_t *td__current_if_known(void)
{
    return current;
}

uint64_t td__thread_start_order(const td_thread_t *thread)
{
    return thread->start_order;
}

td_thread_t *td_current_thread(void)
{
    if (TD__UNLIKELY(!current))
        current = make_dummy();
    return current;
}

td_thread_t *td_main_thread(void)
{
    return atomic_load_explicit(&main_thread, memory_order_relaxed);
}

int td_thread_new(td_thread_t **out, const td_thread_attr_t *attr)
{
    if (!out || !attr || !attr->target)
        return -EINVAL;
    struct td_thread *t = calloc(1, sizeof *t);
    if (!t)
        return -ENOMEM;
    /* Python: name = str(name or _newname()): an empty name is no name. */
    bool named = attr->name && attr->name[0] != '\0';
    t->name = named ? strdup(attr->name)
                    : format_name("Thread", next_number(&name_counter), attr->target_name);
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
    atomic_init(&t->reap, UNREAPED);
    *out = t;
    return 0;
}

td_thread_t *td_thread_ref(td_thread_t *thread)
{
    atomic_fetch_add_explicit(&thread->refs, 1, memory_order_relaxed);
    return thread;
}

/* Detach the pthread if a td_thread_free asked for it before its id was known. */
static void detach_if_wanted(struct td_thread *t)
{
    int wanted = DETACH_WANTED;
    if (atomic_compare_exchange_strong(&t->reap, &wanted, DETACHED))
        pthread_detach((pthread_t)atomic_load(&t->ident));
}

/* Record the pthread id (start() and the thread itself both do, with the same
 * value); then honour a detach that came first. seq_cst pairs with free's. */
static void store_ident(struct td_thread *t, pthread_t id)
{
    atomic_store(&t->ident, (unsigned long)id);
    detach_if_wanted(t);
}

void td_thread_free(td_thread_t *thread)
{
    if (!thread || thread->is_static)
        return;
    /* Nobody joined it (yet): let the system reap it when it ends. */
    if (atomic_load_explicit(&thread->state, memory_order_acquire) != NEW) {
        int unreaped = UNREAPED;
        if (atomic_load(&thread->ident) != 0) {
            if (atomic_compare_exchange_strong(&thread->reap, &unreaped, DETACHED))
                pthread_detach((pthread_t)atomic_load(&thread->ident));
        } else if (atomic_compare_exchange_strong(&thread->reap, &unreaped, DETACH_WANTED) &&
                   atomic_load(&thread->ident) != 0) {
            detach_if_wanted(thread); /* the id arrived meanwhile */
        }
    }
    unref(thread);
}

static void *bootstrap(void *self)
{
    struct td_thread *t = self;
    void *slot = t->sched_slot;
    current = t;
    store_ident(t, pthread_self());
    if (slot)
        td__sched->thread_begin(slot); /* until the scheduler lets it run */
    atomic_store_explicit(&t->native_id, kernel_tid(), memory_order_release);
    if (atomic_exchange_explicit(&t->started, 1, memory_order_acq_rel) == 2)
        td__wake(&t->started, INT32_MAX);
    TD__OBSERVE(TD_OBS_THREAD_START, "thread", t, 0);
    t->target(t->arg);
    TD__OBSERVE(TD_OBS_THREAD_EXIT, "thread", t, 0);
    mark_stopped(t);
    current = NULL;
    unref(t); /* the running thread's reference: reaping is the handle's business */
    if (slot)
        td__sched->thread_end(); /* the next thread runs; this one only ends */
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
    if (td__sched) {
        t->sched_slot = td__sched->thread_adding(t);
        atomic_store(&t->number, t->sched_slot ? td__sched->number(t->sched_slot) : 0);
    }
    pthread_t pt;
    int rc = spawn(t, &pt);
    if (rc != 0) {
        if (t->sched_slot)
            td__sched->thread_not_added(t->sched_slot);
        t->sched_slot = NULL;
        registry_lock();
        registry_remove(t);
        atomic_store_explicit(&t->state, NEW, memory_order_relaxed);
        registry_unlock();
        atomic_fetch_sub_explicit(&t->refs, 1, memory_order_relaxed);
        return rc == -EINVAL ? -EINVAL : -EAGAIN;
    }
    store_ident(t, pt);
    TD__POINT(TD__POINT_START, t);
    return 0;
}

/* Wait until the thread's `done` says finished, or the deadline: 0 or -ETIMEDOUT. */
static int wait_done(struct td_thread *t, td__deadline_t deadline)
{
    for (;;) {
        unsigned done = atomic_load_explicit(&t->done, memory_order_acquire);
        if (done == 1)
            return 0;
        /* Say a joiner sleeps (2), so the ending thread makes the wake call. */
        if (done == 0 && !atomic_compare_exchange_strong_explicit(
                             &t->done, &done, 2, memory_order_acq_rel, memory_order_acquire))
            continue;
        if (td__wait_until(&t->done, 2, deadline) == -ETIMEDOUT)
            return atomic_load_explicit(&t->done, memory_order_acquire) == 1 ? 0 : -ETIMEDOUT;
    }
}

int td_thread_join(td_thread_t *thread, double timeout)
{
    TD__POINT(TD__POINT_JOIN, thread);
    if (thread == current)
        return -EDEADLK; /* Python: "cannot join current thread" */
    if (atomic_load_explicit(&thread->state, memory_order_acquire) == NEW)
        return -EINVAL; /* Python: "cannot join thread before it is started" */
    int rc = td__check_timeout(&timeout, TD__TIMEOUT_JOIN); /* Python: max(timeout, 0) */
    if (rc != 0)
        return rc;
    td__deadline_t deadline = td__deadline_in(timeout);
    bool blocks = atomic_load_explicit(&thread->done, memory_order_acquire) != 1;
    if (blocks)
        TD__OBSERVE(TD_OBS_WAIT_BEGIN, "thread", thread, 0);
    rc = wait_done(thread, deadline);
    /* Finished: the first joiner reaps the pthread (it is ending, so this is quick). */
    int unreaped = UNREAPED;
    if (rc == 0 && atomic_compare_exchange_strong(&thread->reap, &unreaped, JOINED))
        pthread_join((pthread_t)atomic_load(&thread->ident), NULL);
    if (blocks)
        TD__OBSERVE(TD_OBS_WAIT_END, "thread", thread, rc);
    return rc;
}

bool td_thread_is_alive(td_thread_t *thread)
{
    return atomic_load_explicit(&thread->state, memory_order_acquire) == RUNNING;
}

size_t td_thread_get_name(td_thread_t *thread, char *buf, size_t size)
{
    registry_lock();
    size_t len = strlen(thread->name);
    if (size > 0) {
        size_t n = len < size - 1 ? len : size - 1;
        memcpy(buf, thread->name, n);
        buf[n] = '\0';
    }
    registry_unlock();
    return len;
}

int td_thread_set_name(td_thread_t *thread, const char *name)
{
    if (!name)
        return -EINVAL;
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

void td__thread_set_number(td_thread_t *thread, unsigned number)
{
    atomic_store(&thread->number, number);
}

bool td__thread_ended(const td_thread_t *thread)
{
    return atomic_load_explicit(&((struct td_thread *)thread)->done, memory_order_acquire) == 1;
}

/* Under a schedule, a numbered thread's ident is its number and its native id
 * 10000 + its number: small, and the same run after run. */
enum { VIRTUAL_NATIVE_BASE = 10000 };

unsigned long td_thread_ident(td_thread_t *thread)
{
    unsigned n = atomic_load_explicit(&thread->number, memory_order_relaxed);
    if (td__sched && n)
        return n;
    return atomic_load_explicit(&thread->ident, memory_order_relaxed);
}

long td_thread_native_id(td_thread_t *thread)
{
    if (atomic_load_explicit(&thread->state, memory_order_acquire) == NEW)
        return 0;
    unsigned n = atomic_load_explicit(&thread->number, memory_order_relaxed);
    if (td__sched && n)
        return VIRTUAL_NATIVE_BASE + (long)n;
    unsigned started = 0;
    if (atomic_compare_exchange_strong_explicit(&thread->started, &started, 2,
                                                memory_order_acq_rel,
                                                memory_order_acquire) ||
        started == 2) {
        while (atomic_load_explicit(&thread->started, memory_order_acquire) == 2)
            td__wait_until(&thread->started, 2, td__forever());
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
    unsigned n = td__sched ? td__sched->number(NULL) : 0;
    return n ? n : (unsigned long)pthread_self();
}

long td_get_native_id(void)
{
    unsigned n = td__sched ? td__sched->number(NULL) : 0;
    return n ? VIRTUAL_NATIVE_BASE + (long)n : kernel_tid();
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

/* A live non-daemon thread other than the caller and the main thread, with a
 * reference, or NULL. */
static struct td_thread *next_to_join(void)
{
    struct td_thread *found = NULL;
    struct td_thread *main = td_main_thread();
    registry_lock();
    for (struct td_thread *t = registry_head; t && !found; t = t->next)
        if (t != current && t != main && !atomic_load(&t->daemon))
            found = td_thread_ref(t);
    registry_unlock();
    return found;
}

void td_shutdown(void)
{
    td__atexit_run();
    /* CPython's _shutdown marks the main thread stopped first, so a thread that
     * joins the main thread returns instead of holding the exit up for ever. */
    struct td_thread *main = td_main_thread();
    if (current == main && atomic_load_explicit(&main->done, memory_order_acquire) != 1)
        mark_done(main);
    struct td_thread *t;
    /* New threads can be started while we wait, so look again after each join. */
    while ((t = next_to_join()) != NULL) {
        td_thread_join(t, TD_FOREVER);
        td_thread_free(t);
    }
}
