/* SPDX-License-Identifier: MIT */
/* aio.h - what the asyncio layer's files share: the loop (loop.c), futures and tasks
 * (future.c), the awaits (wait.c), Event and Queue. Everything here runs on
 * the loop's thread, so nothing but the loop's inbox (call_soon_threadsafe) is
 * locked or atomic.
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
void td__ring_destroy(td__ring_t *r);
/* Append item: 0 or -ENOMEM. */
int td__ring_push(td__ring_t *r, void *item);
/* Remove and return the oldest item; the ring is not empty. */
void *td__ring_pop(td__ring_t *r);

/* ---- handles: callbacks the loop will call ------------------------------------------ */

enum handle_kind {
    H_PLAIN,     /* fn.plain(arg): call_soon/call_later */
    H_DONE,      /* fn.done(future, arg): a future's done callback */
    H_TASK_STEP  /* step the task in `future` */
};

struct td_loop_handle {
    unsigned refs;        /* one while scheduled, one for the caller who asked for it */
    enum handle_kind kind;
    bool cancelled;
    bool in_heap;         /* a timer not yet due */
    union {
        td_loop_cb plain;
        td_aio_done_fn done;
    } fn;
    void *arg;
    td_aio_future_t *future; /* H_DONE, H_TASK_STEP: a reference */
    void (*release)(void *arg); /* H_DONE: called if it is dropped without running */
    td__ns_t when;        /* timers: the deadline on the library's clock */
    uint64_t seq;         /* timers: arming order, for ties */
    td_loop_t *loop;      /* NULL once the loop is freed */
    struct td_loop_handle *next; /* the inbox, or the free list */
};

struct td_loop {
    uv_loop_t uv;
    uv_timer_t timer;      /* wakes uv_run at the earliest deadline */
    uv_async_t async;      /* wakes uv_run from other threads */
    td__ring_t ready;      /* handles, first in first out */
    struct td_loop_handle **heap; /* timers by (when, seq) */
    size_t heap_n, heap_cap, heap_cancelled;
    uint64_t seq;
    pthread_mutex_t inbox_lock; /* guards inbox only */
    struct td_loop_handle *inbox, *inbox_last;
    atomic_uint wake;      /* bumped by every call_soon_threadsafe (under a schedule) */
    struct td_loop_handle *spare; /* freed handles, for reuse */
    size_t spare_n;
    td_aio_future_t *spare_futures; /* freed plain futures, for reuse (linked by next) */
    size_t spare_futures_n;
    bool running, stopping, closing;
    bool polling;          /* inside libuv's wait for I/O (its callbacks run there) */
    td_aio_task_t *current; /* the task being stepped */
    td_coro_stack_t *stack; /* the stack its tasks share (made for the first one) */
    td_aio_future_t *first, *last; /* every live future, oldest first */
    unsigned long long callbacks_run;
};

/* Schedule a done callback or a task step (kind H_DONE/H_TASK_STEP) on the loop:
 * 0 or -ENOMEM/-ESHUTDOWN. Takes a reference to future; release(arg) (may be NULL)
 * is called if the callback is dropped without running. */
int td__loop_schedule(td_loop_t *loop, enum handle_kind kind, td_aio_done_fn fn,
                      td_aio_future_t *future, void *arg, void (*release)(void *arg));
/* Arm fn(arg) at an exact deadline (ns on the library's clock): as call_at. */
int td__loop_call_at_ns(td_loop_t *loop, td__ns_t when, td_loop_cb fn, void *arg,
                        td_loop_handle_t **handle);
/* Whether a libuv callback may run what it makes ready at once (td__loop_run_now):
 * the loop is in its wait for I/O, nothing else is ready and no task runs, so doing it
 * now jumps ahead of nothing. */
bool td__loop_may_run_now(const td_loop_t *loop);
/* Run what is ready now, in order (see td__loop_may_run_now). */
void td__loop_run_now(td_loop_t *loop);
/* A future was made or freed: link it into / out of the loop's list. */
void td__loop_adopt(td_loop_t *loop, td_aio_future_t *future);
void td__loop_forget(td_loop_t *loop, td_aio_future_t *future);
/* The loop running on this thread (NULL: none). */
td_loop_t *td__running_loop(void);
/* Turn the loop until it is stopped (run_forever without the argument checks). */
void td__loop_run(td_loop_t *loop);

/* ---- futures and tasks -------------------------------------------------------------- */

enum fut_state { F_PENDING, F_CANCELLED, F_FINISHED };
enum fut_kind { K_FUTURE, K_TASK, K_GATHER };

/* One done callback. release(arg), if set, is called when the callback is dropped
 * without running (its future freed, or removed), so internal callbacks can hold a
 * reference in arg. */
struct callback {
    td_aio_done_fn fn;
    void *arg;
    const char *name;  /* for reprs: "Task.task_wakeup()" */
    void (*release)(void *arg);
};

struct td_aio_future {
    unsigned refs;
    enum fut_kind kind;
    enum fut_state state;
    td_loop_t *loop;
    void *result;
    int exc_code;          /* F_FINISHED with an exception: its code */
    char *exc_message;
    char *cancel_message;
    struct callback *cbs;  /* the done callbacks, in the order added */
    uint32_t n_cbs, cap_cbs;
    struct callback inline_cbs[2];
    td_aio_future_t *prev, *next; /* the loop's list */
};

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
    char *raise_message;
    char *last_message;
    max_align_t coro_space[];
};

struct aio_gather {
    struct td_aio_future base;
    td_aio_future_t **children; /* references, duplicates included */
    size_t n, n_unique, finished;
    bool return_exceptions;
    bool cancel_requested;
    void **results;
};

/* The task of a future known to be one. */
static inline struct aio_task *td__as_task(td_aio_future_t *f)
{
    return (struct aio_task *)f;
}

/* Make a future of the given size and kind in loop (not yet linked anywhere else):
 * NULL when out of memory or the loop is closing. */
td_aio_future_t *td__afut_alloc(td_loop_t *loop, size_t size, enum fut_kind kind);
/* Add a done callback with a repr name and a release function (see struct callback). */
int td__afut_add_callback(td_aio_future_t *f, td_aio_done_fn fn, void *arg,
                            const char *name, void (*release)(void *arg));
/* Future.cancel() proper (the base class's, for a task or gather too). */
bool td__afut_cancel_plain(td_aio_future_t *f, const char *msg);
/* Finish a future with a result or an exception and schedule its callbacks. */
void td__afut_finish(td_aio_future_t *f, void *result, int code, const char *message);
/* What awaiting a done future gives: 0 (*result), TD_ETASK, -ECANCELED. */
int td__afut_outcome(const td_aio_future_t *f, void **result);
/* Gather's cancel (gathering futures cancel their children). */
bool td__gather_cancel(td_aio_future_t *f, const char *msg);
/* Drop a gathering future's own parts (children, results). */
void td__gather_destroy(td_aio_future_t *f);
/* Run one step of a task (the loop's H_TASK_STEP). */
void td__task_step(td_aio_future_t *task);
/* The loop is being freed: close the pending task's coroutine, mark it cancelled. */
void td__task_abandon(td_aio_future_t *task);
/* The future's loop is gone. */
void td__afut_orphan(td_aio_future_t *f);

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
/* The running task, or NULL. */
struct aio_task *td__current_task(void);

/* ---- a waiter of an Event or a Queue --------------------------------------------------- */

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

/* ---- the pointer rule (task.h) ----------------------------------------------------- */

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
