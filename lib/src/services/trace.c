/* SPDX-License-Identifier: MIT */
/* trace.c - the recorder: an observer that keeps every report in one bounded store.
 *
 * The store is one for the whole process, however many threads report: records of
 * 48 bytes in chunks of TD__TRACE_CHUNK_RECORDS, allocated on demand (calloc, so an
 * untouched record reads as unwritten), and an arena of line texts in chunks too.
 * A report takes its record with ONE atomic add on `reserve`, which holds the
 * number of records taken (low 32 bits) and the budget charged (high 32 bits, in
 * 16-byte units): each report is charged what it will take in the JSON file, an
 * estimate the writer then enforces exactly. Past the limit a report is dropped and
 * counted; once the budget is spent, a report costs one load and one add to
 * `dropped`. Nothing here ever waits for another thread, except on `mutex` when a
 * thread or coroutine is seen for the first time.
 *
 * A record is written field by field and published by storing its seq (non-zero)
 * last, with release; readers skip records whose seq is still 0, so the file can be
 * written while daemon threads still report.
 *
 * Tracks: each thread caches its track in a thread-local (valid for one recording,
 * `gen`), so the mutex is taken once per thread. `owners` maps a live thread or
 * coroutine to its track; a thread's entry goes at its THREAD_EXIT and a coroutine's
 * when it returns, so a new one at the same address gets a track of its own. The
 * main thread is registered when recording starts, first in start order.
 * Guarded by mutex: tracks, n_tracks, cap_tracks, owners (a core/ptrmap.h map),
 * pthreads, prim_names, n_prims (keys are published before n_keys and read lock-free).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "runtime/runtime.h"
#include "services/trace_internal.h"
#include "thrdemo/schedule.h"
#include "thrdemo/task.h"
#include "thrdemo/thread.h"

enum { MAX_NEST = 16 };     /* coroutines resumed inside each other, per thread */
enum { MIN_COST = 64 };     /* the least a report is charged, in bytes (>= a record) */

static _Atomic(td_trace_t *) recording; /* the one recorder that records, or NULL */
static atomic_uint_fast64_t last_gen;

/* This thread's place in the recording `gen`. */
static TD__TLS struct {
    uint64_t gen;
    const void *thread;
    uint32_t track;
    uint32_t depth;          /* coroutines running on this thread, nested */
    uint32_t coro[MAX_NEST]; /* their tracks, innermost last */
    const char *prim_key;    /* the primitive name it reported last ... */
    uint8_t prim;            /* ... and its index */
} here;

/* ---- the store -------------------------------------------------------------------- */

uint64_t td__trace_taken(const td_trace_t *trace)
{
    uint64_t taken = atomic_load_explicit(&trace->reserve, memory_order_acquire) & 0xffffffffu;
    uint64_t room = (uint64_t)trace->n_chunks * TD__TRACE_CHUNK_RECORDS;
    return taken < room ? taken : room;
}

td__trace_record_t *td__trace_slot(const td_trace_t *trace, uint64_t i)
{
    td__trace_record_t *chunk =
        atomic_load_explicit(&trace->chunks[i / TD__TRACE_CHUNK_RECORDS], memory_order_acquire);
    return chunk ? &chunk[i % TD__TRACE_CHUNK_RECORDS] : NULL;
}

/* The chunk at *at, allocated if it is not yet: NULL without memory. */
static void *chunk_at(_Atomic(void *) *at, size_t size)
{
    void *chunk = atomic_load_explicit(at, memory_order_acquire);
    if (chunk)
        return chunk;
    void *fresh = calloc(1, size);
    if (!fresh)
        return NULL;
    if (atomic_compare_exchange_strong_explicit(at, &chunk, fresh, memory_order_acq_rel,
                                                memory_order_acquire))
        return fresh;
    free(fresh); /* another thread was first */
    return chunk;
}

