/* SPDX-License-Identifier: MIT */
/* trace_internal.h - what the recorder (trace.c), the view of a recording
 * (trace_view.c) and the JSON writer (trace_json.c) share. */
#ifndef THRDEMO_TRACE_INTERNAL_H
#define THRDEMO_TRACE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ptrmap.h"
#include "thrdemo/observer.h"
#include "thrdemo/trace.h"

/* One report, as the recorder keeps it: 48 bytes, whatever the kind. */
typedef struct td__trace_record {
    atomic_uint_fast64_t seq; /* the observer's number; 0 until the record is written
                                 (stored last, with release: then the rest is ready) */
    double time;              /* td_monotonic() when reported */
    const void *object;
    union {
        double timeout;   /* WAIT_BEGIN */
        uint64_t text_at; /* LINE, NAME: where its text starts in the arena */
    } aux;
    uint32_t extra;  /* LINE, NAME: the text's length; WAIT_END: seq - cause (0: none);
                        CORO_RESUME, CORO_SUSPEND: the coroutine's track */
    uint32_t track;  /* the track it happened on (the recorder's numbering) */
    int32_t result;
    uint8_t kind;
    uint8_t prim;    /* index into the recorder's primitive names */
    uint16_t unused;
} td__trace_record_t;

/* What the view and the writer make of a primitive's name. */
typedef enum td__trace_role {
    TD__ROLE_OTHER,
    TD__ROLE_LOCK,
    TD__ROLE_RLOCK,
    TD__ROLE_SEMAPHORE,
    TD__ROLE_EVENT,
    TD__ROLE_COND,
    TD__ROLE_QUEUE,
    TD__ROLE_THREAD,
    TD__ROLE_TIMER,
    TD__ROLE_FUTURE,
    TD__ROLE_BARRIER,
    TD__ROLE_CORO,
    TD__ROLE_LOG,
    TD__ROLE_SLEEP,
    TD__ROLE_TASK, /* an asyncio task: a track of its own, like a coroutine */
    TD__ROLE_LOOP, /* an event loop, which waits for work */
    TD__ROLES      /* how many: size tables by it */
} td__trace_role_t;

/* A track: a thread (from its first report) or a coroutine (from its first resume). */
typedef struct td__trace_track {
    char *name;         /* copied when registered; freed with the recorder */
    const void *owner;  /* the td_thread_t or td_coro_t (never dereferenced) */
    uint64_t first_seq; /* the report that registered it (0: the main thread) */
    uint64_t order;     /* a thread's start order (enumerate's); a coroutine's: that
                           of the thread that first resumed it, after which it shows */
    bool coroutine;
} td__trace_track_t;

enum {
    TD__TRACE_CHUNK_RECORDS = 8192,    /* records per chunk (384 KiB) */
    TD__TRACE_TEXT_CHUNK = 256 * 1024, /* bytes per chunk of the text arena */
    TD__TRACE_MAX_PRIMS = 64,          /* distinct primitive names */
    TD__TRACE_MAX_KEYS = 128,          /* distinct pointers to those names */
    TD__TRACE_UNIT = 16,               /* the budget counts 16-byte units */
};

struct td_trace {
    uint64_t limit; /* bytes, in memory and in the file */
    uint64_t gen;   /* tells this recording's thread-local caches from others' */
    double origin;  /* td_monotonic() when recording began */
    bool virtual_time;

    _Atomic(td__trace_record_t *) *chunks; /* allocated on demand */
    size_t n_chunks;
    _Atomic(char *) *text_chunks;
    size_t n_text_chunks;

    /* The one reservation: low 32 bits records taken, high 32 bits budget units
     * charged; one atomic add per report. Each counter written by every thread has
     * a cache line of its own, away from what reports only read. */
    _Alignas(64) atomic_uint_fast64_t reserve;
    _Alignas(64) atomic_uint_fast64_t dropped;
    atomic_bool full; /* the budget is spent: reports are only counted */
    _Alignas(64) atomic_uint_fast64_t text_used; /* bytes of the arena handed out */

    /* Primitive names: read without a lock (keys are published before n_keys). */
    _Atomic(const char *) keys[TD__TRACE_MAX_KEYS];
    uint8_t key_prim[TD__TRACE_MAX_KEYS];
    atomic_uint n_keys;
    char *prim_names[TD__TRACE_MAX_PRIMS];
    unsigned n_prims;

    /* Tracks, and the live thread or coroutine behind each: guarded by mutex. */
    pthread_mutex_t mutex;
    td__trace_track_t *tracks;
    size_t n_tracks, cap_tracks;
    td__ptrmap_t owners; /* a live thread or coroutine -> its track */
    uint32_t pthreads; /* threads the library did not start, numbered */

    _Alignas(64) td_observer_t observer;
    const td_observer_t *before;
};

