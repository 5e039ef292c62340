/* SPDX-License-Identifier: MIT */
/* loop.c - asyncio's event loop (loop.h) on libuv, with timers of its own.
 *
 * DESIGN. One turn of the loop is base_events.py's _run_once: drop cancelled timers
 * from the top of the heap; wait for I/O no longer than until the earliest timer (not
 * at all when callbacks are ready); move every timer whose deadline has passed to the
 * ready queue, in (deadline, arming order); then run exactly the callbacks that are
 * ready now. The ready queue is a FIFO of handles; the timers a binary heap of
 * handles ordered by (when, seq), `when` in nanoseconds on the library's clock
 * (td__now: virtual under a schedule), `seq` counting arming. libuv's own timers
 * count whole milliseconds on a cached clock, which would tie deadlines that differ
 * by less; so one uv_timer_t only wakes uv_run at the earliest deadline, rounded up,
 * and the heap decides what is due. Waking early costs a turn, never an order.
 * Under a schedule the loop never blocks in the kernel: it waits in td__wait_until
 * on `wake` with its next deadline, so the scheduler runs other threads or jumps the
 * virtual clock there.
 *
 * Threads: all of it is the loop thread's, except the inbox (under inbox_lock), which
 * call_soon_threadsafe fills from anywhere and the loop drains into the ready queue
 * after each wait; uv_async (or, under a schedule, `wake`) wakes the waiting loop.
 * Our two libuv handles are unref'd, so uv_loop_alive() says whether a program's own
 * I/O handles are open; the async handle is ref'd only while the loop waits.
 *
 * Handles: `refs` counts the loop's reference (from scheduling until run or dropped)
 * and the caller's (when it asked for the handle). Spare handles are reused.
 *
 * A task's step needs no handle: nobody can cancel it or hold it, and a task has at
 * most one step scheduled. So the ready queue holds the task itself, its address
 * tagged with the low bit (futures are malloc'ed: aligned), with a reference to it;
 * 100,000 ready tasks then cost the queue 8 bytes each, not a handle each.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aio.h"

enum { FIRST_READY = 64, SPARE_MAX = TD__AIO_REUSE ? 4096 : 0, MIN_SCHEDULED = 100 };

static TD__TLS td_loop_t *running;     /* the loop running on this thread */
static TD__TLS td_loop_t *thread_loop; /* set_event_loop's, or get_event_loop's own */

td_loop_t *td__running_loop(void)
{
    return running;
}

/* ---- handles ------------------------------------------------------------------------ */

static struct td_loop_handle *handle_new(td_loop_t *loop, enum handle_kind kind)
{
    struct td_loop_handle *h = loop->spare;
    if (h) {
        loop->spare = h->next;
        loop->spare_n--;
    } else if (!(h = malloc(sizeof *h)))
        return NULL;
    memset(h, 0, sizeof *h);
    h->refs = 1;
    h->kind = kind;
    h->loop = loop;
    return h;
}

static void handle_release(struct td_loop_handle *h)
{
    if (--h->refs > 0)
        return;
    td_aio_future_t *future = h->future;
    td_loop_t *loop = h->loop;
    /* A difference, as in td_aio_future_free: SPARE_MAX is 0 under a sanitizer. */
    if (loop && !loop->closing && SPARE_MAX - loop->spare_n > 0) {
        h->next = loop->spare;
        loop->spare = h;
        loop->spare_n++;
    } else {
        free(h);
    }
    td_aio_future_free(future); /* last: it may free more */
}

/* The loop lets go of h (run, dropped or cancelled); a caller still holding it keeps
 * a handle that no longer points at the loop, which may be freed before it. */
static void loop_drop(struct td_loop_handle *h)
{
    if (h->release) /* it never ran */
        h->release(h->arg);
    h->release = NULL;
    h->in_heap = false;
    if (h->refs > 1)
        h->loop = NULL;
    handle_release(h);
}

static void handle_run(struct td_loop_handle *h)
{
    switch (h->kind) {
    case H_PLAIN: h->fn.plain(h->arg); break;
    case H_DONE: h->fn.done(h->future, h->arg); break;
    case H_TASK_STEP: td__task_step(h->future); break; /* (queued as the task itself) */
    }
}