static td__trace_record_t *take_slot(td_trace_t *trace, uint64_t i)
{
    size_t c = i / TD__TRACE_CHUNK_RECORDS;
    if (c >= trace->n_chunks)
        return NULL;
    td__trace_record_t *chunk = chunk_at((_Atomic(void *) *)&trace->chunks[c],
                                         TD__TRACE_CHUNK_RECORDS * sizeof *chunk);
    return chunk ? &chunk[i % TD__TRACE_CHUNK_RECORDS] : NULL;
}

/* Copy text into the arena: where it starts, or UINT64_MAX without room. */
static uint64_t store_text(td_trace_t *trace, const char *text, size_t len)
{
    uint64_t at = atomic_fetch_add_explicit(&trace->text_used, len, memory_order_relaxed);
    if (at + len > (uint64_t)trace->n_text_chunks * TD__TRACE_TEXT_CHUNK)
        return UINT64_MAX;
    for (size_t done = 0; done < len;) {
        uint64_t pos = at + done;
        char *chunk = chunk_at((_Atomic(void *) *)&trace->text_chunks[pos / TD__TRACE_TEXT_CHUNK],
                               TD__TRACE_TEXT_CHUNK);
        if (!chunk)
            return UINT64_MAX;
        size_t off = pos % TD__TRACE_TEXT_CHUNK, n = TD__TRACE_TEXT_CHUNK - off;
        n = n < len - done ? n : len - done;
        memcpy(chunk + off, text + done, n);
        done += n;
    }
    return at;
}

void td__trace_read_text(const td_trace_t *trace, uint64_t at, char *buf, size_t len)
{
    for (size_t done = 0; done < len;) {
        uint64_t pos = at + done;
        const char *chunk = atomic_load_explicit(&trace->text_chunks[pos / TD__TRACE_TEXT_CHUNK],
                                                 memory_order_acquire);
        size_t off = pos % TD__TRACE_TEXT_CHUNK, n = TD__TRACE_TEXT_CHUNK - off;
        n = n < len - done ? n : len - done;
        memcpy(buf + done, chunk + off, n);
        done += n;
    }
}

/* ---- primitive names ------------------------------------------------------------------ */

/* The index of a primitive's name: the thread's last one, else a few pointer
 * compares, the mutex the first time (`here` is valid: place() ran). */
static uint8_t prim_of(td_trace_t *trace, const char *primitive)
{
    const char *key = primitive ? primitive : "";
    if (here.prim_key == key)
        return here.prim;
    here.prim_key = key;
    here.prim = td__trace_prim_index(trace, key);
    return here.prim;
}

/* ---- tracks ----------------------------------------------------------------------- */

static void forget_owner(td_trace_t *trace, const void *owner)
{
    td__mutex_lock(&trace->mutex);
    td__ptrmap_del(&trace->owners, owner, NULL);
    td__mutex_unlock(&trace->mutex);
}

/* Register a track (mutex held): its index, or UINT32_MAX without memory. */
static uint32_t add_track(td_trace_t *trace, const char *name, const void *owner,
                          uint64_t first_seq, uint64_t order, bool coroutine)
{
    if (trace->n_tracks == trace->cap_tracks) {
        size_t cap = trace->cap_tracks ? trace->cap_tracks * 2 : 16;
        td__trace_track_t *grown = realloc(trace->tracks, cap * sizeof *grown);
        if (!grown)
            return UINT32_MAX;
        trace->tracks = grown;
        trace->cap_tracks = cap;
    }
    char *copy = strdup(name);
    if (!copy || (owner && td__ptrmap_reserve(&trace->owners, 1) != 0)) {
        free(copy);
        return UINT32_MAX;
    }
    uint32_t index = (uint32_t)trace->n_tracks++;
    trace->tracks[index] = (td__trace_track_t){ copy, owner, first_seq, order, coroutine };
    td__ptrmap_put(&trace->owners, owner, index); /* room reserved: cannot fail */
    return index;
}

/* The track of owner, registered if it has none yet: a thread's (parent
 * UINT32_MAX), or a coroutine's first resumed on track parent. */
