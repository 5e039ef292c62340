/* SPDX-License-Identifier: MIT */
/* race.c - guards, the start gate and the shared counter of race.h. */
#include "race.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>

#include <thrdemo/common.h>
#include <thrdemo/log.h>
#include <thrdemo/observer.h>
#include <thrdemo/schedule.h>
#include <thrdemo/thread.h>

#include "run/explain.h"

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
    const void *objects[] = { &guard->lock, &guard->rlock, &guard->sem, &guard->spin };
    for (size_t i = 0; i < sizeof objects / sizeof objects[0]; i++)
        td_object_set_name(objects[i], "lock"); /* `lock` in the Python program */
}

/* The spin lock, reported to a trace as a lock (the library's own are by themselves):
 * its spinning a wait, then its hold. */
static void spin_enter(atomic_flag *spin)
{
    td_yield_now(); /* under --schedule a scheduling point, as a Lock's acquire is */
    if (!atomic_flag_test_and_set_explicit(spin, memory_order_acquire)) {
        td_observe(TD_OBS_ACQUIRE, "lock", spin, 0, -1);
        return;
    }
    td_observe(TD_OBS_WAIT_BEGIN, "lock", spin, 0, -1);
    while (atomic_flag_test_and_set_explicit(spin, memory_order_acquire))
        td_yield_now(); /* under --schedule: let the holder run; else nothing */
    td_observe(TD_OBS_WAIT_END, "lock", spin, 0, -1);
    td_observe(TD_OBS_ACQUIRE, "lock", spin, 0, -1);
}

static void spin_leave(atomic_flag *spin)
{
    td_yield_now(); /* as a Lock's release is */
    td_observe(TD_OBS_RELEASE, "lock", spin, 0, -1); /* before another can take it */
    atomic_flag_clear_explicit(spin, memory_order_release);
}

void guard_enter(guard_t *guard)
{
    switch (guard->kind) {
    case GUARD_MUTEX: td_lock_acquire(&guard->lock, true, TD_FOREVER); break;
    case GUARD_RLOCK: td_rlock_acquire(&guard->rlock, true, TD_FOREVER); break;
    case GUARD_SEMAPHORE: td_sem_acquire(&guard->sem, true, TD_FOREVER); break;
    case GUARD_SPIN: spin_enter(&guard->spin); break;
    default: break;
    }
}

