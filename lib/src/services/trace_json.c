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
 * Strings are escaped (and invalid UTF-8 replaced), names cut to NAME_OUT bytes.
 * The file never passes the limit: before each report the writer checks that the
 * report's events, the ends of every open slice and the closing part still fit;
 * the reports that do not are counted as dropped.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "services/trace_internal.h"

enum {
    BUF_SIZE = 64 * 1024,
    NAME_OUT = 200,    /* at most this many bytes of a name, escaped */
    EVENT_MAX = 768,   /* at most this many bytes per event (a line's text aside) */
    FOOTER_MAX = 512,
    MAX_DEPTH = 256,   /* open slices per track */
};

typedef enum { SL_WAIT, SL_HOLD, SL_RESUME, SL_RUN } slice_type;

struct slice {
    slice_type type;
    const void *object; /* SL_HOLD: the lock; SL_RESUME, SL_RUN: the coroutine's track */
    uint32_t opener;    /* the item that opened it: its name comes from there */
};

struct stack {
    struct slice *slices;
    size_t n, cap;
    size_t lost; /* pushes beyond MAX_DEPTH, never written */
};

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

/* ---- output ----------------------------------------------------------------------- */

static void flush(struct writer *w)
{
    for (size_t done = 0; done < w->len && w->err == 0;) {
        ssize_t n = write(w->fd, w->buf + done, w->len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            w->err = n < 0 ? -errno : -EIO;
        else
            done += (size_t)n;
    }
    w->written += w->len;
    w->len = 0;
}

static void put(struct writer *w, const char *s, size_t n)
{
    while (n > 0) {
        if (w->len == BUF_SIZE)
            flush(w);
        size_t k = BUF_SIZE - w->len < n ? BUF_SIZE - w->len : n;
        memcpy(w->buf + w->len, s, k);
        w->len += k;
        s += k;
        n -= k;
    }
}

/* put a string literal */
#define PUT(w, literal) put((w), (literal), sizeof(literal) - 1)

__attribute__((format(printf, 2, 3))) static void putf(struct writer *w, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    put(w, text, n < 0 ? 0 : (size_t)n < sizeof text ? (size_t)n : sizeof text - 1);
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if none starts there. */
static size_t utf8_length(const unsigned char *s, size_t n)
{
    size_t len = s[0] < 0x80 ? 1 : s[0] >= 0xc2 && s[0] <= 0xdf ? 2
                                 : s[0] >= 0xe0 && s[0] <= 0xef ? 3
                                 : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return len;
}

/* The JSON escape of the character at s (n bytes left) into piece: its length;
 * *used: the bytes of s it stands for. Plain characters give 0 (copy them). */
static size_t escape_char(const unsigned char *s, size_t n, char piece[8], size_t *used)
{
    size_t len = utf8_length(s, n);
    *used = len ? len : 1;
    if (len == 0) {
        memcpy(piece, "\\ufffd", 6); /* not UTF-8: the replacement character */
        return 6;
    }
    if (s[0] == '"' || s[0] == '\\') {
        piece[0] = '\\';
        piece[1] = (char)s[0];
        return 2;
    }
    if (s[0] < 0x20 || s[0] == 0x7f)
        return (size_t)snprintf(piece, 8, "\\u%04x", s[0]);
    return 0;
}

/* A JSON string of text (len bytes), cut with "..." past max bytes of output. */
static void put_string(struct writer *w, const char *text, size_t len, size_t max)
{
    PUT(w, "\"");
    const unsigned char *s = (const unsigned char *)text;
    size_t out = 0, i = 0, plain = 0; /* s[plain..i) waits to be copied as it is */
    while (i < len) {
        char piece[8];
        size_t used, plen = escape_char(s + i, len - i, piece, &used);
        size_t grows = plen ? plen : used;
        if (out + grows > max) {
            put(w, (const char *)s + plain, i - plain);
            PUT(w, "...");
            plain = i = len;
            break;
        }
        if (plen) {
            put(w, (const char *)s + plain, i - plain);
            put(w, piece, plen);
            plain = i + used;
        }
        out += grows;
        i += used;
    }
    put(w, (const char *)s + plain, i - plain);
    PUT(w, "\"");
}

static void put_name(struct writer *w, const char *name)
{
    put_string(w, name, strlen(name), NAME_OUT);
}

/* A number as Python's repr prints a float: the shortest text that reads back. */
static const char *py_float(double x, char buf[40])
{
    for (int digits = 1; digits <= 17; digits++) {
        snprintf(buf, 40, "%.*g", digits, x);
        if (strtod(buf, NULL) == x)
            break;
    }
    if (!strpbrk(buf, ".eni"))
        strcat(buf, ".0");
    return buf;
}

static const char *ts_text(double ts, char buf[40])
{
    long long ns = llround(ts * 1e9);
    snprintf(buf, 40, "%lld.%03lld", ns / 1000, ns % 1000);
    return buf;
}

/* `{"ph":"X","pid":1,"tid":T,"ts":TS` with the comma before it. */
static void head(struct writer *w, const char *ph, uint32_t pos, double ts)
{
    char t[40];
    put(w, w->first ? "\n" : ",\n", w->first ? 1 : 2);
    w->first = false;
    putf(w, "{\"ph\":\"%s\",\"pid\":1,\"tid\":%u,\"ts\":%s", ph, pos + 1, ts_text(ts, t));
}

/* ---- names ------------------------------------------------------------------------ */

static const td__trace_record_t *record_of(struct writer *w, uint32_t item)
{
    return td__trace_view_record(w->v, &w->v->items[item]);
}

static const char *object_of(struct writer *w, uint32_t item)
{
    return td__trace_view_object(w->v, &w->v->items[item]);
}

/* What a wait is called: "acquire counter_lock", "get queue", "sleep 1.0 s". */
static const char *wait_name(struct writer *w, uint32_t item, char *buf, size_t size)
{
    const td__trace_record_t *rec = record_of(w, item);
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
        snprintf(buf, size, "sleep %s s", py_float(rec->aux.timeout, seconds));
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
    const td__trace_record_t *rec = record_of(w, item);
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
    head(w, ph, pos, ts);
    putf(w, ",\"cat\":\"%s\",\"name\":", slice_cat(s->type));
    put_name(w, slice_name(w, s, name, sizeof name));
    if (args)
        putf(w, ",\"args\":{%s}", args);
    PUT(w, "}");
}

/* The arguments a slice opens with. */
static const char *begin_args(struct writer *w, const struct slice *s, char *buf, size_t size)
{
    if (s->type != SL_WAIT)
        return NULL;
    const td__trace_record_t *rec = record_of(w, s->opener);
    char seconds[40];
    if (td__trace_view_role(w->v, rec) == TD__ROLE_SLEEP)
        return NULL;
    if (rec->aux.timeout < 0)
        return "\"timeout\":null";
    snprintf(buf, size, "\"timeout\":%s", py_float(rec->aux.timeout, seconds));
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

static void close_all(struct writer *w, uint32_t pos, double ts, const char *args)
{
    while (w->stacks[pos].n > 0)
        close_slice(w, pos, ts, w->stacks[pos].n - 1, args);
    w->stacks[pos].lost = 0;
}

/* ---- instants, flows, counters ----------------------------------------------------------- */

static void put_instant(struct writer *w, uint32_t pos, double ts, const char *cat,
                        const char *name, size_t len, size_t max)
{
    head(w, "i", pos, ts);
    putf(w, ",\"s\":\"t\",\"cat\":\"%s\",\"name\":", cat);
    put_string(w, name, len, max);
}

/* The arguments of an instant that has some: the size a queue is left with. */
static void instant_args(struct writer *w, const td__trace_record_t *rec)
{
    switch (rec->kind) {
    case TD_OBS_PUT: case TD_OBS_GET: putf(w, ",\"args\":{\"size\":%d}", rec->result); break;
    case TD_OBS_TASK_DONE: putf(w, ",\"args\":{\"unfinished\":%d}", rec->result); break;
    case TD_OBS_NOTIFY: putf(w, ",\"args\":{\"waiting\":%d}", rec->result); break;
    case TD_OBS_RELEASE:
        if (td__trace_view_role(w->v, rec) == TD__ROLE_SEMAPHORE)
            putf(w, ",\"args\":{\"n\":%d}", rec->result);
        break;
    default: break;
    }
}

/* The waking instant of an item, and a flow start for each waiter it woke. */
static void waking_instant(struct writer *w, uint32_t item, uint32_t pos, double ts)
{
    char name[NAME_OUT + 64];
    const td__trace_record_t *rec = record_of(w, item);
    const char *what = instant_name(w, item, name, sizeof name);
    if (!what)
        return;
    const char *cat = td__trace_prim_name(w->v->trace, rec->prim);
    put_instant(w, pos, ts, cat, what, strlen(what), NAME_OUT);
    instant_args(w, rec);
    PUT(w, "}");
    size_t n;
    const td__trace_flow_t *flows = td__trace_view_flows_from(w->v, w->v->items[item].seq, &n);
    for (size_t i = 0; i < n; i++) {
        head(w, "s", pos, ts);
        putf(w, ",\"cat\":\"wake\",\"name\":\"wake-up\",\"id\":%zu}",
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
    uint32_t from = td__trace_view_track(w->v, record_of(w, c)->track);
    const char *thread = from < w->v->n_shown ? w->v->tracks[w->v->order[from]].name : "?";
    if (record_of(w, c)->kind == TD_OBS_THREAD_EXIT)
        snprintf(what, sizeof what, "woken by the exit of %s", thread);
    else
        snprintf(what, sizeof what, "woken by %s", by ? by : "?");
    put_instant(w, pos, ts, "wake", what, strlen(what), NAME_OUT);
    PUT(w, ",\"args\":{\"by\":");
    put_name(w, thread);
    PUT(w, "}}");
    head(w, "f", pos, ts);
    putf(w, ",\"bp\":\"e\",\"cat\":\"wake\",\"name\":\"wake-up\",\"id\":%u}", end->flow);
}

static void counter(struct writer *w, uint32_t item, uint32_t pos, double ts, const char *key)
{
    head(w, "C", pos, ts);
    PUT(w, ",\"name\":");
    put_name(w, object_of(w, item));
    putf(w, ",\"args\":{\"%s\":%d}}", key, record_of(w, item)->result);
}

static void line(struct writer *w, uint32_t item, uint32_t pos, double ts)
{
    const td__trace_record_t *rec = record_of(w, item);
    const char *text = td__trace_view_text(w->v, rec);
    put_instant(w, pos, ts, "line", text ? text : "", text ? rec->extra : 0, SIZE_MAX);
    putf(w, ",\"args\":{\"line\":%llu}}", (unsigned long long)w->v->items[item].cause);
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
    const td__trace_record_t *rec = record_of(w, item);
    uint32_t was = td__trace_number(&w->holders, rec->object);
    if (was != UINT32_MAX)
        close_found(w, was, ts, SL_HOLD, rec->object, "\"ended\":\"taken again\"");
    td__ptrmap_put(&w->holders, rec->object, pos);
    open_slice(w, pos, ts, (struct slice){ SL_HOLD, rec->object, item });
}

static void release(struct writer *w, uint32_t item, uint32_t pos, double ts)
{
    const td__trace_record_t *rec = record_of(w, item);
    uint32_t holder = td__trace_number(&w->holders, rec->object);
    if (holder != UINT32_MAX) {
        close_found(w, holder, ts, SL_HOLD, rec->object, NULL);
        td__ptrmap_del(&w->holders, rec->object, NULL);
    }
    waking_instant(w, item, pos, ts);
}

static void coroutine(struct writer *w, uint32_t item, uint32_t pos, double ts)
{
    const td__trace_record_t *rec = record_of(w, item);
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

static void report(struct writer *w, uint32_t item, uint32_t pos, double ts)
{
    const td__trace_record_t *rec = record_of(w, item);
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
        close_all(w, pos, ts, "\"ended\":\"thread exit\"");
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

/* The most a report can write: its events, a split of the stacks it touches. */
static uint64_t bound(struct writer *w, uint32_t item, uint32_t pos)
{
    const td__trace_record_t *rec = record_of(w, item);
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
    PUT(w, "{\"traceEvents\":[");
    w->first = true;
    head(w, "M", 0, 0);
    PUT(w, ",\"name\":\"process_name\",\"args\":{\"name\":");
    put_name(w, process_name);
    PUT(w, "}}");
    for (uint32_t p = 0; p < w->v->n_shown && fits(w, 2 * EVENT_MAX); p++) {
        const td__trace_track_t *t = &w->v->tracks[w->v->order[p]];
        head(w, "M", p, 0);
        PUT(w, ",\"name\":\"thread_name\",\"args\":{\"name\":");
        put_name(w, t->name);
        if (t->coroutine)
            PUT(w, ",\"coroutine\":true");
        PUT(w, "}}");
        head(w, "M", p, 0);
        putf(w, ",\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":%u}}", p + 1);
    }
}

static void footer(struct writer *w)
{
    PUT(w, "\n],\"displayTimeUnit\":\"ms\",\"otherData\":{\"producer\":\"libthrdemo\",");
    putf(w, "\"clock\":\"%s\",\"time_unit\":\"us\",\"recorded_events\":%llu,"
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
        uint32_t pos = td__trace_view_track(v, record_of(w, item)->track);
        if ((it->flags & TD__ITEM_HIDDEN) || pos == UINT32_MAX) {
            w->kept++;
            continue;
        }
        if (!fits(w, bound(w, item, pos)))
            break;
        report(w, item, pos, it->ts);
        w->kept++;
    }
    w->left_out = v->n_items - i;
    double end = v->end_ts;
    if (i < v->n_items)
        end = i > 0 ? v->items[v->in_time[i - 1]].ts : 0;
    for (uint32_t p = 0; p < v->n_shown; p++)
        close_all(w, p, end, "\"ended\":\"end of trace\"");
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
        flush(&w);
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
