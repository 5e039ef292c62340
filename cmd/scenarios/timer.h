/* SPDX-License-Identifier: MIT */
/* timer.h - what the files of the timer scenario share (timer.c and timer_interval.c):
 * the variant told outside timer.c, for its table, and the enumerators of its options. */
#ifndef THRDEMO_SCENARIOS_TIMER_H
#define THRDEMO_SCENARIOS_TIMER_H

#include "scenarios.h"

/* The options of timer, one enumerator per row of its table in timer.c, by which
 * the stories read them: a name mistyped does not compile. */
enum {
    TIMER_DELAY,
    TIMER_CANCEL_AFTER,
    TIMER_EVERY,
    TIMER_EVERY_INTERVAL,
    TIMER_COUNT,
    TIMER_STOP_AFTER,
};

/* timer interval (timer_interval.c): seed 002's set_interval. */
int run_timer_interval(const cli_args_t *args);

#endif
