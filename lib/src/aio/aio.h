/* SPDX-License-Identifier: MIT */
/* aio.h - what the asyncio floor's files share, from the bottom up: the ring (ring.c);
 * the loop (running.c, handle.c, loop.c), which knows no futures; futures (future.c),
 * which know no tasks and no gather; tasks (task.c, repr.c); the awaits (gather.c,
 * wait.c, run.c); Event, Queue, streams and servers. Each file uses only those before
 * it (tests/layering.sh); what a lower one must reach above it, it reaches through a
 * hook or an ops table. Everything here runs on the loop's thread, so nothing but the
 * loop's inbox (call_soon_threadsafe) is locked or atomic.
 */
#ifndef THRDEMO_AIO_INTERNAL_H
#define THRDEMO_AIO_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "prim/prim.h"
#include "thrdemo/coro.h"
#include "thrdemo/task.h"

/* Freed handles and futures are kept for reuse, except under AddressSanitizer, which
 * could then not see a use after free. */
#include "core/sanitizer.h"
#define TD__AIO_REUSE (!TD__ASAN)

/* ---- a FIFO of pointers, growing by doubling (the ready queue, asyncio.Queue) ------- */

typedef struct td__ring {
    void **items;
    size_t cap, head, count;
} td__ring_t;

/* An empty ring with room for cap items: 0 or -ENOMEM. */
int td__ring_init(td__ring_t *r, size_t cap);
/* Free the ring's memory (not what its items point to). */
void td__ring_destroy(td__ring_t *r);
/* Append item: 0 or -ENOMEM. */
int td__ring_push(td__ring_t *r, void *item);
/* Remove and return the oldest item; the ring is not empty. */
void *td__ring_pop(td__ring_t *r);

/* ---- the loop and its handles (running.c, handle.c, loop.c): they know no futures ------ */

/* A function of the library's that the loop calls with two arguments. */
typedef void (*td__call_fn)(void *a, void *b);

/* A callback the loop will call: plain(a) (call_soon, call_later, call_at) or fn(a, b)
 * (the floor above's), once; a handle let go without running calls release(a, b)
 * instead, if set. Whatever a and b hold, fn or release lets go of: the loop knows
 * nothing of them. */
struct td_loop_handle {
    unsigned refs;        /* one while scheduled, one for the caller who asked for it */
    bool cancelled;
    bool in_heap;         /* a timer not yet due */
    td_loop_cb plain;     /* set: plain(a); NULL: fn(a, b) */
    td__call_fn fn;
    td__call_fn release;
    void *a, *b;
    td__ns_t when;        /* timers: the deadline on the library's clock */
    uint64_t seq;         /* timers: arming order, for ties */
    td_loop_t *loop;      /* NULL once the loop is freed */
    struct td_loop_handle *next; /* the inbox, or the free list */
};

/* What the loop calls of the floor above it without knowing it: the futures' record
 * (struct td__futures, future.c) sets these with the loop's `futures` slot. */
struct td__loop_hooks {
    void (*run_item)(void *item);      /* run a ready item (td__loop_ready_item) */
    void (*drop_item)(void *item);     /* let one go without running it */
    void (*on_close)(td_loop_t *loop); /* td_loop_free, before it drops what is scheduled */
};

struct td__futures;

struct td_loop {
    uv_loop_t uv;
    uv_timer_t timer;      /* wakes uv_run at the earliest deadline */
    uv_async_t async;      /* wakes uv_run from other threads */
    td__ring_t ready;      /* handles and items, first in first out */
    struct td_loop_handle **heap; /* timers by (when, seq) */
    size_t heap_n, heap_cap, heap_cancelled;
    uint64_t seq;
    pthread_mutex_t inbox_lock; /* guards inbox only */
    struct td_loop_handle *inbox, *inbox_last;
    atomic_uint wake;      /* bumped by every call_soon_threadsafe (under a schedule) */
    struct td_loop_handle *spare; /* freed handles, for reuse */
    size_t spare_n;
    bool running, stopping, closing;
    bool polling;          /* inside libuv's wait for I/O (its callbacks run there) */
    td_coro_stack_t *stack; /* the stack its tasks share (made for the first one) */
    struct td__futures *futures; /* the floor above's record, handed back through hooks */
    const struct td__loop_hooks *hooks;
    unsigned long long callbacks_run;
};

/* Schedule fn(a, b) on the loop (see struct td_loop_handle): 0, or -ENOMEM or
 * -ESHUTDOWN, and then neither fn nor release is called. */
int td__loop_schedule(td_loop_t *loop, td__call_fn fn, void *a, void *b, td__call_fn release);
/* Schedule an item for the loop's hooks (run_item, or drop_item): no handle, 8 bytes in
 * the ready queue. item is aligned (malloc's). 0, -ENOMEM or -ESHUTDOWN. */
int td__loop_ready_item(td_loop_t *loop, void *item);
/* Arm fn(arg) at an exact deadline (ns on the library's clock): as call_at. */
int td__loop_call_at_ns(td_loop_t *loop, td__ns_t when, td_loop_cb fn, void *arg,
                        td_loop_handle_t **handle);
