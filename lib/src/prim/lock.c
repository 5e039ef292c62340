/* SPDX-License-Identifier: MIT */
/* lock.c - Python's Lock: a futex word with no owner.
 *
 * The word is 0 (unlocked), 1 (locked, nobody asleep) or 2 (locked, a thread may be
 * asleep on it): Drepper's "Futexes Are Tricky" mutex #3. Because nothing records an
 * owner, any thread may release it, as in Python. release() exchanges in 0 and only
 * makes a system call when the old value says someone may sleep.
 *
 * A waiter that gives up (timeout) must not take a wake-up away from the others. The
 * release's one wake may have gone to it; so its last try exchanges in CONTENDED,
 * as every try in the loop does: if it takes the lock, its own release will wake the
 * next sleeper; if it does not, the holder's release will. (Taking the lock as
 * LOCKED there lost the wake-up: the untimed waiters slept on a free lock for ever.)
 * There is no spin phase: the holder re-takes the lock nanoseconds after releasing
 * it, so a spinner almost never sees it free and only delays its own sleep (tried
 * again in issue 20, Rust's 100 looks while the word says LOCKED: two threads on one
 * lock took 4x as long, the line bouncing between the cores at every iteration).
 */
#include <errno.h>

#include "prim.h"

enum { UNLOCKED = 0, LOCKED = 1, CONTENDED = 2 };

void td_lock_init(td_lock_t *lock)
{
    atomic_init(TD__ATOMIC(lock->state_), UNLOCKED);
}

void td_lock_destroy(td_lock_t *lock)
{
    (void)lock; /* nothing is allocated; kept so every primitive pairs init/destroy */
}

/* Whether an acquire waits for as long as it takes: -1 is Python's spelling. */
static bool waits_forever(bool blocking, double timeout)
{
    return blocking && (timeout == TD_FOREVER || timeout == -1);
}

int td__lock_check_args(bool blocking, double *timeout)
{
    if (!blocking && *timeout != TD_FOREVER && *timeout != -1)
        return -EINVAL; /* Python: "can't specify a timeout for a non-blocking call" */
    return td__check_timeout(timeout, TD__TIMEOUT_LOCK);
}

static bool try_take(atomic_uint *state)
{
    unsigned expected = UNLOCKED;
    return atomic_compare_exchange_strong_explicit(state, &expected, LOCKED,
                                                   memory_order_acquire,
                                                   memory_order_relaxed);
}

/* Mark the word CONTENDED and sleep until the exchange finds it free, or the
 * deadline; every exit keeps the mark (see the top of the file). */
static int sleep_then_take(atomic_uint *state, td__deadline_t deadline)
{
    /* Already marked CONTENDED: sleep first, without writing the word again (the
     * write would take the cache line away from the holder for nothing). */
    bool marked = atomic_load_explicit(state, memory_order_relaxed) == CONTENDED;
    while (marked ||
           atomic_exchange_explicit(state, CONTENDED, memory_order_acquire) != UNLOCKED) {
        marked = false;
        if (td__wait_until(state, CONTENDED, deadline) == -ETIMEDOUT) {
            /* One last try, keeping the mark: it may have been freed just now. */
            bool taken = atomic_exchange_explicit(state, CONTENDED, memory_order_acquire) ==
                         UNLOCKED;
            return taken ? 0 : -ETIMEDOUT;
        }
    }
    return 0;
}

double td__seconds_left(td__deadline_t deadline)
{
    if (td__deadline_is_never(deadline))
        return -1;
    double left = (double)(deadline.at - td__now()) / 1e9;
    return left > 0 ? left : 0;
}

int td__lock_acquire_until(td_lock_t *lock, td__deadline_t deadline, td__as_t as)
{
    atomic_uint *state = TD__ATOMIC(lock->state_);
    /* The caller's own try has just failed. Unobserved, straight to the sleep, as
     * acquire_contended does: another compare-and-swap here only takes the line from
     * the holder to fail (an RLock's contended acquire came this way: 1.2-1.3x the
     * Lock). Observed, one more look first, so that a lock freed in between is not
     * reported as a wait. */
    if (!TD__OBSERVING())
        return sleep_then_take(state, deadline);
    if (try_take(state))
        return 0;
    TD__OBSERVE_WAIT(TD_OBS_WAIT_BEGIN, as.primitive, as.object, 0, td__seconds_left(deadline));
    int rc = sleep_then_take(state, deadline);
    TD__OBSERVE(TD_OBS_WAIT_END, as.primitive, as.object, rc);
    return rc;
}

bool td__lock_try(td_lock_t *lock)
{
    return try_take(TD__ATOMIC(lock->state_));
}

int td__lock_acquire_slow(td_lock_t *lock, bool blocking, double timeout, td__as_t as)
{
    if (!blocking)
        return -EBUSY;
    if (timeout == 0)
        return -ETIMEDOUT;
    return td__lock_acquire_until(lock, td__deadline_in(timeout), as);
}

