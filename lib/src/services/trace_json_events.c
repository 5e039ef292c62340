/* SPDX-License-Identifier: MIT */
/* trace_json_events.c - the events one report becomes in the Chrome Trace Event
 * Format (trace_json.c's design lists them), and the slices open on each track.
 *
 * Each shown track keeps a stack of its open slices so that B and E always nest: to
 * close a slice that is not on top (a lock released inside a wait, the lock a
 * Condition takes back before its wait ends), the ones above it are closed and
 * opened again, same names. A stack deeper than MAX_DEPTH counts the slices it could
 * not open (`lost`) and drops their ends. `holders` maps a Lock or RLock to the
 * track whose hold slice is open, so its release (on any thread) ends that slice.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "services/trace_json.h"

/* ---- names ------------------------------------------------------------------------ */

static const char *object_of(struct writer *w, uint32_t item)
{
    return td__trace_view_object(w->v, &w->v->items[item]);
}

/* What a wait is called: "acquire counter_lock", "get queue", "sleep 1.0 s". */
static const char *wait_name(struct writer *w, uint32_t item, char *buf, size_t size)
{
    const td__trace_record_t *rec = td__json_record(w, item);
    const char *object = object_of(w, item), *verb = "wait";
    char seconds[40];
    switch (td__trace_view_role(w->v, rec)) {
    case TD__ROLE_LOCK: case TD__ROLE_RLOCK: case TD__ROLE_SEMAPHORE: verb = "acquire"; break;
    case TD__ROLE_THREAD: verb = "join"; break;
    case TD__ROLE_FUTURE: verb = "result"; break;
    case TD__ROLE_QUEUE:
        verb = rec->result == TD_OBS_PUT ? "put" : rec->result == TD_OBS_GET ? "get"
             : rec->result == TD_OBS_TASK_DONE ? "join" : "wait";
        break;
    case TD__ROLE_SLEEP:
        snprintf(buf, size, "sleep %s s", td__json_float(rec->aux.timeout, seconds));
        return buf;
    default: break;
    }
    snprintf(buf, size, "%s %s", verb, object);
    return buf;
}

static const char *slice_name(struct writer *w, const struct slice *s, char *buf, size_t size)
{
    switch (s->type) {
    case SL_WAIT: return wait_name(w, s->opener, buf, size);
    case SL_HOLD: snprintf(buf, size, "hold %s", object_of(w, s->opener)); return buf;
    case SL_RESUME: snprintf(buf, size, "resume %s", object_of(w, s->opener)); return buf;
    default: return "running";
    }
}

static const char *slice_cat(slice_type type)
{
    return type == SL_WAIT ? "wait" : type == SL_HOLD ? "hold" : "coroutine";
}

/* What an instant is called: "set exit_event", "release counter_lock"; NULL: none. */
static const char *instant_name(struct writer *w, uint32_t item, char *buf, size_t size)
{
    static const char *const verbs[TD_OBS_KINDS] = {
        [TD_OBS_THREAD_EXIT] = "exit", [TD_OBS_SET] = "set", [TD_OBS_CLEAR] = "clear",
        [TD_OBS_ACQUIRE] = "acquire", [TD_OBS_RELEASE] = "release",
        [TD_OBS_NOTIFY] = "notify", [TD_OBS_PUT] = "put", [TD_OBS_GET] = "get",
        [TD_OBS_TASK_DONE] = "task_done", [TD_OBS_SHUTDOWN] = "shutdown",
        [TD_OBS_CANCEL] = "cancel", [TD_OBS_TIMER_FIRE] = "fire",
        [TD_OBS_AIO_TASK_NEW] = "create_task", [TD_OBS_AIO_TASK_END] = "done",
    };
    const td__trace_record_t *rec = td__json_record(w, item);
    const char *verb = rec->kind < TD_OBS_KINDS ? verbs[rec->kind] : NULL;
    if (!verb)
        return NULL;
    if (rec->kind == TD_OBS_THREAD_EXIT)
        return verb;
    snprintf(buf, size, "%s %s", verb, object_of(w, item));
    return buf;
}

