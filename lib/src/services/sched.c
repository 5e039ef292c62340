/* SPDX-License-Identifier: MIT */
/* sched.c - the controlled scheduler: real pthreads, one run token, a virtual clock.
 *
 * Design (a) of the issue, chosen so thread-locals, pthread_self and the sanitizers
 * keep working unchanged: every controlled thread is a real pthread parked on its own
 * futex word (`go`) until the thread that holds the token hands it over. All
 * controlled threads are pinned to one CPU, where a hand-off is a wake and a wait on
 * the same runqueue (about 2 us, against about 20 us between CPUs).
 *
 * The library reaches the scheduler only through the core's seam (td__sched): the
 * clock, the one wait path, the wake path, scheduling points, and a thread's first
 * and last words. A wait marks the caller BLOCKED on a word until a wake names that
 * word (oldest blocker first, as futexes do) or its deadline comes; when nobody can
 * run, the clock jumps to the earliest deadline, and with no deadline that is a
 * deadlock.
 *
 * State S is touched only by the thread holding the token; the hand-off's
 * release-store and acquire-load of `go` order one holder's writes before the next
 * holder's reads. `interrupted` is the one field another thread writes, `asleep`
 * the one a thread writes while it does not hold the token (see park()).
 * When the thread that began the schedule exits the process (td_exit), S.exiting
 * keeps the token with it: the threads left are never chosen again.
 *
 *   thread state   event                                   next
 *   RUNNABLE       chosen at a point, or by a block        (runs: holds the token)
 *   RUNNABLE       blocks in wait()                        BLOCKED
 *   BLOCKED        wake() on its word / its deadline       RUNNABLE (result 0 / -ETIMEDOUT)
 *   any            thread_end()                            FINISHED
 */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/runtime.h"
#include "services.h"
#include "thrdemo/observer.h"
#include "thrdemo/schedule.h"

enum { QUANTUM_NS = 1000 };
/* Virtual clocks: monotonic from 1000 s, wall from 2000-01-01 00:00:00 UTC. */
#define MONO_START (1000LL * TD__NS_PER_S)
#define WALL_EPOCH (946684800LL * TD__NS_PER_S)

enum sstate { RUNNABLE, BLOCKED, FINISHED };

struct sthread {
    unsigned number;
    td_thread_t *thread; /* the runtime's object (for names), NULL once finished */
    atomic_uint go;      /* 1 while it holds the token */
    atomic_uint asleep;  /* 1 while it may sleep in the kernel on go */
    enum sstate state;
    atomic_uint *word;   /* BLOCKED: what it waits on ... */
    unsigned expected;
    td__ns_t deadline;   /* ... and until when */
    int result;          /* what its wait returns */
    uint64_t blocked_at; /* wakes go oldest blocker first */
    uint64_t ready_at;   /* fifo: when it last stopped running */
    uint64_t priority;   /* pct: lower runs first */
    bool run_interrupt;  /* chosen to run on_interrupt when it resumes */
    const atomic_uint *lock_word; /* at a TD__POINT_LOCK: the word of the Lock it takes */
    const char *waits_kind; /* what it reported waiting on (for the report) */
    const void *waits_on;
};

struct holder {
    const void *lock;
    unsigned number;
};

static struct {
    bool active;
    bool exiting; /* td_exit: only the thread that began the schedule runs on */
    td_sched_config_t cfg;
    struct sthread **threads; /* by number - 1 */
    size_t n, cap;
    uint64_t steps, switches, blocks, ticks, decisions;
    td__ns_t now, earliest;
    uint64_t rng;
    uint64_t next_priority;
    uint64_t change_points[64];
    size_t n_change;
    struct holder *holders;
    size_t n_holders, cap_holders;
    const void **objects; /* every object seen, for "lock #3" in reports */
    size_t n_objects, cap_objects;
    cpu_set_t saved_affinity;
    bool affinity_saved;
    int cpu;
} S;

static atomic_bool interrupted;
static TD__TLS struct sthread *me;

/* ---- randomness and policies -------------------------------------------------------- */

