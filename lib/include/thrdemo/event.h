/* SPDX-License-Identifier: MIT */
/* event.h - Python's threading.Event: a flag that threads wait to see set.
 *
 * One atomic word holds the flag (bit 0) and a generation that every set() advances
 * (the other bits). A waiter sleeps on the word it saw; any change from a word with
 * the flag clear can only be a set(), so a set() followed at once by clear() still
 * releases every thread that was waiting, as Python's Event does.
 */
#ifndef THRDEMO_EVENT_H
#define THRDEMO_EVENT_H

#include <stdbool.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct td_event {
    unsigned word_; /* private: bit 0 the flag, bit 1 sleepers, bits 2..: generation */
} td_event_t;

/* Make a clear Event; cannot fail. */
TD_API void td_event_init(td_event_t *event);
/* Release an Event's resources; no thread may still wait on it. */
TD_API void td_event_destroy(td_event_t *event);
/* Set the flag and wake every waiter. Uses only atomics and one system call. */
TD_API void td_event_set(td_event_t *event);
/* Clear the flag; later waiters block until the next set(). */
TD_API void td_event_clear(td_event_t *event);
/* Whether the flag is set (a snapshot). */
TD_API bool td_event_is_set(td_event_t *event);
/* Block until the flag is set or timeout seconds pass (TD_FOREVER: no limit; zero or
 * negative: do not wait, as Python). Returns true if set, false on timeout. The bool
 * cannot say -EINVAL or -EOVERFLOW: NaN and a finite timeout above TD_TIMEOUT_MAX do
 * not wait either. */
TD_API bool td_event_wait(td_event_t *event, double timeout);

#ifdef __cplusplus
}
#endif
#endif