void td_loop_handle_cancel(td_loop_handle_t *h)
{
    if (!h || h->cancelled)
        return;
    h->cancelled = true;
    if (h->in_heap && h->loop)
        h->loop->heap_cancelled++;
}

bool td_loop_handle_cancelled(const td_loop_handle_t *h)
{
    return h->cancelled;
}

double td_loop_handle_when(const td_loop_handle_t *h)
{
    return (double)h->when / 1e9;
}

void td_loop_handle_free(td_loop_handle_t *h)
{
    if (h)
        handle_release(h);
}

/* ---- the timer heap: (when, seq), smallest on top ------------------------------------ */

static bool before(const struct td_loop_handle *a, const struct td_loop_handle *b)
{
    return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void sift_up(struct td_loop_handle **heap, size_t i)
{
    struct td_loop_handle *h = heap[i];
    while (i > 0 && before(h, heap[(i - 1) / 2])) {
        heap[i] = heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    heap[i] = h;
}

static void sift_down(struct td_loop_handle **heap, size_t n, size_t i)
{
    struct td_loop_handle *h = heap[i];
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= n)
            break;
        if (child + 1 < n && before(heap[child + 1], heap[child]))
            child++;
        if (!before(heap[child], h))
            break;
        heap[i] = heap[child];
        i = child;
    }
    heap[i] = h;
}

static int heap_push(td_loop_t *loop, struct td_loop_handle *h)
{
    if (loop->heap_n == loop->heap_cap) {
        size_t cap = loop->heap_cap ? loop->heap_cap * 2 : 64;
        struct td_loop_handle **heap = realloc(loop->heap, cap * sizeof *heap);
        if (!heap)
            return -ENOMEM;
        loop->heap = heap;
        loop->heap_cap = cap;
    }
    loop->heap[loop->heap_n] = h;
    sift_up(loop->heap, loop->heap_n++);
    h->in_heap = true;
    return 0;
}

static struct td_loop_handle *heap_pop(td_loop_t *loop)
{
    struct td_loop_handle *top = loop->heap[0];
    loop->heap[0] = loop->heap[--loop->heap_n];
    if (loop->heap_n > 0)
        sift_down(loop->heap, loop->heap_n, 0);
    top->in_heap = false;
    if (top->cancelled)
        loop->heap_cancelled--;
    return top;
}

/* Cancelled timers: all of them when they are most of a large heap, else those on
 * top (asyncio's _MIN_SCHEDULED_TIMER_HANDLES and _MIN_CANCELLED_..._FRACTION). */
static void prune_cancelled(td_loop_t *loop)
{
    if (loop->heap_n > MIN_SCHEDULED && loop->heap_cancelled * 2 > loop->heap_n) {
        size_t kept = 0;
        for (size_t i = 0; i < loop->heap_n; i++) {
            struct td_loop_handle *h = loop->heap[i];
            if (h->cancelled)
                loop_drop(h);
            else
                loop->heap[kept++] = h;
        }
        loop->heap_n = kept;
        loop->heap_cancelled = 0;
        for (size_t i = kept / 2; i-- > 0;)
            sift_down(loop->heap, kept, i);
        return;
    }
    while (loop->heap_n > 0 && loop->heap[0]->cancelled)
        loop_drop(heap_pop(loop));
}

/* ---- scheduling ----------------------------------------------------------------------- */

static void make_ready(td_loop_t *loop, struct td_loop_handle *h)
{
    if (td__ring_push(&loop->ready, h) != 0)
        td__out_of_memory("in the event loop"); /* or a task would wait for ever */
}

/* A ready queue entry: a handle, or a task to step (tagged: see the design note). */
static bool is_task_step(const void *item)
{
    return (uintptr_t)item & 1;
}

static td_aio_future_t *step_task(void *item)
{
    return (td_aio_future_t *)((uintptr_t)item & ~(uintptr_t)1);
}

/* Run a ready entry, and let it go. */
static void run_ready(td_loop_t *loop, void *item)
{
    if (is_task_step(item)) {
        loop->callbacks_run++;
        td__task_step(step_task(item));
        td_aio_future_free(step_task(item));
        return;
    }
    struct td_loop_handle *h = item;
    if (!h->cancelled) {
        loop->callbacks_run++;
        h->release = NULL; /* the callback itself lets go of what arg holds */
        handle_run(h);
    }
    loop_drop(h);
}