static uint64_t next_random(void)
{
    uint64_t z = (S.rng += 0x9e3779b97f4a7c15ULL); /* splitmix64 */
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t below(uint64_t n)
{
    return n ? next_random() % n : 0;
}

/* PCT: a new thread swaps priorities with a random thread (itself included) and
 * the displaced one gets the lowest so far, so every priority stays distinct
 * (Shuttle's next_task). */
static void give_priority(struct sthread *t)
{
    size_t target = below(S.n); /* t is S.threads[S.n - 1] already */
    struct sthread *other = S.threads[target];
    if (other == t) {
        t->priority = S.next_priority++;
        return;
    }
    t->priority = other->priority;
    other->priority = S.next_priority++;
}

static bool is_change_point(uint64_t decision)
{
    for (size_t i = 0; i < S.n_change; i++)
        if (S.change_points[i] == decision)
            return true;
    return false;
}

/* A runnable thread about to take a Lock that another holds would only block if it
 * ran (Shuttle and Loom do not count a thread waiting for a mutex as runnable
 * either): random and pct hold it back until the lock is free, which keeps every
 * interleaving that can be seen and saves two hand-offs each time it would have been
 * chosen (lock-counter under random:1: 3 million switches -> 1 million). fifo runs
 * the thread that has waited longest even so, and it blocks in the Lock: the order
 * stays the plain one, and a --timeline shows who waited for the lock. */
static bool held_back(const struct sthread *t)
{
    return t->lock_word && atomic_load_explicit(t->lock_word, memory_order_relaxed) != 0;
}

/* Whether t may be chosen: runnable and, unless every runnable thread is held back
 * (then the one chosen blocks in the Lock, and a deadlock is found as any other),
 * not held back. */
static bool eligible(const struct sthread *t, bool holding_back)
{
    return t->state == RUNNABLE && !(holding_back && held_back(t));
}

/* The runnable thread the policy picks, or NULL when none can run. */
static struct sthread *choose(bool yielding)
{
    struct sthread *best = NULL;
    size_t runnable = 0, free_to_run = 0;
    if (S.exiting)
        return me && me->state == RUNNABLE ? me : NULL;
    for (size_t i = 0; i < S.n; i++) {
        const struct sthread *t = S.threads[i];
        runnable += t->state == RUNNABLE;
        free_to_run += t->state == RUNNABLE && !held_back(t);
    }
    if (runnable == 0)
        return NULL;
    bool holding_back = free_to_run > 0 && S.cfg.policy.kind != TD_POLICY_FIFO;
    if (holding_back)
        runnable = free_to_run;
    if (S.cfg.policy.kind == TD_POLICY_RANDOM) {
        size_t k = below(runnable);
        for (size_t i = 0; i < S.n; i++)
            if (eligible(S.threads[i], holding_back) && k-- == 0)
                return S.threads[i];
    }
    if (S.cfg.policy.kind == TD_POLICY_PCT && runnable > 1) {
        S.decisions++;
        if (me && me->state == RUNNABLE && (yielding || is_change_point(S.decisions)))
            me->priority = S.next_priority++;
    }
    for (size_t i = 0; i < S.n; i++) {
        struct sthread *t = S.threads[i];
        if (!eligible(t, holding_back))
            continue;
        bool better = !best ||
                      (S.cfg.policy.kind == TD_POLICY_PCT ? t->priority < best->priority
                                                          : t->ready_at < best->ready_at);
        if (better)
            best = t;
    }
    return best;
}

/* ---- the token ---------------------------------------------------------------------- */

/* Wait for the token. The thread says it may sleep before it checks go one last
 * time, and the thread that hands the token over sets go before it reads that, so
 * one of the two always sees the other (both seq_cst): a hand-off to a thread that
 * has not gone to sleep yet (the kernel switched to the next thread first, as it
 * does on one CPU) costs no wake-up call, and that thread then finds go set. */
static void park(struct sthread *t)
{
    while (atomic_load_explicit(&t->go, memory_order_acquire) == 0) {
        atomic_store(&t->asleep, 1);
        if (atomic_load(&t->go) == 0)
            td__futex_wait_raw(&t->go, 0, td__forever());
        atomic_store_explicit(&t->asleep, 0, memory_order_relaxed);
    }
}

/* Hand the token from the calling thread to next, and wait to get it back (unless
 * the caller has finished). */
static void run_next(struct sthread *next)
{
    struct sthread *self = me;
    if (next == self)
        return;
    S.switches++;
    /* Read before the hand-off: from then on the next holder may change it. */
    bool finished = self->state == FINISHED;
    if (!finished)
        atomic_store_explicit(&self->go, 0, memory_order_relaxed);
    atomic_store(&next->go, 1);
    /* A finished thread must not read next's record after the store: next may end
     * the schedule and free it. The wake-up call touches only the address. */
    if (finished || atomic_load(&next->asleep))
        td__futex_wake_raw(&next->go, 1);
    if (!finished)
        park(self);
}

/* ---- the virtual clock ------------------------------------------------------------ */

/* Wake the blocked threads whose deadline has come; recompute the earliest. */
static void expire(void)
{
    if (S.now < S.earliest)
        return;
    S.earliest = TD__NEVER;
    for (size_t i = 0; i < S.n; i++) {
        struct sthread *t = S.threads[i];
        if (t->state != BLOCKED || t->deadline == TD__NEVER)
            continue;
        if (t->deadline <= S.now) {
            t->state = RUNNABLE;
            t->result = -ETIMEDOUT;
        } else if (t->deadline < S.earliest) {
            S.earliest = t->deadline;
        }
    }
}

static td__ns_t now_mono(void)
{
    return S.now;
}

static td__ns_t now_wall(void)
{
    return WALL_EPOCH + (S.now - MONO_START);
}

/* ---- being stuck -------------------------------------------------------------------- */

/* The object's name, or "#k" in order of first appearance ("event #3"). */
static void object_name(const void *object, char *buf, size_t size)
{
    if (td_object_get_name(object, buf, size) > 0)
        return;
    size_t k = 0;
    while (k < S.n_objects && S.objects[k] != object)
        k++;
    snprintf(buf, size, "#%zu", k + 1);
}

static unsigned holder_of(const void *lock)
{
    for (size_t i = 0; i < S.n_holders; i++)
        if (S.holders[i].lock == lock)
            return S.holders[i].number;
    return 0;
}

static const char *thread_name(unsigned number, char *buf, size_t size)
{
    struct sthread *t = number ? S.threads[number - 1] : NULL;
    if (t && t->thread)
        td_thread_get_name(t->thread, buf, size);
    else
        snprintf(buf, size, "thread %u", number);
    return buf;
}

static void append(char *buf, size_t size, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void append(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
    if (*len >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *len, size - *len, fmt, ap);
    va_end(ap);
    if (n > 0)
        *len += (size_t)n;
}

/* One line per live thread: what it waits for and, for a lock, who holds it. */
static void describe_waits(char *buf, size_t size, size_t *len)
{
    for (size_t i = 0; i < S.n; i++) {
        struct sthread *t = S.threads[i];
        if (t->state == FINISHED)
            continue;
        char name[128], what[128], holder[128];
        thread_name(t->number, name, sizeof name);
        if (t->state == RUNNABLE) {
            append(buf, size, len, "  %s is runnable\n", name);
            continue;
        }
        if (!t->waits_on) {
            append(buf, size, len, "  %s waits\n", name);
            continue;
        }
        if (strcmp(t->waits_kind, "thread") == 0) {
            td_thread_get_name((td_thread_t *)t->waits_on, what, sizeof what);
            append(buf, size, len, "  %s waits to join %s\n", name, what);
            continue;
        }
        object_name(t->waits_on, what, sizeof what);
        unsigned h = holder_of(t->waits_on);
        if (h)
            append(buf, size, len, "  %s waits for %s %s, held by %s\n", name, t->waits_kind,
                   what, thread_name(h, holder, sizeof holder));
        else
            append(buf, size, len, "  %s waits on %s %s\n", name, t->waits_kind, what);
    }
}

static _Noreturn void stuck(int why)
{
    static char report[8192];
    size_t len = 0;
    if (why == TD_SCHED_DEADLOCK)
        append(report, sizeof report, &len,
               "deadlock: every thread is blocked and no timeout is pending "
               "(after %llu scheduling points)\n",
               (unsigned long long)S.steps);
    else
        append(report, sizeof report, &len,
               "stopped after %llu scheduling points (the step limit): it may never end\n",
               (unsigned long long)S.steps);
    describe_waits(report, sizeof report, &len);
    if (S.cfg.on_stuck)
        S.cfg.on_stuck(why, report, S.cfg.ctx);
    abort(); /* on_stuck must not return */
}

/* ---- scheduling points, waits and wakes ---------------------------------------------- */

static void run_interrupt_if_asked(void)
{
    if (atomic_exchange_explicit(&interrupted, false, memory_order_acq_rel) &&
        S.cfg.on_interrupt)
        S.cfg.on_interrupt(S.cfg.ctx);
}

/* Who runs next when the caller cannot or does not choose itself: a runnable thread,
 * else the clock jumps to the earliest deadline, else an interrupt is handed to a
 * blocked thread (woken spuriously to run it), else the run is deadlocked. */
static struct sthread *choose_or_advance(bool yielding)
{
    for (;;) {
        struct sthread *next = choose(yielding);
        if (next)
            return next;
        if (S.earliest != TD__NEVER) {
            if (S.earliest > S.now)
                S.now = S.earliest;
            expire();
            continue;
        }
        if (atomic_load(&interrupted) && S.cfg.on_interrupt) {
            for (size_t i = 0; i < S.n; i++) {
                struct sthread *t = S.threads[i];
                if (t->state == BLOCKED && (!S.exiting || t == me)) {
                    t->state = RUNNABLE;
                    t->result = 0; /* a spurious wake-up: its caller re-checks */
                    t->run_interrupt = true;
                    return t;
                }
            }
        }
        stuck(TD_SCHED_DEADLOCK);
    }
}

/* Back from a hand-off: run on_interrupt if this thread was woken for it. */
static void resumed(void)
{
    if (me->run_interrupt) {
        me->run_interrupt = false;
        run_interrupt_if_asked();
    }
}

static void point(td__point_kind_t kind, const void *object)
{
    if (!me)
        return; /* a thread the schedule does not control */
    S.steps++;
    S.now += QUANTUM_NS;
    if (S.steps > S.cfg.max_steps)
        stuck(TD_SCHED_STEP_LIMIT);
    expire();
    run_interrupt_if_asked();
    me->ready_at = ++S.ticks;
    me->lock_word = kind == TD__POINT_LOCK ? object : NULL;
    run_next(choose_or_advance(kind == TD__POINT_YIELD));
    me->lock_word = NULL;
    resumed();
}

static int wait(atomic_uint *word, unsigned expected, td__deadline_t deadline)
{
    if (!me) /* a thread the schedule does not control sleeps for real */
        return td__futex_wait_raw(word, expected, deadline);
    if (atomic_load_explicit(word, memory_order_acquire) != expected)
        return 0;
    if (deadline.at <= S.now)
        return -ETIMEDOUT;
    me->state = BLOCKED;
    me->word = word;
    me->expected = expected;
    me->deadline = deadline.at;
    me->blocked_at = ++S.blocks;
    me->ready_at = ++S.ticks;
    if (deadline.at < S.earliest)
        S.earliest = deadline.at;
    run_next(choose_or_advance(false));
    int result = me->result;
    resumed();
    return result;
}

/* The oldest thread blocked on word, or NULL. */
static struct sthread *oldest_blocked_on(atomic_uint *word)
{
    struct sthread *oldest = NULL;
    for (size_t i = 0; i < S.n; i++) {
        struct sthread *t = S.threads[i];
        if (t->state == BLOCKED && t->word == word &&
            (!oldest || t->blocked_at < oldest->blocked_at))
            oldest = t;
    }
    return oldest;
}

static void wake(atomic_uint *word, int n)
{
    if (!me) {
        td__futex_wake_raw(word, n);
        return;
    }
    for (int woken = 0; woken < n; woken++) {
        struct sthread *t = oldest_blocked_on(word);
        if (!t)
            break;
        t->state = RUNNABLE;
        t->result = 0;
    }
}

/* ---- threads ------------------------------------------------------------------------ */

static struct sthread *add_thread(td_thread_t *thread)
{
    if (S.n == S.cap) {
        size_t cap = S.cap ? S.cap * 2 : 16;
        struct sthread **grown = realloc(S.threads, cap * sizeof *grown);
        if (!grown)
            return NULL;
        S.threads = grown;
        S.cap = cap;
    }
    struct sthread *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->number = (unsigned)S.n + 1;
    t->thread = thread;
    t->state = RUNNABLE;
    t->ready_at = ++S.ticks;
    S.threads[S.n++] = t;
    if (S.cfg.policy.kind == TD_POLICY_PCT)
        give_priority(t);
    return t;
}

static void *thread_adding(void *thread)
{
    if (!me)
        return NULL; /* started by a thread the schedule does not control */
    return add_thread(thread);
}

static void thread_not_added(void *slot)
{
    struct sthread *t = slot;
    t->state = FINISHED;
    t->thread = NULL;
}

static void pin_to_schedule_cpu(void)
{
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(S.cpu, &one);
    sched_setaffinity(0, sizeof one, &one); /* best effort: only speed depends on it */
}

static void thread_begin(void *slot)
{
    me = slot;
    pin_to_schedule_cpu();
    park(me);
    resumed();
}

static void thread_end(void)
{
    me->state = FINISHED;
    me->thread = NULL;
    for (size_t i = 0; i < S.n_holders; i++) /* a lock it held stays held: by nobody */
        if (S.holders[i].number == me->number)
            S.holders[i].number = 0;
    run_next(choose_or_advance(false));
    me = NULL;
}

static unsigned number(void *slot)
{
    struct sthread *t = slot ? slot : me;
    return t ? t->number : 0;
}

static const td__sched_ops_t ops = {
    .now = now_mono,
    .wall_now = now_wall,
    .wait = wait,
    .wake = wake,
    .point = point,
    .thread_adding = thread_adding,
    .thread_not_added = thread_not_added,
    .thread_begin = thread_begin,
    .thread_end = thread_end,
    .number = number,
};

/* ---- what the observer tells: waits and lock holders, for the report ------------- */

static void remember_object(const void *object)
{
    for (size_t i = 0; i < S.n_objects; i++)
        if (S.objects[i] == object)
            return;
    if (S.n_objects == S.cap_objects) {
        size_t cap = S.cap_objects ? S.cap_objects * 2 : 32;
        const void **grown = realloc(S.objects, cap * sizeof *grown);
        if (!grown)
            return;
        S.objects = grown;
        S.cap_objects = cap;
    }
    S.objects[S.n_objects++] = object;
}

static void set_holder(const void *lock, unsigned number)
{
    for (size_t i = 0; i < S.n_holders; i++) {
        if (S.holders[i].lock == lock) {
            S.holders[i].number = number;
            return;
        }
    }
    if (S.n_holders == S.cap_holders) {
        size_t cap = S.cap_holders ? S.cap_holders * 2 : 16;
        struct holder *grown = realloc(S.holders, cap * sizeof *grown);
        if (!grown)
            return;
        S.holders = grown;
        S.cap_holders = cap;
    }
    S.holders[S.n_holders++] = (struct holder){ lock, number };
}

static void note(const td__report_t *r)
{
    td_obs_kind_t kind = r->kind;
    const char *primitive = r->primitive;
    const void *object = r->object;
    if (!me || !S.active)
        return;
    if (object)
        remember_object(object);
    switch (kind) {
    case TD_OBS_WAIT_BEGIN:
        me->waits_kind = primitive;
        me->waits_on = object;
        break;
    case TD_OBS_WAIT_END:
        me->waits_kind = NULL;
        me->waits_on = NULL;
        break;
    case TD_OBS_ACQUIRE:
        set_holder(object, me->number);
        break;
    case TD_OBS_RELEASE:
        set_holder(object, 0);
        break;
    default:
        break;
    }
}

/* ---- the public calls --------------------------------------------------------------- */

static void place_change_points(const td_policy_t *p)
{
    unsigned depth = p->depth ? p->depth : 3;
    uint64_t steps = p->steps ? p->steps : 1000;
    S.n_change = 0;
    /* depth - 1 distinct decisions in 1 .. steps - 1 (Shuttle: none at step 0). */
    while (S.n_change + 1 < depth && S.n_change + 1 < steps) {
        uint64_t at = 1 + below(steps - 1);
        if (!is_change_point(at))
            S.change_points[S.n_change++] = at;
    }
}

/* The CPU the caller runs on (so schedules in parallel processes spread over the
 * CPUs the kernel gave them), else the first it may use. */
static void choose_cpu(void)
{
    S.affinity_saved = sched_getaffinity(0, sizeof S.saved_affinity, &S.saved_affinity) == 0;
    S.cpu = sched_getcpu();
    if (S.affinity_saved && S.cpu >= 0 && S.cpu < CPU_SETSIZE && CPU_ISSET(S.cpu, &S.saved_affinity))
        return;
    S.cpu = 0;
    if (S.affinity_saved)
        while (S.cpu < CPU_SETSIZE - 1 && !CPU_ISSET(S.cpu, &S.saved_affinity))
            S.cpu++;
}

int td_sched_begin(const td_sched_config_t *config)
{
    if (!config || config->policy.kind > TD_POLICY_PCT || config->policy.depth > 64)
        return -EINVAL;
    if (S.active)
        return -EBUSY;
    free(S.threads);
    free(S.holders);
    free(S.objects);
    memset(&S, 0, sizeof S);
    S.cfg = *config;
    if (!S.cfg.max_steps)
        S.cfg.max_steps = TD_SCHED_DEFAULT_MAX_STEPS;
    S.rng = config->policy.seed;
    S.now = MONO_START;
    S.earliest = TD__NEVER;
    atomic_store(&interrupted, false);
    td_thread_t *self = td_current_thread();
    me = add_thread(self);
    if (!me)
        return -ENOMEM;
    atomic_store(&me->go, 1);
    td__thread_set_number(self, me->number);
    if (S.cfg.policy.kind == TD_POLICY_PCT)
        place_change_points(&S.cfg.policy);
    choose_cpu();
    pin_to_schedule_cpu();
    S.active = true;
    td__observe_also(note);
    td__sched = &ops; /* from here on every clock read and wait is the scheduler's */
    return 0;
}

int td_sched_end(void)
{
    if (!S.active)
        return 0;
    if (!me || me != S.threads[0])
        return -EPERM;
    for (size_t i = 1; i < S.n; i++)
        if (S.threads[i]->state != FINISHED)
            return -EBUSY;
    td__sched = NULL;
    td__observe_also(NULL);
    td__thread_set_number(td_current_thread(), 0);
    if (S.affinity_saved)
        sched_setaffinity(0, sizeof S.saved_affinity, &S.saved_affinity);
    S.active = false;
    for (size_t i = 0; i < S.n; i++)
        free(S.threads[i]);
    S.n = 0;
    me = NULL;
    return 0;
}

void td__sched_exiting(void)
{
    if (S.active && me == S.threads[0])
        S.exiting = true;
}

bool td_sched_active(void)
{
    return td__sched != NULL;
}

void td_yield_now(void)
{
    TD__POINT(TD__POINT_YIELD, NULL);
}

void td_sched_point(void)
{
    TD__POINT(TD__POINT_RACE, NULL);
}

void td_sched_interrupt(void)
{
    atomic_store_explicit(&interrupted, true, memory_order_release);
}

uint64_t td_sched_steps(void)
{
    return S.steps;
}

uint64_t td_sched_switches(void)
{
    return S.switches;
}
