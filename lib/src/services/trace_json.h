/* SPDX-License-Identifier: MIT */
/* trace_json.h - what the pieces of the JSON writer share (trace_json.c: the file
 * and its budget; trace_json_events.c: a report's events; trace_json_out.c: the
 * bytes). One writer writes one file, on one thread: nothing here is shared between
 * threads.
 */
#ifndef THRDEMO_TRACE_JSON_H
#define THRDEMO_TRACE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "services/trace_internal.h"

enum {
    BUF_SIZE = 64 * 1024,
    NAME_OUT = 200,    /* at most this many bytes of a name, escaped */
    EVENT_MAX = 768,   /* at most this many bytes per event (a line's text aside) */
    FOOTER_MAX = 512,
    MAX_DEPTH = 256,   /* open slices per track */
};

/* The kinds of slice: a wait, a Lock or RLock held, a coroutine resumed (on the
 * thread), a coroutine running (on its own track). */
typedef enum { SL_WAIT, SL_HOLD, SL_RESUME, SL_RUN } slice_type;

struct slice {
    slice_type type;
    const void *object; /* SL_HOLD: the lock; SL_RESUME, SL_RUN: the coroutine's track */
    uint32_t opener;    /* the item that opened it: its name comes from there */
};

/* A track's open slices, innermost last. */
struct stack {
    struct slice *slices;
    size_t n, cap;
    size_t lost; /* pushes beyond MAX_DEPTH, never written */
};

/* One file being written. */
struct writer {
    td__trace_view_t *v;
    int fd, err;
    char *buf;
    size_t len;
    uint64_t written, limit;
    bool first;
    struct stack *stacks; /* per shown track */
    size_t open;          /* slices open on all tracks */
    td__ptrmap_t holders; /* a lock -> the shown track holding it */
    uint64_t kept, left_out;
};

/* The record behind an item of the view. */
static inline const td__trace_record_t *td__json_record(struct writer *w, uint32_t item)
{
    return td__trace_view_record(w->v, &w->v->items[item]);
}

/* ---- trace_json_out.c: the bytes ---- */

/* Write out what is buffered; a write error is kept in w->err. */
void td__json_flush(struct writer *w);
/* Append n bytes. */
void td__json_put(struct writer *w, const char *s, size_t n);
/* Append a string literal. */
#define TD__JSON_PUT(w, literal) td__json_put((w), (literal), sizeof(literal) - 1)
/* Append printf's output (at most 511 bytes). */
void td__json_putf(struct writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append a JSON string of text (len bytes), escaped, invalid UTF-8 replaced, cut with
 * "..." past max bytes of output. */
void td__json_string(struct writer *w, const char *text, size_t len, size_t max);
/* Append a name as a JSON string, cut past NAME_OUT bytes. */
void td__json_name(struct writer *w, const char *name);
/* x as Python's repr prints a float (the shortest text that reads back), in buf. */
const char *td__json_float(double x, char buf[40]);
/* Append `{"ph":"PH","pid":1,"tid":T,"ts":TS`, with the comma before it. */
void td__json_head(struct writer *w, const char *ph, uint32_t pos, double ts);

/* ---- trace_json_events.c: a report's events ---- */

/* Write the events of the report at item, on shown track pos, at time ts. */
void td__json_report(struct writer *w, uint32_t item, uint32_t pos, double ts);
/* End every slice open on track pos, with args. */
void td__json_close_all(struct writer *w, uint32_t pos, double ts, const char *args);

#endif