void guard_leave(guard_t *guard)
{
    switch (guard->kind) {
    case GUARD_MUTEX: td_lock_release(&guard->lock); break;
    case GUARD_RLOCK: td_rlock_release(&guard->rlock); break;
    case GUARD_SEMAPHORE: td_sem_release(&guard->sem, 1); break;
    case GUARD_SPIN: spin_leave(&guard->spin); break;
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
    atomic_fetch_add(&gate->arrived, 1);
    /* A schedule runs one thread at a time, on one CPU: there is nothing to line up,
     * and a spin would only add steps (and, to explore --all, schedules). */
    if (td_sched_active())
        return;
    move_to_own_cpu(gate);
    while (atomic_load(&gate->arrived) < gate->parties)
        ; /* a few microseconds: the last thread is being started now */
}

void gate_open(start_gate_t *gate)
{
    atomic_store(&gate->arrived, gate->parties);
}

/* ---- the shared counter ------------------------------------------------------------ */

void race_counter_init(race_counter_t *c, bool split, bool explain)
{
    memset(c, 0, sizeof *c);
    atomic_init(&c->value, 0);
    atomic_init(&c->lost, false);
    c->split = split;
    c->explain = explain;
}

void race_counter_enter(race_counter_t *c, int who)
{
    if (who >= 0 && who < RACE_MAX_RACERS)
        td_thread_get_name(td_current_thread(), c->names[who], RACE_NAME);
}

/* Under --schedule with --explain: one more step, in the ring. */
static void note(race_counter_t *c, int who, bool store, long long value)
{
    c->ring[c->steps % RACE_RING] = (race_step_t){ who, store, value };
    if (!store)
        c->loaded_at[who] = c->steps;
    c->steps++;
}

/* Keep the steps between who's load and this store: the first and the last few. */
static void keep_between(race_counter_t *c, int who)
{
    race_loss_t *l = &c->loss;
    uint64_t from = c->loaded_at[who] + 1, to = c->steps, n = to - from;
    uint64_t kept = n <= RACE_SHOWN ? n : RACE_SHOWN;
    l->n_first = n <= RACE_SHOWN ? (int)n : RACE_SHOWN / 2;
    l->n_last = (int)kept - l->n_first;
    l->elided = n - kept;
    for (int i = 0; i < l->n_first; i++) /* the ring still holds them, unless too far */
        l->between[i] = from + (uint64_t)i + RACE_RING >= to ? c->ring[(from + (uint64_t)i) % RACE_RING]
                                                            : (race_step_t){ -1, false, 0 };
    for (int i = 0; i < l->n_last; i++)
        l->between[l->n_first + i] = c->ring[(to - (uint64_t)l->n_last + (uint64_t)i) % RACE_RING];
}

static void first_loss(race_counter_t *c, int who, long long loaded, long long found,
                       long long stored)
{
    if (atomic_exchange(&c->lost, true))
        return;
    c->loss = (race_loss_t){ .who = who, .loaded = loaded, .found = found, .stored = stored,
                             .exact = c->split };
    if (c->split)
        keep_between(c, who);
}

void race_counter_add(race_counter_t *c, int who, long long delta)
{
    if (c->split)
        td_sched_read(&c->value); /* another thread may run before the load ... */
    long long loaded = atomic_load_explicit(&c->value, memory_order_relaxed); /* load */
    explain_value(loaded); /* --explain: "reads shared_resource = 0" */
    if (c->split && c->explain)
        note(c, who, false, loaded);
    long long result = loaded + delta;                                        /* add */
    if (c->split)
        td_sched_write(&c->value); /* ... and between the load and the store */
    if (!c->explain) {
        atomic_store_explicit(&c->value, result, memory_order_relaxed);      /* store */
        explain_value(result);
        return;
    }
    /* The same store, telling what it overwrote: another thread's store since the
     * load means that thread's update is lost. */
    long long found = atomic_exchange_explicit(&c->value, result, memory_order_relaxed);
    if (found != loaded && !atomic_load_explicit(&c->lost, memory_order_relaxed))
        first_loss(c, who, loaded, found, result);
    explain_value(result);
    if (c->split)
        note(c, who, true, result);
}

void race_counter_add_atomic(race_counter_t *c, long long delta)
{
    td_sched_write(&c->value); /* under --schedule another may run before, never inside */
    explain_value(atomic_fetch_add_explicit(&c->value, delta, memory_order_relaxed) + delta);
}

long long race_counter_value(race_counter_t *c)
{
    return atomic_load(&c->value);
}

static void print_step(const race_counter_t *c, const race_step_t *s, const char *tail)
{
    if (s->who < 0)
        td_print("  ...");
    else
        td_print("  %s %s %lld%s", c->names[s->who], s->store ? "stores" : "loads", s->value, tail);
}

/* ": one +1 is lost", ": three -1s are lost": what the overwritten stores had added. */
static void what_is_lost(const race_loss_t *l, char *buf, size_t size)
{
    static const char *const words[] = { "", "one", "two", "three", "four", "five",
                                         "six", "seven", "eight", "nine" };
    long long d = l->found - l->loaded, n = d < 0 ? -d : d;
    char count[24];
    if (n < 10)
        snprintf(count, sizeof count, "%s", words[n]);
    else
        snprintf(count, sizeof count, "%lld", n);
    snprintf(buf, size, ": %s %s1%s lost", count, d > 0 ? "+" : "-", n == 1 ? " is" : "s are");
}

void race_counter_explain(race_counter_t *c, bool guarded)
{
    const race_loss_t *l = &c->loss;
    if (guarded) {
        td_print("No update can be lost: the guard makes load, add and store one step");
        return;
    }
    if (!atomic_load(&c->lost)) {
        td_print("No update was lost, so there is nothing to explain%s",
                 c->split ? ": try another seed" : "");
        return;
    }
    char lost[64];
    what_is_lost(l, lost, sizeof lost);
    td_print("How the first update was lost:");
    td_print("  %s loads %lld", c->names[l->who], l->loaded);
    if (!l->exact) {
        td_print("  (other threads store meanwhile: %s finds %lld when it stores)",
                 c->names[l->who], l->found);
        print_step(c, &(race_step_t){ l->who, true, l->stored }, lost);
        td_print("Without --schedule the steps in between are not recorded; under "
                 "--schedule random:SEED every step is, the same on every run");
        return;
    }
    for (int i = 0; i < l->n_first; i++)
        print_step(c, &l->between[i], "");
    if (l->elided)
        td_print("  ... %llu more steps ...", (unsigned long long)l->elided);
    for (int i = 0; i < l->n_last; i++)
        print_step(c, &l->between[l->n_first + i], "");
    print_step(c, &(race_step_t){ l->who, true, l->stored }, lost);
}
