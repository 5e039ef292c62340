/* SPDX-License-Identifier: MIT */
/* dpor_record.c - a run's record (sched_explore.c's lines) into the engine's tree of
 * decisions, and the plain order as the scheduler's replay policy follows it, so the
 * engine can write a schedule as the few decisions where it differs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dpor_internal.h"

uint64_t td__dpor_bit(unsigned number)
{
    return number >= 1 && number <= MAX_THREADS ? 1ULL << (number - 1) : 0;
}

const struct listed *td__dpor_find(const struct node *node, unsigned number)
{
    for (size_t i = 0; i < node->n_threads; i++)
        if (node->threads[i].number == number)
            return &node->threads[i];
    return NULL;
}

bool td__dpor_is_free(const struct listed *l)
{
    return l && l->status != 'h';
}

/* The node's free threads as bits. */
uint64_t td__dpor_free_set(const struct node *node)
{
    uint64_t set = 0;
    for (size_t i = 0; i < node->n_threads; i++)
        if (td__dpor_is_free(&node->threads[i]))
            set |= td__dpor_bit(node->threads[i].number);
    return set;
}

/* The plain order's choice at node, as sched_policy.c makes it: the thread that ran,
 * if it may go on and did not yield; else the next free thread after it (numbers
 * wrapping); else, none being free, the next held-back one. */
unsigned td__dpor_plain_choice(const struct node *node)
{
    if (node->self && !node->yielding && node->self_free)
        return node->self;
    unsigned from = node->yielding ? node->self : 0;
    for (int pass = 0; pass < 2; pass++) {
        unsigned best = 0, wrapped = 0;
        for (size_t i = 0; i < node->n_threads; i++) {
            const struct listed *l = &node->threads[i];
            if (pass == 0 && !td__dpor_is_free(l))
                continue;
            if (l->number > from && (!best || l->number < best))
                best = l->number;
            if (!wrapped || l->number < wrapped)
                wrapped = l->number;
        }
        if (best || wrapped)
            return best ? best : wrapped;
    }
    return 0;
}

/* Whether choosing `number` at node switches away from a thread that could go on. */
bool td__dpor_preempts(const struct node *node, unsigned number)
{
    return node->self && node->self_free && !node->yielding && number != node->self;
}

/* ---- the run's record ----------------------------------------------------------------- */

void td__dpor_free_nodes_from(td_explore_t *ex, size_t from)
{
    for (size_t i = from; i < ex->n; i++)
        free(ex->nodes[i].threads);
    if (from < ex->n)
        ex->n = from;
}

/* Parse "N decision self self_free yielding chosen {n:s:k:o}..." into *node. */
static int parse_node(const char *line, struct node *node, unsigned long long *decision)
{
    int self_free, yielding, used = 0;
    memset(node, 0, sizeof *node);
    if (sscanf(line, "N %llu %u %d %d %u%n", decision, &node->self, &self_free, &yielding,
               &node->chosen, &used) != 5)
        return -EPROTO;
    node->self_free = self_free != 0;
    node->yielding = yielding != 0;
    size_t cap = 0;
    for (const char *p = line + used; *p; p++)
        cap += *p == ' ';
    node->threads = calloc(cap ? cap : 1, sizeof *node->threads);
    if (!node->threads)
        return -ENOMEM;
    const char *p = line + used;
    while (*p == ' ') {
        struct listed l;
        unsigned kind, object;
        int n = 0;
        if (sscanf(p, " %u:%c:%u:%u%n", &l.number, &l.status, &kind, &object, &n) != 4 ||
            l.number == 0 || l.number > MAX_THREADS)
            return -EPROTO;
        l.op = (td__op_t){ (uint8_t)kind, object };
        node->threads[node->n_threads++] = l;
        if (l.status == 's')
            node->asleep |= td__dpor_bit(l.number);
        p += n;
    }
    return td__dpor_find(node, node->chosen) ? 0 : -EPROTO;
}

static int push(td_explore_t *ex, struct node *node)
{
    if (ex->n == ex->cap) {
        size_t cap = ex->cap ? ex->cap * 2 : 64;
        struct node *grown = realloc(ex->nodes, cap * sizeof *grown);
        if (!grown)
            return -ENOMEM;
        ex->nodes = grown;
        ex->cap = cap;
    }
    ex->nodes[ex->n++] = *node;
    return 0;
}

/* Take in one decision of the run: at or before the branch it must be the one made
 * before (only its step's end is new), after it a new node. */
static int take_node(td_explore_t *ex, struct node *node, unsigned long long decision,
                     size_t *index)
{
    size_t i = (*index)++;
    if (decision != i) {
        free(node->threads);
        return -EPROTO;
    }
    size_t branch = ex->branch == SIZE_MAX ? 0 : ex->branch + 1;
    if (i < branch) {
        bool same = i < ex->n && ex->nodes[i].chosen == node->chosen;
        free(node->threads);
        if (!same)
            return -EPROTO; /* the program did not replay its decisions */
        ex->nodes[i].ended = false;
        return 0;
    }
    node->done = node->backtrack = td__dpor_bit(node->chosen);
    const struct node *before = i ? &ex->nodes[i - 1] : NULL;
    node->preemptions = (before ? before->preemptions : 0) + td__dpor_preempts(node, node->chosen);
    if (ex->o.bounded)
        node->backtrack = td__dpor_free_set(node);
    return push(ex, node);
}

int td__dpor_parse_record(td_explore_t *ex, const char *record, size_t size)
{
    size_t index = 0;
    ex->last = (td_explore_run_t){ 0 };
    const char *p = record, *end = record + size;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break; /* a line cut short: the run was killed while writing it */
        char line[64 + MAX_THREADS * 40];
        size_t len = (size_t)(nl - p);
        if (len >= sizeof line)
            return -EPROTO;
        memcpy(line, p, len);
        line[len] = '\0';
        p = nl + 1;
        int rc = 0;
        unsigned number, object;
        int why;
        if (line[0] == 'N') {
            struct node node;
            unsigned long long decision;
            rc = parse_node(line, &node, &decision);
            if (rc != 0)
                free(node.threads);
            else
                rc = take_node(ex, &node, decision, &index);
        } else if (line[0] == 'E' && sscanf(line, "E %u %u", &number, &object) == 2) {
            if (index == 0 || ex->nodes[index - 1].chosen != number)
                return -EPROTO;
            ex->nodes[index - 1].ended = true;
            ex->nodes[index - 1].end_object = object;
        } else if (line[0] == 'S' && sscanf(line, "S %d", &why) == 1) {
            ex->last.complete = true;
            ex->last.redundant = why == TD_SCHED_REDUNDANT;
            ex->last.stuck = why == TD_SCHED_REDUNDANT ? 0 : why;
        } else {
            rc = -EPROTO;
        }
        if (rc != 0)
            return rc;
    }
    size_t branch = ex->branch == SIZE_MAX ? 0 : ex->branch + 1;
    if (index < branch)
        return -EPROTO; /* it stopped before the branch it was sent to */
    td__dpor_free_nodes_from(ex, index);
    ex->last.decisions = index;
    ex->last.preemptions = index ? ex->nodes[index - 1].preemptions : 0;
    return 0;
}
