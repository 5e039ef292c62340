/* SPDX-License-Identifier: MIT */
/* race.h - what a demonstration of a data race needs around its story: the guards
 * lock-counter can put around its counter, a start gate that makes the racing
 * threads really run at the same moment, and the counter itself, whose `+= 1` is a
 * separate load, add and store that can record how an update was lost.
 * Under --schedule nothing spins: the gate and the spinlock yield (td_yield_now),
 * and an unguarded `+= 1` has a scheduling point between its three steps. */
#ifndef THRDEMO_RACE_H
#define THRDEMO_RACE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <thrdemo/lock.h>
#include <thrdemo/semaphore.h>

/* The words of --lock, in the order of guard_kind. */
#define GUARD_NAMES "mutex rlock semaphore spin atomic none"

typedef enum {
    GUARD_MUTEX,
    GUARD_RLOCK,
    GUARD_SEMAPHORE,
    GUARD_SPIN,
    GUARD_ATOMIC,
    GUARD_NONE,
} guard_kind;

/* One guard: a Lock, an RLock, a Semaphore(1), a C11 atomic_flag spinlock, or none
 * (ATOMIC and NONE guard nothing: the caller does its own update). */
typedef struct guard {
    guard_kind kind;
    td_lock_t lock;
    td_rlock_t rlock;
    td_sem_t sem;
    atomic_flag spin;
} guard_t;

/* Make the guard called name, one of GUARD_NAMES (checked by the parser). */
void guard_init(guard_t *guard, const char *name);
/* `with lock:` in: take the guard (nothing for ATOMIC and NONE). */
void guard_enter(guard_t *guard);
/* ...and out: give it back. */
void guard_leave(guard_t *guard);

/* The start gate: each thread moves to a CPU of its own, arrives, and spins until
 * all have (under --schedule: arrives and yields until all have). Without the pinning the kernel now and then (1 run in 10, measured)
 * stacks two threads on one core, where the first does its million steps in one
 * time slice before the second runs, and no update is ever lost. */
typedef struct start_gate {
    atomic_llong arrived;
    atomic_int next_cpu;
    long long parties;
} start_gate_t;

/* A closed gate for parties threads. */
void gate_init(start_gate_t *gate, long long parties);
/* Move to a CPU of one's own, arrive, and wait until every party has. */
void gate_wait(start_gate_t *gate);
/* Open the gate whoever has arrived (some threads failed to start). */
void gate_open(start_gate_t *gate);

/* ---- the shared counter ------------------------------------------------------------ */

enum { RACE_MAX_RACERS = 64, RACE_NAME = 64, RACE_SHOWN = 8, RACE_RING = 256 };

/* One load or store of the counter. */
typedef struct race_step {
    int who;
    bool store;
    long long value;
} race_step_t;

/* The first lost update: who loaded what, what it found when it stored (another
 * thread's store had landed meanwhile) and what it stored over it; under --schedule
 * also the steps in between (the first and last RACE_SHOWN / 2, `elided` more). */
typedef struct race_loss {
    int who;
    long long loaded, found, stored;
    bool exact;
    race_step_t between[RACE_SHOWN];
    int n_first, n_last;
    uint64_t elided;
} race_loss_t;

typedef struct race_counter {
    atomic_llong value; /* always accessed atomically: the program stays defined C */
    bool split;         /* --schedule, no guard: a scheduling point between the steps */
    bool explain;       /* record the first lost update */
    atomic_bool lost;   /* the first lost update is recorded in loss */
    race_loss_t loss;
    /* --explain under --schedule (one thread runs at a time: plain fields). */
    uint64_t steps;
    race_step_t ring[RACE_RING];
    uint64_t loaded_at[RACE_MAX_RACERS];
    char names[RACE_MAX_RACERS][RACE_NAME];
} race_counter_t;

/* A counter at 0; split: an unguarded one under --schedule; explain: keep the first
 * lost update. */
void race_counter_init(race_counter_t *counter, bool split, bool explain);
/* Racer `who` (0 ..) says who it is: its thread's name, for the explanation. */
void race_counter_enter(race_counter_t *counter, int who);
/* counter += delta as Python runs it: load, add, store; another thread's store can
 * land in between and be lost. Racer `who` does it. */
void race_counter_add(race_counter_t *counter, int who, long long delta);
/* counter += delta in one indivisible step (an atomic fetch-and-add). */
void race_counter_add_atomic(race_counter_t *counter, long long delta);
/* The counter's value. */
long long race_counter_value(race_counter_t *counter);
/* Print, as trace lines, how the first update was lost, step by step; or that none
 * was (guarded: whether one could be). */
void race_counter_explain(race_counter_t *counter, bool guarded);

#endif
