/* SPDX-License-Identifier: MIT */
/* dpor.c - the exploration engine of explore.h: a tree of decisions, the races of
 * each run, the next branch to run.
 *
 * The engine keeps the run it is exploring as a stack of nodes, one per decision:
 * who could run there (free, held back, asleep) and what each would do, whom the run
 * chose, whom it still must try there (backtrack) and whom it has tried (done). After
 * a run it finds, for every step e_j of thread p from the branch on, the last earlier
 * step e_i of another thread that must keep its order with e_j and could have run
 * beside p's step (not while p was held back at a lock e_i's thread held, or at the
 * join of e_i's thread); if e_i does not happen before p's previous step (vector
 * clocks over the same order), the two race, and p is added to the backtrack set of
 * e_i's node (or, when p could not run there, every thread that could): Flanagan and
 * Godefroid's DPOR. The next run branches at the deepest node with a thread left to
 * try, asleep there being every thread tried before it whose step commutes with the
 * new choice; the run writes its own decisions, sleep sets carried along (sched_explore.c).
 *
 * Under a preemption bound the reduction is off (with sleep sets and races a bound can
 * lose schedules it allows): every free thread is a branch at every node, and the
 * branches that would exceed the bound are not taken.
 *
 * Thread numbers go up to 64 (bit sets); nodes hold what the run wrote, so memory is
 * the size of one run's record.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dpor_internal.h"

/* ---- races ----------------------------------------------------------------------------- */

/* What the step run at node does (its end, if it ended its thread, is node->ended). */
static td__op_t step_op(const struct node *node)
{
    return td__dpor_find(node, node->chosen)->op;
}

/* Whether the steps at nodes a and b must keep their order: their ops do, or one
 * ended its thread and the other touches that thread (a join). */
static bool steps_dependent(const td_explore_t *ex, const struct node *a, const struct node *b)
{
    td__op_t x = step_op(a), y = step_op(b);
    if (td__op_dependent(x, y, ex->o.lines_commute))
        return true;
    td__op_t end_a = { TD__POINT_WRITE, a->end_object }, end_b = { TD__POINT_WRITE, b->end_object };
    return (a->ended && td__op_dependent(end_a, y, ex->o.lines_commute)) ||
           (b->ended && td__op_dependent(x, end_b, ex->o.lines_commute));
}

/* The node whose step started thread p: the one before the first node that lists
 * p (a thread is listed from its start on). SIZE_MAX: p was there from the first. */
static size_t creator_step(const td_explore_t *ex, unsigned p)
{
    for (size_t i = 0; i < ex->n; i++)
        if (td__dpor_find(&ex->nodes[i], p))
            return i ? i - 1 : SIZE_MAX;
    return SIZE_MAX;
}

/* The index of p's last step before node j; for p's first step, the step that
 * started p; SIZE_MAX if neither is in the run. */
static size_t previous_step(const td_explore_t *ex, unsigned p, size_t j)
{
    for (size_t i = j; i-- > 0;)
        if (ex->nodes[i].chosen == p)
            return i;
    return creator_step(ex, p);
}

static void join_clock(uint32_t *mine, const uint32_t *theirs)
{
    for (size_t t = 0; t < MAX_THREADS; t++)
        if (theirs[t] > mine[t])
            mine[t] = theirs[t];
}

/* Vector clocks: vc[i * MAX_THREADS + t] is how many steps of thread t + 1 happen
 * before node i's step, itself included: program order, the start of a thread before
 * its first step, and every pair of steps that must keep their order. */
static uint32_t *clocks(const td_explore_t *ex)
{
    uint32_t *vc = calloc(ex->n ? ex->n * MAX_THREADS : 1, sizeof *vc);
    uint32_t steps_of[MAX_THREADS] = { 0 };
    if (!vc)
        return NULL;
    for (size_t j = 0; j < ex->n; j++) {
        uint32_t *mine = vc + j * MAX_THREADS;
        unsigned p = ex->nodes[j].chosen;
        size_t prev = previous_step(ex, p, j);
        if (prev != SIZE_MAX)
            join_clock(mine, vc + prev * MAX_THREADS);
        for (size_t i = j; i-- > 0;)
            if (ex->nodes[i].chosen != p && steps_dependent(ex, &ex->nodes[i], &ex->nodes[j]))
                join_clock(mine, vc + i * MAX_THREADS);
        mine[p - 1] = ++steps_of[p - 1];
    }
    return vc;
}

