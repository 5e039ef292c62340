/* SPDX-License-Identifier: MIT */
/* event.h - what the files of the event scenario share (event.c and event_reuse.c):
 * the variant told outside event.c, for its table, and the enumerators of its options. */
#ifndef THRDEMO_SCENARIOS_EVENT_H
#define THRDEMO_SCENARIOS_EVENT_H

#include "scenarios.h"

/* The options of event, one enumerator per row of its table in event.c, by which
 * the stories read them: a name mistyped does not compile. */
enum {
    EVENT_WAIT_TIMEOUT,
    EVENT_FIRST_DELAY,
    EVENT_SECOND_DELAY,
    EVENT_THREADS,
    EVENT_COUNT,
    EVENT_DELAY,
    EVENT_WAITERS,
    EVENT_DELAY_REUSE,
    EVENT_WAIT_TIMEOUT_REUSE,
};

/* event reuse (event_reuse.c): clear() and a second round of waiters. */
int run_event_reuse(const cli_args_t *args);

#endif