/* The records taken so far (some may be unwritten or dropped). */
uint64_t td__trace_taken(const td_trace_t *trace);
/* Record slot i, or NULL when its chunk was never allocated. */
td__trace_record_t *td__trace_slot(const td_trace_t *trace, uint64_t i);
/* Copy len bytes of the arena from at into buf. */
void td__trace_read_text(const td_trace_t *trace, uint64_t at, char *buf, size_t len);
/* A primitive's name by its index ("?" when unknown). */
const char *td__trace_prim_name(const td_trace_t *trace, unsigned prim);
/* The role of a primitive's name. */
td__trace_role_t td__trace_role_of(const char *primitive);
/* The index of the primitive name behind key (a report's primitive pointer), added
 * the first time (takes the mutex then): UINT8_MAX when the table is full. */
uint8_t td__trace_prim_index(td_trace_t *trace, const char *key);

/* ---- the view: a recording sorted, resolved and made consistent -------------------- */

enum {
    TD__ITEM_HIDDEN = 1, /* a wait inside another, an end without its begin, a name */
    TD__ITEM_FLOW = 2,   /* a WAIT_END whose cause is in the recording */
};

typedef struct td__trace_item {
    uint64_t seq;
    double ts;      /* seconds since the origin, made consistent (see trace_view.c) */
    uint64_t cause; /* WAIT_END: what it observed (its own or an inner wait's); LINE:
                       its number among the lines, from 1 */
    uint32_t slot;
    uint32_t flags;
    uint32_t object; /* index into the view's objects + 1; 0: none of its own */
    uint32_t flow;   /* TD__ITEM_FLOW: its flow's number (from 1, in the order the flows
                        start), which the file uses as the flow's id */
} td__trace_item_t;

typedef struct td__trace_flow {
    uint64_t cause_seq; /* the waking report */
    uint64_t end_seq;   /* the WAIT_END it woke */
} td__trace_flow_t;

/* The number map gives key (a core/ptrmap.h map of numbers), or UINT32_MAX. */
static inline uint32_t td__trace_number(const td__ptrmap_t *map, const void *key)
{
    uintptr_t value;
    return td__ptrmap_get(map, key, &value) ? (uint32_t)value : UINT32_MAX;
}

/* An object seen in the recording: its role and the name it goes by. */
typedef struct td__trace_object {
    char *name;
    td__trace_role_t role;
} td__trace_object_t;

typedef struct td__trace_view {
    td_trace_t *trace;
    td__trace_item_t *items; /* in seq order */
    size_t n_items;
    uint32_t *in_time;       /* positions in items, in (ts, seq) order */
    td__trace_flow_t *flows; /* in cause_seq order */
    size_t n_flows;
    td__trace_track_t *tracks; /* a copy of the recorder's (names shared) */
    size_t n_tracks;
    uint32_t *rank;       /* recorder's track -> position in start order, UINT32_MAX:
                             not shown */
    uint32_t *order;      /* position -> recorder's track */
    size_t n_shown;       /* tracks shown: the main thread and any with an entry */
    uint64_t *exit_seq;   /* per recorder track: its THREAD_EXIT, 0: none */
    td__trace_role_t roles[TD__TRACE_MAX_PRIMS + 1]; /* per primitive index */
    td__trace_object_t *objects;
    size_t n_objects;
    char **names;         /* the names given during the recording (TD_OBS_NAME) */
    size_t n_names;
    char *scratch;        /* a line's text, when it spans two arena chunks */
    size_t scratch_size;
    double end_ts;        /* the last item's */
    uint64_t dropped;     /* by the recorder */
} td__trace_view_t;

/* Build a view of what trace holds now: 0 or -ENOMEM. */
int td__trace_view_open(td__trace_view_t *view, td_trace_t *trace);
void td__trace_view_close(td__trace_view_t *view);
/* The record behind an item. */
const td__trace_record_t *td__trace_view_record(const td__trace_view_t *view,
                                                 const td__trace_item_t *item);
/* The role of a record's primitive. */
td__trace_role_t td__trace_view_role(const td__trace_view_t *view, const td__trace_record_t *rec);
/* The name of an item's object ("exit_event", "Thread-2", "lock #3"; "" for none). */
const char *td__trace_view_object(td__trace_view_t *view, const td__trace_item_t *item);
/* A LINE record's text (rec->extra bytes, not terminated), or NULL without memory. */
const char *td__trace_view_text(td__trace_view_t *view, const td__trace_record_t *rec);
/* The item holding seq, or NULL. */
const td__trace_item_t *td__trace_view_find(const td__trace_view_t *view, uint64_t seq);
/* The flows that start at seq: *n of them from the returned one on. */
const td__trace_flow_t *td__trace_view_flows_from(const td__trace_view_t *view, uint64_t seq,
                                                  size_t *n);
/* The position in start order of a record's track (UINT32_MAX: none). */
uint32_t td__trace_view_track(const td__trace_view_t *view, uint32_t track);

#endif
