/* SPDX-License-Identifier: MIT */
/* handle.c - what the event loop (loop.h) will call: handles, the timer heap, the
 * ready queue's entries and the inbox other threads fill; call_soon, call_later,
 * call_at, call_soon_threadsafe.
 *
 * DESIGN. A handle is a function, its two arguments and a release (aio.h): the loop
 * calls plain(a) or fn(a, b) once, or release(a, b) if the handle is let go without
 * running, and knows nothing else of them; so the floor above schedules its futures'
 * callbacks with it without the loop knowing a future. `refs` counts the loop's
 * reference (from scheduling until run or dropped) and the caller's (when it asked for
 * the handle); spare handles are reused.
 *
 * Timers are a binary heap of handles ordered by (when, seq), `when` in nanoseconds on
 * the library's clock (td__now: virtual under a schedule), `seq` counting arming, so
 * equal deadlines run in arming order. A cancelled timer stays in the heap until it
 * reaches the top, or until the cancelled are most of a large heap (asyncio's rule).
 *
 * A ready item needs no handle: the floor above hands the loop an aligned pointer (a
 * task to step, which nobody can cancel or hold, and which has at most one step
 * scheduled), which the ready queue holds with its low bit set and gives back through
 * the loop's hooks; 100,000 ready tasks then cost the queue 8 bytes each, not a handle
 * each.
 *
 * Threads: all of it is the loop thread's, except the inbox (under inbox_lock), which
 * call_soon_threadsafe fills from anywhere and the loop drains into the ready queue
 * after each wait; uv_async (or, under a schedule, `wake`) wakes the waiting loop.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aio.h"

enum { SPARE_MAX = TD__AIO_REUSE ? 4096 : 0, MIN_SCHEDULED = 100 };

/* ---- handles ------------------------------------------------------------------------ */

static struct td_loop_handle *handle_new(td_loop_t *loop)
{
    struct td_loop_handle *h = loop->spare;
    if (h) {
        loop->spare = h->next;
        loop->spare_n--;
    } else if (!(h = malloc(sizeof *h)))
        return NULL;
    memset(h, 0, sizeof *h);
    h->refs = 1;
    h->loop = loop;
    return h;
}

static void handle_release(struct td_loop_handle *h)
{
    if (--h->refs > 0)
        return;
    td_loop_t *loop = h->loop;
    /* A difference, as in td_aio_future_free: SPARE_MAX is 0 under a sanitizer. */
    if (loop && !loop->closing && SPARE_MAX - loop->spare_n > 0) {
        h->next = loop->spare;
        loop->spare = h;
        loop->spare_n++;
    } else {
        free(h);
    }
}

/* The loop lets go of h (run, dropped or cancelled); a caller still holding it keeps
 * a handle that no longer points at the loop, which may be freed before it. */
static void loop_drop(struct td_loop_handle *h)
{
    if (h->release) /* it never ran */
        h->release(h->a, h->b);
    h->release = NULL;
    h->in_heap = false;
    if (h->refs > 1)
        h->loop = NULL;
    handle_release(h);
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

void td__loop_free_spares(td_loop_t *loop)
{
    while (loop->spare) {
        struct td_loop_handle *h = loop->spare;
        loop->spare = h->next;
        free(h);
    }
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
void td__loop_prune_timers(td_loop_t *loop)
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

td__ns_t td__loop_next_timer(const td_loop_t *loop)
{
    return loop->heap_n > 0 ? loop->heap[0]->when : TD__NEVER;
}

/* ---- the ready queue's entries ---------------------------------------------------------- */

static void make_ready(td_loop_t *loop, struct td_loop_handle *h)
{
    if (td__ring_push(&loop->ready, h) != 0)
        td__out_of_memory("in the event loop"); /* or a task would wait for ever */
}

void td__loop_timers_due(td_loop_t *loop, td__ns_t now)
{
    while (loop->heap_n > 0 && loop->heap[0]->when <= now)
        make_ready(loop, heap_pop(loop));
}

/* A ready queue entry: a handle, or an item for the hooks (tagged: see the design note). */
static bool is_item(const void *entry)
{
    return (uintptr_t)entry & 1;
}

static void *item_of(void *entry)
{
    return (void *)((uintptr_t)entry & ~(uintptr_t)1);
}

void td__loop_run_ready(td_loop_t *loop, void *entry)
{
    if (is_item(entry)) {
        loop->callbacks_run++;
        loop->hooks->run_item(item_of(entry));
        return;
    }
    struct td_loop_handle *h = entry;
    if (!h->cancelled) {
        loop->callbacks_run++;
        h->release = NULL; /* the callback itself lets go of what its arguments hold */
        if (h->plain)
            h->plain(h->a);
        else
            h->fn(h->a, h->b);
    }
    loop_drop(h);
}

/* Let a ready entry go without running it. */
static void drop_ready(td_loop_t *loop, void *entry)
{
    if (is_item(entry))
        loop->hooks->drop_item(item_of(entry));
    else
        loop_drop(entry);
}

/* ---- scheduling ----------------------------------------------------------------------- */

int td__loop_schedule(td_loop_t *loop, td__call_fn fn, void *a, void *b, td__call_fn release)
{
    if (loop->closing)
        return -ESHUTDOWN;
    struct td_loop_handle *h = handle_new(loop);
    if (!h)
        return -ENOMEM;
    h->fn = fn;
    h->a = a;
    h->b = b;
    h->release = release;
    make_ready(loop, h);
    return 0;
}

int td__loop_ready_item(td_loop_t *loop, void *item)
{
    if (loop->closing)
        return -ESHUTDOWN;
    return td__ring_push(&loop->ready, (void *)((uintptr_t)item | 1));
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
    if (!(*h = handle_new(loop)))
        return -ENOMEM;
    (*h)->plain = fn;
    (*h)->a = arg;
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

double td_loop_time(const td_loop_t *loop)
{
    (void)loop;
    return (double)td__now() / 1e9;
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

/* ---- the inbox: call_soon_threadsafe -------------------------------------------------- */

int td_loop_call_soon_threadsafe(td_loop_t *loop, td_loop_cb fn, void *arg)
{
    if (!loop || !fn)
        return -EINVAL;
    TD__AIO_CHECK_POINTER(loop, arg, "td_loop_call_soon_threadsafe", "the argument");
    struct td_loop_handle *h = calloc(1, sizeof *h); /* not the loop's spares: */
    if (!h)                                           /* those are its thread's */
        return -ENOMEM;
    h->refs = 1;
    h->plain = fn;
    h->a = arg;
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

void td__loop_drain_inbox(td_loop_t *loop)
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

bool td__loop_inbox_empty(td_loop_t *loop)
{
    td__mutex_lock(&loop->inbox_lock);
    bool empty = loop->inbox == NULL;
    td__mutex_unlock(&loop->inbox_lock);
    return empty;
}

void td__loop_drop_scheduled(td_loop_t *loop)
{
    while (loop->ready.count > 0)
        drop_ready(loop, td__ring_pop(&loop->ready));
    while (loop->heap_n > 0)
        loop_drop(heap_pop(loop));
    td__loop_drain_inbox(loop);
}
