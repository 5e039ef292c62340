/* SPDX-License-Identifier: MIT */
/* rlock.c - Python's RLock: a Lock plus who holds it and how deep.
 *
 * Who holds which RLock, and how deep, each thread keeps for itself in a small
 * thread-local table, not in the RLock, so an RLock's cache line carries only its
 * lock word, as a Lock's does, and the time the lock is held is no longer than a
 * Lock's: on the fast path the entry is written just before the compare-and-swap,
 * and a release removes it just after the exchange (only its own thread reads it).
 * An owner and count in the struct, written inside the hold, would lengthen the hold
 * and share the line with every contender. A re-entry, the ownership test and a
 * release's bookkeeping touch only the caller's own memory. CPython's _thread.RLock keeps an
 * owner ident in the lock; the answer to "is it me?" is the same, asked elsewhere.
 *
 * The table says "held" only while the lock word is held: code can run on this
 * thread in the middle of an acquire or a release (the observer's reports, and a
 * schedule's interrupt handler at a scheduling point inside a wait), and must see
 * the truth. So an entry written before the compare-and-swap is taken back if the
 * swap fails, before the wait, and written again once the wait has the lock; and a
 * release reports itself first, then looks its entry up again, since that code may
 * have moved the entries.
 *
 * The table has HELD_SLOTS entries. A thread holding more RLocks than that at once
 * keeps the extra ones in the RLocks' own owner_ and count_ fields (under its spill
 * key, written only while it holds the lock) and counts them in `spilled`; while
 * that count is 0 the table alone answers, and no RLock field is read at all.
 *
 * A difference from CPython, kept: an RLock left held by a thread that ended is
 * owned by no later thread. CPython compares get_ident(), which a later thread can
 * be given again (glibc reuses a finished thread's stack, pthread_t and TLS).
 * It reports itself to the observer as "rlock", not as its inner lock.
 */
#include <errno.h>

#include "prim.h"

/* Eight: deeper than any program here nests distinct RLocks, and small, since
 * initial-exec thread-locals come out of the static TLS block (see TD__TLS). */
enum { HELD_SLOTS = 8 };

struct held {
    td_rlock_t *rlock;
    size_t count;
};

static TD__TLS struct held held[HELD_SLOTS];
static TD__TLS unsigned held_n;  /* entries of held[] in use */
static TD__TLS unsigned spilled; /* RLocks held through their own fields */
/* The key a spilled RLock's owner_ holds: numbered once per thread and never
 * reused, unlike a thread-local's address or a pthread_t, which a later thread
 * gets again (it would then "own" what an ended thread left held). */
static TD__TLS uintptr_t spill_key;
static atomic_uintptr_t spill_keys_given;

static uintptr_t my_spill_key(void)
{
    if (spill_key == 0)
        spill_key = atomic_fetch_add_explicit(&spill_keys_given, 1, memory_order_relaxed) + 1;
    return spill_key;
}

/* Drop the calling thread's table entry for rlock, if it has one. */
static void drop_entry(const td_rlock_t *rlock)
{
    for (unsigned i = held_n; i-- > 0;)
        if (held[i].rlock == rlock) {
            held[i] = held[--held_n];
            return;
        }
}

void td_rlock_init(td_rlock_t *rlock)
{
    /* Memory that held an RLock this thread never released (a misuse) must not make
     * the new one look held. Only the table is looked at: owner_ is not yet set. */
    drop_entry(rlock);
    td_lock_init(&rlock->lock_);
    atomic_init(TD__ATOMIC_PTR(rlock->owner_), 0);
    rlock->count_ = 0;
}

/* my_count() past its first look: the rest of the table, then the spilled fields. */
static TD__NOINLINE size_t *my_count_deeper(td_rlock_t *rlock)
{
    for (unsigned i = held_n; i-- > 0;)
        if (held[i].rlock == rlock)
            return &held[i].count;
    if (spilled == 0)
        return NULL;
    uintptr_t owner = atomic_load_explicit(TD__ATOMIC_PTR(rlock->owner_), memory_order_relaxed);
    return owner == spill_key ? &rlock->count_ : NULL;
}

/* The calling thread's depth counter for rlock, or NULL if it does not hold it.
 * The newest entry is looked at first, inline: locks are mostly released in
 * reverse, and most threads hold one RLock at a time. */
static inline size_t *my_count(td_rlock_t *rlock)
{
    unsigned n = held_n;
    if (TD__LIKELY(n > 0) && held[n - 1].rlock == rlock)
        return &held[n - 1].count;
    if (TD__LIKELY(n <= 1 && spilled == 0))
        return NULL;
    return my_count_deeper(rlock);
}

