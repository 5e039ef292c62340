/* SPDX-License-Identifier: MIT */
/* observer.h - one hook through which every primitive reports what it does.
 *
 * With no observer installed the cost is one predictable branch. An observer is
 * called on the thread doing the thing, so it must be thread-safe and quick, and it
 * must not call back into the primitive that reported. Install it before starting
 * threads; the struct must outlive every report.
 */
#ifndef THRDEMO_OBSERVER_H
#define THRDEMO_OBSERVER_H

#include "common.h"
#include "thread.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum td_obs_kind {
    TD_OBS_THREAD_START, /* thread: the new thread, reported on it as it begins */
    TD_OBS_THREAD_EXIT,  /* thread: the thread ending, after its function returned */
    TD_OBS_WAIT_BEGIN,   /* a thread cannot go on at once in object (it spins or
                            sleeps); timeout: the wait's, in seconds (-1: none);
                            result: what a Queue waits to do (TD_OBS_PUT, TD_OBS_GET,
                            or TD_OBS_TASK_DONE for join), 0 for the others */
    TD_OBS_WAIT_END,     /* ...and goes on; result: 0 or -ETIMEDOUT; cause: what it saw */
    TD_OBS_SET,          /* an Event was set */
    TD_OBS_CLEAR,        /* an Event was cleared */
    TD_OBS_ACQUIRE,      /* a Lock, RLock or Semaphore was acquired */
    TD_OBS_RELEASE,      /* ...released (reported before another thread can take it) */
    TD_OBS_NOTIFY,       /* a Condition notified; result: how many it woke */
    TD_OBS_PUT,          /* a Queue took an item; result: its size after */
    TD_OBS_GET,          /* a Queue gave an item; result: its size after */
    TD_OBS_TASK_DONE,    /* a Queue's task_done(); result: unfinished tasks after */
    TD_OBS_SHUTDOWN,     /* a Queue was shut down */
    TD_OBS_CANCEL,       /* a Timer or Future was cancelled */
    TD_OBS_TIMER_FIRE,   /* a Timer's function is about to run */
    TD_OBS_LINE,         /* a line was written by thread; text, len: the line */
    TD_OBS_CORO_RESUME,  /* object: a coroutine about to run on thread (primitive "coro"),
                            or the asyncio task it runs for (primitive "task") */
    TD_OBS_CORO_SUSPEND, /* ...and back from it; result: 0 (it yielded), TD_ESTOP */
    TD_OBS_AIO_TASK_NEW, /* object: an asyncio task made; result: its N (Task-N) */
    TD_OBS_AIO_TASK_END, /* object: the asyncio task is done; result: 0, TD_ETASK,
                            -ECANCELED */
    TD_OBS_COUNTER,      /* a value of object's that user code samples (result, with
                            td_observe): a trace draws it as a counter */
    TD_OBS_NAME,         /* object was given a name (td_object_set_name; text, len:
                            the name) or lost it (td_object_forget; text NULL) */
    TD_OBS_KINDS         /* how many kinds there are: size tables by it */
} td_obs_kind_t;

typedef struct td_obs_event {
    td_obs_kind_t kind;
    const char *primitive; /* "thread", "lock", "rlock", "event", "cond", "task",
                              "loop" (an event loop waits for work), ... */
    const void *object;    /* the primitive reporting */
    td_thread_t *thread;   /* the thread concerned (borrowed); NULL for a thread
                              the library neither started nor was asked about */
    int result;            /* see the kinds above */
    uint64_t seq;          /* every report numbered, from 1, in the order they
                              happened; a LINE's number is taken under the output
                              lock, so lines are numbered in stdout's order */
    uint64_t cause;        /* WAIT_END that was woken: the seq of the latest SET,
                              RELEASE, NOTIFY, PUT, TASK_DONE, SHUTDOWN, CANCEL,
                              TIMER_FIRE or THREAD_EXIT on the same object, which is
                              what the waiter observed; 0 otherwise */
    double time;           /* td_monotonic() when reported (virtual under a schedule) */
    double timeout;        /* WAIT_BEGIN: the wait's timeout in seconds, -1: none */
    const char *text;      /* LINE: the line without its newline (not terminated) */
    size_t len;
} td_obs_event_t;

typedef struct td_observer {
    void (*notify)(const td_obs_event_t *event, void *ctx);
    void *ctx;
} td_observer_t;

/* Install observer (NULL removes it); returns the one installed before. */
TD_API const td_observer_t *td_observer_set(const td_observer_t *observer);
/* Report an event of the caller's own construct (a spin lock written without a
 * primitive, say) to the observer, as the primitives report theirs; for WAIT_BEGIN,
 * timeout is the wait's (-1: none). Nothing happens when nobody observes. */
TD_API void td_observe(td_obs_kind_t kind, const char *primitive, const void *object,
                       int result, double timeout);

/* Give an object (a lock, an event, a queue, ...) a name for reports, traces and
 * timelines: "counter_lock", as the Python program calls it. The name is copied and
 * kept in a table beside the objects, so the primitives neither grow nor slow down;
 * it stays until td_object_forget (or another name). 0, -EINVAL or -ENOMEM. */
TD_API int td_object_set_name(const void *object, const char *name);
/* Copy the object's name into buf (size bytes, NUL-terminated when size > 0) and
 * return its length, as snprintf; 0 (and "") when it has none. */
TD_API size_t td_object_get_name(const void *object, char *buf, size_t size);
/* Drop the object's name (before its memory is reused). */
TD_API void td_object_forget(const void *object);

#ifdef __cplusplus
}
#endif
#endif
