/* SPDX-License-Identifier: MIT */
/* trace_json.c - a recording as Chrome Trace Event Format JSON (the JSON Object
 * Format: {"traceEvents": [...], "displayTimeUnit": "ms", "otherData": {...}}).
 *
 * The view (trace_view.c) gives the reports in time order, consistent; this file
 * turns them into events, one process (pid 1), one tid per track numbered in start
 * order from 1, timestamps in microseconds from the start with three decimals:
 *   M  process_name, thread_name and thread_sort_index, first;
 *   B/E  slices: a wait, a Lock or RLock held, a coroutine resumed (on the thread)
 *        and running (on its own track). Each track keeps a stack of its open
 *        slices so that B and E always nest: to close a slice that is not on top
 *        (a lock released inside a wait, the lock a Condition takes back before its
 *        wait ends), the ones above it are closed and opened again, same names;
 *   i  instants (thread scope): set, clear, notify, release, put, get, task_done,
 *      shutdown, cancel, timer fire, thread exit, and each printed line;
 *   s/f  a flow from the waking instant to a "woken by ..." instant on the woken
 *        thread; each binds to the instant just before it at the same time (Perfetto
 *        keeps an instant open until the next event of its track; f has "bp":"e");
 *   C  counters: a Queue's size, values reported as TD_OBS_COUNTER.
 * Strings are escaped (and invalid UTF-8 replaced), names cut to NAME_OUT bytes
 * (trace_json_out.c); a report's events are trace_json_events.c's.
 * The file never passes the limit: before each report the writer checks that the
 * report's events, the ends of every open slice and the closing part still fit;
 * the reports that do not are counted as dropped.
 */
#include <errno.h>
#include <stdlib.h>

#include "services/trace_json.h"

/* The most a report can write: its events, a split of the stacks it touches. */
static uint64_t bound(struct writer *w, uint32_t item, uint32_t pos)
{
    const td__trace_record_t *rec = td__json_record(w, item);
    size_t depth = w->stacks[pos].n, flows = 0;
    td__trace_view_flows_from(w->v, w->v->items[item].seq, &flows);
    uint32_t holder = rec->kind == TD_OBS_RELEASE || rec->kind == TD_OBS_ACQUIRE
                          ? td__trace_number(&w->holders, rec->object) : UINT32_MAX;
    uint32_t co = rec->kind == TD_OBS_CORO_SUSPEND ? td__trace_view_track(w->v, rec->extra)
                                                   : UINT32_MAX;
    if (holder != UINT32_MAX)
        depth += w->stacks[holder].n;
    if (co != UINT32_MAX)
        depth += w->stacks[co].n;
    uint64_t text = rec->kind == TD_OBS_LINE ? 6 * (uint64_t)rec->extra : 0;
    return (2 * depth + 6 + flows) * EVENT_MAX + text;
}

static bool fits(struct writer *w, uint64_t more)
{
    return w->written + w->len + more + w->open * EVENT_MAX + FOOTER_MAX <= w->limit;
}

/* ---- the file --------------------------------------------------------------------- */

static void metadata(struct writer *w, const char *process_name)
{
    TD__JSON_PUT(w, "{\"traceEvents\":[");
    w->first = true;
    td__json_head(w, "M", 0, 0);
    TD__JSON_PUT(w, ",\"name\":\"process_name\",\"args\":{\"name\":");
    td__json_name(w, process_name);
    TD__JSON_PUT(w, "}}");
    for (uint32_t p = 0; p < w->v->n_shown && fits(w, 2 * EVENT_MAX); p++) {
        const td__trace_track_t *t = &w->v->tracks[w->v->order[p]];
        td__json_head(w, "M", p, 0);
        TD__JSON_PUT(w, ",\"name\":\"thread_name\",\"args\":{\"name\":");
        td__json_name(w, t->name);
        if (t->coroutine)
            TD__JSON_PUT(w, ",\"coroutine\":true");
        TD__JSON_PUT(w, "}}");
        td__json_head(w, "M", p, 0);
        td__json_putf(w, ",\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":%u}}", p + 1);
    }
}

static void footer(struct writer *w)
{
    TD__JSON_PUT(w, "\n],\"displayTimeUnit\":\"ms\",\"otherData\":{\"producer\":\"libthrdemo\",");
    td__json_putf(w, "\"clock\":\"%s\",\"time_unit\":\"us\",\"recorded_events\":%llu,"
            "\"dropped_events\":%llu,\"limit_bytes\":%llu}}\n",
         w->v->trace->virtual_time ? "virtual" : "real", (unsigned long long)w->kept,
         (unsigned long long)(w->v->dropped + w->left_out),
         (unsigned long long)w->v->trace->limit);
}

/* Every report in time order, as long as it fits; then the open slices end. */
static void body(struct writer *w)
{
    td__trace_view_t *v = w->v;
    size_t i = 0;
    for (; i < v->n_items && w->err == 0; i++) {
        uint32_t item = v->in_time[i];
        const td__trace_item_t *it = &v->items[item];
        uint32_t pos = td__trace_view_track(v, td__json_record(w, item)->track);
        if ((it->flags & TD__ITEM_HIDDEN) || pos == UINT32_MAX) {
            w->kept++;
            continue;
        }
        if (!fits(w, bound(w, item, pos)))
            break;
        td__json_report(w, item, pos, it->ts);
        w->kept++;
    }
    w->left_out = v->n_items - i;
    double end = v->end_ts;
    if (i < v->n_items)
        end = i > 0 ? v->items[v->in_time[i - 1]].ts : 0;
    for (uint32_t p = 0; p < v->n_shown; p++)
        td__json_close_all(w, p, end, "\"ended\":\"end of trace\"");
}

static int write_view(td__trace_view_t *v, int fd, const char *process_name, uint64_t *dropped)
{
    struct writer w = { .v = v, .fd = fd, .limit = v->trace->limit,
                        .buf = malloc(BUF_SIZE),
                        .stacks = calloc(v->n_shown ? v->n_shown : 1, sizeof *w.stacks) };
    int rc = w.buf && w.stacks ? 0 : -ENOMEM;
    if (rc == 0) {
        metadata(&w, process_name ? process_name : "libthrdemo");
        body(&w);
        footer(&w);
        td__json_flush(&w);
        rc = w.err;
    }
    if (dropped)
        *dropped = v->dropped + w.left_out;
    for (size_t p = 0; w.stacks && p < v->n_shown; p++)
        free(w.stacks[p].slices);
    free(w.stacks);
    free(w.buf);
    td__ptrmap_free(&w.holders);
    return rc;
}

int td_trace_write_json(td_trace_t *trace, int fd, const char *process_name, uint64_t *dropped)
{
    td__trace_view_t view;
    int rc = td__trace_view_open(&view, trace);
    if (rc != 0) {
        if (dropped)
            *dropped = td_trace_dropped(trace);
        return rc;
    }
    rc = write_view(&view, fd, process_name, dropped);
    td__trace_view_close(&view);
    return rc;
}
