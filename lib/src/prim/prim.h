/* SPDX-License-Identifier: MIT */
/* prim.h - what the primitives (the third floor) share among themselves: the
 * deadline forms of their waits, so a composite (a queue, a timer, a future) turns
 * its public timeout into a deadline once and waits against it throughout.
 *
 * Public structs hold plain integers so the headers compile as C++; the primitives
 * reach them as C11 atomics through TD__ATOMIC, which is sound because GCC and Clang
 * give an atomic_uint the size and alignment of an unsigned (checked below).
 */
#ifndef THRDEMO_PRIM_H
#define THRDEMO_PRIM_H

#include <stdalign.h>

#include "core/core.h"
#include "thrdemo/condition.h"
#include "thrdemo/coro.h"
#include "thrdemo/event.h"
#include "thrdemo/lock.h"

_Static_assert(sizeof(atomic_uint) == sizeof(unsigned) &&
                   alignof(atomic_uint) == alignof(unsigned),
               "atomic_uint must have the layout of unsigned");
_Static_assert(sizeof(atomic_uintptr_t) == sizeof(uintptr_t) &&
                   alignof(atomic_uintptr_t) == alignof(uintptr_t),
               "atomic_uintptr_t must have the layout of uintptr_t");

/* The atomic view of a public struct's word. */
#define TD__ATOMIC(field) ((atomic_uint *)&(field))
#define TD__ATOMIC_PTR(field) ((atomic_uintptr_t *)&(field))

/* Take and give a lock used inside the library (a queue's mutex): not reported to
 * the observer, and taken with a brief spin, since it guards a few instructions. */
void td__lock_take(td_lock_t *lock);
void td__lock_give(td_lock_t *lock);
/* Python's argument checks of acquire(blocking, timeout): 0 (*timeout made the one
 * to wait with: -1 becomes TD_FOREVER), -EINVAL, -EOVERFLOW. */
int td__lock_check_args(bool blocking, double *timeout);
/* One compare-and-swap: whether the lock was free and is now taken (unreported). */
bool td__lock_try(td_lock_t *lock);
/* Python's RLock._release_save: let go of every level the caller holds; returns the
 * depth held, 0 if the caller does not hold it (then nothing changes). */
size_t td__rlock_release_save(td_rlock_t *rlock);
/* Python's RLock._acquire_restore: take rlock again (blocking) at that depth. */
void td__rlock_acquire_restore(td_rlock_t *rlock, size_t depth);
/* Who a wait is reported as: a composite (an RLock, a Semaphore, a Barrier, a
 * Future) reports its waits as itself, not as the lock or Condition inside it. */
typedef struct td__as {
    const char *primitive;
    const void *object;
} td__as_t;

/* The seconds left until deadline (-1 for none): a wait's reported timeout. */
double td__seconds_left(td__deadline_t deadline);

/* After a failed td__lock_try: -EBUSY (not blocking), or wait, reported as `as`. */
int td__lock_acquire_slow(td_lock_t *lock, bool blocking, double timeout, td__as_t as);
/* Release without reporting it: 0 or -EPERM. */
int td__lock_release_quiet(td_lock_t *lock);
/* After a failed td__lock_try: td_lock_acquire against a deadline (blocking), its
 * wait reported as `as`: 0 or -ETIMEDOUT. */
int td__lock_acquire_until(td_lock_t *lock, td__deadline_t deadline, td__as_t as);
/* td_event_wait against a deadline: true if the event was set. */
bool td__event_wait_until(td_event_t *event, td__deadline_t deadline);
/* td_cond_wait against a deadline (the lock held), reported as `as`: 0 notified,
 * -ETIMEDOUT, -EPERM. */
int td__cond_wait_until(td_cond_t *cond, td__deadline_t deadline, td__as_t as);
/* td_cond_wait_for against a deadline, reported as `as`: pred's last value. */
bool td__cond_wait_for_until(td_cond_t *cond, td_predicate_fn pred, void *ctx,
                             td__deadline_t deadline, td__as_t as);

/* Have the observer hear co's switches as those of object, a "task" say, rather
 * than of the coroutine itself (whose owner the observer could not know). */
void td__coro_report_as(td_coro_t *co, const char *kind, const void *object);

/* A coroutine inside memory of its owner's (a task embeds its own, saving a malloc
 * and a pointer): the bytes it needs with attr (max_align_t-aligned), then init and
 * destroy as td_coro_new and td_coro_free do, minus the allocation. mem is zeroed.
 * td__coro_init returns as td_coro_new; the coroutine is `mem`. */
size_t td__coro_size(const td_coro_attr_t *attr);
int td__coro_init(void *mem, td_coro_fn fn, void *arg, const td_coro_attr_t *attr);
void td__coro_destroy(td_coro_t *co);

#endif
