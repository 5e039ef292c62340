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
    const char *waits_kind; /* what it reported waiting on (for the report) */
    const void *waits_on;
};


/* ---- sched_policy.c: who runs next ---- */

/* Start a schedule's policy: its kind and seed, no decision taken yet. */
void td__sched_policy_begin(const td_policy_t *policy);
/* PCT: place the change points (depth - 1 decisions at which the running thread
 * drops to the lowest priority). Drawn after the first thread is admitted. */
void td__sched_policy_plan(void);
/* A new thread, threads[n - 1]: PCT gives it a priority. */
void td__sched_policy_admit(struct sthread *const *threads, size_t n, struct sthread *t);
/* The runnable thread the policy picks among threads (self: the caller, NULL if it
 * is not controlled; yielding: it asked to let others run), or NULL when none can
 * run. */
struct sthread *td__sched_choose(struct sthread *const *threads, size_t n, struct sthread *self,
                                 bool yielding);

/* ---- sched_report.c: who waits for what, for the report of a stuck run ---- */

/* Forget the objects and lock holders of the schedule before. */
void td__sched_report_clear(void);
/* What a report of self's says for the report: what it waits on, what it holds. */
void td__sched_report_note(const td__report_t *r, struct sthread *self);
/* Thread number finished: a lock it held stays held, by nobody. */
void td__sched_report_finished(unsigned number);
/* Write the report of a stuck run (why: TD_SCHED_DEADLOCK or TD_SCHED_STEP_LIMIT,
 * after steps scheduling points) into buf: its first line, then one line per live
 * thread (threads[0..n)). */
void td__sched_report_write(char *buf, size_t size, int why, uint64_t steps,
                            struct sthread *const *threads, size_t n);

#endif
