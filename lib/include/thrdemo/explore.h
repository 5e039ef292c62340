/* SPDX-License-Identifier: MIT */
/* explore.h - every schedule of a program up to equivalence: stateless model checking
 * with dynamic partial-order reduction (Flanagan and Godefroid, POPL 2005) and sleep
 * sets, over the scheduling points of schedule.h.
 *
 * Two schedules are equivalent when one becomes the other by swapping adjacent steps
 * of different threads that touch different objects, or only read one (a step is
 * what a thread does from one scheduling point to the next, and the point names what
 * it touches). Equivalent schedules end alike, so one run per class shows every
 * outcome the program can have. The engine runs the program once, finds the pairs
 * of steps of different threads that race (touch one object, one changing it, with
 * nothing ordering them), and for each asks for a run that reverses it; sleep sets
 * stop a run as soon as it can only repeat an explored class ("redundant": Nidhugg's
 * "sleep-set blocked"). Every run that is not redundant is a class of its own. With a
 * preemption bound (CHESS), the engine instead runs every schedule with at most that
 * many preemptions, without reduction, since a reduction and a bound together can
 * miss schedules the bound allows.
 *
 * Each run is a fresh process (fork, or an exec of a program that calls
 * td_explore_child), so a deadlock or a crash ends that run only. The engine is
 * stateless: it keeps the tree of decisions, not program states, and a run replays
 * the decisions that lead to the branch it explores. What it relies on: the program
 * is deterministic under a schedule (same decisions, same run), every access to state
 * another thread reads goes through a scheduling point that names it (the library's
 * primitives do; plain variables need td_sched_read/td_sched_write), and it ends.
 */
#ifndef THRDEMO_EXPLORE_H
#define THRDEMO_EXPLORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "schedule.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct td_explore td_explore_t;

typedef struct td_explore_options {
    /* Run every schedule with at most max_preemptions preemptions (a switch away from
     * a thread that could have gone on) instead of one per class; false (as a struct
     * of zeroes has it): every class, with reduction. */
    bool bounded;
    unsigned max_preemptions;
    /* Lines written by different threads (td_print, td_log) need not keep their
     * order: set when the outcome does not depend on the output's order. */
    bool lines_commute;
} td_explore_options_t;

/* A new exploration (options NULL: every class, lines ordered): 0, -EINVAL (a bound
 * above 64) or -ENOMEM. */
TD_API int td_explore_new(td_explore_t **ex, const td_explore_options_t *options);
/* Free an exploration. */
TD_API void td_explore_free(td_explore_t *ex);
/* The next run to make: 1 and its request, a line of text to write on the run's
 * explore fd (valid until the next call on ex); 0 when every class (or every
 * schedule within the bound) has been run; -ENOMEM. */
TD_API int td_explore_next(td_explore_t *ex, const char **request);
/* What the run made of the last request: everything it wrote on its explore fd.
 * Returns 0, or -EPROTO when it did not replay the decisions it was given (the
 * program is not deterministic under a schedule: the search cannot go on). */
TD_API int td_explore_feed(td_explore_t *ex, const char *record, size_t size);

/* What the engine saw of the run fed last. */
typedef struct td_explore_run {
    bool redundant;       /* stopped by the sleep sets: a repeat of an explored class */
    bool complete;        /* its record came to its end (no crash, no kill) */
    int stuck;            /* 0, TD_SCHED_DEADLOCK or TD_SCHED_STEP_LIMIT */
    unsigned preemptions; /* switches away from a thread that could have gone on */
    uint64_t decisions;   /* scheduling decisions it made */
} td_explore_run_t;

/* Describe the run fed last into *run. */
TD_API void td_explore_last(const td_explore_t *ex, td_explore_run_t *run);
/* The run fed last as a policy td_policy_parse reads ("replay:2@7,1@15") into buf
 * (size bytes): the full length, as snprintf. */
TD_API size_t td_explore_last_schedule(const td_explore_t *ex, char *buf, size_t size);

typedef struct td_explore_stats {
    uint64_t runs;      /* runs fed */
    uint64_t schedules; /* runs that were classes (or bounded schedules) of their own */
    uint64_t redundant; /* runs cut by the reduction */
    uint64_t pending;   /* branches known and not yet run */
    uint64_t estimate;  /* Knuth's estimate of the schedules in all: the product of the
                           branches known at each decision of the current run
                           (UINT64_MAX: more than fits) */
} td_explore_stats_t;

/* The exploration's counts so far into *stats. */
TD_API void td_explore_stats(const td_explore_t *ex, td_explore_stats_t *stats);

/* In a run's process, before td_sched_begin: read the request from fd and set
 * config's policy and explore fields so the run follows it and writes what it does
 * on fd ("record commute=0|1" instead keeps config's policy, random or pct, and only
 * writes its decisions, which td_explore_feed then turns into replay choices).
 * Returns 0 or -EINVAL (no request on fd). */
TD_API int td_explore_child(int fd, td_sched_config_t *config);

/* ---- the whole search in one call ----------------------------------------------- */

typedef struct td_explore_outcome {
    char *value;          /* what the runs returned as their outcome */
    uint64_t count;       /* schedules (classes) that ended so */
    char *schedule;       /* the one with the fewest preemptions (ties: decisions) */
    unsigned preemptions;
    uint64_t decisions;
} td_explore_outcome_t;

typedef struct td_explore_report {
    uint64_t schedules, redundant;
    uint64_t deadlocks;   /* schedules that ended in a deadlock (outcome "deadlock") */
    uint64_t failures;    /* runs that crashed, hit the step limit or failed fn */
    bool exhaustive;      /* every class was run (within the bound, if any) */
    td_explore_outcome_t *outcomes;
    size_t n_outcomes;
} td_explore_report_t;

/* Explore fn(arg) (threads of the library, under schedule.h's rules): each run in a
 * child process of its own, where fn writes its outcome into buf (size bytes, a
 * string) and returns 0, or nonzero for a failed check. Stops after max_runs runs
 * (0: no limit); *report (free it with td_explore_report_free) holds the distinct
 * outcomes. Returns 0, -EPROTO (fn is not deterministic under a schedule) or -errno. */
TD_API int td_sched_explore(const td_explore_options_t *options, uint64_t max_runs,
                            int (*fn)(void *arg, char *buf, size_t size), void *arg,
                            td_explore_report_t *report);
/* Free what a report holds. */
TD_API void td_explore_report_free(td_explore_report_t *report);

#ifdef __cplusplus
}
#endif
#endif