static uint32_t track_of(td_trace_t *trace, const void *owner, uint64_t seq, uint32_t parent,
                         void (*name_of)(td_trace_t *, const void *, char *, size_t))
{
    td__mutex_lock(&trace->mutex);
    uint32_t track = td__trace_number(&trace->owners, owner);
    if (track == UINT32_MAX) {
        bool coroutine = parent != UINT32_MAX;
        uint64_t order = coroutine && parent < trace->n_tracks ? trace->tracks[parent].order
                         : owner ? td__thread_start_order(owner)
                                 : UINT64_MAX; /* a thread the library did not start */
        char name[128];
        name_of(trace, owner, name, sizeof name);
        track = add_track(trace, name, owner, seq, order, coroutine);
    }
    td__mutex_unlock(&trace->mutex);
    return track;
}

/* A thread's name as Python shows it (mutex held: td_thread_get_name takes only the
 * registry's own mutex, never ours). */
static void thread_name(td_trace_t *trace, const void *thread, char *buf, size_t size)
{
    if (thread)
        td_thread_get_name((td_thread_t *)thread, buf, size);
    else
        snprintf(buf, size, "pthread-%u", ++trace->pthreads);
}

static void coroutine_name(td_trace_t *trace, const void *co, char *buf, size_t size)
{
    if (td_object_get_name(co, buf, size) == 0) {
        unsigned n = 0;
        for (size_t i = 0; i < trace->n_tracks; i++)
            n += trace->tracks[i].coroutine;
        snprintf(buf, size, "coroutine #%u", n + 1);
    }
}

/* An asyncio task is made: its track, "Task-N (coro)" (N its number, coro its
 * coroutine function's name, as threads show their target: the name alone would
 * not tell a class which task is which), shown after the track it was made on. A
 * task at the address of one that ended is a new task. */
static void add_task(td_trace_t *trace, const td_obs_event_t *ev, uint32_t parent)
{
    char name[160];
    const char *coro = td_aio_task_coro_name(ev->object);
    if (coro)
        snprintf(name, sizeof name, "Task-%d (%s)", ev->result, coro);
    else
        snprintf(name, sizeof name, "Task-%d", ev->result);
    td__mutex_lock(&trace->mutex);
    td__ptrmap_del(&trace->owners, ev->object, NULL);
    if (parent < trace->n_tracks)
        add_track(trace, name, ev->object, ev->seq, trace->tracks[parent].order, true);
    td__mutex_unlock(&trace->mutex);
}

/* The track this report happened on; for CORO_RESUME and CORO_SUSPEND also the
 * coroutine's (*coro). UINT32_MAX: none (no memory). */
static uint32_t place(td_trace_t *trace, const td_obs_event_t *ev, uint32_t *coro)
{
    if (here.gen != trace->gen || here.thread != ev->thread) {
        uint32_t track = track_of(trace, ev->thread, ev->seq, UINT32_MAX, thread_name);
        if (track == UINT32_MAX)
            return UINT32_MAX;
        here.gen = trace->gen;
        here.thread = ev->thread;
        here.track = track;
        here.depth = 0;
        here.prim_key = NULL;
    }
    uint32_t depth = here.depth < MAX_NEST ? here.depth : MAX_NEST;
    uint32_t on = depth ? here.coro[depth - 1] : here.track;
    if (ev->kind == TD_OBS_AIO_TASK_NEW)
        add_task(trace, ev, on);
    else if (ev->kind == TD_OBS_AIO_TASK_END)
        forget_owner(trace, ev->object);
    if (ev->kind == TD_OBS_CORO_RESUME) {
        *coro = track_of(trace, ev->object, ev->seq, on, coroutine_name);
        if (here.depth < MAX_NEST)
            here.coro[here.depth] = *coro;
        here.depth++;
    } else if (ev->kind == TD_OBS_CORO_SUSPEND && here.depth > 0) {
        *coro = on;
        here.depth--;
        depth = here.depth < MAX_NEST ? here.depth : MAX_NEST;
        on = depth ? here.coro[depth - 1] : here.track;
        if (ev->result == TD_ESTOP)
            forget_owner(trace, ev->object); /* returned: its address may be reused */
    }
    return on;
}

