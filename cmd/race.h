/* SPDX-License-Identifier: MIT */
/* race.h - what a demonstration of a data race needs around its story: the guards
 * lock-counter can put around its counter, and a start gate that makes the racing
 * threads really run at the same moment. */
#ifndef THRDEMO_RACE_H
#define THRDEMO_RACE_H

#include <stdatomic.h>

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
 * all have. Without the pinning the kernel now and then (1 run in 10, measured)
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

#endif
