/* SPDX-License-Identifier: MIT */
/* trace.h - record what every thread does, and show it: a Chrome Trace Event Format
 * file (ui.perfetto.dev and chrome://tracing open it as is) and, for a chart drawn
 * by the caller, the same run as tracks and entries in time order.
 *
 * A recorder installs the observer (observer.h) and keeps every report in ONE store
 * for the whole process, never one buffer per thread: fixed-size records appended
 * by one atomic reservation into chunks allocated on demand, the texts of printed
 * lines in an arena beside them. The store is bounded by `limit` bytes, which bounds
 * both the memory it takes and the file written from it: each report is charged what
 * it will take in the file; past the limit reports are dropped and counted, never a
 * failure and never a wait. The observer installed before keeps hearing every report.
 *
 * What the file shows:
 *   - one track per thread, named as Python names it (MainThread, Thread-1 (worker),
 *     ThreadPoolExecutor-0_0), in start order; a thread's name is copied when its
 *     first report is recorded, so the thread may be freed before the file is written;
 *     a coroutine (CORO_RESUME .. CORO_SUSPEND) gets a track of its own;
 *   - a slice for every wait that did not return at once ("wait exit_event",
 *     "acquire counter_lock", "get queue", "join Thread-2", "sleep 1.0 s"), as long as
 *     it blocked, saying whether it ended by wake-up or timeout; a wait reported
 *     while another is open on the same thread is part of the outer one (the Event
 *     a sleep waits on, the lock a Condition takes back);
 *   - a slice for each time a Lock or RLock is held; slices nest on each track
 *     (where holds and waits overlap, a slice is closed and opened again);
 *   - instant events for set, clear, notify, release, put, get, task_done, shutdown,
 *     cancel, timer fire, thread exit, and one per printed line with its text, in
 *     stdout's order;
 *   - a flow arrow from the set/release/notify/put/... a woken thread observed (the
 *     report's cause) to an instant where it woke;
 *   - counters: a Queue's size, and any value reported as TD_OBS_COUNTER;
 *   - under a schedule (schedule.h) virtual timestamps, and nothing that differs from
 *     run to run: the same run writes the same bytes. Objects are called by their
 *     names (td_object_set_name: the name they had when the recording saw them
 *     named, else the one they have when the file is written), else "lock #3",
 *     numbered in order of appearance; naming or forgetting an address starts a new
 *     object there, so a freed object and the next one in its memory are two.
 *
 * A sleep is a wait reported with primitive "sleep" and, as its timeout, the
 * seconds it is meant to last (td_observe(TD_OBS_WAIT_BEGIN, "sleep", object, 0,
 * seconds) .. TD_OBS_WAIT_END): it is shown as "sleep 1.0 s".
 * Start a recorder after td_sched_begin when the run is under a schedule, and before
 * the threads it should see. One recorder records at a time.
 */
#ifndef THRDEMO_TRACE_H
#define THRDEMO_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "observer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The limit when none is given: 64 MiB. */
#define TD_TRACE_DEFAULT_LIMIT ((uint64_t)64 << 20)
/* The smallest and the largest limit a recorder takes. */
#define TD_TRACE_MIN_LIMIT ((uint64_t)64 << 10)
#define TD_TRACE_MAX_LIMIT ((uint64_t)32 << 30)

typedef struct td_trace td_trace_t;

/* Make a recorder into *out that keeps at most limit bytes (0: the default; else
 * TD_TRACE_MIN_LIMIT .. TD_TRACE_MAX_LIMIT). Nothing is recorded before
 * td_trace_start. 0, -EINVAL or -ENOMEM. */
TD_API int td_trace_new(td_trace_t **out, uint64_t limit);
/* Begin recording: installs the observer (the one installed before goes on hearing
 * every report). 0, or -EBUSY while another recorder records. */
TD_API int td_trace_start(td_trace_t *trace);
/* Stop recording: puts back the observer installed before td_trace_start (stop
 * recorders and other observers in the reverse order of installing them). What
 * was recorded stays, to be written. A report under way on another thread may still
 * land or be left out. */
TD_API void td_trace_stop(td_trace_t *trace);
/* Free a stopped recorder; no thread may be reporting to it any more (NULL: no-op). */
TD_API void td_trace_free(td_trace_t *trace);

/* Reports kept so far. */
TD_API uint64_t td_trace_recorded(const td_trace_t *trace);
/* Reports dropped so far because the limit was reached (or memory ran out). */
TD_API uint64_t td_trace_dropped(const td_trace_t *trace);

/* Write what was recorded as Chrome Trace Event Format JSON to fd, the process
 * named process_name (NULL: "libthrdemo"). The file never exceeds the limit: what
 * does not fit is left out and counted as dropped. The dropped count (recording and
 * writing together) is written into the file ("otherData": {"dropped_events": N})
 * and stored in *dropped when it is not NULL. May be called while recording goes
 * on: it writes what was recorded when it began. 0, -ENOMEM, or -errno of write. */
TD_API int td_trace_write_json(td_trace_t *trace, int fd, const char *process_name,
                               uint64_t *dropped);

/* ---- the same run, for a chart ------------------------------------------------------ */

/* A track: a thread, or a coroutine. */
typedef struct td_trace_track {
    const char *name; /* "MainThread", "Thread-1 (worker)", "coroutine #1" */
    bool coroutine;
} td_trace_track_t;

/* One recorded report, resolved. Waits that were part of an outer one are left out
 * (their cause, if any, is the outer wait's). */
typedef struct td_trace_entry {
    td_obs_kind_t kind;
    size_t track;          /* index into the tracks, which are in start order */
    size_t coroutine;      /* CORO_RESUME, CORO_SUSPEND: the coroutine's track */
    double time;           /* seconds since the recording began: virtual under a
                              schedule; never earlier than the entry before it */
    uint64_t seq;          /* the observer's number */
    const char *primitive; /* "lock", "event", "queue", "thread", "sleep", ... */
    const char *object;    /* its name: "exit_event", a thread's name, "lock #3"; ""
                              when the report has no object */
    int result;            /* as the observer reported it */
    double timeout;        /* WAIT_BEGIN: seconds, -1 for none */
    const char *text;      /* LINE: the line without its newline (not terminated) */
    size_t len;
    uint64_t cause;        /* WAIT_END woken: the seq of what it observed, 0: none */
} td_trace_entry_t;

/* What td_trace_visit calls; a nonzero return stops the walk and is returned. */
typedef struct td_trace_visitor {
    /* Once, first: every track, in start order. May be NULL. */
    int (*tracks)(const td_trace_track_t *tracks, size_t n, void *ctx);
    /* Then each entry, in time order (equal times: in the order they happened). */
    int (*entry)(const td_trace_entry_t *entry, void *ctx);
    void *ctx;
} td_trace_visitor_t;

/* Walk what was recorded (when the walk began), as the file shows it: 0, -ENOMEM,
 * or the first nonzero value a callback returned. The strings live until the walk
 * returns. */
TD_API int td_trace_visit(td_trace_t *trace, const td_trace_visitor_t *visitor);

#ifdef __cplusplus
}
#endif
#endif