/* Whether a libuv callback may run what it makes ready at once (td__loop_run_now) as
 * far as the loop knows: it is in its wait for I/O and nothing else is ready (the
 * futures add that no task runs: td__aio_may_run_now). */
bool td__loop_may_run_now(const td_loop_t *loop);
/* Run what is ready now, in order (see td__loop_may_run_now). */
void td__loop_run_now(td_loop_t *loop);
/* Turn the loop until it is stopped (run_forever without the argument checks). */
void td__loop_run(td_loop_t *loop);

/* handle.c, for loop.c's turn and its end. */

/* Drop the cancelled timers the heap need not keep (see handle.c). */
void td__loop_prune_timers(td_loop_t *loop);
/* The deadline of the earliest timer (TD__NEVER: none). */
td__ns_t td__loop_next_timer(const td_loop_t *loop);
/* Move every timer due at `now` to the ready queue, in (when, seq) order. */
void td__loop_timers_due(td_loop_t *loop, td__ns_t now);
/* Run a ready entry (popped from loop->ready), and let it go. */
void td__loop_run_ready(td_loop_t *loop, void *entry);
/* Move what other threads sent into the ready queue, in the order it came. */
void td__loop_drain_inbox(td_loop_t *loop);
/* Whether other threads sent nothing since the last drain. */
bool td__loop_inbox_empty(td_loop_t *loop);
/* The loop is closing: let go of every ready entry, timer and inbox handle unrun. */
void td__loop_drop_scheduled(td_loop_t *loop);
/* Free the spare handles. */
void td__loop_free_spares(td_loop_t *loop);

/* running.c: which loop runs on this thread, and the pointer rule that needs it. */

/* The loop running on this thread (NULL: none). */
td_loop_t *td__running_loop(void);
/* Set (loop) or clear (NULL) this thread's running loop. */
void td__set_running_loop(td_loop_t *loop);
/* This thread's loop as set_event_loop set it (NULL: none). */
td_loop_t *td__thread_loop(void);

/* ---- futures (future.c): they know no tasks and no gather -------------------------- */

enum fut_state { F_PENDING, F_CANCELLED, F_FINISHED };

/* One done callback. release(arg), if set, is called when the callback is dropped
 * without running (its future freed, or removed), so internal callbacks can hold a
 * reference in arg. */
struct callback {
    td_aio_done_fn fn;
    void *arg;
    const char *name;  /* for reprs: "Task.task_wakeup()" */
    void (*release)(void *arg);
};

/* What differs between a Future, a Task and a _GatheringFuture: the kind's own
 * functions, reached from the future so that futures call none of them by name. */
struct td__afut_ops {
    const char *cls;                                     /* "Future", "Task", ... */
    bool (*cancel)(td_aio_future_t *f, const char *msg); /* NULL: Future.cancel() */
    void (*destroy)(td_aio_future_t *f);  /* free its own parts (NULL: none) */
    void (*abandon)(td_aio_future_t *f);  /* its loop is freed while it is pending */
    void (*step)(td_aio_future_t *f);     /* a ready item of its loop's (a task's step) */
    bool own_outcome;                     /* set_result/set_exception refused (a task) */
};

/* A plain future's (td_aio_future_new's). */
extern const struct td__afut_ops td__future_ops;

struct td_aio_future {
    unsigned refs;
    const struct td__afut_ops *ops;
    enum fut_state state;
    td_loop_t *loop;
    void *result;
    int exc_code;          /* F_FINISHED with an exception: its code */
    char *exc_message;
    char *cancel_message;
    struct callback *cbs;  /* the done callbacks: pending ones in the order added; once */
    uint32_t n_cbs, cap_cbs; /* done, the scheduled ones stay here until they have run */
    struct callback inline_cbs[2];
    td_aio_future_t *prev, *next; /* the loop's list */
};

/* A loop's futures (its `futures` slot), made with its first future. */
struct td__futures {
    td_aio_future_t *spare;   /* freed plain futures, for reuse (linked by next) */
    size_t spare_n;
    td_aio_future_t *current; /* the task being stepped */
    td_aio_future_t *first, *last; /* every live future, oldest first */
};

/* Make a future of the given size and kind in loop (not yet linked anywhere else):
 * NULL when out of memory or the loop is closing. */
td_aio_future_t *td__afut_alloc(td_loop_t *loop, size_t size, const struct td__afut_ops *ops);
/* Add a done callback with a repr name and a release function (see struct callback). */
int td__afut_add_callback(td_aio_future_t *f, td_aio_done_fn fn, void *arg,
                            const char *name, void (*release)(void *arg));
/* Future.cancel() proper (the base class's, for a task or gather too). */
bool td__afut_cancel_plain(td_aio_future_t *f, const char *msg);
/* Finish a future with a result or an exception and schedule its callbacks. */
void td__afut_finish(td_aio_future_t *f, void *result, int code, const char *message);
/* What awaiting a done future gives: 0 (*result), TD_ETASK, -ECANCELED. */
int td__afut_outcome(const td_aio_future_t *f, void **result);
/* Drop a pending future's done callbacks unrun (their releases are called). */
void td__afut_drop_callbacks(td_aio_future_t *f);
/* td_aio_future_free as a callback's release (its arg: a reference to a future). */
void td__afut_release(void *f);
/* *slot = a copy of text (which may be *slot itself; NULL: none). */
void td__afut_set_text(char **slot, const char *text);