/* Whether node i's step happens before node k's (k SIZE_MAX: never). */
static bool happens_before(const td_explore_t *ex, const uint32_t *vc, size_t i, size_t k)
{
    if (k == SIZE_MAX)
        return false;
    unsigned q = ex->nodes[i].chosen;
    uint32_t index_of_i = vc[i * MAX_THREADS + q - 1];
    return vc[k * MAX_THREADS + q - 1] >= index_of_i;
}

static bool is_acquire(td__op_t op)
{
    return op.kind == TD__POINT_LOCK || op.kind == TD__POINT_ACQUIRE;
}

/* Whether node i's step and node j's (i < j, other threads) race: they must keep
 * their order and nothing between them orders them, or both take one lock, j's the
 * next after i's (its holder's release is what orders them, and a release and the
 * acquire it lets through cannot be swapped). Not when j's thread was held back at
 * node i and has not run since: its step could not have gone first there. */
static bool races(const td_explore_t *ex, const uint32_t *vc, size_t i, size_t j, size_t prev)
{
    const struct node *a = &ex->nodes[i], *b = &ex->nodes[j];
    td__op_t x = step_op(a), y = step_op(b);
    bool lock_pair = is_acquire(x) && is_acquire(y) && x.object == y.object;
    if (!lock_pair && !steps_dependent(ex, a, b))
        return false;
    const struct listed *then = td__dpor_find(a, b->chosen);
    bool waited = prev == SIZE_MAX || prev < i || ex->nodes[prev].chosen != b->chosen;
    if (waited && then && then->status == 'h')
        return false;
    if (lock_pair) {
        for (size_t k = i + 1; k < j; k++) {
            td__op_t z = step_op(&ex->nodes[k]);
            if (ex->nodes[k].chosen != b->chosen && is_acquire(z) && z.object == y.object)
                return false; /* a later holder came between */
        }
        return !happens_before(ex, vc, i, prev);
    }
    for (size_t k = i + 1; k < j; k++)
        if (happens_before(ex, vc, i, k) && happens_before(ex, vc, k, j))
            return false;
    return true;
}

/* The threads that could start v = notdep(i).j, the steps after node i's that do
 * not happen after it, then node j's: those with a step in v that nothing earlier in
 * v happens before (the initials of Abdulla et al.'s source sets). */
static uint64_t initials(const td_explore_t *ex, const uint32_t *vc, size_t i, size_t j)
{
    uint64_t seen = 0, first = 0;
    for (size_t k = i + 1; k <= j; k++) {
        if (k < j && happens_before(ex, vc, i, k))
            continue;
        unsigned q = ex->nodes[k].chosen;
        if (seen & td__dpor_bit(q))
            continue;
        seen |= td__dpor_bit(q);
        bool has_before = false;
        for (size_t m = i + 1; m < k && !has_before; m++)
            has_before = !happens_before(ex, vc, i, m) && happens_before(ex, vc, m, k);
        if (!has_before)
            first |= td__dpor_bit(q);
    }
    return first;
}

/* Every race of node j's step with an earlier one: unless the branch at the earlier
 * step's node already holds a thread that could start the reversed order (or it
 * sleeps there: explored), add one (Source-DPOR, Abdulla et al., POPL 2014). */
