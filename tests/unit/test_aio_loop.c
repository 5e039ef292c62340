/* SPDX-License-Identifier: MIT */
/* test_aio_loop.c - the event loop (loop.h): callbacks first in first out, timers by
 * deadline with ties in arming order (also microseconds apart, which libuv's
 * millisecond timers would tie), a turn runs only what was ready when it began,
 * cancelled handles, stop, the thread's loop, call_soon_threadsafe from several
 * threads (TSan), freeing a loop with pending tasks, and a loop under a controlled
 * schedule, whose hour of sleeps takes no wall time. */
#include "helpers.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

struct ctx {
    td_loop_t *loop;
    test_trace_t trace;
    int count, stop_at;
};

struct call {
    struct ctx *ctx;
    const char *name;
};

static void record(void *arg)
{
    struct call *c = arg;
    test_trace_add(&c->ctx->trace, "%s", c->name);
    if (++c->ctx->count == c->ctx->stop_at)
        td_loop_stop(c->ctx->loop);
}

static void setup_loop(struct ctx *ctx, int stop_at)
{
    memset(ctx, 0, sizeof *ctx);
    assert_int_equal(td_loop_new(&ctx->loop), 0);
    ctx->stop_at = stop_at;
}

static void callbacks_run_first_in_first_out(void **state)
{
    (void)state;
    struct ctx ctx;
    setup_loop(&ctx, 3);
    struct call a = { &ctx, "a" }, b = { &ctx, "b" }, c = { &ctx, "c" };
    assert_int_equal(td_loop_call_soon(ctx.loop, record, &a, NULL), 0);
    assert_int_equal(td_loop_call_soon(ctx.loop, record, &b, NULL), 0);
    assert_int_equal(td_loop_call_soon(ctx.loop, record, &c, NULL), 0);
    assert_int_equal(td_loop_run_forever(ctx.loop), 0);
    assert_string_equal(ctx.trace.text, "a b c");
    td_loop_free(ctx.loop);
}

static void timers_fire_in_deadline_order(void **state)
{
    (void)state;
    struct ctx ctx;
    setup_loop(&ctx, 4);
    struct call t30 = { &ctx, "30ms" }, t10 = { &ctx, "10ms" }, t20 = { &ctx, "20ms" },
                t0 = { &ctx, "0ms" };
    assert_int_equal(td_loop_call_later(ctx.loop, 0.03, record, &t30, NULL), 0);
    assert_int_equal(td_loop_call_later(ctx.loop, 0.01, record, &t10, NULL), 0);
    assert_int_equal(td_loop_call_later(ctx.loop, 0.02, record, &t20, NULL), 0);
    assert_int_equal(td_loop_call_later(ctx.loop, 0, record, &t0, NULL), 0);
    double start = test_now();
    td_loop_run_forever(ctx.loop);
    assert_string_equal(ctx.trace.text, "0ms 10ms 20ms 30ms");
    assert_true(test_now() - start >= 0.03 - 0.001); /* never early */
    assert_int_equal(td_loop_call_later(ctx.loop, NAN, record, &t0, NULL), -EINVAL);
    td_loop_free(ctx.loop);
}

/* Equal deadlines fire in the order armed; deadlines a microsecond apart keep their
 * order even when armed in reverse (one millisecond would tie them in libuv). */
static void ties_fire_in_arming_order(void **state)
{
    (void)state;
    enum { N = 200 };
    static struct call calls[N];
    static char names[N][8];
    struct ctx ctx;
    setup_loop(&ctx, N);
    double when = td_loop_time(ctx.loop) + 0.01;
    for (int i = 0; i < N / 2; i++) { /* the first half: all at `when`, in order */
        snprintf(names[i], sizeof names[i], "e%d", i);
        calls[i] = (struct call){ &ctx, names[i] };
        assert_int_equal(td_loop_call_at(ctx.loop, when, record, &calls[i], NULL), 0);
    }
    for (int i = N - 1; i >= N / 2; i--) { /* the second: 1 us apart, armed backwards */
        snprintf(names[i], sizeof names[i], "u%d", i);
        calls[i] = (struct call){ &ctx, names[i] };
        double at = when + 1e-6 * (i - N / 2 + 1);
        assert_int_equal(td_loop_call_at(ctx.loop, at, record, &calls[i], NULL), 0);
    }
    td_loop_run_forever(ctx.loop);
    test_trace_t expected = { "" };
    for (int i = 0; i < N; i++)
        test_trace_add(&expected, "%s", names[i]);
    assert_string_equal(ctx.trace.text, expected.text);
    td_loop_free(ctx.loop);
}

