/* SPDX-License-Identifier: MIT */
/* race.c - guards and the start gate of race.h. */
#include "race.h"

#include <sched.h>
#include <string.h>

#include <thrdemo/common.h>

void guard_init(guard_t *guard, const char *name)
{
    const char *names[] = { "mutex", "rlock", "semaphore", "spin", "atomic", "none" };
    guard->kind = GUARD_MUTEX;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0)
            guard->kind = (guard_kind)i;
    td_lock_init(&guard->lock);
    td_rlock_init(&guard->rlock);
    td_sem_init(&guard->sem, 1);
    atomic_flag_clear(&guard->spin);
}

void guard_enter(guard_t *guard)
{
    switch (guard->kind) {
    case GUARD_MUTEX: td_lock_acquire(&guard->lock, true, TD_FOREVER); break;
    case GUARD_RLOCK: td_rlock_acquire(&guard->rlock, true, TD_FOREVER); break;
    case GUARD_SEMAPHORE: td_sem_acquire(&guard->sem, true, TD_FOREVER); break;
    case GUARD_SPIN:
        while (atomic_flag_test_and_set_explicit(&guard->spin, memory_order_acquire))
            ;
        break;
    default: break;
    }
}

void guard_leave(guard_t *guard)
{
    switch (guard->kind) {
    case GUARD_MUTEX: td_lock_release(&guard->lock); break;
    case GUARD_RLOCK: td_rlock_release(&guard->rlock); break;
    case GUARD_SEMAPHORE: td_sem_release(&guard->sem, 1); break;
    case GUARD_SPIN: atomic_flag_clear_explicit(&guard->spin, memory_order_release); break;
    default: break;
    }
}

void gate_init(start_gate_t *gate, long long parties)
{
    atomic_init(&gate->arrived, 0);
    atomic_init(&gate->next_cpu, 0);
    gate->parties = parties;
}

/* Pin the calling thread to the n-th CPU it may use (n modulo their number). */
static void move_to_own_cpu(start_gate_t *gate)
{
    cpu_set_t allowed, mine;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0 || CPU_COUNT(&allowed) < 2)
        return; /* one core: the threads can only take turns */
    int n = atomic_fetch_add(&gate->next_cpu, 1) % CPU_COUNT(&allowed);
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (CPU_ISSET(cpu, &allowed) && n-- == 0) {
            CPU_ZERO(&mine);
            CPU_SET(cpu, &mine);
            sched_setaffinity(0, sizeof mine, &mine); /* 0: the calling thread */
            return;
        }
    }
}

void gate_wait(start_gate_t *gate)
{
    move_to_own_cpu(gate);
    atomic_fetch_add(&gate->arrived, 1);
    while (atomic_load(&gate->arrived) < gate->parties)
        ; /* a few microseconds: the last thread is being started right now */
}

void gate_open(start_gate_t *gate)
{
    atomic_store(&gate->arrived, gate->parties);
}
