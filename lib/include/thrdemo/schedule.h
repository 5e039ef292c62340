/* SPDX-License-Identifier: MIT */
/* schedule.h - run real threads under a controlled scheduler on a virtual clock, so a
 * run can be replayed byte for byte and its interleavings explored (in the spirit of
 * Shuttle's check_random, Loom's model and Go's testing/synctest).
 *
 * Under a schedule exactly one controlled thread runs at a time. At every scheduling
 * point (a thread starting or ending, a lock acquired or released, an Event set or
 * waited on, a Condition, Semaphore, Barrier, Queue, Timer, join, a line written by
 * td_print/td_log, td_yield_now, td_sched_point) the policy chooses which runnable
 * thread goes on:
 *   fifo              the thread that has waited longest (round robin);
 *   random:SEED       a seeded uniform choice;
 *   pct:SEED[:DEPTH[:STEPS]]  probabilistic concurrency testing (Burckhardt et al.,
 *                     ASPLOS 2010, as Shuttle implements it): random priorities, the
 *                     highest runnable runs, and at DEPTH-1 random points among the
 *                     first STEPS decisions the running thread drops to the lowest;
 *   replay:CHOICES    one schedule, written as the choices that differ from the plain
 *                     order: "2@7,1@15" runs thread 2 at decision 7 and thread 1 at
 *                     decision 15 (decisions count from 0, one at every scheduling
 *                     point, block and thread end); everywhere else the thread that
 *                     ran goes on while it can, else the lowest-numbered one that can
 *                     (after a td_yield_now: the next one after it). `thrdemo explore
 *                     --all` prints these; "replay:" alone is the plain order.
 * random and pct choose among the threads that can go on: one about to take a Lock
 * (blocking, no timeout) that another thread holds would only block, so it waits
 * until the lock is free, as Shuttle and Loom treat a thread waiting for a mutex.
 * fifo keeps the plain order, and such a thread blocks in the Lock when its turn
 * comes.
 * Time is virtual: td_monotonic, td_time and every timeout read the scheduler's
 * clock, which starts at a fixed point (the wall clock at 2000-01-01 00:00:00 UTC),
 * advances by 1 us at each scheduling point, and jumps to the earliest deadline when
 * every thread is blocked. Under replay it stands still between those jumps (as Go's
 * synctest bubbles do), so that when a thread wakes depends on what the threads did,
 * not on how their steps were interleaved: two interleavings that only reorder
 * independent steps are then the same run, which is what explore --all relies on. Sleeps and timeouts cost no wall time. Idents and native
 * ids are the threads' numbers (1 for the thread that began the schedule, then in
 * start order), and 10000 + that number.
 * When every thread is blocked with no deadline pending (a deadlock), or the run
 * passes max_steps, the scheduler calls on_stuck with a report of who waits for
 * what; it must not return (a program prints and exits; td_sched_check's child
 * exits with a status that says which).
 * When the thread that began the schedule calls td_exit, the threads still running
 * (daemon threads) are frozen where they stand, as CPython's are at finalization.
 * Rules: a schedule is begun before the threads it controls are started; only
 * controlled threads may use the library's primitives while it runs (others may call
 * td_sched_interrupt); code that spins must call td_yield_now in its loop, code that
 * races without a primitive may mark its windows with td_sched_point.
 */
#ifndef THRDEMO_SCHEDULE_H
#define THRDEMO_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum td_policy_kind {
    TD_POLICY_FIFO,
    TD_POLICY_RANDOM,
    TD_POLICY_PCT,
    TD_POLICY_REPLAY
} td_policy_kind_t;

typedef struct td_policy {
    td_policy_kind_t kind;
    uint64_t seed;  /* random and pct */
    unsigned depth; /* pct: change points + 1 (0: the default, 3) */
    uint64_t steps; /* pct: the decisions change points are drawn from (0: 1000) */
    /* replay: the choices, "THREAD@DECISION,..." in increasing decisions (NULL or ""
     * for none). Points into the text td_policy_parse read, which must outlive the
     * schedule. */
    const char *choices;
} td_policy_t;

/* Parse "fifo", "random:SEED", "pct:SEED[:DEPTH[:STEPS]]" (decimal numbers, DEPTH
 * 1..64, STEPS >= 2) or "replay:[T@D,...]" (threads from 1, decisions increasing)
 * into *policy: 0 or -EINVAL. */
