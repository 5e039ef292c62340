/* SPDX-License-Identifier: MIT */
/* trace_view.c - a recording made ready to show: sorted, resolved, consistent.
 *
 * The records are collected (those written so far), sorted by seq, and walked once
 * in that order to:
 *   - hide the waits that happen inside another wait of the same thread (the Event
 *     a sleep waits on, the lock a Condition takes back): the outer wait is the one
 *     the program called; its cause is its own or that of the inner wait;
 *   - make timestamps consistent. Each report's time is read a moment after its
 *     seq is taken, so across threads the two orders may differ by a little; the
 *     view moves a time forward (never back) so that on each track time never goes
 *     backwards, a line comes no earlier than the line printed before it (stdout's
 *     order), a wake-up no earlier than what woke it, and an event that touches two
 *     tracks (a release of a lock another thread holds, a coroutine's resume and
 *     suspend) no earlier than the latest of both. Under a schedule nothing moves:
 *     one thread runs at a time;
 *   - find the flows: each WAIT_END that was woken by a report in the recording;
 *   - name and number the objects in order of first appearance.
 * Then the positions are sorted by (time, seq): that order keeps every track's own
 * order and every cause before its effect, so a reader may walk it as it happened.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "services/trace_internal.h"

/* ---- collecting and sorting ----------------------------------------------------------- */

/* The item holding seq (items are in seq order), or NULL. */
static td__trace_item_t *find_item(const td__trace_view_t *v, uint64_t seq)
{
    size_t lo = 0, hi = v->n_items;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v->items[mid].seq < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < v->n_items && v->items[lo].seq == seq ? &v->items[lo] : NULL;
}

static int by_seq(const void *a, const void *b)
{
    uint64_t x = ((const td__trace_item_t *)a)->seq, y = ((const td__trace_item_t *)b)->seq;
    return x < y ? -1 : x > y;
}