/* A turn runs the callbacks ready when it began; what they schedule runs next turn,
 * after the timers that came due meanwhile (base_events._run_once). */
static struct call again_call;

static void schedules_another(void *arg)
{
    struct call *c = arg;
    test_trace_add(&c->ctx->trace, "%s", c->name);
    td_loop_call_soon(c->ctx->loop, record, &again_call, NULL);
}

static void a_turn_runs_only_what_was_ready(void **state)
{
    (void)state;
    struct ctx ctx;
    setup_loop(&ctx, 3);
    struct call first = { &ctx, "first" }, second = { &ctx, "second" },
                timer = { &ctx, "timer" };
    again_call = (struct call){ &ctx, "again" };
    td_loop_call_soon(ctx.loop, schedules_another, &first, NULL);
    td_loop_call_soon(ctx.loop, record, &second, NULL);
    td_loop_call_later(ctx.loop, 0, record, &timer, NULL); /* due at the next turn */
    td_loop_run_forever(ctx.loop);
    assert_string_equal(ctx.trace.text, "first second timer again");
    td_loop_free(ctx.loop);
}

static void cancelled_handles_never_run(void **state)
{
    (void)state;
    enum { MANY = 300 }; /* past the 100 after which a mostly cancelled heap is rebuilt */
    static td_loop_handle_t *timers[MANY];
    struct ctx ctx;
    setup_loop(&ctx, 2);
    struct call no = { &ctx, "no" }, yes = { &ctx, "yes" }, last = { &ctx, "last" };
    td_loop_handle_t *soon, *kept;
    assert_int_equal(td_loop_call_soon(ctx.loop, record, &no, &soon), 0);
    for (int i = 0; i < MANY; i++)
        assert_int_equal(td_loop_call_later(ctx.loop, 0.001 * i, record, &no, &timers[i]), 0);
    assert_int_equal(td_loop_call_later(ctx.loop, 0.05, record, &yes, &kept), 0);
    assert_int_equal(td_loop_call_later(ctx.loop, 0.06, record, &last, NULL), 0);
    td_loop_handle_cancel(soon);
    for (int i = 0; i < MANY; i++)
        td_loop_handle_cancel(timers[i]);
    assert_true(td_loop_handle_cancelled(timers[0]));
    assert_false(td_loop_handle_cancelled(kept));
    assert_true(td_loop_handle_when(kept) > td_loop_time(ctx.loop));
    td_loop_run_forever(ctx.loop);
    assert_string_equal(ctx.trace.text, "yes last");
    td_loop_handle_free(soon);
    td_loop_handle_free(kept);
    td_loop_free(ctx.loop); /* the handles outlive their loop */
    for (int i = 0; i < MANY; i++)
        td_loop_handle_free(timers[i]);
}

static void checks_inside(void *arg)
{
    struct ctx *ctx = arg;
    ctx->count = td_aio_get_running_loop() == ctx->loop && td_loop_is_running(ctx->loop);
    ctx->stop_at = td_loop_run_forever(ctx->loop); /* nested: refused */
    td_loop_stop(ctx->loop);
}

