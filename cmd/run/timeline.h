/* SPDX-License-Identifier: MIT */
/* timeline.h - --timeline: what each thread did during the run, as a chart drawn
 * from the recorder's data (the library's td_trace_visit). One row per thread (and
 * per coroutine), in start order; time across the columns; a glyph per column for
 * what the thread did most in that stretch: running, blocked (waiting on a lock,
 * an Event, a queue, a join), sleeping (the runner's sleep); a marker where it
 * printed a line; a legend below. */
#ifndef THRDEMO_TIMELINE_H
#define THRDEMO_TIMELINE_H

#include <stdbool.h>

#include <thrdemo/trace.h>

typedef struct timeline_options {
    int width;    /* columns in all, names included (20 or more) */
    bool unicode; /* block characters, else ASCII */
    bool color;   /* ANSI colours */
} timeline_options_t;

/* Draw what trace recorded on fd: 0, -ENOMEM, or -errno of write. */
int timeline_draw(td_trace_t *trace, int fd, const timeline_options_t *options);

#endif
