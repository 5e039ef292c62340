/* SPDX-License-Identifier: MIT */
/* event.c - Python's Event on one futex word.
 *
 * word = generation << 2 | SLEEPERS | FLAG. set() turns FLAG on, clears SLEEPERS
 * and advances the generation in one compare-and-swap, then makes a wake system
 * call only if SLEEPERS said a thread may be asleep; clear() only turns FLAG off.
 * A waiter that saw generation g (FLAG off) waits while the generation is still g:
 * only a set() changes it, so a change means "was set while I waited", even if
 * clear() came straight after (CPython gives the same answer). A waiter spins
 * briefly first (td__spin_while), then sets SLEEPERS and sleeps. The flag, the
 * sleepers mark and the generation share one word, so no ordering between two
 * variables is needed: the kernel compares the whole word before sleeping.
 */
#include "prim.h"

enum { FLAG = 1u, SLEEPERS = 2u, GENERATION = 4u };

static unsigned generation(unsigned word)
{
    return word & ~(FLAG | SLEEPERS);
}

static atomic_uint *word_of(td_event_t *event)
{
    return TD__ATOMIC(event->word_);
}

void td_event_init(td_event_t *event)
{
    atomic_init(word_of(event), 0);
}

void td_event_destroy(td_event_t *event)
{
    (void)event;
}

void td_event_set(td_event_t *event)
{
    TD__POINT(TD__POINT_SET, event);
    atomic_uint *word = word_of(event);
    unsigned w = atomic_load_explicit(word, memory_order_relaxed);
    if (w & FLAG) {
        /* Already set: nobody sleeps on it, but what this thread wrote before set()
         * must still happen-before a wait() that returns after it (as Python's
         * set(), which takes a lock, guarantees): a release RMW. */
        atomic_fetch_or_explicit(word, FLAG, memory_order_release);
        return;
    }
    /* Reported before the flag flips, so a waiter's wake-up comes after it. */
    TD__OBSERVE(TD_OBS_SET, "event", event, 0);
    while (!(w & FLAG) &&
           !atomic_compare_exchange_weak_explicit(word, &w, (generation(w) + GENERATION) | FLAG,
                                                  memory_order_release, memory_order_relaxed))
        ;
    if (w & SLEEPERS) {
        td__wake(word, INT32_MAX);
        td__note_woke_sleeper();
    }
}

void td_event_clear(td_event_t *event)
{
    TD__POINT(TD__POINT_CLEAR, event);
    TD__OBSERVE(TD_OBS_CLEAR, "event", event, 0);
    atomic_fetch_and_explicit(word_of(event), ~FLAG, memory_order_relaxed);
}

bool td_event_is_set(td_event_t *event)
{
    return atomic_load_explicit(word_of(event), memory_order_acquire) & FLAG;
}

bool td_event_wait(td_event_t *event, double timeout)
{
    TD__POINT(TD__POINT_EVENT_WAIT, event);
    /* Python: zero or negative does not wait. A bool has no room for -EINVAL or
     * -EOVERFLOW: a timeout the others reject does not wait either. */
    if (td__check_timeout(&timeout, TD__TIMEOUT_JOIN) != 0 || timeout == 0)
        return td_event_is_set(event);
    return td__event_wait_until(event, td__deadline_in(timeout));
}

static bool was_set(unsigned now, unsigned seen)
{
    return generation(now) != generation(seen) || (now & FLAG);
}

/* Sleep until the generation moves on from the one in seen: true if it did. */
static bool sleep_until_set(atomic_uint *word, unsigned seen, td__deadline_t deadline)
{
    for (;;) {
        if (!(seen & SLEEPERS)) {
            unsigned marked = seen | SLEEPERS;
            if (!atomic_compare_exchange_strong_explicit(word, &seen, marked,
                                                         memory_order_acquire,
                                                         memory_order_acquire)) {
                if (generation(seen) != generation(marked) || (seen & FLAG))
                    return true; /* set() got in first */
                continue;        /* another sleeper marked it: retry with that */
            }
            seen = marked;
        }
        int rc = td__wait_until(word, seen, deadline);
        unsigned now = atomic_load_explicit(word, memory_order_acquire);
        if (was_set(now, seen))
            return true;
        if (rc == -ETIMEDOUT)
            return false;
        seen = now;
    }
}

bool td__event_wait_until(td_event_t *event, td__deadline_t deadline)
{
    atomic_uint *word = word_of(event);
    unsigned seen = atomic_load_explicit(word, memory_order_acquire);
    if (seen & FLAG)
        return true;
    if (TD__OBSERVING()) /* it did not return at once: a wait, spin included */
        TD__OBSERVE_WAIT(TD_OBS_WAIT_BEGIN, "event", event, 0, td__seconds_left(deadline));
    /* A set() in the next few microseconds is common in a hand-off: wait for it
     * awake, then go to sleep. (A spin sees any change, set() or not: re-check.) */
    bool set = false;
    if (td__spin_while(word, seen, deadline)) {
        unsigned now = atomic_load_explicit(word, memory_order_acquire);
        set = was_set(now, seen);
        seen = now;
    }
    if (!set && !td__deadline_passed(deadline))
        set = sleep_until_set(word, seen, deadline);
    TD__OBSERVE(TD_OBS_WAIT_END, "event", event, set ? 0 : -ETIMEDOUT);
    return set;
}