/* ---- slices ----------------------------------------------------------------------- */

static void put_slice(struct writer *w, const char *ph, uint32_t pos, double ts,
                      const struct slice *s, const char *args)
{
    char name[NAME_OUT + 64];
    td__json_head(w, ph, pos, ts);
    td__json_putf(w, ",\"cat\":\"%s\",\"name\":", slice_cat(s->type));
    td__json_name(w, slice_name(w, s, name, sizeof name));
    if (args)
        td__json_putf(w, ",\"args\":{%s}", args);
    TD__JSON_PUT(w, "}");
}

/* The arguments a slice opens with. */
static const char *begin_args(struct writer *w, const struct slice *s, char *buf, size_t size)
{
    if (s->type != SL_WAIT)
        return NULL;
    const td__trace_record_t *rec = td__json_record(w, s->opener);
    char seconds[40];
    if (td__trace_view_role(w->v, rec) == TD__ROLE_SLEEP)
        return NULL;
    if (rec->aux.timeout < 0)
        return "\"timeout\":null";
    snprintf(buf, size, "\"timeout\":%s", td__json_float(rec->aux.timeout, seconds));
    return buf;
}

static void open_slice(struct writer *w, uint32_t pos, double ts, struct slice s)
{
    struct stack *st = &w->stacks[pos];
    if (st->n == MAX_DEPTH || (st->n == st->cap && st->cap == MAX_DEPTH)) {
        st->lost++;
        return;
    }
    if (st->n == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 8;
        struct slice *grown = realloc(st->slices, cap * sizeof *grown);
        if (!grown) {
            st->lost++;
            return;
        }
        st->slices = grown;
        st->cap = cap;
    }
    st->slices[st->n++] = s;
    w->open++;
    char args[64];
    put_slice(w, "B", pos, ts, &s, begin_args(w, &s, args, sizeof args));
}

/* Close the slice at index k of a track's stack with args; the slices above it are
 * closed first and opened again (same names), so slices stay nested. */
static void close_slice(struct writer *w, uint32_t pos, double ts, size_t k, const char *args)
{
    struct stack *st = &w->stacks[pos];
    for (size_t j = st->n; j-- > k + 1;)
        put_slice(w, "E", pos, ts, &st->slices[j], "\"continues\":true");
    put_slice(w, "E", pos, ts, &st->slices[k], args);
    for (size_t j = k + 1; j < st->n; j++)
        put_slice(w, "B", pos, ts, &st->slices[j], "\"continued\":true");
    memmove(&st->slices[k], &st->slices[k + 1], (st->n - k - 1) * sizeof *st->slices);
    st->n--;
    w->open--;
}

/* The topmost open slice of a type (and object, unless NULL): its index, or -1. */
static long find_slice(const struct stack *st, slice_type type, const void *object)
{
    for (size_t j = st->n; j-- > 0;)
        if (st->slices[j].type == type && (!object || st->slices[j].object == object))
            return (long)j;
    return -1;
}

/* Close the topmost slice of a type (and object) on a track, if there is one. */
static void close_found(struct writer *w, uint32_t pos, double ts, slice_type type,
                        const void *object, const char *args)
{
    long k = find_slice(&w->stacks[pos], type, object);
    if (k >= 0)
        close_slice(w, pos, ts, (size_t)k, args);
    else if (w->stacks[pos].lost > 0)
        w->stacks[pos].lost--; /* the end of a slice too deep to have been written */
}

void td__json_close_all(struct writer *w, uint32_t pos, double ts, const char *args)
{
    while (w->stacks[pos].n > 0)
        close_slice(w, pos, ts, w->stacks[pos].n - 1, args);
    w->stacks[pos].lost = 0;
}

/* ---- instants, flows, counters ----------------------------------------------------------- */

static void put_instant(struct writer *w, uint32_t pos, double ts, const char *cat,
                        const char *name, size_t len, size_t max)
{
    td__json_head(w, "i", pos, ts);
    td__json_putf(w, ",\"s\":\"t\",\"cat\":\"%s\",\"name\":", cat);
    td__json_string(w, name, len, max);
}