TD_API int td_policy_parse(const char *text, td_policy_t *policy);
/* Write the policy as td_policy_parse reads it into buf (size bytes): the full
 * length, as snprintf. */
TD_API size_t td_policy_format(const td_policy_t *policy, char *buf, size_t size);

/* Why a run cannot go on (on_stuck's first argument). TD_SCHED_REDUNDANT comes only
 * in an exploration's run (explore.h): every thread that could go on is asleep, so
 * the run could only repeat schedules already explored. */
enum { TD_SCHED_DEADLOCK = 1, TD_SCHED_STEP_LIMIT = 2, TD_SCHED_REDUNDANT = 3 };

/* One step of a scheduled run, as on_step hears it: a thread goes on past a
 * scheduling point to do what the point named. */
typedef struct td_sched_step {
    uint64_t index;          /* the scheduling point's number in the run (td_sched_steps
                                then), from 1 */
    unsigned number;         /* the thread's number (1: the thread that began the schedule) */
    struct td_thread *thread; /* the thread (td_thread_get_name names it) */
    /* What it does now, a verb phrase that reads after the thread's name: "reads",
     * "writes", "acquires", "releases", "sets", "clears", "waits on", "notifies",
     * "joins", "starts", "puts into", "gets from", "marks a task done in", "shuts
     * down", "waits for", "fires", "prints a line", "yields", "races", "ends".
     * Static text. */
    const char *verb;
    /* What it does it to: the Lock, Semaphore, Event, Queue, Barrier, Timer or future;
     * the variable of td_sched_read/td_sched_write; the thread started or joined; a
     * Condition's Lock for "waits on" and "notifies". NULL: nothing ("ends"), or the
     * output everyone shares. */
    const void *object;
    /* What the object is, for a name when it has none ("lock #2"): "lock", "event",
     * "condition", "queue", "future", "timer", "thread", "variable"; NULL with no object. */
    const char *noun;
    /* The code address that called the library for this step (a return address: the
     * call is just before it); an address inside the library when the library made
     * the call itself, NULL for a step the library takes on its own (a Timer firing, a
     * thread ending). */
    const void *caller;
} td_sched_step_t;

/* A live thread as on_decide sees it at a decision: what it does next, and whether
 * it can go on now. */
typedef struct td_sched_thread_view {
    unsigned number;          /* the thread's number (1: the thread that began the schedule) */
    struct td_thread *thread; /* the thread (td_thread_get_name names it) */
    /* It can go on now: runnable, and not about to take a Lock another thread holds
     * (which would only block it). Only such a thread may be chosen. */
    bool can_go;
    bool blocked; /* blocked in a wait; neither: at a Lock another thread holds */
    /* Its next step, in td_sched_step_t's words: the point it stopped at (a thread
     * not yet run: "starts", its own thread, no caller). A blocked thread's is the
     * operation it blocked in. */
    const char *verb;
    const char *noun;
    const void *object;
    const void *caller;
    /* Blocked: what it waits on, as the observer names its primitive ("lock",
     * "event", "sleep", "thread", ...) and the object; NULL when not known. */
    const char *waits_kind;
    const void *waits_on;
    /* The thread holding the lock its next step takes or it waits for; 0: none, or
     * not a lock. */
    unsigned holder;
} td_sched_thread_view_t;

/* A decision as on_decide sees it: the live threads, and the policy's choice. */
typedef struct td_sched_decision {
    /* The decision's number as the replay policy counts them (from 0): under replay,
     * choosing thread T here is what "T@decision" asks for. */
    uint64_t decision;
    uint64_t step;        /* scheduling points so far (td_sched_steps) */
    unsigned asking;      /* the thread that reached the decision; 0 if it has ended */
    unsigned chosen;      /* the policy's choice */
    size_t can_go;        /* how many of the threads can go on */
    size_t n;             /* the live threads, by number */
    const td_sched_thread_view_t *threads;
} td_sched_decision_t;

/* The default max_steps: ten million scheduling points. */
#define TD_SCHED_DEFAULT_MAX_STEPS 10000000ULL

