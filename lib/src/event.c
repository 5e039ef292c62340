/* event.c - Python's Event on one futex word.
 *
 * word = generation << 1 | flag. set() turns the flag on and advances the
 * generation in one compare-and-swap, then wakes every sleeper; clear() only turns
 * the flag off. A waiter that saw word w (flag off) sleeps while the word is still
 * w: the only way it can change is a set(), so any change means "was set while I
 * waited", even if clear() came straight after (CPython gives the same answer).
 */
#include "internal.h"
#include "thrdemo/event.h"

enum { FLAG = 1u, GENERATION = 2u };

void td_event_init(td_event_t *event)
{
    atomic_init(&event->word, 0);
}

void td_event_destroy(td_event_t *event)
{
    (void)event;
}

void td_event_set(td_event_t *event)
{
    unsigned w = atomic_load_explicit(&event->word, memory_order_relaxed);
    do {
        if (w & FLAG)
            return; /* already set: nobody can be asleep on a set event */
    } while (!atomic_compare_exchange_weak_explicit(&event->word, &w,
                                                    (w + GENERATION) | FLAG,
                                                    memory_order_release,
                                                    memory_order_relaxed));
    TD__OBSERVE(TD_OBS_SET, "event", event, 0);
    td__futex_wake(&event->word, INT32_MAX);
}

void td_event_clear(td_event_t *event)
{
    atomic_fetch_and_explicit(&event->word, ~FLAG, memory_order_relaxed);
}

bool td_event_is_set(td_event_t *event)
{
    return atomic_load_explicit(&event->word, memory_order_acquire) & FLAG;
}

bool td_event_wait(td_event_t *event, double timeout)
{
    if (timeout != TD_FOREVER && !(timeout > 0))
        return td_event_is_set(event); /* Python: zero or negative does not wait */
    td__deadline_t deadline = td__deadline_in(timeout);
    return td__event_wait_until(event, &deadline);
}

bool td__event_wait_until(td_event_t *event, const td__deadline_t *deadline)
{
    unsigned seen = atomic_load_explicit(&event->word, memory_order_acquire);
    if (seen & FLAG)
        return true;
    TD__OBSERVE(TD_OBS_WAIT_BEGIN, "event", event, 0);
    bool set = false;
    for (;;) {
        int rc = td__futex_wait(&event->word, seen, deadline);
        if (atomic_load_explicit(&event->word, memory_order_acquire) != seen) {
            set = true;
            break;
        }
        if (rc == -ETIMEDOUT || td__deadline_passed(deadline))
            break;
    }
    TD__OBSERVE(TD_OBS_WAIT_END, "event", event, set ? 0 : -ETIMEDOUT);
    return set;
}