/* The arguments of an instant that has some: the size a queue is left with. */
static void instant_args(struct writer *w, const td__trace_record_t *rec)
{
    switch (rec->kind) {
    case TD_OBS_PUT: case TD_OBS_GET: td__json_putf(w, ",\"args\":{\"size\":%d}", rec->result); break;
    case TD_OBS_TASK_DONE: td__json_putf(w, ",\"args\":{\"unfinished\":%d}", rec->result); break;
    case TD_OBS_NOTIFY: td__json_putf(w, ",\"args\":{\"waiting\":%d}", rec->result); break;
    case TD_OBS_RELEASE:
        if (td__trace_view_role(w->v, rec) == TD__ROLE_SEMAPHORE)
            td__json_putf(w, ",\"args\":{\"n\":%d}", rec->result);
        break;
    default: break;
    }
}

/* The waking instant of an item, and a flow start for each waiter it woke. */
static void waking_instant(struct writer *w, uint32_t item, uint32_t pos, double ts)
{
    char name[NAME_OUT + 64];
    const td__trace_record_t *rec = td__json_record(w, item);
    const char *what = instant_name(w, item, name, sizeof name);
    if (!what)
        return;
    const char *cat = td__trace_prim_name(w->v->trace, rec->prim);
    put_instant(w, pos, ts, cat, what, strlen(what), NAME_OUT);
    instant_args(w, rec);
    TD__JSON_PUT(w, "}");
    size_t n;
    const td__trace_flow_t *flows = td__trace_view_flows_from(w->v, w->v->items[item].seq, &n);
    for (size_t i = 0; i < n; i++) {
        td__json_head(w, "s", pos, ts);
        td__json_putf(w, ",\"cat\":\"wake\",\"name\":\"wake-up\",\"id\":%zu}",
             (size_t)(&flows[i] - w->v->flows) + 1);
    }
}

/* The woken thread's side of a flow: "woken by set exit_event" and the flow's end. */
static void woken(struct writer *w, uint32_t item, uint32_t pos, double ts)
{
    const td__trace_item_t *end = &w->v->items[item];
    const td__trace_item_t *cause = td__trace_view_find(w->v, end->cause);
    if (!cause)
        return;
    uint32_t c = (uint32_t)(cause - w->v->items);
    char name[NAME_OUT + 64], what[NAME_OUT + 80];
    const char *by = instant_name(w, c, name, sizeof name);
    uint32_t from = td__trace_view_track(w->v, td__json_record(w, c)->track);
    const char *thread = from < w->v->n_shown ? w->v->tracks[w->v->order[from]].name : "?";
    if (td__json_record(w, c)->kind == TD_OBS_THREAD_EXIT)
        snprintf(what, sizeof what, "woken by the exit of %s", thread);
    else
        snprintf(what, sizeof what, "woken by %s", by ? by : "?");
    put_instant(w, pos, ts, "wake", what, strlen(what), NAME_OUT);
    TD__JSON_PUT(w, ",\"args\":{\"by\":");
    td__json_name(w, thread);
    TD__JSON_PUT(w, "}}");
    td__json_head(w, "f", pos, ts);
    td__json_putf(w, ",\"bp\":\"e\",\"cat\":\"wake\",\"name\":\"wake-up\",\"id\":%u}", end->flow);
}

static void counter(struct writer *w, uint32_t item, uint32_t pos, double ts, const char *key)
{
    td__json_head(w, "C", pos, ts);
    TD__JSON_PUT(w, ",\"name\":");
    td__json_name(w, object_of(w, item));
    td__json_putf(w, ",\"args\":{\"%s\":%d}}", key, td__json_record(w, item)->result);
}

static void line(struct writer *w, uint32_t item, uint32_t pos, double ts)
{
    const td__trace_record_t *rec = td__json_record(w, item);
    const char *text = td__trace_view_text(w->v, rec);
    put_instant(w, pos, ts, "line", text ? text : "", text ? rec->extra : 0, SIZE_MAX);
    td__json_putf(w, ",\"args\":{\"line\":%llu}}", (unsigned long long)w->v->items[item].cause);
}

/* ---- one report ------------------------------------------------------------------- */