static void races_of(td_explore_t *ex, const uint32_t *vc, size_t j)
{
    size_t prev = previous_step(ex, ex->nodes[j].chosen, j);
    for (size_t i = 0; i < j; i++) {
        struct node *e = &ex->nodes[i];
        if (e->chosen == ex->nodes[j].chosen || !races(ex, vc, i, j, prev))
            continue;
        uint64_t can_start = initials(ex, vc, i, j);
        if (can_start & (e->backtrack | e->asleep))
            continue;
        uint64_t free_there = can_start & td__dpor_free_set(e);
        if (!free_there)
            free_there = td__dpor_free_set(e); /* cannot happen if the record is right: be safe */
        unsigned q = (free_there & td__dpor_bit(e->self)) ? e->self : 0;
        for (unsigned t = 1; !q && t <= MAX_THREADS; t++)
            if (free_there & td__dpor_bit(t))
                q = t;
        e->backtrack |= td__dpor_bit(q);
    }
}

static int analyse(td_explore_t *ex)
{
    if (ex->o.bounded)
        return 0; /* bounded: every free thread is a branch already */
    uint32_t *vc = clocks(ex);
    if (!vc)
        return -ENOMEM;
    size_t from = ex->branch == SIZE_MAX ? 0 : ex->branch;
    for (size_t j = from; j < ex->n; j++)
        races_of(ex, vc, j);
    free(vc);
    return 0;
}

/* ---- the next branch -------------------------------------------------------------------- */

/* The threads still to try at node i, within the bound. */
static uint64_t to_try(const td_explore_t *ex, size_t i)
{
    const struct node *node = &ex->nodes[i];
    uint64_t left = node->backtrack & ~node->done & ~node->asleep & td__dpor_free_set(node);
    if (!ex->o.bounded)
        return left;
    unsigned before = i ? ex->nodes[i - 1].preemptions : 0;
    for (unsigned t = 1; t <= MAX_THREADS; t++)
        if ((left & td__dpor_bit(t)) && before + td__dpor_preempts(node, t) > ex->o.max_preemptions)
            left &= ~td__dpor_bit(t);
    return left;
}

static int append(td_explore_t *ex, size_t *len, const char *fmt, ...) TD__PRINTF(3, 4);