static void the_running_loop_and_the_thread_loop(void **state)
{
    (void)state;
    struct ctx ctx;
    setup_loop(&ctx, 0);
    assert_null(td_aio_get_running_loop());
    assert_false(td_loop_is_running(ctx.loop));
    td_loop_call_soon(ctx.loop, checks_inside, &ctx, NULL);
    td_loop_run_forever(ctx.loop);
    assert_int_equal(ctx.count, 1);
    assert_int_equal(ctx.stop_at, -EBUSY);
    assert_null(td_aio_get_running_loop());
    td_loop_free(ctx.loop);
    td_loop_t *made, *again;
    assert_int_equal(td_aio_get_event_loop(&made), 0); /* none set: a new one */
    assert_int_equal(td_aio_get_event_loop(&again), 0);
    assert_ptr_equal(made, again);
    td_loop_free(made); /* also forgets it */
    assert_int_equal(td_aio_get_event_loop(&again), 0);
    td_aio_set_event_loop(NULL);
    td_loop_free(again);
    assert_int_equal(td_loop_new(NULL), -EINVAL);
    assert_int_equal(td_loop_call_soon(NULL, record, NULL, NULL), -EINVAL);
}

/* ---- other threads ---------------------------------------------------------------- */

enum { SENDERS = 4, PER_SENDER = 2000 };

struct sent {
    struct threadsafe *ts;
    int sender, seq;
};

struct threadsafe {
    td_loop_t *loop;
    td_barrier_t start;
    struct sent msgs[SENDERS][PER_SENDER];
    int next[SENDERS]; /* on the loop's thread only */
    int received, out_of_order, rc[SENDERS];
};

static void receive(void *arg)
{
    struct sent *m = arg;
    struct threadsafe *ts = m->ts;
    ts->out_of_order += m->seq != ts->next[m->sender];
    ts->next[m->sender] = m->seq + 1;
    if (++ts->received == SENDERS * PER_SENDER)
        td_loop_stop(ts->loop);
}

static void send_all(void *arg)
{
    struct sent *first = arg;
    struct threadsafe *ts = first->ts;
    td_barrier_wait(&ts->start, TD_FOREVER);
    for (int i = 0; i < PER_SENDER; i++)
        ts->rc[first->sender] |= td_loop_call_soon_threadsafe(ts->loop, receive, first + i);
}

/* From several threads at once, while the loop sleeps in libuv or runs: every call
 * arrives, once, in each thread's order, and wakes the loop. */
static void call_soon_threadsafe_from_threads(void **state)
{
    (void)state;
    static struct threadsafe ts;
    memset(&ts, 0, sizeof ts);
    assert_int_equal(td_loop_new(&ts.loop), 0);
    td_barrier_init(&ts.start, SENDERS, NULL, NULL, TD_FOREVER);
    td_thread_t *threads[SENDERS];
    for (int s = 0; s < SENDERS; s++) {
        for (int i = 0; i < PER_SENDER; i++)
            ts.msgs[s][i] = (struct sent){ &ts, s, i };
        threads[s] = test_start(send_all, ts.msgs[s]);
    }
    td_loop_run_forever(ts.loop); /* waits with no timer: only the senders wake it */
    for (int s = 0; s < SENDERS; s++)
        test_join(threads[s]);
    assert_int_equal(ts.received, SENDERS * PER_SENDER);
    assert_int_equal(ts.out_of_order, 0);
    for (int s = 0; s < SENDERS; s++)
        assert_int_equal(ts.rc[s], 0);
    td_barrier_destroy(&ts.start);
    td_loop_free(ts.loop);
}

static void stop_from_elsewhere(void *loop)
{
    test_pause(0.02);
    td_loop_stop_threadsafe(loop);
}

static void stop_threadsafe_ends_a_waiting_loop(void **state)
{
    (void)state;
    td_loop_t *loop;
    assert_int_equal(td_loop_new(&loop), 0);
    td_thread_t *t = test_start(stop_from_elsewhere, loop);
    assert_int_equal(td_loop_run_forever(loop), 0);
    test_join(t);
    td_loop_free(loop);
}

/* ---- freeing a loop with tasks still pending --------------------------------------- */