/* Let a ready entry go without running it. */
static void drop_ready(void *item)
{
    if (is_task_step(item))
        td_aio_future_free(step_task(item));
    else
        loop_drop(item);
}

int td__loop_schedule(td_loop_t *loop, enum handle_kind kind, td_aio_done_fn fn,
                      td_aio_future_t *future, void *arg, void (*release)(void *arg))
{
    if (loop->closing)
        return -ESHUTDOWN;
    if (kind == H_TASK_STEP) {
        void *item = (void *)((uintptr_t)td_aio_future_ref(future) | 1);
        if (td__ring_push(&loop->ready, item) != 0) {
            td_aio_future_free(future);
            return -ENOMEM;
        }
        return 0;
    }
    struct td_loop_handle *h = handle_new(loop, kind);
    if (!h)
        return -ENOMEM;
    h->fn.done = fn;
    h->arg = arg;
    h->release = release;
    h->future = td_aio_future_ref(future);
    make_ready(loop, h);
    return 0;
}

static int check_call(td_loop_t *loop, td_loop_cb fn)
{
    if (!loop || !fn)
        return -EINVAL;
    return loop->closing ? -ESHUTDOWN : 0;
}

/* Give the caller its own reference to h, if it asked for one. */
static void hand_out(struct td_loop_handle *h, td_loop_handle_t **handle)
{
    if (handle) {
        h->refs++;
        *handle = h;
    }
}

/* A handle for fn(arg) in *h: 0, -EINVAL, -ESHUTDOWN or -ENOMEM. */
static int plain_handle(td_loop_t *loop, td_loop_cb fn, void *arg, struct td_loop_handle **h)
{
    int rc = check_call(loop, fn);
    if (rc != 0)
        return rc;
    TD__AIO_CHECK_POINTER(loop, arg, "td_loop_call_soon/call_later/call_at", "the argument");
    if (!(*h = handle_new(loop, H_PLAIN)))
        return -ENOMEM;
    (*h)->fn.plain = fn;
    (*h)->arg = arg;
    return 0;
}

int td_loop_call_soon(td_loop_t *loop, td_loop_cb fn, void *arg, td_loop_handle_t **handle)
{
    struct td_loop_handle *h;
    int rc = plain_handle(loop, fn, arg, &h);
    if (rc != 0)
        return rc;
    make_ready(loop, h);
    hand_out(h, handle);
    return 0;
}

/* Arm fn(arg) at `when` (ns on the library's clock). */
static int arm(td_loop_t *loop, td__ns_t when, td_loop_cb fn, void *arg,
               td_loop_handle_t **handle)
{
    struct td_loop_handle *h;
    int rc = plain_handle(loop, fn, arg, &h);
    if (rc != 0)
        return rc;
    h->when = when;
    h->seq = ++loop->seq;
    if (heap_push(loop, h) != 0) {
        handle_release(h);
        return -ENOMEM;
    }
    hand_out(h, handle);
    return 0;
}

/* Seconds on the loop's clock to nanoseconds, saturating; NaN is refused before. */
static td__ns_t to_ns(double seconds)
{
    double ns = seconds * 1e9;
    if (ns >= (double)(TD__NEVER - 1))
        return TD__NEVER - 1;
    if (ns <= 0)
        return 0;
    return (td__ns_t)ns;
}

int td_loop_call_later(td_loop_t *loop, double delay, td_loop_cb fn, void *arg,
                       td_loop_handle_t **handle)
{
    if (isnan(delay))
        return -EINVAL;
    return td_loop_call_at(loop, td_loop_time(loop) + delay, fn, arg, handle);
}

int td_loop_call_at(td_loop_t *loop, double when, td_loop_cb fn, void *arg,
                    td_loop_handle_t **handle)
{
    if (isnan(when))
        return -EINVAL;
    return arm(loop, to_ns(when), fn, arg, handle);
}

/* Timers the library arms itself (sleep, wait_for) at an exact deadline. */
int td__loop_call_at_ns(td_loop_t *loop, td__ns_t when, td_loop_cb fn, void *arg,
                        td_loop_handle_t **handle)
{
    return arm(loop, when, fn, arg, handle);
}

