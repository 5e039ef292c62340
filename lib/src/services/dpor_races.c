/* SPDX-License-Identifier: MIT */
/* dpor_races.c - the races of one run, and the branches they open (dpor.c's design):
 * one pass forward over the run's steps keeps vector clocks and, per object and
 * thread, the last step that wrote it, touched it or took it as a lock, so each step's
 * possible races are found among one candidate per thread, in time linear in the run
 * for a fixed number of threads.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dpor_internal.h"

/* What the step run at node does (its end, if it ended its thread, is node->ended). */
static td__op_t step_op(const struct node *node)
{
    return td__dpor_find(node, node->chosen)->op;
}

/* The accesses of the step at node: its op's, and the write of its thread's object
 * if it ended its thread (which a join reads). Returns how many (0 to 2). */
static int accesses(const td_explore_t *ex, const struct node *node, td__access_t *acc,
                    uint32_t *object)
{
    td__op_t op = step_op(node);
    int n = 0;
    acc[n] = td__op_access(op.kind, ex->o.lines_commute);
    object[n] = op.object;
    n += acc[n] != TD__LOCAL;
    if (node->ended) {
        acc[n] = TD__WRITES;
        object[n++] = node->end_object;
    }
    return n;
}

static bool is_acquire(td__op_t op)
{
    return op.kind == TD__POINT_LOCK || op.kind == TD__POINT_ACQUIRE;
}

/* What one analysis of a run keeps: vector clocks (vc[i * MAX_THREADS + t]: how many
 * steps of thread t + 1 happen before node i's, itself included), each node's
 * previous step of its thread (or the step that started it), and each thread's steps
 * in order. */
typedef struct analysis {
    const td_explore_t *ex;
    uint32_t *vc;
    size_t *prev;
    size_t *steps[MAX_THREADS];
    uint32_t n_steps[MAX_THREADS];
    uint32_t n_objects;
    /* Per object and thread, the last step (index + 1, 0: none) that wrote it, that
     * touched it, that took it as a lock; per thread, the last that may touch anything
     * and the last that touches anything shared; as the pass goes forward. */
    uint32_t *last_write, *last_access, *last_acquire;
    uint32_t last_any[MAX_THREADS], last_shared[MAX_THREADS];
    /* Per object, the clock of its last write and the join of its reads since; the
     * join of every step, and the clock of the last step that may touch anything. */
    uint32_t *write_clock, *read_clock;
    uint32_t all_clock[MAX_THREADS], any_clock[MAX_THREADS];
} analysis_t;

static void join_clock(uint32_t *mine, const uint32_t *theirs)
{
    for (size_t t = 0; t < MAX_THREADS; t++)
        if (theirs[t] > mine[t])
            mine[t] = theirs[t];
}

/* Whether node i's step happens before node k's (k SIZE_MAX: never). */
static bool happens_before(const analysis_t *a, size_t i, size_t k)
{
    if (k == SIZE_MAX)
        return false;
    unsigned q = a->ex->nodes[i].chosen;
    return a->vc[k * MAX_THREADS + q - 1] >= a->vc[i * MAX_THREADS + q - 1];
}

static void analysis_free(analysis_t *a)
{
    free(a->vc);
    free(a->prev);
    for (size_t t = 0; t < MAX_THREADS; t++)
        free(a->steps[t]);
    free(a->last_write);
    free(a->last_access);
    free(a->last_acquire);
    free(a->write_clock);
    free(a->read_clock);
}

/* Size the tables: every node's thread steps and objects counted. 0 or -ENOMEM. */
static int analysis_init(analysis_t *a, const td_explore_t *ex)
{
    memset(a, 0, sizeof *a);
    a->ex = ex;
    size_t n = ex->n ? ex->n : 1;
    uint32_t count[MAX_THREADS] = { 0 };
    for (size_t i = 0; i < ex->n; i++) {
        const struct node *node = &ex->nodes[i];
        count[node->chosen - 1]++;
        uint32_t top = step_op(node).object > node->end_object ? step_op(node).object
                                                                : node->end_object;
        if (top + 1 > a->n_objects)
            a->n_objects = top + 1;
    }
    size_t per_object = (size_t)(a->n_objects ? a->n_objects : 1) * MAX_THREADS;
    a->vc = calloc(n * MAX_THREADS, sizeof *a->vc);
    a->prev = calloc(n, sizeof *a->prev);
    a->last_write = calloc(per_object, sizeof *a->last_write);
    a->last_access = calloc(per_object, sizeof *a->last_access);
    a->last_acquire = calloc(per_object, sizeof *a->last_acquire);
    a->write_clock = calloc(per_object, sizeof *a->write_clock);
    a->read_clock = calloc(per_object, sizeof *a->read_clock);
    bool ok = a->vc && a->prev && a->last_write && a->last_access && a->last_acquire &&
              a->write_clock && a->read_clock;
    for (size_t t = 0; t < MAX_THREADS && ok; t++)
        ok = !count[t] || (a->steps[t] = calloc(count[t], sizeof *a->steps[t])) != NULL;
    if (!ok)
        analysis_free(a);
    return ok ? 0 : -ENOMEM;
}

