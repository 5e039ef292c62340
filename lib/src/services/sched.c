/* SPDX-License-Identifier: MIT */
/* sched.c - the controlled scheduler: real pthreads, one run token, a virtual clock.
 *
 * Every controlled thread is a real pthread (so thread-locals, pthread_self and the
 * sanitizers keep working unchanged) parked on its own futex word (`go`) until the
 * thread that holds the token hands it over. All controlled threads are pinned to one
 * CPU, where a hand-off is a wake and a wait on the same runqueue, several times
 * cheaper than one between CPUs.
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
 *
 * Which runnable thread runs is the policy's (sched_policy.c); what a stuck run
 * reports, the report's (sched_report.c); what an exploration's run writes down,
 * sched_explore.c's. One piece: the token, the clock, the waits and the threads'
 * records all read and write the one state S, under the invariants stated here.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/runtime.h"
#include "sched_internal.h"
#include "services.h"
#include "thrdemo/observer.h"
#include "thrdemo/schedule.h"

enum { QUANTUM_NS = 1000 };
/* Virtual clocks: monotonic from 1000 s, wall from 2000-01-01 00:00:00 UTC. */
#define MONO_START (1000LL * TD__NS_PER_S)
#define WALL_EPOCH (946684800LL * TD__NS_PER_S)

static struct {
    bool active;
    bool exiting; /* td_exit: only the thread that began the schedule runs on */
    td_sched_config_t cfg;
    struct sthread **threads; /* by number - 1 */
    size_t n, cap;
    uint64_t steps, switches, blocks, ticks;
    td__ns_t now, earliest;
    td__ns_t quantum; /* the clock's advance at a point: 0 under replay */
    td_sched_thread_view_t *views; /* on_decide's, by number - 1 */
    size_t views_cap;
    cpu_set_t saved_affinity;
    bool affinity_saved;
    int cpu;
} S;

static atomic_bool interrupted;
static TD__TLS struct sthread *me;

/* The thread the policy picks, or NULL when none can run; after td_exit, only the
 * thread that began the schedule. */
/* The thread the policy picks (see td__sched_choose), or NULL; in an exploration's
 * run, *redundant when it picks none only because every thread free to run sleeps
 * (the run could only repeat explored schedules). */
static struct sthread *choose(bool yielding, bool *redundant)
{
    if (S.exiting)
        return me && me->state == RUNNABLE ? me : NULL;
    bool (*asleep)(const struct sthread *t) = NULL;
    if (td__explore_active())
        asleep = td__explore_asleep(S.threads, S.n, td__sched_policy_decisions());
    struct sthread *next = td__sched_choose(S.threads, S.n, me, yielding, asleep);
    for (size_t i = 0; !next && asleep && i < S.n && !*redundant; i++)
        *redundant = td__sched_free_to_run(S.threads[i]);
    return next;
}