/* Everything acquire() does beyond taking a free lock with no schedule, observer or
 * timeout: kept out of line so the fast path below has no frame to build. */
static TD__NOINLINE int acquire_general(td_lock_t *lock, bool blocking, double timeout,
                                        const void *caller)
{
    /* The kind is worked out only under a schedule: without one this stays one
     * predictable branch. The object is the state word, at the lock's own address. */
    TD__POINT_FROM(waits_forever(blocking, timeout) ? TD__POINT_LOCK : TD__POINT_ACQUIRE,
                   TD__ATOMIC(lock->state_), caller);
    /* acquire() with no arguments needs no checking. */
    int rc = timeout == TD_FOREVER && blocking ? 0 : td__lock_check_args(blocking, &timeout);
    if (rc != 0)
        return rc;
    if (!try_take(TD__ATOMIC(lock->state_)))
        rc = td__lock_acquire_slow(lock, blocking, timeout, (td__as_t){ "lock", lock });
    if (rc == 0)
        TD__OBSERVE(TD_OBS_ACQUIRE, "lock", lock, 0);
    return rc;
}

/* acquire() found the lock taken, with no schedule, observer or timeout: straight to
 * the sleep. Another compare-and-swap first (acquire_general's, then the slow path's,
 * as it was) takes the cache line away from the holder each time only to fail: with
 * two threads on the lock, that made Lock 1.4-1.6x pthread_mutex, whose contended
 * path is this one (glibc's __lll_lock_wait). */
static TD__NOINLINE int acquire_contended(atomic_uint *state)
{
    return sleep_then_take(state, td__forever());
}

int td_lock_acquire(td_lock_t *lock, bool blocking, double timeout)
{
    /* The holder of a contended lock re-takes it here nanoseconds after releasing
     * it; every instruction before the exchange widens the window in which a
     * woken waiter finds the lock free and the two swap roles, each swap costing
     * a sleep and a wake-up. So: no frame, no argument check, one exchange. */
    if (TD__LIKELY(td__sched == NULL && timeout == TD_FOREVER && blocking &&
                   atomic_load_explicit(&td__reporter, memory_order_relaxed) == NULL)) {
        atomic_uint *state = TD__ATOMIC(lock->state_);
        if (TD__LIKELY(try_take(state)))
            return 0;
        return acquire_contended(state);
    }
    return acquire_general(lock, blocking, timeout, __builtin_return_address(0));
}

int td__lock_release_quiet(td_lock_t *lock)
{
    atomic_uint *state = TD__ATOMIC(lock->state_);
    unsigned old = atomic_exchange_explicit(state, UNLOCKED, memory_order_release);
    if (old == UNLOCKED)
        return -EPERM; /* Python: RuntimeError("release unlocked lock") */
    if (old == CONTENDED)
        td__wake(state, 1);
    return 0;
}

/* Everything release() does beyond freeing the word unobserved: out of line, as
 * acquire_general is, so that the usual release builds no frame. */
static TD__NOINLINE int release_general(td_lock_t *lock, const void *caller)
{
    TD__POINT_FROM(TD__POINT_RELEASE, lock, caller);
    /* Reported before the word is written: once it is, another thread may take the
     * lock and report its acquire, which must come after this release. Unobserved,
     * the exchange alone finds an unlocked lock: a load before it would fetch the
     * line a sleeper just marked, only for the exchange to fetch it again. */
    if (TD__OBSERVING()) {
        if (!td_lock_locked(lock))
            return -EPERM;
        TD__OBSERVE(TD_OBS_RELEASE, "lock", lock, 0);
    }
    return td__lock_release_quiet(lock);
}

int td_lock_release(td_lock_t *lock)
{
    if (TD__UNLIKELY(td__sched != NULL ||
                     atomic_load_explicit(&td__reporter, memory_order_relaxed) != NULL))
        return release_general(lock, __builtin_return_address(0));
    return td__lock_release_quiet(lock);
}

void td__lock_take(td_lock_t *lock)
{
    atomic_uint *state = TD__ATOMIC(lock->state_);
    if (TD__LIKELY(try_take(state)))
        return;
    /* An internal lock guards a few instructions: its holder lets go within
     * nanoseconds, so look a few times before paying for a sleep. */
    td__spin_t spin;
    td__spin_start(&spin, td__forever());
    while (td__spin_again(&spin)) {
        if (atomic_load_explicit(state, memory_order_relaxed) == UNLOCKED && try_take(state)) {
            td__spin_won();
            return;
        }
    }
    sleep_then_take(state, td__forever());
}

void td__lock_give(td_lock_t *lock)
{
    td__lock_release_quiet(lock);
}

bool td_lock_locked(td_lock_t *lock)
{
    return atomic_load_explicit(TD__ATOMIC(lock->state_), memory_order_relaxed) != UNLOCKED;
}
