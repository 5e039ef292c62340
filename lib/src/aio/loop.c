/* SPDX-License-Identifier: MIT */
/* loop.c - asyncio's event loop (loop.h) on libuv, with timers of its own: its turn,
 * its waits, running and stopping it, its life.
 *
 * DESIGN. One turn of the loop is base_events.py's _run_once: drop cancelled timers
 * from the top of the heap; wait for I/O no longer than until the earliest timer (not
 * at all when callbacks are ready); move every timer whose deadline has passed to the
 * ready queue, in (deadline, arming order); then run exactly the callbacks that are
 * ready now. The ready queue is a FIFO of handles and items, the timers a heap of
 * handles (handle.c). libuv's own timers count whole milliseconds on a cached clock,
 * which would tie deadlines that differ by less; so one uv_timer_t only wakes uv_run
 * at the earliest deadline, rounded up, and the heap decides what is due. Waking early
 * costs a turn, never an order. Under a schedule the loop never blocks in the kernel:
 * it waits in td__wait_until on `wake` with its next deadline, so the scheduler runs
 * other threads or jumps the virtual clock there.
 *
 * The loop knows no futures: what it runs are handles (a function, two arguments and a
 * release) and items it hands back through `hooks`; the futures' per-loop record sits
 * in the `futures` slot, and its on_close hook lets go of it first when the loop is
 * freed (abandoning pending tasks, whose coroutines may still run their cleanup).
 *
 * Threads: all of it is the loop thread's, except the inbox (handle.c). Our two libuv
 * handles are unref'd, so uv_loop_alive() says whether a program's own I/O handles are
 * open; the async handle is ref'd only while the loop waits.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aio.h"

enum { FIRST_READY = 64 };

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
    if (!td__loop_inbox_empty(loop))
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
    return loop->polling && loop->ready.count == 0;
}

void td__loop_run_now(td_loop_t *loop)
{
    while (loop->ready.count > 0)
        td__loop_run_ready(loop, td__ring_pop(&loop->ready));
}

/* ---- one turn, and running ---------------------------------------------------------- */

static void run_once(td_loop_t *loop)
{
    td__loop_prune_timers(loop);
    td__loop_drain_inbox(loop);
    td__ns_t deadline = TD__NEVER;
    if (loop->ready.count > 0 || loop->stopping)
        deadline = 0;
    else
        deadline = td__loop_next_timer(loop);
    wait_for_work(loop, deadline);
    td__loop_drain_inbox(loop);
    td__loop_timers_due(loop, td__now());
    /* Only what is ready now: callbacks these make ready wait for the next turn. */
    for (size_t todo = loop->ready.count; todo > 0; todo--)
        td__loop_run_ready(loop, td__ring_pop(&loop->ready));
}

void td__loop_run(td_loop_t *loop)
{
    int saved = errno; /* libuv's calls set it; the library never changes it */
    td__set_running_loop(loop);
    loop->running = true;
    do
        run_once(loop);
    while (!loop->stopping);
    loop->stopping = false;
    loop->running = false;
    td__set_running_loop(NULL);
    errno = saved;
}

int td_loop_run_forever(td_loop_t *loop)
{
    if (!loop)
        return -EINVAL;
    if (loop->running || td__running_loop())
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

unsigned long long td_loop_callbacks_run(const td_loop_t *loop)
{
    return loop->callbacks_run;
}

/* ---- the current loop of a thread ------------------------------------------------------ */

int td_aio_get_event_loop(td_loop_t **out)
{
    if (!out)
        return -EINVAL;
    td_loop_t *running = td__running_loop();
    if (!running && !td__thread_loop()) {
        td_loop_t *loop;
        int rc = td_loop_new(&loop);
        if (rc != 0)
            return rc;
        td_aio_set_event_loop(loop);
    }
    *out = running ? running : td__thread_loop();
    return 0;
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

void td_loop_free(td_loop_t *loop)
{
    if (!loop)
        return;
    if (loop->running)
        td__misuse("td_loop_free of a running loop");
    loop->closing = true;
    if (loop->hooks) /* pending tasks closed and cancelled, the futures orphaned */
        loop->hooks->on_close(loop);
    td__loop_drop_scheduled(loop);
    close_uv(loop);
    td__loop_free_spares(loop);
    td__ring_destroy(&loop->ready);
    free(loop->heap);
    td_coro_stack_free(loop->stack); /* after its tasks' coroutines (on_close) */
    if (td__thread_loop() == loop)
        td_aio_set_event_loop(NULL);
    free(loop);
}