/* ---- recording -------------------------------------------------------------------- */

/* What a report will take in the file, about (measured on prodcons, names of up to
 * 20 bytes); the writer holds to the limit whatever the names are. */
static uint64_t cost_of(const td_obs_event_t *ev)
{
    switch (ev->kind) {
    case TD_OBS_LINE: return 96 + ev->len + ev->len / 16;
    case TD_OBS_WAIT_END: return 432; /* the end, a flow and its wake-up mark */
    case TD_OBS_RELEASE: case TD_OBS_PUT: case TD_OBS_GET:
        return 208; /* an instant and the hold's end, or the size counter */
    case TD_OBS_CORO_RESUME: case TD_OBS_CORO_SUSPEND: return 208; /* two slices */
    case TD_OBS_THREAD_START: return 256; /* its track's names */
    case TD_OBS_COUNTER: return 96;
    case TD_OBS_NAME: return 64 + ev->len; /* nothing in the file: names for others */
    default: return 128;
    }
}

/* Charge cost and take a record: its slot, or NULL (dropped). */
static td__trace_record_t *reserve(td_trace_t *trace, uint64_t cost)
{
    uint64_t units = (cost + TD__TRACE_UNIT - 1) / TD__TRACE_UNIT;
    uint64_t limit_units = trace->limit / TD__TRACE_UNIT;
    uint64_t state = atomic_fetch_add_explicit(&trace->reserve, (units << 32) | 1,
                                               memory_order_relaxed);
    if ((state >> 32) + units <= limit_units)
        return take_slot(trace, state & 0xffffffffu);
    atomic_store_explicit(&trace->full, true, memory_order_relaxed); /* for good */
    return NULL;
}

static void record(td_trace_t *trace, const td_obs_event_t *ev)
{
    uint32_t coro = 0;
    uint32_t track = place(trace, ev, &coro);
    uint8_t prim = prim_of(trace, ev->primitive);
    td__trace_record_t *rec = track == UINT32_MAX ? NULL : reserve(trace, cost_of(ev));
    uint64_t text_at = 0;
    bool texted = ev->kind == TD_OBS_LINE || ev->kind == TD_OBS_NAME;
    if (rec && texted && ev->len > 0 &&
        (text_at = store_text(trace, ev->text, ev->len)) == UINT64_MAX)
        rec = NULL; /* the seq stays 0: the record is never read */
    if (ev->kind == TD_OBS_THREAD_EXIT)
        forget_owner(trace, ev->thread); /* its address may be reused */
    if (!rec) {
        atomic_fetch_add_explicit(&trace->dropped, 1, memory_order_relaxed);
        return;
    }
    rec->time = ev->time;
    rec->object = ev->object;
    rec->track = track;
    rec->result = ev->result;
    rec->kind = (uint8_t)ev->kind;
    rec->prim = prim;
    rec->extra = 0;
    rec->aux.timeout = ev->timeout;
    if (texted) {
        rec->aux.text_at = text_at;
        rec->extra = (uint32_t)ev->len;
        if (ev->kind == TD_OBS_NAME)
            rec->result = ev->text != NULL; /* 0: the name was forgotten */
    } else if (ev->kind == TD_OBS_CORO_RESUME || ev->kind == TD_OBS_CORO_SUSPEND) {
        rec->extra = coro;
    } else if (ev->kind == TD_OBS_WAIT_END && ev->cause && ev->seq - ev->cause < UINT32_MAX) {
        rec->extra = (uint32_t)(ev->seq - ev->cause);
    }
    atomic_store_explicit(&rec->seq, ev->seq, memory_order_release); /* published */
}

static void on_report(const td_obs_event_t *ev, void *ctx)
{
    td_trace_t *trace = ctx;
    /* Once the budget is spent nothing more is kept, so nothing needs placing. */
    if (atomic_load_explicit(&trace->full, memory_order_relaxed) || ev->len > UINT32_MAX)
        atomic_fetch_add_explicit(&trace->dropped, 1, memory_order_relaxed);
    else
        record(trace, ev);
    const td_observer_t *before = trace->before;
    if (before)
        before->notify(ev, before->ctx);
}