/* ---- tasks (task.c) ------------------------------------------------------------------ */

/* A task, with its coroutine inside it (coro_space: td__coro_size bytes), packed:
 * 100,000 of them are a benchmark's whole memory. */
struct aio_task {
    struct td_aio_future base;  /* base.result holds the body's result until it ends */
    td_coro_t *coro;        /* in coro_space; NULL once its coroutine has returned */
    td_aio_fn fn;           /* the coroutine: function, argument, name, where made */
    void *arg;
    const char *coro_name;
    const char *coro_file;
    int coro_line;
    int where_line;
    const char *where_file; /* where it last awaited (td_aio_where) */
    char *name;             /* set_name's, or NULL for "Task-N" */
    td_aio_future_t *fut_waiter; /* what it awaits (a reference) */
    unsigned number;        /* N of Task-N (of the process: wraps after 4e9) */
    int cancels_requested;
    int body_rc;            /* what the coroutine returned */
    int raise_code;         /* td_aio_raise's, for the exception it returns */
    int last_code;          /* the last await that gave TD_ETASK: re-raised */
    bool started;
    bool must_cancel;
    bool parked;            /* waits, with no future, for td__task_unpark */
    char *raise_message;
    char *last_message;
    max_align_t coro_space[];
};

/* The task of a future known to be one. */
static inline struct aio_task *td__as_task(td_aio_future_t *f)
{
    return (struct aio_task *)f;
}

/* The outcome of a done future, as an await in task t gives it; an exception is
 * remembered for a body returning TD_ETASK to re-raise. */
int td__task_outcome(struct aio_task *t, const td_aio_future_t *f, void **result);
/* Remember an exception for a body returning TD_ETASK to re-raise. */
void td__task_remember(struct aio_task *t, int code, const char *message);
/* await inside the running task: suspend until f is done; -ECANCELED if the task was
 * cancelled (or closed) meanwhile, else f's outcome. -EPERM outside a task. */
int td__await(td_aio_future_t *f, void **result);
/* Suspend the running task for one turn of the loop (sleep(0)): 0 or -ECANCELED. */
int td__yield_once(void);
/* Suspend the running task, with no future, until td__task_unpark: 0, or -ECANCELED
 * when it was cancelled (or its loop closed) meanwhile; -EPERM outside a task. */
int td__task_park(void);
/* Resume a task parked by td__task_park: now when nothing else waits to run, else at
 * the loop's next turn; nothing when it is not parked. */
void td__task_unpark(struct aio_task *t, bool now);
/* The running task, or NULL. */
struct aio_task *td__current_task(void);
/* td__loop_may_run_now, and no task runs: a libuv callback may resume a task now. */
bool td__aio_may_run_now(const td_loop_t *loop);

/* ---- the awaits (gather.c, for wait.c) -------------------------------------------------- */

/* first[i] = whether futs[i] appears for the first time at i (Python's set(fs), but
 * kept in order). Returns how many distinct there are, or 0 when out of memory. */
size_t td__mark_first(td_aio_future_t *const *futs, size_t n, bool *first);
/* Whether the n futures are real and of one loop, which *loop is set to (NULL for
 * none): 0 or -EINVAL. */
int td__check_futures(td_aio_future_t *const *futs, size_t n, td_loop_t **loop);

/* ---- a waiter of an Event or a Queue (future.c) --------------------------------------- */

/* A task waiting in a list (an Event's, a Queue's getters or putters): on the heap, not
 * in the task's frames, which are copied away while it waits (the pointer rule). */
struct td__waiter {
    td_aio_future_t *future; /* what the task awaits; whoever wakes it sets it */
    struct td__waiter *prev, *next;
    bool linked;
};

/* A new waiter with a pending future of loop's, unlinked: 0 or -ENOMEM. */
int td__waiter_new(td_loop_t *loop, struct td__waiter **out);
/* Free a waiter (unlinked) and its future. */
void td__waiter_free(struct td__waiter *w);

/* ---- the pointer rule (task.h; running.c) ------------------------------------------- */

/* Whether p points into the stack the loop's tasks share: memory that belongs to
 * whichever task occupies it, not to the task that handed p over. */
bool td__aio_on_shared_stack(const td_loop_t *loop, const void *p);
/* Abort with one line naming `call` and the rule when p points into loop's shared
 * stack (NULL loop: the running one). What a Debug build checks wherever a pointer
 * given to the library outlives the call. */
void td__aio_check_pointer(const td_loop_t *loop, const void *p, const char *call,
                           const char *what);
#ifdef NDEBUG
#define TD__AIO_CHECK_POINTER(loop, p, call, what) ((void)0)
#else
#define TD__AIO_CHECK_POINTER(loop, p, call, what) td__aio_check_pointer(loop, p, call, what)
#endif

#endif