static int sleeps_then_cleans_up(void *arg, void **result)
{
    (void)result;
    int *cleaned = arg;
    int rc = td_aio_sleep(3600);
    *cleaned = rc == -ECANCELED ? 1 : 2; /* its finally: runs when the loop is freed */
    return rc;
}

static void freeing_a_loop_closes_pending_tasks(void **state)
{
    (void)state;
    td_loop_t *loop;
    assert_int_equal(td_loop_new(&loop), 0);
    int cleaned = 0;
    td_aio_task_t *task;
    assert_int_equal(td_loop_create_task(loop, &task, TD_AIO_CORO(sleeps_then_cleans_up, &cleaned)), 0);
    struct ctx ctx = { .loop = loop, .stop_at = 1 };
    struct call stop = { &ctx, "stop" };
    td_loop_call_later(loop, 0.01, record, &stop, NULL);
    td_loop_run_forever(loop); /* the task is asleep in its hour */
    assert_false(td_aio_future_done(task));
    td_loop_free(loop);
    assert_int_equal(cleaned, 1);
    assert_true(td_aio_future_cancelled(task));
    assert_null(td_aio_future_get_loop(task));
    td_aio_future_free(task);
}

/* ---- under a controlled schedule: virtual time -------------------------------------- */

struct sched_run {
    test_trace_t trace;
    double started;
};

struct sleeper_arg {
    struct sched_run *run;
    double hours;
};

static int sleeper(void *arg, void **result)
{
    (void)result;
    struct sleeper_arg *s = arg;
    int rc = td_aio_sleep(s->hours * 3600);
    test_trace_add(&s->run->trace, "%gh@%.0f", s->hours, td_monotonic() - s->run->started);
    return rc;
}

static int hours(void *arg, void **result)
{
    (void)result;
    /* static: the sleepers use them while this task waits (task.h's pointer rule) */
    static struct sleeper_arg args[3];
    args[0] = (struct sleeper_arg){ arg, 3 };
    args[1] = (struct sleeper_arg){ arg, 1 };
    args[2] = (struct sleeper_arg){ arg, 2 };
    const td_aio_coro_t coros[3] = { TD_AIO_CORO(sleeper, &args[0]), TD_AIO_CORO(sleeper, &args[1]),
                                     TD_AIO_CORO(sleeper, &args[2]) };
    return td_aio_gather_coros(coros, 3, NULL, NULL);
}

static int three_hours_in_no_time(void *arg)
{
    (void)arg;
    struct sched_run r = { .started = td_monotonic() };
    double wall = test_now();
    int rc = td_aio_run(TD_AIO_CORO(hours, &r), NULL, NULL);
    wall = test_now() - wall;
    if (rc != 0 || strcmp(r.trace.text, "1h@3600 2h@7200 3h@10800") != 0 || wall > 2.0) {
        fprintf(stderr, "rc %d, trace '%s', %.3f s of wall time\n", rc, r.trace.text, wall);
        return 1;
    }
    return 0;
}

static void a_loop_under_a_schedule_takes_no_wall_time(void **state)
{
    (void)state;
    td_policy_t policy = { .kind = TD_POLICY_FIFO };
    td_sched_failure_t failure;
    assert_int_equal(td_sched_check(&policy, 2, 0, three_hours_in_no_time, NULL, &failure), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(callbacks_run_first_in_first_out),
        cmocka_unit_test(timers_fire_in_deadline_order),
        cmocka_unit_test(ties_fire_in_arming_order),
        cmocka_unit_test(a_turn_runs_only_what_was_ready),
        cmocka_unit_test(cancelled_handles_never_run),
        cmocka_unit_test(the_running_loop_and_the_thread_loop),
        cmocka_unit_test(call_soon_threadsafe_from_threads),
        cmocka_unit_test(stop_threadsafe_ends_a_waiting_loop),
        cmocka_unit_test(freeing_a_loop_closes_pending_tasks),
        cmocka_unit_test(a_loop_under_a_schedule_takes_no_wall_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