int td_loop_call_soon_threadsafe(td_loop_t *loop, td_loop_cb fn, void *arg)
{
    if (!loop || !fn)
        return -EINVAL;
    TD__AIO_CHECK_POINTER(loop, arg, "td_loop_call_soon_threadsafe", "the argument");
    struct td_loop_handle *h = calloc(1, sizeof *h); /* not the loop's spares: */
    if (!h)                                           /* those are its thread's */
        return -ENOMEM;
    h->refs = 1;
    h->kind = H_PLAIN;
    h->fn.plain = fn;
    h->arg = arg;
    h->loop = loop;
    td__mutex_lock(&loop->inbox_lock);
    if (loop->inbox_last)
        loop->inbox_last->next = h;
    else
        loop->inbox = h;
    loop->inbox_last = h;
    td__mutex_unlock(&loop->inbox_lock);
    if (TD__UNLIKELY(td__sched != NULL)) {
        atomic_fetch_add_explicit(&loop->wake, 1, memory_order_release);
        td__wake(&loop->wake, 1);
    } else {
        uv_async_send(&loop->async);
    }
    return 0;
}

/* Move what other threads sent into the ready queue, in the order it came. */
static void drain_inbox(td_loop_t *loop)
{
    td__mutex_lock(&loop->inbox_lock);
    struct td_loop_handle *h = loop->inbox;
    loop->inbox = loop->inbox_last = NULL;
    td__mutex_unlock(&loop->inbox_lock);
    while (h) {
        struct td_loop_handle *next = h->next;
        h->next = NULL;
        if (loop->closing)
            loop_drop(h);
        else
            make_ready(loop, h);
        h = next;
    }
}

static bool inbox_empty(td_loop_t *loop)
{
    td__mutex_lock(&loop->inbox_lock);
    bool empty = loop->inbox == NULL;
    td__mutex_unlock(&loop->inbox_lock);
    return empty;
}

/* ---- waiting: libuv, or the scheduler ---------------------------------------------------- */

static void on_uv_timer(uv_timer_t *timer)
{
    /* Only wakes uv_run (the heap says what is due), and it must: when the thread
     * was held up past the timer between arming it and uv_run, libuv runs it before
     * polling, the heap is then empty, and the poll would block for ever (seen: a
     * hang in epoll_wait(-1) under load). uv_stop makes that poll return at once. */
    uv_stop(timer->loop);
}

static void on_uv_async(uv_async_t *async)
{
    (void)async; /* only wakes uv_run; the inbox is drained after it */
}

/* Poll the program's I/O handles without waiting, if it has any. */
static void poll_io(td_loop_t *loop)
{
    if (uv_loop_alive(&loop->uv))
        uv_run(&loop->uv, UV_RUN_NOWAIT);
}

/* Wait for I/O, a wake-up, or the deadline (absolute ns; TD__NEVER: no limit). */
static void wait_real(td_loop_t *loop, td__ns_t deadline, td__ns_t now)
{
    if (deadline != TD__NEVER) {
        uint64_t ms = (uint64_t)((deadline - now + 999999) / 1000000);
        uv_update_time(&loop->uv);
        uv_timer_start(&loop->timer, on_uv_timer, ms, 0);
    }
    uv_ref((uv_handle_t *)&loop->async);
    uv_run(&loop->uv, UV_RUN_ONCE);
    uv_unref((uv_handle_t *)&loop->async);
    uv_timer_stop(&loop->timer);
}

/* Under a schedule: I/O is only polled; the loop waits in the scheduler, which jumps
 * the virtual clock to the deadline when nobody else can run. */
static void wait_scheduled(td_loop_t *loop, td__ns_t deadline)
{
    unsigned seen = atomic_load_explicit(&loop->wake, memory_order_acquire);
    if (!inbox_empty(loop))
        return;
    td__wait_until(&loop->wake, seen, (td__deadline_t){ deadline });
}

static void wait_for_work(td_loop_t *loop, td__ns_t deadline)
{
    td__ns_t now = td__now();
    loop->polling = true;
    if (deadline <= now) {
        poll_io(loop);
        loop->polling = false;
        return;
    }
    TD__OBSERVE(TD_OBS_WAIT_BEGIN, "loop", loop, 0);
    if (TD__UNLIKELY(td__sched != NULL)) {
        poll_io(loop);
        wait_scheduled(loop, deadline);
    } else {
        wait_real(loop, deadline, now);
    }
    loop->polling = false;
    TD__OBSERVE(TD_OBS_WAIT_END, "loop", loop, 0);
}