static const char *ended(int result)
{
    return result == 0 ? "\"ended\":\"wake-up\"" : result == -ETIMEDOUT ? "\"ended\":\"timeout\""
                                                                         : "\"ended\":\"error\"";
}

static bool holdable(struct writer *w, const td__trace_record_t *rec)
{
    td__trace_role_t role = td__trace_view_role(w->v, rec);
    return role == TD__ROLE_LOCK || role == TD__ROLE_RLOCK;
}

/* A lock is taken: its hold slice opens (a hold left open, its release unseen, ends). */
static void acquire(struct writer *w, uint32_t item, uint32_t pos, double ts)
{
    const td__trace_record_t *rec = td__json_record(w, item);
    uint32_t was = td__trace_number(&w->holders, rec->object);
    if (was != UINT32_MAX)
        close_found(w, was, ts, SL_HOLD, rec->object, "\"ended\":\"taken again\"");
    td__ptrmap_put(&w->holders, rec->object, pos);
    open_slice(w, pos, ts, (struct slice){ SL_HOLD, rec->object, item });
}

static void release(struct writer *w, uint32_t item, uint32_t pos, double ts)
{
    const td__trace_record_t *rec = td__json_record(w, item);
    uint32_t holder = td__trace_number(&w->holders, rec->object);
    if (holder != UINT32_MAX) {
        close_found(w, holder, ts, SL_HOLD, rec->object, NULL);
        td__ptrmap_del(&w->holders, rec->object, NULL);
    }
    waking_instant(w, item, pos, ts);
}

static void coroutine(struct writer *w, uint32_t item, uint32_t pos, double ts)
{
    const td__trace_record_t *rec = td__json_record(w, item);
    uint32_t co = td__trace_view_track(w->v, rec->extra);
    const void *key = (const void *)(uintptr_t)(rec->extra + 1);
    if (rec->kind == TD_OBS_CORO_RESUME) {
        open_slice(w, pos, ts, (struct slice){ SL_RESUME, key, item });
        if (co != UINT32_MAX)
            open_slice(w, co, ts, (struct slice){ SL_RUN, key, item });
        return;
    }
    const char *how = rec->result == TD_ESTOP ? "\"result\":\"return\"" : "\"result\":\"yield\"";
    if (co != UINT32_MAX)
        close_found(w, co, ts, SL_RUN, key, how);
    close_found(w, pos, ts, SL_RESUME, key, how);
}

void td__json_report(struct writer *w, uint32_t item, uint32_t pos, double ts)
{
    const td__trace_record_t *rec = td__json_record(w, item);
    switch (rec->kind) {
    case TD_OBS_THREAD_START: break;
    case TD_OBS_WAIT_BEGIN: open_slice(w, pos, ts, (struct slice){ SL_WAIT, NULL, item }); break;
    case TD_OBS_WAIT_END:
        close_found(w, pos, ts, SL_WAIT, NULL, ended(rec->result));
        if (w->v->items[item].flags & TD__ITEM_FLOW)
            woken(w, item, pos, ts);
        break;
    case TD_OBS_ACQUIRE:
        if (holdable(w, rec))
            acquire(w, item, pos, ts);
        else
            waking_instant(w, item, pos, ts);
        break;
    case TD_OBS_RELEASE:
        if (holdable(w, rec))
            release(w, item, pos, ts);
        else
            waking_instant(w, item, pos, ts);
        break;
    case TD_OBS_THREAD_EXIT:
        td__json_close_all(w, pos, ts, "\"ended\":\"thread exit\"");
        waking_instant(w, item, pos, ts);
        break;
    case TD_OBS_LINE: line(w, item, pos, ts); break;
    case TD_OBS_CORO_RESUME: case TD_OBS_CORO_SUSPEND: coroutine(w, item, pos, ts); break;
    case TD_OBS_COUNTER: counter(w, item, pos, ts, "value"); break;
    default:
        waking_instant(w, item, pos, ts);
        if (rec->kind == TD_OBS_PUT || rec->kind == TD_OBS_GET)
            counter(w, item, pos, ts, "size");
        break;
    }
}