/* ---- the public calls ------------------------------------------------------------- */

int td_trace_new(td_trace_t **out, uint64_t limit)
{
    if (!out)
        return -EINVAL;
    if (limit == 0)
        limit = TD_TRACE_DEFAULT_LIMIT;
    if (limit < TD_TRACE_MIN_LIMIT || limit > TD_TRACE_MAX_LIMIT)
        return -EINVAL;
    td_trace_t *trace = aligned_alloc(64, (sizeof *trace + 63) / 64 * 64);
    if (!trace)
        return -ENOMEM;
    memset(trace, 0, sizeof *trace);
    trace->limit = limit;
    /* Every report is charged MIN_COST at least; the extra chunk holds the records
     * taken by reports that raced past the limit at once. */
    trace->n_chunks = limit / MIN_COST / TD__TRACE_CHUNK_RECORDS + 2;
    trace->n_text_chunks = limit / TD__TRACE_TEXT_CHUNK + 2;
    trace->chunks = calloc(trace->n_chunks, sizeof *trace->chunks);
    trace->text_chunks = calloc(trace->n_text_chunks, sizeof *trace->text_chunks);
    if (!trace->chunks || !trace->text_chunks || pthread_mutex_init(&trace->mutex, NULL) != 0) {
        free(trace->chunks);
        free(trace->text_chunks);
        free(trace);
        return -ENOMEM;
    }
    trace->observer = (td_observer_t){ .notify = on_report, .ctx = trace };
    *out = trace;
    return 0;
}

int td_trace_start(td_trace_t *trace)
{
    td_trace_t *none = NULL;
    if (!atomic_compare_exchange_strong(&recording, &none, trace))
        return -EBUSY;
    trace->gen = atomic_fetch_add(&last_gen, 1) + 1;
    trace->origin = td_monotonic();
    trace->virtual_time = td_sched_active();
    /* The main thread first, as Python lists it, whenever it first reports. */
    track_of(trace, td_main_thread(), 0, UINT32_MAX, thread_name);
    /* A fork while a thread is seen for the first time must not leave the child's
     * recording locked by a thread that does not exist there. */
    td__fork_guard(TD__FORK_TRACE, &trace->mutex, NULL);
    trace->before = td_observer_set(&trace->observer);
    return 0;
}

void td_trace_stop(td_trace_t *trace)
{
    td_trace_t *me = trace;
    if (!atomic_compare_exchange_strong(&recording, &me, NULL))
        return; /* not recording */
    td_observer_set(trace->before);
    td__fork_unguard(TD__FORK_TRACE, &trace->mutex);
}

void td_trace_free(td_trace_t *trace)
{
    if (!trace)
        return;
    td_trace_stop(trace);
    for (size_t i = 0; i < trace->n_chunks; i++)
        free(atomic_load(&trace->chunks[i]));
    for (size_t i = 0; i < trace->n_text_chunks; i++)
        free(atomic_load(&trace->text_chunks[i]));
    for (size_t i = 0; i < trace->n_tracks; i++)
        free(trace->tracks[i].name);
    for (unsigned i = 0; i < trace->n_prims; i++)
        free(trace->prim_names[i]);
    free(trace->chunks);
    free(trace->text_chunks);
    free(trace->tracks);
    td__ptrmap_free(&trace->owners);
    pthread_mutex_destroy(&trace->mutex);
    free(trace);
}

uint64_t td_trace_recorded(const td_trace_t *trace)
{
    uint64_t taken = td__trace_taken(trace), kept = 0;
    for (uint64_t i = 0; i < taken; i++) {
        const td__trace_record_t *rec = td__trace_slot(trace, i);
        kept += rec && atomic_load_explicit(&rec->seq, memory_order_acquire) != 0;
    }
    return kept;
}

uint64_t td_trace_dropped(const td_trace_t *trace)
{
    return atomic_load_explicit(&trace->dropped, memory_order_relaxed);
}