/* Add printf's text to the request: 0 or -ENOMEM. */
static int append(td_explore_t *ex, size_t *len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -ENOMEM;
    if (*len + (size_t)n + 1 > ex->request_cap) {
        size_t cap = (*len + (size_t)n + 1) * 2;
        char *grown = realloc(ex->request, cap);
        if (!grown)
            return -ENOMEM;
        ex->request = grown;
        ex->request_cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(ex->request + *len, ex->request_cap - *len, fmt, ap);
    va_end(ap);
    *len += (size_t)n;
    return 0;
}

/* Write the choices of nodes [0, upto] that differ from the plain order. */
static int append_choices(td_explore_t *ex, size_t *len, size_t upto)
{
    bool first = true;
    for (size_t i = 0; i <= upto && i < ex->n; i++) {
        const struct node *node = &ex->nodes[i];
        if (node->chosen == td__dpor_plain_choice(node))
            continue;
        if (append(ex, len, "%s%u@%zu", first ? "" : ",", node->chosen, i) != 0)
            return -ENOMEM;
        first = false;
    }
    return 0;
}

/* The request to run node k with thread p: the choices up to k, then free. */
static int make_request(td_explore_t *ex, size_t k, uint64_t asleep)
{
    size_t len = 0;
    if (append(ex, &len, "free=%zu commute=%d sleep=", k + 1, ex->o.lines_commute) != 0)
        return -ENOMEM;
    bool first = true;
    for (unsigned t = 1; t <= MAX_THREADS; t++)
        if (asleep & td__dpor_bit(t)) {
            if (append(ex, &len, "%s%u", first ? "" : ",", t) != 0)
                return -ENOMEM;
            first = false;
        }
    if (append(ex, &len, " choices=") != 0 || append_choices(ex, &len, k) != 0 ||
        append(ex, &len, "\n") != 0)
        return -ENOMEM;
    return 0;
}

/* The sleep set after choosing p at node: the threads tried there before p, or asleep
 * there, whose step commutes with p's. */
static uint64_t sleep_after(const td_explore_t *ex, const struct node *node, unsigned p)
{
    if (ex->o.bounded)
        return 0;
    td__op_t op = td__dpor_find(node, p)->op;
    uint64_t asleep = 0;
    for (size_t i = 0; i < node->n_threads; i++) {
        const struct listed *l = &node->threads[i];
        bool tried = (node->done | node->asleep) & td__dpor_bit(l->number);
        if (l->number != p && td__dpor_is_free(l) && tried &&
            !td__op_dependent(l->op, op, ex->o.lines_commute))
            asleep |= td__dpor_bit(l->number);
    }
    return asleep;
}

int td_explore_next(td_explore_t *ex, const char **request)
{
    if (!ex->started) {
        ex->started = true;
        ex->branch = SIZE_MAX;
        size_t len = 0;
        if (append(ex, &len, "free=0 commute=%d sleep= choices=\n", ex->o.lines_commute) != 0)
            return -ENOMEM;
        *request = ex->request;
        return 1;
    }
    for (size_t k = ex->n; k-- > 0;) {
        uint64_t left = to_try(ex, k);
        if (!left)
            continue;
        struct node *node = &ex->nodes[k];
        /* Fewest preemptions first: the thread that ran, else the lowest number. */
        unsigned p = (left & td__dpor_bit(node->self)) ? node->self : 0;
        for (unsigned t = 1; !p; t++)
            if (left & td__dpor_bit(t))
                p = t;
        td__dpor_free_nodes_from(ex, k + 1);
        node->chosen = p;
        node->done |= td__dpor_bit(p);
        node->preemptions = (k ? ex->nodes[k - 1].preemptions : 0) + td__dpor_preempts(node, p);
        ex->branch = k;
        if (make_request(ex, k, sleep_after(ex, node, p)) != 0)
            return -ENOMEM;
        *request = ex->request;
        return 1;
    }
    return 0;
}

int td_explore_feed(td_explore_t *ex, const char *record, size_t size)
{
    int rc = td__dpor_parse_record(ex, record, size);
    if (rc != 0)
        return rc;
    ex->stats.runs++;
    if (ex->last.redundant)
        ex->stats.redundant++;
    else
        ex->stats.schedules++;
    return analyse(ex);
}

/* ---- the rest of the API ----------------------------------------------------------------- */

int td_explore_new(td_explore_t **out, const td_explore_options_t *options)
{
    if (!out || (options && options->bounded && options->max_preemptions > 64))
        return -EINVAL;
    td_explore_t *ex = calloc(1, sizeof *ex);
    if (!ex)
        return -ENOMEM;
    ex->o = options ? *options : (td_explore_options_t){ 0 };
    *out = ex;
    return 0;
}

void td_explore_free(td_explore_t *ex)
{
    if (!ex)
        return;
    td__dpor_free_nodes_from(ex, 0);
    free(ex->nodes);
    free(ex->request);
    free(ex);
}

void td_explore_last(const td_explore_t *ex, td_explore_run_t *run)
{
    *run = ex->last;
}

size_t td_explore_last_schedule(const td_explore_t *ex, char *buf, size_t size)
{
    size_t len = (size_t)snprintf(buf, size, "replay:");
    bool first = true;
    for (size_t i = 0; i < ex->n; i++) {
        const struct node *node = &ex->nodes[i];
        if (node->chosen == td__dpor_plain_choice(node))
            continue;
        int n = snprintf(len < size ? buf + len : NULL, len < size ? size - len : 0,
                         first ? "%u@%zu" : ",%u@%zu", node->chosen, i);
        len += n > 0 ? (size_t)n : 0;
        first = false;
    }
    return len;
}

void td_explore_stats(const td_explore_t *ex, td_explore_stats_t *stats)
{
    *stats = ex->stats;
    stats->pending = 0;
    stats->estimate = 1;
    for (size_t i = 0; i < ex->n; i++) {
        stats->pending += (uint64_t)__builtin_popcountll(to_try(ex, i));
        uint64_t branches = (uint64_t)__builtin_popcountll(ex->nodes[i].backtrack |
                                                           ex->nodes[i].done);
        if (branches > 1 && stats->estimate > UINT64_MAX / branches)
            stats->estimate = UINT64_MAX;
        else if (branches > 1)
            stats->estimate *= branches;
    }
}