/* Node j's clock: its thread's previous step (or its start), the last step that may
 * touch anything, and per access the object's last write (and, for a write, its
 * reads since); for a step that may touch anything, every step before it. */
static void clock_of(analysis_t *a, size_t j, const td__access_t *acc, const uint32_t *object,
                     int n_acc, bool anything)
{
    uint32_t *mine = a->vc + j * MAX_THREADS;
    if (a->prev[j] != SIZE_MAX)
        join_clock(mine, a->vc + a->prev[j] * MAX_THREADS);
    if (anything)
        join_clock(mine, a->all_clock);
    join_clock(mine, a->any_clock);
    for (int k = 0; k < n_acc; k++) {
        join_clock(mine, a->write_clock + (size_t)object[k] * MAX_THREADS);
        if (acc[k] == TD__WRITES)
            join_clock(mine, a->read_clock + (size_t)object[k] * MAX_THREADS);
    }
    unsigned p = a->ex->nodes[j].chosen;
    mine[p - 1] = ++a->n_steps[p - 1];
    a->steps[p - 1][mine[p - 1] - 1] = j;
}

/* After node j: the tables say what j did. */
static void record_step(analysis_t *a, size_t j, const td__access_t *acc, const uint32_t *object,
                        int n_acc, bool anything)
{
    const uint32_t *mine = a->vc + j * MAX_THREADS;
    unsigned p = a->ex->nodes[j].chosen;
    join_clock(a->all_clock, mine);
    if (anything) {
        memcpy(a->any_clock, mine, sizeof a->any_clock);
        a->last_any[p - 1] = (uint32_t)j + 1;
    }
    if (n_acc > 0 || anything)
        a->last_shared[p - 1] = (uint32_t)j + 1;
    for (int k = 0; k < n_acc; k++) {
        size_t at = (size_t)object[k] * MAX_THREADS;
        a->last_access[at + p - 1] = (uint32_t)j + 1;
        if (acc[k] == TD__WRITES) {
            memcpy(a->write_clock + at, mine, MAX_THREADS * sizeof *mine);
            memset(a->read_clock + at, 0, MAX_THREADS * sizeof *mine);
            a->last_write[at + p - 1] = (uint32_t)j + 1;
        } else {
            join_clock(a->read_clock + at, mine);
        }
    }
    td__op_t op = step_op(&a->ex->nodes[j]);
    if (is_acquire(op))
        a->last_acquire[(size_t)op.object * MAX_THREADS + p - 1] = (uint32_t)j + 1;
}

/* Whether nothing between node i's step and node j's orders them (i happens before
 * j): no step k, i < k < j, with i before k and k before j. The last step of each
 * thread that happens before j is the only one to look at. */
static bool direct(const analysis_t *a, size_t i, size_t j)
{
    unsigned p = a->ex->nodes[j].chosen;
    for (unsigned t = 1; t <= MAX_THREADS; t++) {
        uint32_t c = t == p ? (a->prev[j] != SIZE_MAX && a->ex->nodes[a->prev[j]].chosen == p
                                   ? a->vc[a->prev[j] * MAX_THREADS + p - 1]
                                   : 0)
                            : a->vc[j * MAX_THREADS + t - 1];
        if (c == 0)
            continue;
        size_t k = a->steps[t - 1][c - 1];
        if (k > i && k < j && happens_before(a, i, k))
            return false;
    }
    return true;
}

/* Thread t's first step after node i, if it is before node j and does not happen
 * after i; else SIZE_MAX. */
static size_t first_unordered(const analysis_t *a, unsigned t, size_t i, size_t j)
{
    size_t lo = 0, hi = a->n_steps[t - 1];
    while (lo < hi) { /* the first of t's steps with an index above i */
        size_t mid = (lo + hi) / 2;
        if (a->steps[t - 1][mid] > i)
            hi = mid;
        else
            lo = mid + 1;
    }
    if (lo == a->n_steps[t - 1])
        return SIZE_MAX;
    size_t k = a->steps[t - 1][lo];
    return k < j && !happens_before(a, i, k) ? k : SIZE_MAX;
}

/* The threads that could start v = notdep(i).j, the steps after node i's that do
 * not happen after it, then node j's: those whose first step in v has nothing of v
 * before it (the initials of Abdulla et al.'s source sets). */
static uint64_t initials(const analysis_t *a, size_t i, size_t j)
{
    size_t first[MAX_THREADS];
    unsigned p = a->ex->nodes[j].chosen;
    for (unsigned t = 1; t <= MAX_THREADS; t++) {
        first[t - 1] = a->n_steps[t - 1] ? first_unordered(a, t, i, j) : SIZE_MAX;
        if (t == p && first[t - 1] == SIZE_MAX)
            first[t - 1] = j;
    }
    uint64_t can_start = 0;
    for (unsigned t = 1; t <= MAX_THREADS; t++) {
        size_t f = first[t - 1];
        if (f == SIZE_MAX)
            continue;
        bool has_before = false;
        for (unsigned u = 1; u <= MAX_THREADS && !has_before; u++) {
            size_t g = first[u - 1];
            if (u == t || g == SIZE_MAX || g > f)
                continue;
            /* g is u's first step in v: if any of u's steps in v is before f, g is. */
            has_before = happens_before(a, g, f);
        }
        if (!has_before)
            can_start |= td__dpor_bit(t);
    }
    return can_start;
}

