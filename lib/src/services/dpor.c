/* SPDX-License-Identifier: MIT */
/* dpor.c - the exploration engine of explore.h: a tree of decisions, the races of
 * each run, the next branch to run.
 *
 * The engine keeps the run it is exploring as a stack of nodes, one per decision:
 * who could run there (free, held back, asleep) and what each would do, whom the run
 * chose, whom it still must try there (backtrack) and whom it has tried (done). After
 * a run it finds every race from the branch on (dpor_races.c): two steps of different
 * threads that must keep their order (one object, one of them changing it; or one lock
 * taken by both, one holder after the other) with nothing between them ordering them
 * (vector clocks), unless the later step's thread was held back at the earlier one
 * (waiting for a lock its thread held, or to join it) and could not have gone first.
 * For each race it takes v, the steps after the earlier one that do not depend on it,
 * then the later one; unless the earlier step's node already holds (or has asleep) a
 * thread that could start v, it adds one: Source-DPOR (Abdulla, Aronis, Jonsson and
 * Sagonas, POPL 2014). The next run branches at the deepest node with a thread left to
 * try, asleep there being every thread tried before it whose step commutes with the
 * new choice; the run makes its own decisions from there, sleep sets carried along
 * (sched_explore.c). With sleep sets, no two complete runs are equivalent: each one
 * that is not cut short is a class of its own.
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
    return td__dpor_analyse(ex);
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