typedef struct td_sched_config {
    td_policy_t policy;
    uint64_t max_steps; /* 0: TD_SCHED_DEFAULT_MAX_STEPS */
    /* After td_sched_interrupt(): called once, on a controlled thread, at its next
     * scheduling point (to set a stop event, say). May be NULL. */
    void (*on_interrupt)(void *ctx);
    /* The run cannot go on (why: TD_SCHED_DEADLOCK or TD_SCHED_STEP_LIMIT); report is
     * several lines of text naming each thread and what it waits for. Must not
     * return; NULL aborts. */
    void (*on_stuck)(int why, const char *report, void *ctx);
    void *ctx;
    /* The run of an exploration, set by td_explore_child (explore.h): the request it
     * follows and where it tells what it did. NULL for an ordinary schedule. */
    const struct td_explore_request *explore;
    /* Called by each thread as it goes on past a scheduling point (the step it then
     * takes; a start, which has happened at its point, there) and as it ends, in the
     * order the steps run, so a program can tell a run step by step (thrdemo
     * --explain). One thread runs at a time: the hook needs no
     * lock, and what it records is seen by the thread that runs next. It must not use
     * the library's primitives or reach a scheduling point. May be NULL. */
    void (*on_step)(const td_sched_step_t *step, void *ctx);
    /* Called at every decision (a thread reached a scheduling point, blocked or
     * ended, and the next to run is chosen), on the thread that reached it, after the
     * policy chose: returns the number of a thread that can go on to run it instead,
     * or 0 (or any other number) to keep the policy's choice. A program can so be the
     * scheduler (thrdemo step); under the replay policy, choosing another thread than
     * the policy's is what "T@decision" replays. Same rules as on_step. May be NULL. */
    unsigned (*on_decide)(const td_sched_decision_t *decision, void *ctx);
} td_sched_config_t;

/* Put the calling thread, and every thread started from now on, under the scheduler:
 * 0, -EBUSY (a schedule runs already), -EINVAL (a bad policy). */
TD_API int td_sched_begin(const td_sched_config_t *config);
/* End the schedule, back to real threads and real time: 0, or -EBUSY if a thread
 * it controls has not ended (join them first), -EPERM if the caller is not the
 * thread that began it. */
TD_API int td_sched_end(void);
/* Whether a schedule runs. */
TD_API bool td_sched_active(void);
/* A scheduling point for code that spins or races without a primitive (Loom's
 * yield_now); under pct it also lowers the caller's priority, so a spin loop lets
 * the thread it waits for run. Does nothing without a schedule. */
TD_API void td_yield_now(void);
/* A scheduling point for code that races without a primitive, between the load and
 * the store of a shared variable, say: another thread may run here. Unlike
 * td_yield_now it leaves the caller's pct priority alone (nothing waits, so nothing
 * needs to go first). Does nothing without a schedule. */
TD_API void td_sched_point(void);
/* A scheduling point before a read of the shared variable at object, for code that
 * races without a primitive: another thread may run first. explore --all orders it
 * against every write of object and lets it commute with other reads. Does nothing
 * without a schedule. */
TD_API void td_sched_read(const void *object);
/* The same before a write (or a read-modify-write) of the variable at object:
 * ordered against every other access to it. */
TD_API void td_sched_write(const void *object);
/* Ask for on_interrupt at the next scheduling point: only sets a flag, so it is safe
 * from a signal handler or a thread the schedule does not control. */
TD_API void td_sched_interrupt(void);
/* Scheduling points so far in this schedule. */
TD_API uint64_t td_sched_steps(void);
/* Times the running thread changed so far in this schedule. */
TD_API uint64_t td_sched_switches(void);

/* What td_sched_check found. */
typedef struct td_sched_failure {
    td_policy_t policy; /* the schedule that fails: replay it with this */
    unsigned run;       /* which run, from 0 */
    int status;         /* 0: fn returned code; TD_SCHED_DEADLOCK; TD_SCHED_STEP_LIMIT;
                           128 + N: the run died of signal N */
    int code;           /* fn's return value when status is 0 */
} td_sched_failure_t;

/* Shuttle's check_random(f, n): run fn(arg) `runs` times, each under *first's policy
 * with seed first->seed + i and in a child process of its own (fork), so that a
 * deadlock, a crash or a failed check ends that run only. fn returns 0 when its
 * checks hold. Returns 0 when every run passed, 1 when one failed (the first is
 * described in *failure, which may be NULL), -EINVAL or -errno of fork. */
TD_API int td_sched_check(const td_policy_t *first, unsigned runs, uint64_t max_steps,
                          int (*fn)(void *arg), void *arg, td_sched_failure_t *failure);

#ifdef __cplusplus
}
#endif
#endif
