/* SPDX-License-Identifier: MIT */
/* sched_policy.c - the controlled scheduler's policies: which runnable thread runs
 * next (sched_internal.h).
 *
 * fifo runs the thread that has waited longest; random picks one uniformly with a
 * seeded splitmix64, so a seed replays its schedule; pct (probabilistic concurrency
 * testing, as Shuttle's) gives every thread a distinct priority and runs the highest,
 * dropping the running thread to the lowest at depth - 1 change points drawn at the
 * start. Every draw comes from the one generator in the order the schedule makes
 * them, which is what makes a seed a schedule. replay follows a list of choices and,
 * everywhere else, the plain order: the thread that ran goes on while it is free to,
 * else the lowest-numbered free one (after a yield, the next one after the yielder),
 * so that a schedule is written as the few decisions where it differs (usually its
 * preemptions). The state P is touched only by the thread holding the token.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
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
    struct choice {
        uint64_t decision;
        unsigned thread;
    } *choices; /* replay, in increasing decisions */
    size_t n_choices, next_choice;
    uint64_t misses; /* choices of a thread that could not run then */
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
 * either): random, pct and replay hold it back until the lock is free, which keeps
 * every interleaving that can be seen and saves two hand-offs each time it would
 * have been chosen (lock-counter under random:1: 3 million switches -> 1 million).
 * fifo runs the thread that has waited longest even so, and it blocks in the Lock:
 * the order stays the plain one, and a --timeline shows who waited for the lock.
 * replay also holds back a join until the thread has ended, so that explore --all
 * sees a join once, after the end, and not also as a block and a wake-up. */
static bool held_back(const struct sthread *t)
{
    if (t->lock_word && atomic_load_explicit(t->lock_word, memory_order_relaxed) != 0)
        return true;
    return P.kind == TD_POLICY_REPLAY && t->joins && !td__thread_ended(t->joins);
}

bool td__sched_free_to_run(const struct sthread *t)
{
    return t->state == RUNNABLE && !held_back(t);
}

/* Whether t may be chosen: runnable and, unless every runnable thread is held back
 * (then the one chosen blocks in the Lock, and a deadlock is found as any other),
 * not held back. */
static bool eligible(const struct sthread *t, bool holding_back)
{
    return t->state == RUNNABLE && !(holding_back && held_back(t));
}

/* The first thread from index `from` on (wrapping) that passes `ok`, or NULL. */
static struct sthread *first_from(struct sthread *const *threads, size_t n, size_t from,
                                  bool (*ok)(const struct sthread *t),
                                  bool (*excluded)(const struct sthread *t))
{
    for (size_t k = 0; k < n; k++) {
        struct sthread *t = threads[(from + k) % n];
        if (ok(t) && !(excluded && excluded(t)))
            return t;
    }
    return NULL;
}

static bool runnable(const struct sthread *t)
{
    return t->state == RUNNABLE;
}

struct sthread *td__sched_plain_choice(struct sthread *const *threads, size_t n,
                                       const struct sthread *self, bool yielding,
                                       bool (*excluded)(const struct sthread *t))
{
    if (self && !yielding && td__sched_free_to_run(self) && !(excluded && excluded(self)))
        return (struct sthread *)self;
    /* After a yield the others go first, in turn; else the lowest number. */
    size_t from = self && yielding ? self->number % n : 0;
    struct sthread *t = first_from(threads, n, from, td__sched_free_to_run, excluded);
    if (t)
        return t;
    if (excluded && first_from(threads, n, from, td__sched_free_to_run, NULL))
        return NULL; /* every thread free to run is excluded */
    return first_from(threads, n, from, runnable, NULL); /* all held back: one blocks */
}

/* replay: the choice the list makes at this decision, if any, else the plain one
 * without the threads `excluded` says. */
static struct sthread *replay_choice(struct sthread *const *threads, size_t n,
                                     struct sthread *self, bool yielding,
                                     bool (*excluded)(const struct sthread *t))
{
    if (P.next_choice < P.n_choices && P.choices[P.next_choice].decision == P.decisions) {
        unsigned number = P.choices[P.next_choice++].thread;
        struct sthread *t = number <= n ? threads[number - 1] : NULL;
        if (t && t->state == RUNNABLE)
            return t;
        P.misses++; /* the run went elsewhere: the plain order goes on */
    }
    return td__sched_plain_choice(threads, n, self, yielding, excluded);
}

struct sthread *td__sched_choose(struct sthread *const *threads, size_t n, struct sthread *self,
                                 bool yielding, bool (*excluded)(const struct sthread *t))
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
    if (P.kind == TD_POLICY_REPLAY) {
        struct sthread *t = replay_choice(threads, n, self, yielding, excluded);
        P.decisions += t != NULL;
        return t;
    }
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

int td__sched_policy_set_choices(const char *text)
{
    free(P.choices);
    P.choices = NULL;
    P.n_choices = P.next_choice = 0;
    size_t cap = 1;
    for (const char *c = text; c && *c; c++)
        cap += *c == ',';
    if (!text || !*text)
        return 0;
    P.choices = calloc(cap, sizeof *P.choices);
    if (!P.choices)
        return -ENOMEM;
    const char *p = text;
    while (*p) {
        char *end;
        unsigned long thread = strtoul(p, &end, 10);
        if (end == p || *end != '@' || thread == 0)
            return -EINVAL;
        p = end + 1;
        unsigned long long decision = strtoull(p, &end, 10);
        if (end == p || (*end != ',' && *end != '\0'))
            return -EINVAL;
        if (P.n_choices && decision <= P.choices[P.n_choices - 1].decision)
            return -EINVAL;
        P.choices[P.n_choices++] = (struct choice){ decision, (unsigned)thread };
        p = *end ? end + 1 : end;
    }
    return 0;
}

uint64_t td__sched_policy_misses(void)
{
    return P.misses;
}

uint64_t td__sched_policy_decisions(void)
{
    return P.decisions;
}

void td__sched_policy_begin(const td_policy_t *policy)
{
    free(P.choices);
    memset(&P, 0, sizeof P);
    P.kind = policy->kind;
    P.depth = policy->depth;
    P.steps = policy->steps;
    P.rng = policy->seed;
    if (policy->kind == TD_POLICY_REPLAY)
        td__sched_policy_set_choices(policy->choices); /* checked by td_policy_parse */
}

void td__sched_policy_admit(struct sthread *const *threads, size_t n, struct sthread *t)
{
    if (P.kind == TD_POLICY_PCT)
        give_priority(threads, n, t);
}