static int by_time(const void *a, const void *b, void *ctx)
{
    const td__trace_item_t *items = ctx;
    const td__trace_item_t *x = &items[*(const uint32_t *)a], *y = &items[*(const uint32_t *)b];
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int by_cause(const void *a, const void *b)
{
    const td__trace_flow_t *x = a, *y = b;
    if (x->cause_seq != y->cause_seq)
        return x->cause_seq < y->cause_seq ? -1 : 1;
    return x->end_seq < y->end_seq ? -1 : x->end_seq > y->end_seq;
}

/* Every record written so far, in seq order: 0 or -ENOMEM. */
static int collect(td__trace_view_t *v)
{
    uint64_t taken = td__trace_taken(v->trace);
    v->items = malloc((taken ? taken : 1) * sizeof *v->items);
    if (!v->items)
        return -ENOMEM;
    bool sorted = true;
    for (uint64_t i = 0; i < taken; i++) {
        const td__trace_record_t *rec = td__trace_slot(v->trace, i);
        uint64_t seq = rec ? atomic_load_explicit(&rec->seq, memory_order_acquire) : 0;
        if (seq == 0)
            continue; /* dropped, or still being written */
        sorted = sorted && (v->n_items == 0 || v->items[v->n_items - 1].seq < seq);
        v->items[v->n_items++] = (td__trace_item_t){ .seq = seq, .slot = (uint32_t)i };
    }
    if (!sorted)
        qsort(v->items, v->n_items, sizeof *v->items, by_seq);
    return 0;
}

/* A copy of the tracks as they are now (names are never freed while the recorder
 * lives), and the roles of the primitive names: 0 or -ENOMEM. */
static int copy_tracks(td__trace_view_t *v)
{
    td_trace_t *trace = v->trace;
    td__mutex_lock(&trace->mutex);
    v->n_tracks = trace->n_tracks;
    v->tracks = malloc((v->n_tracks ? v->n_tracks : 1) * sizeof *v->tracks);
    if (v->tracks && v->n_tracks)
        memcpy(v->tracks, trace->tracks, v->n_tracks * sizeof *v->tracks);
    for (unsigned i = 0; i <= TD__TRACE_MAX_PRIMS; i++)
        v->roles[i] = i < trace->n_prims ? td__trace_role_of(trace->prim_names[i])
                                         : TD__ROLE_OTHER;
    td__mutex_unlock(&trace->mutex);
    size_t n = v->n_tracks ? v->n_tracks : 1;
    v->rank = malloc(n * sizeof *v->rank);
    v->order = malloc(n * sizeof *v->order);
    v->exit_seq = calloc(n, sizeof *v->exit_seq);
    return v->tracks && v->rank && v->order && v->exit_seq ? 0 : -ENOMEM;
}

/* ---- the walk in seq order ------------------------------------------------------------ */

/* Per recorder track, during the walk. */
struct walk {
    double *last;         /* the latest time given on the track */
    uint32_t *depth;      /* waits open, the outer one included */
    uint64_t *inner;      /* the cause an inner wait saw */
    bool *used;
    td__ptrmap_t holders; /* lock -> the track holding it */
    /* pointer -> its object's index, per role: a Semaphore and the Lock inside it
     * may share an address, and are two objects */
    td__ptrmap_t objects[TD__ROLES];
    /* pointer -> what it was named last during the recording: index into v->names
     * + 1, or 0 when the name was forgotten; not there: never named meanwhile */
    td__ptrmap_t named;
    double last_line;
    uint64_t lines;
    unsigned numbers[TD__ROLES]; /* objects numbered so far, per role */
};

static const char *role_word(td__trace_role_t role, const char *primitive)
{
    switch (role) {
    case TD__ROLE_COND: return "condition";
    case TD__ROLE_LOOP: return "event loop";
    case TD__ROLE_OTHER: return primitive;
    default: return primitive; /* "lock", "event", "queue", ... */
    }
}

/* A name given or forgotten: from now on the address holds another object (one
 * freed, its memory taken by the next, are two objects). 0 or -ENOMEM. */
static int rename_object(td__trace_view_t *v, struct walk *w, td__trace_item_t *item,
                         const td__trace_record_t *rec)
{
    item->flags |= TD__ITEM_HIDDEN;
    uint32_t named = 0;
    if (rec->result) {
        const char *text = td__trace_view_text(v, rec);
        if (!text || !(v->names[v->n_names] = strndup(text, rec->extra)))
            return -ENOMEM;
        named = (uint32_t)++v->n_names;
    }
    for (size_t r = 0; r < TD__ROLES; r++)
        td__ptrmap_del(&w->objects[r], rec->object, NULL);
    return td__ptrmap_put(&w->named, rec->object, named);
}

/* What an object is called when first seen: its name during the recording, else
 * its name now, else "lock #3" (number per role, in order of appearance). */
static void object_name(td__trace_view_t *v, struct walk *w, const td__trace_record_t *rec,
                        td__trace_role_t role, char *name, size_t size)
{
    uint32_t named = td__trace_number(&w->named, rec->object);
    if (named != UINT32_MAX && named != 0)
        snprintf(name, size, "%s", v->names[named - 1]);
    if (named == 0 || (named == UINT32_MAX && td_object_get_name(rec->object, name, size) == 0))
        snprintf(name, size, "%s #%u", role_word(role, td__trace_prim_name(v->trace, rec->prim)),
                 ++w->numbers[role]);
}

/* The object of an item, named the first time it is seen: 0 or -ENOMEM. */
static int name_object(td__trace_view_t *v, struct walk *w, td__trace_item_t *item,
                       const td__trace_record_t *rec)
{
    td__trace_role_t role = td__trace_view_role(v, rec);
    if (rec->kind == TD_OBS_NAME)
        return rename_object(v, w, item, rec);
    if (!rec->object || role == TD__ROLE_THREAD || role == TD__ROLE_SLEEP ||
        role == TD__ROLE_LOG || role == TD__ROLE_CORO || role == TD__ROLE_TASK)
        return 0;
    uint32_t index = td__trace_number(&w->objects[role], rec->object);
    if (index == UINT32_MAX) {
        char name[160];
        object_name(v, w, rec, role, name, sizeof name);
        index = (uint32_t)v->n_objects;
        v->objects[index] = (td__trace_object_t){ strdup(name), role };
        if (!v->objects[index].name ||
            td__ptrmap_put(&w->objects[role], rec->object, index) != 0)
            return -ENOMEM;
        v->n_objects++;
    }
    item->object = index + 1;
    return 0;
}

static double later(double a, double b)
{
    return a > b ? a : b;
}

/* The other track a record touches (a lock's holder, a coroutine), or UINT32_MAX. */
static uint32_t other_track(td__trace_view_t *v, struct walk *w, const td__trace_record_t *rec)
{
    td__trace_role_t role = td__trace_view_role(v, rec);
    bool holdable = role == TD__ROLE_LOCK || role == TD__ROLE_RLOCK;
    uint32_t other = UINT32_MAX;
    if (rec->kind == TD_OBS_RELEASE && holdable) {
        other = td__trace_number(&w->holders, rec->object);
        td__ptrmap_del(&w->holders, rec->object, NULL);
    } else if (rec->kind == TD_OBS_ACQUIRE && holdable) {
        td__ptrmap_put(&w->holders, rec->object, rec->track);
    } else if (rec->kind == TD_OBS_CORO_RESUME || rec->kind == TD_OBS_CORO_SUSPEND) {
        other = rec->extra;
    }
    return other < v->n_tracks && other != rec->track ? other : UINT32_MAX;
}

/* Waits inside waits, and the cause the outer one ends with. Returns the time the
 * item may not come before (its cause's), or 0. */
static double nest_waits(td__trace_view_t *v, struct walk *w, size_t i,
                         const td__trace_record_t *rec)
{
    td__trace_item_t *item = &v->items[i];
    uint32_t t = rec->track;
    if (rec->kind == TD_OBS_THREAD_EXIT) {
        w->depth[t] = 0;
        v->exit_seq[t] = item->seq;
    } else if (rec->kind == TD_OBS_WAIT_BEGIN) {
        if (w->depth[t]++ > 0)
            item->flags |= TD__ITEM_HIDDEN;
    } else if (rec->kind == TD_OBS_WAIT_END) {
        uint64_t own = rec->extra ? item->seq - rec->extra : 0;
        if (w->depth[t] == 0 || --w->depth[t] > 0) {
            item->flags |= TD__ITEM_HIDDEN; /* an end without its begin, or an inner one */
            if (own && rec->result == 0)
                w->inner[t] = own;
            return 0;
        }
        item->cause = rec->result == 0 ? (own ? own : w->inner[t]) : 0;
        w->inner[t] = 0;
        const td__trace_item_t *cause = item->cause ? td__trace_view_find(v, item->cause) : NULL;
        if (cause && cause < item && !(cause->flags & TD__ITEM_HIDDEN)) {
            item->flags |= TD__ITEM_FLOW;
            v->flows[v->n_flows++] = (td__trace_flow_t){ item->cause, item->seq };
            return cause->ts;
        }
    }
    return 0;
}

/* One item in seq order: its time, hidden or not, its flow, its object. */
static int walk_item(td__trace_view_t *v, struct walk *w, size_t i)
{
    td__trace_item_t *item = &v->items[i];
    const td__trace_record_t *rec = td__trace_view_record(v, item);
    uint32_t t = rec->track;
    if (t >= v->n_tracks) {
        item->flags |= TD__ITEM_HIDDEN;
        return 0;
    }
    double ts = later(rec->time - v->trace->origin, w->last[t]);
    if (ts < 0)
        ts = 0;
    uint32_t other = other_track(v, w, rec);
    if (other != UINT32_MAX)
        ts = later(ts, w->last[other]);
    if (rec->kind == TD_OBS_LINE) {
        ts = later(ts, w->last_line);
        w->last_line = ts;
        item->cause = ++w->lines;
    }
    ts = later(ts, nest_waits(v, w, i, rec));
    item->ts = ts;
    w->last[t] = ts;
    w->used[t] = true;
    if (other != UINT32_MAX) {
        w->last[other] = ts;
        w->used[other] = true;
    }
    v->end_ts = later(v->end_ts, ts);
    return name_object(v, w, item, rec);
}

/* Whether track a comes before track b: threads in start order, each followed by
 * the coroutines it first resumed, in the order they were. */
static int track_before(const void *pa, const void *pb, void *ctx)
{
    const td__trace_track_t *tracks = ctx;
    const td__trace_track_t *a = &tracks[*(const uint32_t *)pa], *b = &tracks[*(const uint32_t *)pb];
    if (a->order != b->order)
        return a->order < b->order ? -1 : 1;
    if (a->coroutine != b->coroutine)
        return a->coroutine ? 1 : -1;
    if (a->first_seq != b->first_seq)
        return a->first_seq < b->first_seq ? -1 : 1;
    return *(const uint32_t *)pa < *(const uint32_t *)pb ? -1 : 1;
}

/* The shown tracks in start order: the main thread (always) and every track with an
 * item. */
static void order_tracks(td__trace_view_t *v, const bool *used)
{
    v->n_shown = 0;
    for (size_t i = 0; i < v->n_tracks; i++) {
        v->rank[i] = UINT32_MAX;
        if (used[i] || (i == 0 && v->tracks[0].first_seq == 0))
            v->order[v->n_shown++] = (uint32_t)i;
    }
    qsort_r(v->order, v->n_shown, sizeof *v->order, track_before, v->tracks);
    for (size_t p = 0; p < v->n_shown; p++)
        v->rank[v->order[p]] = (uint32_t)p;
}

static int walk(td__trace_view_t *v)
{
    size_t n = v->n_tracks ? v->n_tracks : 1, m = v->n_items ? v->n_items : 1;
    struct walk w = { .last = calloc(n, sizeof(double)), .depth = calloc(n, sizeof(uint32_t)),
                      .inner = calloc(n, sizeof(uint64_t)), .used = calloc(n, sizeof(bool)) };
    v->flows = malloc(m * sizeof *v->flows);
    v->objects = malloc(m * sizeof *v->objects);
    v->names = malloc(m * sizeof *v->names);
    int rc = w.last && w.depth && w.inner && w.used && v->flows && v->objects && v->names
                 ? 0 : -ENOMEM;
    for (size_t i = 0; rc == 0 && i < v->n_items; i++)
        rc = walk_item(v, &w, i);
    if (rc == 0)
        order_tracks(v, w.used);
    free(w.last);
    free(w.depth);
    free(w.inner);
    free(w.used);
    td__ptrmap_free(&w.holders);
    for (size_t r = 0; r < TD__ROLES; r++)
        td__ptrmap_free(&w.objects[r]);
    td__ptrmap_free(&w.named);
    return rc;
}

/* ---- the view's calls ------------------------------------------------------------- */

int td__trace_view_open(td__trace_view_t *v, td_trace_t *trace)
{
    memset(v, 0, sizeof *v);
    v->trace = trace;
    int rc = collect(v);
    v->dropped = td_trace_dropped(trace);
    if (rc == 0)
        rc = copy_tracks(v);
    if (rc == 0)
        rc = walk(v);
    if (rc == 0 && !(v->in_time = malloc((v->n_items ? v->n_items : 1) * sizeof *v->in_time)))
        rc = -ENOMEM;
    if (rc != 0) {
        td__trace_view_close(v);
        return rc;
    }
    for (size_t i = 0; i < v->n_items; i++)
        v->in_time[i] = (uint32_t)i;
    qsort_r(v->in_time, v->n_items, sizeof *v->in_time, by_time, v->items);
    qsort(v->flows, v->n_flows, sizeof *v->flows, by_cause);
    for (size_t k = 0; k < v->n_flows; k++) /* ids that do not depend on seqs */
        find_item(v, v->flows[k].end_seq)->flow = (uint32_t)k + 1;
    return 0;
}

void td__trace_view_close(td__trace_view_t *v)
{
    for (size_t i = 0; i < v->n_objects; i++)
        free(v->objects[i].name);
    for (size_t i = 0; i < v->n_names; i++)
        free(v->names[i]);
    free(v->names);
    free(v->items);
    free(v->in_time);
    free(v->flows);
    free(v->tracks);
    free(v->rank);
    free(v->order);
    free(v->exit_seq);
    free(v->objects);
    free(v->scratch);
    memset(v, 0, sizeof *v);
}

const td__trace_record_t *td__trace_view_record(const td__trace_view_t *v,
                                                 const td__trace_item_t *item)
{
    return td__trace_slot(v->trace, item->slot);
}

td__trace_role_t td__trace_view_role(const td__trace_view_t *v, const td__trace_record_t *rec)
{
    return rec->prim < TD__TRACE_MAX_PRIMS ? v->roles[rec->prim] : TD__ROLE_OTHER;
}

uint32_t td__trace_view_track(const td__trace_view_t *v, uint32_t track)
{
    return track < v->n_tracks ? v->rank[track] : UINT32_MAX;
}

/* The thread a join (or a start or exit) names: the first track of that thread
 * that had not ended when the report was made. */
static const char *thread_named(const td__trace_view_t *v, const void *thread, uint64_t seq)
{
    for (size_t i = 0; i < v->n_tracks; i++)
        if (v->tracks[i].owner == thread && !v->tracks[i].coroutine &&
            (v->exit_seq[i] == 0 || v->exit_seq[i] >= seq))
            return v->tracks[i].name;
    return "a thread";
}

/* The asyncio task a report names: the last task track of that address registered
 * by then (a task's track is registered when it is made). */
static const char *task_named(const td__trace_view_t *v, const void *task, uint64_t seq)
{
    const char *name = "a task";
    for (size_t i = 0; i < v->n_tracks; i++)
        if (v->tracks[i].owner == task && v->tracks[i].coroutine && v->tracks[i].first_seq <= seq)
            name = v->tracks[i].name;
    return name;
}

const char *td__trace_view_object(td__trace_view_t *v, const td__trace_item_t *item)
{
    const td__trace_record_t *rec = td__trace_view_record(v, item);
    if (item->object)
        return v->objects[item->object - 1].name;
    if (rec->object && td__trace_view_role(v, rec) == TD__ROLE_THREAD)
        return thread_named(v, rec->object, item->seq);
    if (rec->object && td__trace_view_role(v, rec) == TD__ROLE_TASK &&
        rec->kind != TD_OBS_CORO_RESUME && rec->kind != TD_OBS_CORO_SUSPEND)
        return task_named(v, rec->object, item->seq);
    if (rec->kind == TD_OBS_CORO_RESUME || rec->kind == TD_OBS_CORO_SUSPEND)
        return rec->extra < v->n_tracks ? v->tracks[rec->extra].name : "a coroutine";
    return "";
}

const char *td__trace_view_text(td__trace_view_t *v, const td__trace_record_t *rec)
{
    size_t len = rec->extra;
    uint64_t at = rec->aux.text_at;
    if (at / TD__TRACE_TEXT_CHUNK == (at + (len ? len - 1 : 0)) / TD__TRACE_TEXT_CHUNK) {
        const char *chunk = atomic_load_explicit(&v->trace->text_chunks[at / TD__TRACE_TEXT_CHUNK],
                                                 memory_order_acquire);
        return chunk + at % TD__TRACE_TEXT_CHUNK;
    }
    if (v->scratch_size < len) {
        char *grown = realloc(v->scratch, len);
        if (!grown)
            return NULL;
        v->scratch = grown;
        v->scratch_size = len;
    }
    td__trace_read_text(v->trace, at, v->scratch, len);
    return v->scratch;
}

const td__trace_item_t *td__trace_view_find(const td__trace_view_t *v, uint64_t seq)
{
    return find_item(v, seq);
}

const td__trace_flow_t *td__trace_view_flows_from(const td__trace_view_t *v, uint64_t seq,
                                                  size_t *n)
{
    size_t lo = 0, hi = v->n_flows;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v->flows[mid].cause_seq < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < v->n_flows && v->flows[end].cause_seq == seq)
        end++;
    *n = end - lo;
    return &v->flows[lo];
}