bool td__loop_may_run_now(const td_loop_t *loop)
{
    return loop->polling && loop->ready.count == 0 && !loop->current;
}

void td__loop_run_now(td_loop_t *loop)
{
    while (loop->ready.count > 0)
        run_ready(loop, td__ring_pop(&loop->ready));
}

/* ---- one turn, and running ---------------------------------------------------------- */

static void run_once(td_loop_t *loop)
{
    prune_cancelled(loop);
    drain_inbox(loop);
    td__ns_t deadline = TD__NEVER;
    if (loop->ready.count > 0 || loop->stopping)
        deadline = 0;
    else if (loop->heap_n > 0)
        deadline = loop->heap[0]->when;
    wait_for_work(loop, deadline);
    drain_inbox(loop);
    td__ns_t now = td__now();
    while (loop->heap_n > 0 && loop->heap[0]->when <= now)
        make_ready(loop, heap_pop(loop));
    /* Only what is ready now: callbacks these make ready wait for the next turn. */
    for (size_t todo = loop->ready.count; todo > 0; todo--)
        run_ready(loop, td__ring_pop(&loop->ready));
}

void td__loop_run(td_loop_t *loop)
{
    running = loop;
    loop->running = true;
    do
        run_once(loop);
    while (!loop->stopping);
    loop->stopping = false;
    loop->running = false;
    running = NULL;
}

int td_loop_run_forever(td_loop_t *loop)
{
    if (!loop)
        return -EINVAL;
    if (loop->running || running)
        return -EBUSY;
    if (loop->closing)
        return -ESHUTDOWN;
    td__loop_run(loop);
    return 0;
}

void td_loop_stop(td_loop_t *loop)
{
    if (loop)
        loop->stopping = true;
}

static void stop_cb(void *loop)
{
    td_loop_stop(loop);
}

int td_loop_stop_threadsafe(td_loop_t *loop)
{
    return td_loop_call_soon_threadsafe(loop, stop_cb, loop);
}

bool td_loop_is_running(const td_loop_t *loop)
{
    return loop && loop->running;
}

double td_loop_time(const td_loop_t *loop)
{
    (void)loop;
    return (double)td__now() / 1e9;
}

unsigned long long td_loop_callbacks_run(const td_loop_t *loop)
{
    return loop->callbacks_run;
}

/* ---- the current loop of a thread ------------------------------------------------------ */

td_loop_t *td_aio_get_running_loop(void)
{
    return running;
}

int td_aio_get_event_loop(td_loop_t **out)
{
    if (!out)
        return -EINVAL;
    if (!running && !thread_loop) {
        int rc = td_loop_new(&thread_loop);
        if (rc != 0)
            return rc;
    }
    *out = running ? running : thread_loop;
    return 0;
}

void td_aio_set_event_loop(td_loop_t *loop)
{
    thread_loop = loop;
}

/* ---- life ------------------------------------------------------------------------------ */

int td_loop_new(td_loop_t **out)
{
    if (!out)
        return -EINVAL;
    td_loop_t *loop = calloc(1, sizeof *loop);
    if (!loop)
        return -ENOMEM;
    int rc = uv_loop_init(&loop->uv);
    if (rc != 0)
        goto fail_uv;
    rc = td__ring_init(&loop->ready, FIRST_READY);
    if (rc != 0)
        goto fail_ready;
    if ((rc = uv_timer_init(&loop->uv, &loop->timer)) != 0 ||
        (rc = uv_async_init(&loop->uv, &loop->async, on_uv_async)) != 0)
        goto fail_handles;
    uv_unref((uv_handle_t *)&loop->timer);
    uv_unref((uv_handle_t *)&loop->async);
    loop->inbox_lock = (pthread_mutex_t)TD__MUTEX_INITIALIZER;
    atomic_init(&loop->wake, 0);
    *out = loop;
    return 0;
fail_handles:
    td__ring_destroy(&loop->ready);
fail_ready:
    uv_loop_close(&loop->uv);
fail_uv:
    free(loop);
    return rc < 0 ? rc : -ENOMEM;
}

static void close_handle(uv_handle_t *handle, void *arg)
{
    (void)arg;
    if (!uv_is_closing(handle))
        uv_close(handle, NULL);
}