/* Record that the calling thread now holds rlock, one level deep. */
static void note_taken(td_rlock_t *rlock)
{
    if (TD__LIKELY(held_n < HELD_SLOTS)) {
        held[held_n++] = (struct held){ rlock, 1 };
        return;
    }
    rlock->count_ = 1;
    atomic_store_explicit(TD__ATOMIC_PTR(rlock->owner_), my_spill_key(), memory_order_relaxed);
    spilled++;
}

/* Drop the calling thread's record of rlock, whose depth counter is `count`: its
 * table entry, or the RLock's own fields (before the lock is given back). */
static void forget(td_rlock_t *rlock, size_t *count)
{
    if (count == &rlock->count_) {
        atomic_store_explicit(TD__ATOMIC_PTR(rlock->owner_), 0, memory_order_relaxed);
        spilled--;
        return;
    }
    struct held *entry = (struct held *)((char *)count - offsetof(struct held, count));
    *entry = held[--held_n];
}

void td_rlock_destroy(td_rlock_t *rlock)
{
    /* Destroyed while the caller still holds it (a misuse): its record goes too, or
     * a new RLock made at the same address would look held by this thread. */
    size_t *count = my_count(rlock);
    if (count)
        forget(rlock, count);
    td_lock_destroy(&rlock->lock_);
}

bool td_rlock_is_owned(td_rlock_t *rlock)
{
    return my_count(rlock) != NULL;
}

/* The compare-and-swap, with the entry written just before it while the table has
 * room (nothing runs between the two): written after, it lengthened the hold, and
 * a longer hold sent twice as many threads to sleep (2x the futex calls). */
static bool try_take(td_rlock_t *rlock)
{
    if (TD__UNLIKELY(held_n == HELD_SLOTS)) {
        if (!td__lock_try(&rlock->lock_))
            return false;
        note_taken(rlock);
        return true;
    }
    held[held_n++] = (struct held){ rlock, 1 };
    if (TD__LIKELY(td__lock_try(&rlock->lock_)))
        return true;
    held_n--; /* not held: the wait to come runs code that must see so */
    return false;
}

int td_rlock_acquire(td_rlock_t *rlock, bool blocking, double timeout)
{
    TD__POINT(TD__POINT_ACQUIRE, rlock);
    /* The usual call, acquire(), needs no argument check. */
    int rc = blocking && timeout == TD_FOREVER ? 0 : td__lock_check_args(blocking, &timeout);
    if (rc != 0)
        return rc;
    size_t *count = my_count(rlock);
    if (count) {
        ++*count;
        return 0;
    }
    if (!try_take(rlock)) {
        rc = td__lock_acquire_slow(&rlock->lock_, blocking, timeout,
                                   (td__as_t){ "rlock", rlock });
        if (rc != 0)
            return rc;
        note_taken(rlock);
    }
    TD__OBSERVE(TD_OBS_ACQUIRE, "rlock", rlock, 0);
    return 0;
}

int td_rlock_release(td_rlock_t *rlock)
{
    TD__POINT(TD__POINT_RELEASE, rlock);
    size_t *count = my_count(rlock);
    if (!count)
        return -EPERM; /* Python: "cannot release un-acquired lock" */
    if (*count > 1) {
        --*count;
        return 0;
    }
    /* Reported while still held, before the word is written (see td_lock_release).
     * The observer may take and give RLocks, so then the entry is looked up again. */
    if (TD__OBSERVING()) {
        TD__OBSERVE(TD_OBS_RELEASE, "rlock", rlock, 0);
        count = my_count(rlock);
        if (!count)
            return -EPERM; /* the observer released it itself */
        if (*count > 1) {
            --*count; /* the observer took it again and keeps that level */
            return 0;
        }
    }
    if (count == &rlock->count_) {
        forget(rlock, count); /* while still held: the next holder may spill here */
        return td__lock_release_quiet(&rlock->lock_);
    }
    /* The table is this thread's alone: the entry goes after the word is written,
     * for the same reason it is written before the word is taken. */
    int rc = td__lock_release_quiet(&rlock->lock_);
    forget(rlock, count);
    return rc;
}

size_t td_rlock_count(td_rlock_t *rlock)
{
    size_t *count = my_count(rlock);
    return count ? *count : 0;
}

size_t td__rlock_release_save(td_rlock_t *rlock)
{
    size_t *count = my_count(rlock);
    if (!count)
        return 0;
    size_t depth = *count;
    *count = 1;
    td_rlock_release(rlock);
    return depth;
}

void td__rlock_acquire_restore(td_rlock_t *rlock, size_t depth)
{
    td_rlock_acquire(rlock, true, TD_FOREVER);
    *my_count(rlock) = depth;
}
