/* SPDX-License-Identifier: MIT */
/* timer.c - Python's Timer: a thread that waits on its `finished` Event for the
 * interval and calls the function unless cancel() set that Event first.
 *
 * The timer struct is shared by the caller's handle and the running thread, so it is
 * reference counted like a thread; `fired` is written by the timer thread only.
 * The timer and its Event carry names for traces (its thread's, "finished"), which
 * are forgotten when it is freed.
 * The deadline is fixed in start(), before the thread exists: CPython starts
 * counting in run(), so the thread's start-up time makes every firing late; here
 * the function runs `interval` after start() returns control, start-up included.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <sys/prctl.h>

#include "prim.h"
#include "thrdemo/event.h"
#include "thrdemo/timer.h"

enum { EARLY_NS = 120 * 1000 };

struct td_timer {
    atomic_int refs;
    double interval;
    td_thread_fn fn;
    void *arg;
    td_event_t finished;
    td__deadline_t due;      /* written by start() before the thread runs */
    atomic_bool fired;
    td_thread_t *thread;
};

static void timer_unref(struct td_timer *timer)
{
    if (atomic_fetch_sub_explicit(&timer->refs, 1, memory_order_acq_rel) != 1)
        return;
    td_event_destroy(&timer->finished);
    td_object_forget(&timer->finished); /* before another object takes the memory */
    td_object_forget(timer);
    td_thread_free(timer->thread);
    free(timer);
}

/* Wait for the due time unless cancel() comes first: true if cancelled. The thread
 * sleeps until EARLY_NS before it and spins the rest (watching for a cancel), so
 * the function runs within a microsecond or two of its time rather than a wake-up
 * latency late (measured: lateness p50 42 -> ~2 us, p99 184 -> ~40 us). Linux lets
 * a sleeping thread wake up to 50 us late so wake-ups can be batched; the timer asks
 * for its early wake as it is, for this wait only. Under a schedule nothing spins and
 * the virtual clock makes the wait exact anyway. */
static bool cancelled_before(struct td_timer *timer, td__deadline_t due)
{
    int saved_errno = errno;
    int slack = prctl(PR_GET_TIMERSLACK, 0UL, 0UL, 0UL, 0UL);
    prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
    td__deadline_t early = { due.at - EARLY_NS };
    bool cancelled = td__event_wait_until(&timer->finished, early) ||
                     td__spin_until(TD__ATOMIC(timer->finished.word_),
                                    atomic_load(TD__ATOMIC(timer->finished.word_)), due) ||
                     td__event_wait_until(&timer->finished, due);
    if (slack > 0)
        prctl(PR_SET_TIMERSLACK, (unsigned long)slack, 0UL, 0UL, 0UL);
    errno = saved_errno;
    return cancelled && td_event_is_set(&timer->finished);
}

/* The thread body, CPython's Timer.run. */
static void run(void *self)
{
    struct td_timer *timer = self;
    /* The interval is a sleep that only cancel() cuts short, and is reported as one
     * (a trace draws it as sleeping, not as blocked on `finished`). */
    TD__OBSERVE_WAIT(TD_OBS_WAIT_BEGIN, "sleep", timer, 0, timer->interval);
    bool cancelled = cancelled_before(timer, timer->due);
    TD__OBSERVE(TD_OBS_WAIT_END, "sleep", timer, cancelled ? 0 : -ETIMEDOUT);
    TD__POINT_FROM(TD__POINT_FIRE, timer, NULL); /* the library's own step */
    /* Python's Timer.run: `if not self.finished.is_set(): self.function(...)` */
    if (!cancelled && !td_event_is_set(&timer->finished)) {
        TD__OBSERVE(TD_OBS_TIMER_FIRE, "timer", timer, 0);
        atomic_store_explicit(&timer->fired, true, memory_order_relaxed);
        timer->fn(timer->arg);
    }
    td_event_set(&timer->finished);
    timer_unref(timer);
}

int td_timer_new(td_timer_t **out, double interval, td_thread_fn fn, void *arg)
{
    if (!out || !fn)
        return -EINVAL;
    /* Python's Timer waits with finished.wait(interval): negative does not wait. */
    int rc = td__check_timeout(&interval, TD__TIMEOUT_JOIN);
    if (rc != 0)
        return rc;
    struct td_timer *timer = calloc(1, sizeof *timer);
    if (!timer)
        return -ENOMEM;
    /* Python: Timer.__init__ calls Thread.__init__() with no target: "Thread-N". */
    rc = td_thread_new(&timer->thread, &(td_thread_attr_t){ .target = run,
                                                                .arg = timer });
    if (rc != 0) {
        free(timer);
        return rc;
    }
    atomic_init(&timer->refs, 1);
    timer->interval = interval;
    timer->fn = fn;
    timer->arg = arg;
    td_event_init(&timer->finished);
    /* Names for traces, as Python's own: the Timer is its thread ("Thread-3"), and
     * its Event is `self.finished`. A failure only leaves them unnamed. */
    char name[128];
    td_thread_get_name(timer->thread, name, sizeof name);
    td_object_set_name(timer, name);
    td_object_set_name(&timer->finished, "finished");
    *out = timer;
    return 0;
}

void td_timer_free(td_timer_t *timer)
{
    if (timer)
        timer_unref(timer);
}

int td_timer_start(td_timer_t *timer)
{
    atomic_fetch_add_explicit(&timer->refs, 1, memory_order_relaxed);
    if (!td_thread_is_alive(timer->thread)) /* a second start() fails below */
        timer->due = td__deadline_in(timer->interval);
    int rc = td_thread_start(timer->thread);
    if (rc != 0)
        atomic_fetch_sub_explicit(&timer->refs, 1, memory_order_relaxed);
    return rc;
}

void td_timer_cancel(td_timer_t *timer)
{
    if (!td_event_is_set(&timer->finished))
        TD__OBSERVE(TD_OBS_CANCEL, "timer", timer, 0);
    td_event_set(&timer->finished);
}

int td_timer_join(td_timer_t *timer, double timeout)
{
    return td_thread_join(timer->thread, timeout);
}

bool td_timer_fired(td_timer_t *timer)
{
    return atomic_load_explicit(&timer->fired, memory_order_relaxed);
}

td_thread_t *td_timer_thread(td_timer_t *timer)
{
    return timer->thread;
}