/* Close every libuv handle (ours and any the program left open) and the uv loop. */
static void close_uv(td_loop_t *loop)
{
    uv_walk(&loop->uv, close_handle, NULL);
    uv_run(&loop->uv, UV_RUN_DEFAULT); /* runs the close callbacks */
    uv_loop_close(&loop->uv);
}

/* The loop is going: pending tasks are closed and cancelled, their refs dropped. */
static void abandon_tasks(td_loop_t *loop)
{
    size_t n = 0;
    for (td_aio_future_t *f = loop->first; f; f = f->next)
        n += f->kind == K_TASK && f->state == F_PENDING;
    td_aio_future_t **tasks = n ? malloc(n * sizeof *tasks) : NULL;
    if (n && !tasks)
        td__out_of_memory("in the event loop"); /* or a task would wait for ever */
    size_t i = 0;
    for (td_aio_future_t *f = loop->first; f; f = f->next)
        if (f->kind == K_TASK && f->state == F_PENDING)
            tasks[i++] = td_aio_future_ref(f);
    for (i = 0; i < n; i++)
        td__task_abandon(tasks[i]);
    for (i = 0; i < n; i++)
        td_aio_future_free(tasks[i]);
    free(tasks);
}

static void drop_scheduled(td_loop_t *loop)
{
    while (loop->ready.count > 0)
        drop_ready(td__ring_pop(&loop->ready));
    while (loop->heap_n > 0)
        loop_drop(heap_pop(loop));
    drain_inbox(loop);
}

void td_loop_free(td_loop_t *loop)
{
    if (!loop)
        return;
    if (loop->running)
        td__misuse("td_loop_free of a running loop");
    loop->closing = true;
    abandon_tasks(loop);
    drop_scheduled(loop);
    while (loop->first) /* the futures still referenced elsewhere */
        td__afut_orphan(loop->first);
    close_uv(loop);
    while (loop->spare) {
        struct td_loop_handle *h = loop->spare;
        loop->spare = h->next;
        free(h);
    }
    while (loop->spare_futures) {
        td_aio_future_t *f = loop->spare_futures;
        loop->spare_futures = f->next;
        free(f);
    }
    td__ring_destroy(&loop->ready);
    free(loop->heap);
    td_coro_stack_free(loop->stack); /* after its tasks' coroutines (abandon_tasks) */
    if (thread_loop == loop)
        thread_loop = NULL;
    free(loop);
}

/* ---- the ring ------------------------------------------------------------------------ */

int td__ring_init(td__ring_t *r, size_t cap)
{
    r->items = malloc(cap * sizeof *r->items);
    r->cap = r->items ? cap : 0;
    r->head = r->count = 0;
    return r->items ? 0 : -ENOMEM;
}

void td__ring_destroy(td__ring_t *r)
{
    free(r->items);
    r->items = NULL;
}

int td__ring_push(td__ring_t *r, void *item)
{
    if (r->count == r->cap) { /* double, oldest first from index 0 */
        size_t cap = r->cap ? r->cap * 2 : 16;
        void **items = malloc(cap * sizeof *items);
        if (!items)
            return -ENOMEM;
        for (size_t i = 0; i < r->count; i++)
            items[i] = r->items[(r->head + i) % r->cap];
        free(r->items);
        r->items = items;
        r->cap = cap;
        r->head = 0;
    }
    r->items[(r->head + r->count++) % r->cap] = item;
    return 0;
}

void *td__ring_pop(td__ring_t *r)
{
    void *item = r->items[r->head];
    r->head = (r->head + 1) % r->cap;
    r->count--;
    return item;
}

/* ---- the loop's list of futures -------------------------------------------------------- */

void td__loop_adopt(td_loop_t *loop, td_aio_future_t *f)
{
    f->prev = loop->last;
    f->next = NULL;
    if (loop->last)
        loop->last->next = f;
    else
        loop->first = f;
    loop->last = f;
}

void td__loop_forget(td_loop_t *loop, td_aio_future_t *f)
{
    if (f->prev)
        f->prev->next = f->next;
    else
        loop->first = f->next;
    if (f->next)
        f->next->prev = f->prev;
    else
        loop->last = f->prev;
    f->prev = f->next = NULL;
}