static _Noreturn void stuck(int why)
{
    static char report[8192];
    td__explore_record_stop(why);
    td__sched_report_write(report, sizeof report, why, S.steps, S.threads, S.n);
    if (S.cfg.on_stuck)
        S.cfg.on_stuck(why, report, S.cfg.ctx);
    abort(); /* on_stuck must not return */
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
        bool redundant = false;
        struct sthread *next = choose(yielding, &redundant);
        if (redundant)
            stuck(TD_SCHED_REDUNDANT);
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

static struct sthread *ask_program(struct sthread *chosen);

/* Decide who runs next (see choose_or_advance; on_decide may choose another that can
 * go) and, in an exploration's run, write the decision down. */
static struct sthread *decide(bool yielding)
{
    struct sthread *next = choose_or_advance(yielding);
    if (S.cfg.on_decide && !S.exiting && !next->run_interrupt)
        next = ask_program(next);
    if (td__explore_active() && !S.exiting)
        td__explore_record(S.threads, S.n, me, yielding, next);
    return next;
}

/* Back from a hand-off: run on_interrupt if this thread was woken for it. */
static void resumed(void)
{
    if (me->run_interrupt) {
        me->run_interrupt = false;
        run_interrupt_if_asked();
    }
}

/* What each kind of step does, for on_step: a verb phrase, and what its object is. */
static const struct {
    const char *verb, *noun;
} step_words[] = {
    [TD__POINT_YIELD] = { "yields", NULL },
    [TD__POINT_START] = { "starts", "thread" },
    [TD__POINT_ACQUIRE] = { "acquires", "lock" },
    [TD__POINT_RELEASE] = { "releases", "lock" },
    [TD__POINT_SET] = { "sets", "event" },
    [TD__POINT_CLEAR] = { "clears", "event" },
    [TD__POINT_WAIT] = { "waits on", "condition" },
    [TD__POINT_EVENT_WAIT] = { "waits on", "event" },
    [TD__POINT_JOIN] = { "joins", "thread" },
    [TD__POINT_NOTIFY] = { "notifies", "condition" },
    [TD__POINT_PUT] = { "puts into", "queue" },
    [TD__POINT_GET] = { "gets from", "queue" },
    [TD__POINT_TASK_DONE] = { "marks a task done in", "queue" },
    [TD__POINT_QUEUE_JOIN] = { "joins", "queue" },
    [TD__POINT_SHUTDOWN] = { "shuts down", "queue" },
    [TD__POINT_FUTURE] = { "waits for", "future" },
    [TD__POINT_FIRE] = { "fires", "timer" },
    [TD__POINT_LINE] = { "prints a line", NULL },
    [TD__POINT_RACE] = { "races", NULL },
    [TD__POINT_READ] = { "reads", "variable" },
    [TD__POINT_WRITE] = { "writes", "variable" },
    [TD__POINT_LOCK] = { "acquires", "lock" },
};

/* What t does next, and whether it can go, as on_decide sees it. */
static td_sched_thread_view_t view_of(const struct sthread *t)
{
    td__point_kind_t kind = t->next_kind;
    const void *object = t->next_object;
    const void *lock = kind == TD__POINT_LOCK || kind == TD__POINT_ACQUIRE ? object : NULL;
    if (t->state == BLOCKED && t->waits_on)
        lock = t->waits_on;
    return (td_sched_thread_view_t){
        .number = t->number, .thread = t->thread,
        .can_go = td__sched_free_to_run(t), .blocked = t->state == BLOCKED,
        .verb = step_words[kind].verb, .noun = object ? step_words[kind].noun : NULL,
        .object = object, .caller = t->next_caller,
        .waits_kind = t->state == BLOCKED ? t->waits_kind : NULL,
        .waits_on = t->state == BLOCKED ? t->waits_on : NULL,
        .holder = td__sched_report_holder(lock),
    };
}

/* on_decide's choice, if it names a thread that can go, else the policy's. */
static struct sthread *ask_program(struct sthread *chosen)
{
    if (S.views_cap < S.n) {
        td_sched_thread_view_t *grown = realloc(S.views, S.n * 2 * sizeof *grown);
        if (!grown)
            return chosen; /* the policy's choice is as good a run */
        S.views = grown;
        S.views_cap = S.n * 2;
    }
    td_sched_decision_t d = { .step = S.steps, .chosen = chosen->number, .threads = S.views };
    uint64_t decisions = td__sched_policy_decisions();
    d.decision = decisions ? decisions - 1 : 0;
    d.asking = me && me->state != FINISHED ? me->number : 0;
    for (size_t i = 0; i < S.n; i++) {
        const struct sthread *t = S.threads[i];
        if (t->state == FINISHED || !t->thread)
            continue;
        S.views[d.n] = view_of(t);
        d.can_go += S.views[d.n++].can_go;
    }
    unsigned number = S.cfg.on_decide(&d, S.cfg.ctx);
    struct sthread *t = number >= 1 && number <= S.n ? S.threads[number - 1] : NULL;
    return t && td__sched_free_to_run(t) ? t : chosen;
}

/* Tell on_step that the calling thread now takes the step of point number index. */
static void tell_step(uint64_t index, const char *verb, const char *noun, const void *object,
                      const void *caller)
{
    td_sched_step_t step = { .index = index, .number = me->number, .thread = me->thread,
                             .verb = verb, .object = object, .noun = object ? noun : NULL,
                             .caller = caller };
    S.cfg.on_step(&step, S.cfg.ctx);
}

static void point(td__point_kind_t kind, const void *object, const void *caller)
{
    if (!me)
        return; /* a thread the schedule does not control */
    S.steps++;
    S.now += S.quantum;
    if (S.steps > S.cfg.max_steps)
        stuck(TD_SCHED_STEP_LIMIT);
    expire();
    run_interrupt_if_asked();
    me->ready_at = ++S.ticks;
    me->lock_word = kind == TD__POINT_LOCK ? object : NULL;
    me->joins = kind == TD__POINT_JOIN ? object : NULL;
    me->next_kind = kind;
    me->next_object = object;
    me->next_caller = caller;
    /* A step is told as the thread goes on to take it, since others may run first;
     * but a start has happened at its point (the new thread may run before this one
     * goes on), so it is told there. */
    bool told_now = kind == TD__POINT_START;
    if (S.cfg.on_step && told_now)
        tell_step(S.steps, step_words[kind].verb, step_words[kind].noun, object, caller);
    uint64_t index = S.steps;
    run_next(decide(kind == TD__POINT_YIELD));
    me->lock_word = NULL;
    me->joins = NULL;
    resumed();
    if (S.cfg.on_step && !told_now)
        tell_step(index, step_words[kind].verb, step_words[kind].noun, object, caller);
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
    run_next(decide(false));
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
    t->next_kind = TD__POINT_START; /* its first step: touches nothing shared yet */
    t->next_object = thread;
    S.threads[S.n++] = t;
    td__sched_policy_admit(S.threads, S.n, t);
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
    if (td__explore_active())
        td__explore_record_end(me, me->thread);
    if (S.cfg.on_step)
        tell_step(S.steps, "ends", NULL, NULL, NULL);
    me->state = FINISHED;
    me->thread = NULL;
    td__sched_report_finished(me->number);
    run_next(decide(false));
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

/* What the observer tells, for the report of a stuck run. */
static void note(const td__report_t *r)
{
    if (me && S.active)
        td__sched_report_note(r, me);
}

/* ---- the public calls --------------------------------------------------------------- */

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
    if (!config || config->policy.kind > TD_POLICY_REPLAY || config->policy.depth > 64)
        return -EINVAL;
    if (S.active)
        return -EBUSY;
    free(S.threads);
    free(S.views);
    memset(&S, 0, sizeof S);
    td__sched_report_clear();
    S.cfg = *config;
    if (!S.cfg.max_steps)
        S.cfg.max_steps = TD_SCHED_DEFAULT_MAX_STEPS;
    td__sched_policy_begin(&config->policy);
    td__explore_begin(config);
    S.quantum = config->policy.kind == TD_POLICY_REPLAY ? 0 : QUANTUM_NS;
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
        td__sched_policy_plan();
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
    td__explore_record_stop(0);
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

void td_sched_read(const void *object)
{
    TD__POINT(TD__POINT_READ, object);
}

void td_sched_write(const void *object)
{
    TD__POINT(TD__POINT_WRITE, object);
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