/* The race of node j's step with node i's, if they race: unless the branch at node i
 * already holds a thread that could start the reversed order (or one asleep there:
 * explored), add one (Source-DPOR, Abdulla et al., POPL 2014). Not when j's thread was
 * held back at node i and has not run since: its step could not have gone first. */
static void reverse(td_explore_t *ex, const analysis_t *a, size_t i, size_t j)
{
    struct node *e = &ex->nodes[i];
    unsigned p = ex->nodes[j].chosen;
    size_t prev = a->prev[j];
    const struct listed *then = td__dpor_find(e, p);
    bool waited = prev == SIZE_MAX || prev < i || ex->nodes[prev].chosen != p;
    if (waited && then && then->status == 'h')
        return;
    uint64_t can_start = initials(a, i, j);
    if (can_start & (e->backtrack | e->asleep))
        return;
    uint64_t free_there = can_start & td__dpor_free_set(e);
    if (!free_there)
        free_there = td__dpor_free_set(e); /* cannot happen if the record is right: be safe */
    unsigned q = (free_there & td__dpor_bit(e->self)) ? e->self : 0;
    for (unsigned t = 1; !q && t <= MAX_THREADS; t++)
        if (free_there & td__dpor_bit(t))
            q = t;
    e->backtrack |= td__dpor_bit(q);
}

/* Node j's races. For each other thread, the only step that can race with j's is its
 * last one before j that must keep its order with j (an earlier one comes before that
 * one, which comes before j), if nothing between orders the two; and two acquires of
 * one lock race when j's is the next after i's (the holder's release orders them, and
 * a release and the acquire it lets through cannot be swapped), unless i happens
 * before j's previous step. */
static void races_of(td_explore_t *ex, const analysis_t *a, size_t j, const td__access_t *acc,
                     const uint32_t *object, int n_acc, bool anything)
{
    unsigned p = ex->nodes[j].chosen;
    td__op_t op = step_op(&ex->nodes[j]);
    uint32_t lock_candidate = 0;
    for (unsigned t = 1; t <= MAX_THREADS; t++) {
        if (t == p)
            continue;
        uint32_t last = anything ? a->last_shared[t - 1] : a->last_any[t - 1];
        for (int k = 0; k < n_acc && !anything; k++) {
            size_t at = (size_t)object[k] * MAX_THREADS + t - 1;
            uint32_t mine = acc[k] == TD__WRITES ? a->last_access[at] : a->last_write[at];
            if (mine > last)
                last = mine;
        }
        if (last && direct(a, last - 1, j))
            reverse(ex, a, last - 1, j);
        if (is_acquire(op)) {
            uint32_t held = a->last_acquire[(size_t)op.object * MAX_THREADS + t - 1];
            if (held > lock_candidate)
                lock_candidate = held;
        }
    }
    if (lock_candidate && !happens_before(a, lock_candidate - 1, a->prev[j]))
        reverse(ex, a, lock_candidate - 1, j);
}

int td__dpor_analyse(td_explore_t *ex)
{
    if (ex->o.bounded)
        return 0; /* bounded: every free thread is a branch already */
    analysis_t a;
    if (analysis_init(&a, ex) != 0)
        return -ENOMEM;
    size_t from = ex->branch == SIZE_MAX ? 0 : ex->branch;
    size_t started_by[MAX_THREADS];
    uint32_t last_of[MAX_THREADS] = { 0 };
    for (size_t t = 0; t < MAX_THREADS; t++)
        started_by[t] = SIZE_MAX;
    for (size_t j = 0; j < ex->n; j++) {
        const struct node *node = &ex->nodes[j];
        /* A thread listed for the first time was started by the step before. */
        for (size_t k = 0; j > 0 && k < node->n_threads; k++) {
            unsigned t = node->threads[k].number;
            if (started_by[t - 1] == SIZE_MAX && !td__dpor_find(&ex->nodes[j - 1], t) &&
                !last_of[t - 1])
                started_by[t - 1] = j - 1;
        }
        unsigned p = node->chosen;
        a.prev[j] = last_of[p - 1] ? last_of[p - 1] - 1 : started_by[p - 1];
        td__access_t acc[2];
        uint32_t object[2];
        int n_acc = accesses(ex, node, acc, object);
        bool anything = n_acc > 0 && acc[0] == TD__ANYTHING;
        clock_of(&a, j, acc, object, anything ? 0 : n_acc, anything);
        if (j >= from)
            races_of(ex, &a, j, acc, object, anything ? 0 : n_acc, anything);
        record_step(&a, j, acc, object, anything ? 0 : n_acc, anything);
        last_of[p - 1] = (uint32_t)j + 1;
    }
    analysis_free(&a);
    return 0;
}

