/* SPDX-License-Identifier: MIT */
/* dpor_internal.h - what the exploration engine's two files share: the tree of
 * decisions (dpor.c explores it, dpor_record.c fills it from a run's record). */
#ifndef THRDEMO_DPOR_INTERNAL_H
#define THRDEMO_DPOR_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sched_internal.h"
#include "thrdemo/explore.h"

enum { MAX_THREADS = 64 };

struct listed {
    unsigned number;
    char status; /* 'f' free, 'h' held back, 's' asleep */
    td__op_t op;
};

struct node {
    unsigned self, chosen;
    bool self_free, yielding;
    struct listed *threads;
    size_t n_threads;
    uint64_t backtrack, done, asleep; /* bits: thread number - 1 */
    bool ended;                       /* the chosen step ended its thread ... */
    uint32_t end_object;              /* ... whose object this is */
    unsigned preemptions;             /* up to and including this node's choice */
};

struct td_explore {
    td_explore_options_t o;
    struct node *nodes;
    size_t n, cap;
    size_t branch; /* the node the pending request changed; SIZE_MAX: the first run */
    bool started;
    char *request;
    size_t request_cap;
    td_explore_run_t last;
    td_explore_stats_t stats;
};

/* The bit of thread `number` in a thread set (0 for a number out of range). */
uint64_t td__dpor_bit(unsigned number);
/* Thread `number` as node lists it, or NULL. */
const struct listed *td__dpor_find(const struct node *node, unsigned number);
/* Whether a listed thread may run there (asleep ones may: they were run already). */
bool td__dpor_is_free(const struct listed *l);
/* The node's free threads as a set. */
uint64_t td__dpor_free_set(const struct node *node);
/* The thread the plain order runs at node (sched_policy.c's rule), 0 for none. */
unsigned td__dpor_plain_choice(const struct node *node);
/* Whether running `number` at node switches away from a thread that could go on. */
bool td__dpor_preempts(const struct node *node, unsigned number);
/* Drop the nodes from index `from` on. */
void td__dpor_free_nodes_from(td_explore_t *ex, size_t from);
/* Take in a run's record (size bytes): the nodes after the branch become the new
 * tail of the tree. 0, -EPROTO (not a record of the run asked for) or -ENOMEM. */
int td__dpor_parse_record(td_explore_t *ex, const char *record, size_t size);

/* Find the races of the run fed last, from its branch on, and add the threads that
 * reverse them to their nodes' backtrack sets (dpor_races.c): 0 or -ENOMEM. */
int td__dpor_analyse(td_explore_t *ex);

#endif
