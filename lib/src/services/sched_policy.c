/* SPDX-License-Identifier: MIT */
/* sched_policy.c - the controlled scheduler's policies: which runnable thread runs
 * next (sched_internal.h).
 *
 * fifo runs the thread that has waited longest; random picks one uniformly with a
 * seeded splitmix64, so a seed replays its schedule; pct (probabilistic concurrency
 * testing, as Shuttle's) gives every thread a distinct priority and runs the highest,
 * dropping the running thread to the lowest at depth - 1 change points drawn at the
 * start. Every draw comes from the one generator in the order the schedule makes
 * them, which is what makes a seed a schedule. The state P is touched only by the
 * thread holding the token.
 */
#include <stdbool.h>
#include <string.h>

#include "sched_internal.h"

static struct {
    td_policy_kind_t kind;
    unsigned depth;   /* pct: the change points are depth - 1 ... */
    uint64_t steps;   /* ... decisions among the first steps */
    uint64_t rng;
    uint64_t next_priority;
    uint64_t decisions;
    uint64_t change_points[64];
    size_t n_change;
} P;

static uint64_t next_random(void)
{
    uint64_t z = (P.rng += 0x9e3779b97f4a7c15ULL); /* splitmix64 */
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
static void give_priority(struct sthread *const *threads, size_t n, struct sthread *t)
{
    size_t target = below(n); /* t is threads[n - 1] already */
    struct sthread *other = threads[target];
    if (other == t) {
        t->priority = P.next_priority++;
        return;
    }
    t->priority = other->priority;
    other->priority = P.next_priority++;
}

static bool is_change_point(uint64_t decision)
{
    for (size_t i = 0; i < P.n_change; i++)
        if (P.change_points[i] == decision)
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

struct sthread *td__sched_choose(struct sthread *const *threads, size_t n, struct sthread *self,
                                 bool yielding)
{
    struct sthread *best = NULL;
    size_t runnable = 0, free_to_run = 0;
    for (size_t i = 0; i < n; i++) {
        const struct sthread *t = threads[i];
        runnable += t->state == RUNNABLE;
        free_to_run += t->state == RUNNABLE && !held_back(t);
    }
    if (runnable == 0)
        return NULL;
    bool holding_back = free_to_run > 0 && P.kind != TD_POLICY_FIFO;
    if (holding_back)
        runnable = free_to_run;
    if (P.kind == TD_POLICY_RANDOM) {
        size_t k = below(runnable);
        for (size_t i = 0; i < n; i++)
            if (eligible(threads[i], holding_back) && k-- == 0)
                return threads[i];
    }
    if (P.kind == TD_POLICY_PCT && runnable > 1) {
        P.decisions++;
        if (self && self->state == RUNNABLE && (yielding || is_change_point(P.decisions)))
            self->priority = P.next_priority++;
    }
    for (size_t i = 0; i < n; i++) {
        struct sthread *t = threads[i];
        if (!eligible(t, holding_back))
            continue;
        bool better = !best || (P.kind == TD_POLICY_PCT ? t->priority < best->priority
                                                        : t->ready_at < best->ready_at);
        if (better)
            best = t;
    }
    return best;
}

void td__sched_policy_plan(void)
{
    unsigned depth = P.depth ? P.depth : 3;
    uint64_t steps = P.steps ? P.steps : 1000;
    P.n_change = 0;
    /* depth - 1 distinct decisions in 1 .. steps - 1 (Shuttle: none at step 0). */
    while (P.n_change + 1 < depth && P.n_change + 1 < steps) {
        uint64_t at = 1 + below(steps - 1);
        if (!is_change_point(at))
            P.change_points[P.n_change++] = at;
    }
}

void td__sched_policy_begin(const td_policy_t *policy)
{
    memset(&P, 0, sizeof P);
    P.kind = policy->kind;
    P.depth = policy->depth;
    P.steps = policy->steps;
    P.rng = policy->seed;
}

void td__sched_policy_admit(struct sthread *const *threads, size_t n, struct sthread *t)
{
    if (P.kind == TD_POLICY_PCT)
        give_priority(threads, n, t);
}
