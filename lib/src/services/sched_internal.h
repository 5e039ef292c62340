/* SPDX-License-Identifier: MIT */
/* sched_internal.h - what the controlled scheduler's pieces share: a controlled
 * thread's record, and the calls sched.c (the token, the clock, waits and wakes)
 * makes of the policy (sched_policy.c: who runs next) and of the report of a run that
 * is stuck (sched_report.c). Every call here is made by the thread holding the token,
 * which orders them (sched.c's design); none takes a lock.
 */
#ifndef THRDEMO_SCHED_INTERNAL_H
#define THRDEMO_SCHED_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/runtime.h"
#include "thrdemo/schedule.h"

enum sstate { RUNNABLE, BLOCKED, FINISHED };

struct sthread {
    unsigned number;
    td_thread_t *thread; /* the runtime's object (for names), NULL once finished */
    atomic_uint go;      /* 1 while it holds the token */
    atomic_uint asleep;  /* 1 while it may sleep in the kernel on go */
    enum sstate state;
    atomic_uint *word;   /* BLOCKED: what it waits on ... */
    unsigned expected;
    td__ns_t deadline;   /* ... and until when */
    int result;          /* what its wait returns */
    uint64_t blocked_at; /* wakes go oldest blocker first */
    uint64_t ready_at;   /* fifo: when it last stopped running */
    uint64_t priority;   /* pct: lower runs first */
    bool run_interrupt;  /* chosen to run on_interrupt when it resumes */
    const atomic_uint *lock_word; /* at a TD__POINT_LOCK: the word of the Lock it takes */
    const td_thread_t *joins;     /* at a TD__POINT_JOIN: the thread it joins */
    td__point_kind_t next_kind;   /* what its next step does (the point it stopped at; */
    const void *next_object;      /* a thread not yet run: START, its own thread) */
    const void *next_caller;      /* the code that made that point (NULL: none) */
    const char *waits_kind; /* what it reported waiting on (for the report) */
    const void *waits_on;
};


/* ---- sched_policy.c: who runs next ---- */

/* Whether t may run now without only blocking: not at a Lock held by another, nor,
 * under replay, at the join of a thread that has not ended. */
bool td__sched_free_to_run(const struct sthread *t);
/* The replay policy's choices (parsed from "T@D,..."): for the exploration's request,
 * which brings its own. Returns 0 or -EINVAL. */
int td__sched_policy_set_choices(const char *choices);
/* How many replay choices named a thread that could not run then. */
uint64_t td__sched_policy_misses(void);
/* replay: the decisions made so far in this schedule. */
uint64_t td__sched_policy_decisions(void);
/* replay: the thread the plain order runs next among threads (self: the caller, which
 * may no longer be runnable; yielding: it asked to let others run), skipping those
 * `excluded` says (NULL: none), or NULL when none is free to run. */
struct sthread *td__sched_plain_choice(struct sthread *const *threads, size_t n,
                                       const struct sthread *self, bool yielding,
                                       bool (*excluded)(const struct sthread *t));

/* Start a schedule's policy: its kind and seed, no decision taken yet. */
void td__sched_policy_begin(const td_policy_t *policy);
/* PCT: place the change points (depth - 1 decisions at which the running thread
 * drops to the lowest priority). Drawn after the first thread is admitted. */
void td__sched_policy_plan(void);
/* A new thread, threads[n - 1]: PCT gives it a priority. */
void td__sched_policy_admit(struct sthread *const *threads, size_t n, struct sthread *t);
/* The runnable thread the policy picks among threads (self: the caller, NULL if it
 * is not controlled; yielding: it asked to let others run; excluded: under replay,
 * threads its plain order must not pick, NULL for none), or NULL when none can run. */
struct sthread *td__sched_choose(struct sthread *const *threads, size_t n, struct sthread *self,
                                 bool yielding, bool (*excluded)(const struct sthread *t));

/* ---- sched_report.c: who waits for what, for the report of a stuck run ---- */

/* Forget the objects and lock holders of the schedule before. */
void td__sched_report_clear(void);
/* What a report of self's says for the report: what it waits on, what it holds. */
void td__sched_report_note(const td__report_t *r, struct sthread *self);
/* The number of the thread holding lock, or 0 (none, or not a lock). */
unsigned td__sched_report_holder(const void *lock);
/* Thread number finished: a lock it held stays held, by nobody. */
void td__sched_report_finished(unsigned number);
/* Write the report of a stuck run (why: TD_SCHED_DEADLOCK or TD_SCHED_STEP_LIMIT,
 * after steps scheduling points) into buf: its first line, then one line per live
 * thread (threads[0..n)). */
void td__sched_report_write(char *buf, size_t size, int why, uint64_t steps,
                            struct sthread *const *threads, size_t n);

/* ---- sched_explore.c: the run of an exploration (td_explore_child) ---- */

/* What a step does to what: its kind and the object's number in this run (0: the
 * output, or nothing; objects are numbered in the order the run first names them,
 * so a run that replays another's decisions numbers them alike). */
typedef struct td__op {
    uint8_t kind; /* td__point_kind_t */
    uint32_t object;
} td__op_t;

/* What a step of a kind does to its object: nothing another thread sees, reads it,
 * changes it, or may touch anything. */
typedef enum td__access { TD__LOCAL, TD__READS, TD__WRITES, TD__ANYTHING } td__access_t;
/* The access of a step of `kind` (a LINE is local when lines commute). */
td__access_t td__op_access(unsigned kind, bool lines_commute);

/* Whether two steps must keep their order: both touch one object and one changes
 * it, or one may touch anything (sched_explore.c; the engine uses it too). */
bool td__op_dependent(td__op_t a, td__op_t b, bool lines_commute);

/* Whether this schedule is an exploration's run. */
bool td__explore_active(void);
/* Take the exploration's request (config->explore) for the schedule beginning. */
void td__explore_begin(const td_sched_config_t *config);
/* Before decision `decision`: bring the sleep set up to date (the request's, as the
 * run's steps wake its threads) and return what the plain order must keep out there
 * (the sleeping threads), or NULL before the run's own decisions begin. */
bool (*td__explore_asleep(struct sthread *const *threads, size_t n, uint64_t decision))(
    const struct sthread *t);
/* Write the decision made: every live thread's state and next step, and the chosen. */
void td__explore_record(struct sthread *const *threads, size_t n, const struct sthread *self,
                        bool yielding, const struct sthread *chosen);
/* Write that the step just run ended thread t (its object). */
void td__explore_record_end(const struct sthread *t, const void *thread_object);
/* Write how the run stopped (0: it ended; else a TD_SCHED_* reason). */
void td__explore_record_stop(int why);

#endif
