/* SPDX-License-Identifier: MIT */
/* linearizability.h - a linearizability checker for histories of queue.Queue calls
 * (Python 3.13's semantics, shutdown included), for the tests.
 *
 * A history is what some threads did to one queue: for each call, which thread made
 * it, what it was (put, get, their _nowait forms, shutdown), its argument, its result
 * and when it was invoked and when it returned. It is linearizable when the calls can
 * be put in one sequential order that (1) keeps real time: a call that returned
 * before another was invoked comes first, and (2) a sequential queue.Queue accepts,
 * each call getting the very result it got (Herlihy and Wing, 1990).
 *
 * The search is Wing and Gong's (1993): repeatedly take, as the next call of the
 * order, one that no unplaced call must precede, if the model accepts it there, and
 * back up when none fits; with Lowe's memoisation (2017), as Porcupine does it: a
 * (set of calls placed, model state) pair already explored is not explored again, so
 * calls that commute (two failed get_nowait, say) do not multiply the work.
 *
 * The sequential model (lin_check's comment gives the table) judges a call by its
 * result only: a blocking call is treated as what it did at the instant it took
 * effect. A blocking get that returned an item took it at some instant, so it fits
 * only where the queue's front holds that item, as a get_nowait would; one that timed
 * out (Empty) looked at an empty, open queue at its last look, an instant inside its
 * interval, so it fits where a get_nowait saying Empty fits (CPython's get raises
 * Empty only from its loop test, under the mutex, with the queue empty and not shut
 * down); likewise Full for puts. What blocking adds, waiting while there is no room
 * or no item, is progress, not safety, and is not judged, except that a call with no
 * timeout (TD_FOREVER) can never answer Full or Empty.
 *
 * Cost: exponential in the worst case, as for every such checker (deciding
 * linearizability is NP-complete, Gibbons and Korach 1997). The memo, a canonical
 * state (items that no get returns are interchangeable), and refusing a put whose
 * item would have to come out before one queued ahead of it keep the histories of
 * the tests at thousands of steps. A get's remaining is the dear observation: it ties
 * the order of puts to that of the gets overlapping theirs, so on a deep queue with
 * many such gets in flight a wrong order of two puts shows only many calls later
 * (made-up histories of that shape, unbounded, 8 threads, every call overlapping
 * several, took millions of steps); histories recorded from real threads, where the
 * order things take effect in follows real time closely, stay small with it asked
 * of every get. LIN_MAX_STEPS bounds a check.
 *
 * Times are nanoseconds on one clock for all threads: taken just before the call and
 * just after it returns (lin_now_ns), which widens each interval and so can only
 * make the checker more lenient, never wrongly strict. Two calls whose times touch
 * count as overlapping.
 */
#ifndef THRDEMO_TEST_LINEARIZABILITY_H
#define THRDEMO_TEST_LINEARIZABILITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* What a call was. */
typedef enum lin_kind {
    LIN_PUT,                /* put(item, block=True, timeout) */
    LIN_PUT_NOWAIT,         /* put(item, block=False) */
    LIN_GET,                /* get(block=True, timeout) */
    LIN_GET_NOWAIT,         /* get(block=False) */
    LIN_SHUTDOWN,           /* shutdown(immediate=False) */
    LIN_SHUTDOWN_IMMEDIATE, /* shutdown(immediate=True) */
} lin_kind_t;

/* remaining when the get was not asked for it (or did not return 0). */
#define LIN_NOT_ASKED (-1L)

typedef struct lin_op {
    int thread;        /* who called it: any number, for the printout */
    lin_kind_t kind;
    double timeout;    /* LIN_PUT, LIN_GET: seconds, or TD_FOREVER */
    intptr_t item;     /* a put's item (unique in the history, not 0); the item a
                          get returned (when rc is 0) */
    int rc;            /* 0, -ENOSPC (Full), -ENODATA (Empty), -ESHUTDOWN; 0 for
                          shutdown */
    long remaining;    /* a get that returned 0: the items it said were left, or
                          LIN_NOT_ASKED */
    int64_t invoked;   /* lin_now_ns() just before the call */
    int64_t responded; /* lin_now_ns() just after it returned */
} lin_op_t;

typedef struct lin_history {
    long maxsize; /* the queue's bound (0 or less: none) */
    size_t n, cap;
    lin_op_t *ops;
} lin_history_t;

/* An empty history of a queue bounded by maxsize (0 or less: unbounded). */
void lin_history_init(lin_history_t *h, long maxsize);
/* Free what the history holds. */
void lin_history_free(lin_history_t *h);
/* Append a copy of op. */
void lin_history_add(lin_history_t *h, const lin_op_t *op);

/* Now in nanoseconds, on the library's clock when a controlled schedule runs (its
 * virtual time, which advances at every scheduling point while one thread runs at a
 * time), else on CLOCK_MONOTONIC. */
int64_t lin_now_ns(void);

typedef enum lin_verdict {
    LIN_OK,      /* a legal sequential order exists */
    LIN_ILLEGAL, /* none does */
    LIN_UNKNOWN, /* the search ran out of its step budget (LIN_MAX_STEPS) */
} lin_verdict_t;

/* The most search steps one check may take: far beyond what the tests' histories
 * need (about ten thousand at most), so UNKNOWN means something went wrong. */
#define LIN_MAX_STEPS 20000000ULL

typedef struct lin_stats {
    uint64_t steps;  /* calls tried, and backtracks */
    size_t memo;     /* (placed, state) pairs remembered */
    size_t longest;  /* calls in the longest legal order prefix found */
} lin_stats_t;

/* Whether h is linearizable against Python's queue.Queue of h->maxsize:
 *
 *   call                      fits when                          then
 *   put -> 0                  open and not full                  item joins the back
 *   put -> Full               open, bounded and full; not with TD_FOREVER
 *   put -> ShutDown           shut down
 *   get -> 0, item            the front holds item               item leaves; remaining,
 *                             (shut down or not)                 if asked, is what is left
 *   get -> Empty              open and empty; not with TD_FOREVER
 *   get -> ShutDown           shut down and empty
 *   shutdown                  always                             shut down
 *   shutdown(immediate)       always                             shut down and emptied
 *
 * (_nowait and blocking forms alike, as the file's comment explains). Unless the
 * verdict is LIN_OK and out is not NULL, the history is printed to out as a table
 * with the longest legal prefix found and why no unplaced call fits after it.
 * stats may be NULL. */
lin_verdict_t lin_check(const lin_history_t *h, FILE *out, lin_stats_t *stats);

/* Print the history as a table: calls by invocation time, with their times relative
 * to the first call and a timeline bar. */
void lin_print(FILE *out, const lin_history_t *h);

/* A call as Python writes it: "put(17)", "get_nowait()", "get(timeout=0.001)". */
const char *lin_describe(const lin_op_t *op, char *buf, size_t size);

#endif
