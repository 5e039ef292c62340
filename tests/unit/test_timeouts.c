/* SPDX-License-Identifier: MIT */
/* test_timeouts.c - issue 21, item 7: what every public call does with the timeouts
 * Python gives a meaning to. TD_FOREVER (INFINITY) waits everywhere; a negative
 * timeout follows the Python call's own rule (Lock: -1 waits, other negatives
 * ValueError; Queue: ValueError; the others: 0, do not wait); NaN is -EINVAL and a
 * finite timeout above TD_TIMEOUT_MAX -EOVERFLOW. Before the issue TD_FOREVER was
 * -1.0, so a Queue put with timeout -1 waited for ever.
 *
 * A call that may wait runs on a thread of its own (a trial). The main thread lets
 * it go on (releases the lock, puts an item, ...) once the call has either begun a
 * wait that lasts (the observer reports it, with a timeout other than 0) or
 * returned: so a call that waits wrongly ends with the wrong result instead of
 * hanging, and one that must wait is seen waiting. No sleep and no scheduling
 * window: the observer's report is the order.
 */
#include "helpers.h"

#include <math.h>
#include <stdint.h>

#define ITEM(n) ((void *)(uintptr_t)(n))
#define HUGE_TIMEOUT (TD_TIMEOUT_MAX * 2) /* finite, above Python's TIMEOUT_MAX */

typedef int (*call_fn)(void *obj, double timeout);

typedef struct trial {
    call_fn call;
    void *obj;
    void (*release)(void *obj); /* what lets a waiting call go on */
    double timeout;
    /* the outcome */
    int rc;
    bool waited;         /* it began a wait that lasts */
    double wait_timeout; /* the WAIT_BEGIN's: -1 for a wait without limit */
} trial_t;

static struct {
    _Atomic(const void *) watched; /* whose WAIT_BEGIN says the call waits (atomic:
                                    * pool workers report their own waits too) */
    atomic_bool waited;
    double timeout;      /* written before `go` is set, read after the join */
    td_event_t go;       /* the call waits or has returned */
} watch;

static void on_report(const td_obs_event_t *ev, void *ctx)
{
    (void)ctx;
    /* A wait with 0 left (a Condition's poll) ends by itself: not a wait to release. */
    if (ev->kind != TD_OBS_WAIT_BEGIN || ev->object != atomic_load(&watch.watched) ||
        ev->timeout == 0 || atomic_load(&watch.waited))
        return;
    watch.timeout = ev->timeout;
    atomic_store(&watch.waited, true);
    td_event_set(&watch.go);
}

static void attempt(void *arg)
{
    trial_t *t = arg;
    t->rc = t->call(t->obj, t->timeout);
    td_event_set(&watch.go);
}

/* Run call(obj, timeout) on a thread, watching waits in `watched`; release once it
 * waits or has returned; the outcome in the trial. */
static trial_t run_trial(call_fn call, void *obj, const void *watched,
                         void (*release)(void *), double timeout)
{
    static const td_observer_t observer = { on_report, NULL };
    trial_t t = { .call = call, .obj = obj, .release = release, .timeout = timeout };
    atomic_store(&watch.watched, watched);
    atomic_store(&watch.waited, false);
    td_event_init(&watch.go);
    const td_observer_t *before = td_observer_set(&observer);
    td_thread_t *thread = test_start(attempt, &t);
    td_event_wait(&watch.go, TD_FOREVER);
    release(obj);
    test_join(thread);
    td_observer_set(before);
    t.waited = atomic_load(&watch.waited);
    t.wait_timeout = watch.timeout;
    td_event_destroy(&watch.go);
    return t;
}

/* The call waited without limit until released, then succeeded. */
static void assert_waited_forever(trial_t t)
{
    assert_int_equal(t.rc, 0);
    assert_true(t.waited);
    assert_true(t.wait_timeout == -1);
}

/* The call answered rc without waiting for the release. */
static void assert_answered(trial_t t, int rc)
{
    assert_int_equal(t.rc, rc);
    assert_false(t.waited);
}

/* ---- Lock and RLock: -1 waits for ever, other negatives are ValueError -------------- */

static int lock_call(void *lock, double timeout)
{
    int rc = td_lock_acquire(lock, true, timeout);
    if (rc == 0)
        td_lock_release(lock);
    return rc;
}

static void lock_release(void *lock)
{
    td_lock_release(lock);
}

static trial_t lock_trial(td_lock_t *lock, double timeout)
{
    assert_int_equal(td_lock_acquire(lock, true, TD_FOREVER), 0);
    return run_trial(lock_call, lock, lock, lock_release, timeout);
}

static void lock_timeouts(void **state)
{
    (void)state;
    td_lock_t l;
    td_lock_init(&l);
    assert_waited_forever(lock_trial(&l, TD_FOREVER));
    assert_waited_forever(lock_trial(&l, -1)); /* Python's default, acquire(True, -1) */
    assert_answered(lock_trial(&l, -1.5), -EINVAL);
    assert_answered(lock_trial(&l, -INFINITY), -EINVAL);
    assert_answered(lock_trial(&l, NAN), -EINVAL);
    assert_answered(lock_trial(&l, HUGE_TIMEOUT), -EOVERFLOW);
    /* Non-blocking: "no timeout" is either spelling of it, anything else ValueError. */
    assert_int_equal(td_lock_acquire(&l, false, TD_FOREVER), 0);
    assert_int_equal(td_lock_acquire(&l, false, -1), -EBUSY);
    assert_int_equal(td_lock_acquire(&l, false, 0), -EINVAL);
    assert_int_equal(td_lock_acquire(&l, false, -2), -EINVAL);
    assert_int_equal(td_lock_release(&l), 0);
    td_lock_destroy(&l);
}

static int rlock_call(void *rlock, double timeout)
{
    int rc = td_rlock_acquire(rlock, true, timeout);
    if (rc == 0)
        td_rlock_release(rlock);
    return rc;
}

static void rlock_release(void *rlock)
{
    td_rlock_release(rlock);
}

static trial_t rlock_trial(td_rlock_t *rlock, double timeout)
{
    assert_int_equal(td_rlock_acquire(rlock, true, TD_FOREVER), 0);
    return run_trial(rlock_call, rlock, rlock, rlock_release, timeout);
}

static void rlock_timeouts(void **state)
{
    (void)state;
    td_rlock_t r;
    td_rlock_init(&r);
    assert_waited_forever(rlock_trial(&r, TD_FOREVER));
    assert_waited_forever(rlock_trial(&r, -1));
    assert_answered(rlock_trial(&r, -3), -EINVAL);
    assert_answered(rlock_trial(&r, NAN), -EINVAL);
    assert_answered(rlock_trial(&r, HUGE_TIMEOUT), -EOVERFLOW);
    td_rlock_destroy(&r);
}

/* ---- Queue: every negative timeout is ValueError ------------------------------------ */

static int put_call(void *q, double timeout)
{
    return td_queue_put(q, ITEM(2), true, timeout);
}

static void take_one(void *q)
{
    void *item;
    td_queue_get(q, &item, false, TD_FOREVER, NULL);
}

/* A put into a full queue (maxsize 1). */
static trial_t put_trial(td_queue_t *q, double timeout)
{
    assert_int_equal(td_queue_put(q, ITEM(1), false, TD_FOREVER), 0);
    return run_trial(put_call, q, q, take_one, timeout);
}

static void queue_put_timeouts(void **state)
{
    (void)state;
    td_queue_t *q;
    assert_int_equal(td_queue_new(&q, 1, NULL), 0);
    assert_waited_forever(put_trial(q, TD_FOREVER));
    take_one(q);
    /* The bug of issue 21: -1.0 was TD_FOREVER, and this put blocked for ever. */
    assert_answered(put_trial(q, -1.0), -EINVAL);
    assert_answered(put_trial(q, -0.5), -EINVAL);
    assert_answered(put_trial(q, NAN), -EINVAL);
    assert_answered(put_trial(q, HUGE_TIMEOUT), -EOVERFLOW);
    /* Not blocking, Python looks at no timeout. */
    assert_int_equal(td_queue_put(q, ITEM(3), false, -1.0), 0);
    assert_int_equal(td_queue_put(q, ITEM(3), false, NAN), -ENOSPC);
    td_queue_free(q);
}

static int get_call(void *q, double timeout)
{
    void *item;
    return td_queue_get(q, &item, true, timeout, NULL);
}

static void put_one(void *q)
{
    td_queue_put(q, ITEM(1), false, TD_FOREVER);
}

static void queue_get_timeouts(void **state)
{
    (void)state;
    td_queue_t *q;
    assert_int_equal(td_queue_new(&q, 0, NULL), 0);
    assert_waited_forever(run_trial(get_call, q, q, put_one, TD_FOREVER));
    assert_answered(run_trial(get_call, q, q, put_one, -1.0), -EINVAL);
    take_one(q);
    assert_answered(run_trial(get_call, q, q, put_one, NAN), -EINVAL);
    take_one(q);
    assert_answered(run_trial(get_call, q, q, put_one, HUGE_TIMEOUT), -EOVERFLOW);
    take_one(q);
    td_queue_free(q);
}

static int join_call(void *q, double timeout)
{
    return td_queue_join(q, timeout);
}

static void finish_one(void *q)
{
    take_one(q);
    td_queue_task_done(q);
}

static void queue_join_timeouts(void **state)
{
    (void)state;
    td_queue_t *q;
    assert_int_equal(td_queue_new(&q, 0, NULL), 0);
    put_one(q);
    assert_waited_forever(run_trial(join_call, q, q, finish_one, TD_FOREVER));
    put_one(q);
    assert_answered(run_trial(join_call, q, q, finish_one, -1.0), -EINVAL);
    put_one(q);
    assert_answered(run_trial(join_call, q, q, finish_one, NAN), -EINVAL);
    put_one(q);
    assert_answered(run_trial(join_call, q, q, finish_one, HUGE_TIMEOUT), -EOVERFLOW);
    td_queue_free(q);
}

static int simple_get_call(void *q, double timeout)
{
    void *item;
    return td_simplequeue_get(q, &item, true, timeout);
}

static void simple_put_one(void *q)
{
    td_simplequeue_put(q, ITEM(1));
}

static void simplequeue_get_timeouts(void **state)
{
    (void)state;
    td_simplequeue_t *q;
    assert_int_equal(td_simplequeue_new(&q, NULL), 0);
    /* A SimpleQueue is a queue seen through another type: its waits are the queue's. */
    assert_waited_forever(run_trial(simple_get_call, q, q, simple_put_one, TD_FOREVER));
    assert_answered(run_trial(simple_get_call, q, q, simple_put_one, -1.0), -EINVAL);
    assert_answered(run_trial(simple_get_call, q, q, simple_put_one, NAN), -EINVAL);
    td_simplequeue_free(q);
}

/* ---- the others: a negative timeout is 0, the call does not wait -------------------- */

static int sem_call(void *sem, double timeout)
{
    return td_sem_acquire(sem, true, timeout);
}

static void sem_release(void *sem)
{
    td_sem_release(sem, 1);
}

static void semaphore_timeouts(void **state)
{
    (void)state;
    td_sem_t s;
    td_sem_init(&s, 0);
    assert_waited_forever(run_trial(sem_call, &s, &s, sem_release, TD_FOREVER));
    /* Python: acquire(timeout=-1) tries once; releases since then left units. */
    assert_answered(run_trial(sem_call, &s, &s, sem_release, -1.0), -ETIMEDOUT);
    assert_int_equal(td_sem_acquire(&s, true, -1.0), 0); /* a unit free: taken */
    assert_answered(run_trial(sem_call, &s, &s, sem_release, NAN), -EINVAL);
    assert_answered(run_trial(sem_call, &s, &s, sem_release, HUGE_TIMEOUT), -EOVERFLOW);
    assert_int_equal(td_sem_acquire(&s, false, -1.0), -EINVAL); /* not None */
    td_sem_destroy(&s);
}

static int event_call(void *event, double timeout)
{
    return td_event_wait(event, timeout) ? 0 : -ETIMEDOUT;
}

static void event_set(void *event)
{
    td_event_set(event);
}

static trial_t event_trial(td_event_t *e, double timeout)
{
    td_event_clear(e);
    return run_trial(event_call, e, e, event_set, timeout);
}

static void event_timeouts(void **state)
{
    (void)state;
    td_event_t e;
    td_event_init(&e);
    assert_waited_forever(event_trial(&e, TD_FOREVER));
    assert_answered(event_trial(&e, -1.0), -ETIMEDOUT);
    /* A bool cannot say -EINVAL or -EOVERFLOW: these do not wait either. */
    assert_answered(event_trial(&e, NAN), -ETIMEDOUT);
    assert_answered(event_trial(&e, HUGE_TIMEOUT), -ETIMEDOUT);
    td_event_destroy(&e);
}

struct cond_case {
    td_lock_t lock;
    td_cond_t cond;
    bool ready; /* guarded by lock */
};

static int cond_wait_call(void *arg, double timeout)
{
    struct cond_case *c = arg;
    td_cond_acquire(&c->cond, true, TD_FOREVER);
    int rc = td_cond_wait(&c->cond, timeout);
    td_cond_release(&c->cond);
    return rc;
}

static bool is_ready(void *arg)
{
    return ((struct cond_case *)arg)->ready;
}

static int cond_wait_for_call(void *arg, double timeout)
{
    struct cond_case *c = arg;
    bool ready = false;
    td_cond_acquire(&c->cond, true, TD_FOREVER);
    int rc = td_cond_wait_for(&c->cond, is_ready, c, timeout, &ready);
    td_cond_release(&c->cond);
    return rc != 0 ? rc : ready ? 0 : -ETIMEDOUT;
}

static void cond_notify(void *arg)
{
    struct cond_case *c = arg;
    td_cond_acquire(&c->cond, true, TD_FOREVER);
    c->ready = true;
    td_cond_notify_all(&c->cond);
    td_cond_release(&c->cond);
}

static trial_t cond_trial(struct cond_case *c, call_fn call, double timeout)
{
    c->ready = false;
    return run_trial(call, c, &c->cond, cond_notify, timeout);
}

static void condition_timeouts(void **state)
{
    (void)state;
    struct cond_case c;
    td_lock_init(&c.lock);
    td_cond_init(&c.cond, &c.lock);
    call_fn calls[] = { cond_wait_call, cond_wait_for_call };
    for (size_t i = 0; i < 2; i++) {
        assert_waited_forever(cond_trial(&c, calls[i], TD_FOREVER));
        assert_answered(cond_trial(&c, calls[i], -1.0), -ETIMEDOUT);
        assert_answered(cond_trial(&c, calls[i], NAN), -EINVAL);
        assert_answered(cond_trial(&c, calls[i], HUGE_TIMEOUT), -EOVERFLOW);
    }
    td_cond_destroy(&c.cond);
    td_lock_destroy(&c.lock);
}

/* A future whose task runs until its gate opens. */
static int gated_task(void *arg, void **result)
{
    td_event_wait(arg, TD_FOREVER);
    *result = ITEM(7);
    return 0;
}

struct future_case {
    td_event_t gate;
    td_future_t *future;
};

static int result_call(void *arg, double timeout)
{
    struct future_case *c = arg;
    void *result = NULL;
    return td_future_result(c->future, timeout, &result);
}

static int exception_call(void *arg, double timeout)
{
    struct future_case *c = arg;
    int error = 1;
    return td_future_exception(c->future, timeout, &error);
}

static void open_gate(void *arg)
{
    td_event_set(&((struct future_case *)arg)->gate);
}

static trial_t future_trial(td_pool_t *pool, call_fn call, double timeout)
{
    struct future_case c;
    td_event_init(&c.gate);
    assert_int_equal(td_pool_submit(pool, gated_task, &c.gate, &c.future), 0);
    trial_t t = run_trial(call, &c, c.future, open_gate, timeout);
    void *result = NULL;
    assert_int_equal(td_future_result(c.future, TD_FOREVER, &result), 0);
    td_future_free(c.future);
    td_event_destroy(&c.gate);
    return t;
}

static void future_timeouts(void **state)
{
    (void)state;
    td_pool_t *pool;
    assert_int_equal(td_pool_new(&pool, 1, NULL), 0);
    call_fn calls[] = { result_call, exception_call };
    for (size_t i = 0; i < 2; i++) {
        assert_waited_forever(future_trial(pool, calls[i], TD_FOREVER));
        /* Python: result(timeout=-1) does not wait: TimeoutError, not ValueError. */
        assert_answered(future_trial(pool, calls[i], -1.0), -ETIMEDOUT);
        assert_answered(future_trial(pool, calls[i], NAN), -EINVAL);
        assert_answered(future_trial(pool, calls[i], HUGE_TIMEOUT), -EOVERFLOW);
    }
    td_pool_free(pool);
}

/* A task that runs until its gate opens, or for 30 s: a call that waited for it
 * would see it finish, and fail the test rather than hang it. */
static int briefly_gated_task(void *arg, void **result)
{
    td_event_wait(arg, 30.0);
    *result = NULL;
    return 0;
}

/* concurrent.futures.wait, as_completed and Executor.map, on a task that runs until
 * the test opens its gate: none of these calls waits for it. */
static void futures_wait_as_completed_map_timeouts(void **state)
{
    (void)state;
    td_pool_t *pool;
    assert_int_equal(td_pool_new(&pool, 1, NULL), 0);
    td_event_t gate;
    td_event_init(&gate);
    td_future_t *f;
    assert_int_equal(td_pool_submit(pool, briefly_gated_task, &gate, &f), 0);
    bool done = true;
    assert_int_equal(td_futures_wait(&f, 1, -1.0, TD_ALL_COMPLETED, &done), 0);
    assert_false(done);
    assert_int_equal(td_futures_wait(&f, 1, NAN, TD_ALL_COMPLETED, &done), -EINVAL);
    assert_int_equal(td_futures_wait(&f, 1, HUGE_TIMEOUT, TD_ALL_COMPLETED, &done),
                     -EOVERFLOW);
    td_as_completed_t *it;
    assert_int_equal(td_as_completed_new(&it, &f, 1, NAN), -EINVAL);
    assert_int_equal(td_as_completed_new(&it, &f, 1, HUGE_TIMEOUT), -EOVERFLOW);
    assert_int_equal(td_as_completed_new(&it, &f, 1, -1.0), 0);
    td_future_t *next;
    assert_int_equal(td_as_completed_next(it, &next), -ETIMEDOUT);
    td_as_completed_free(it);
    void *args[1] = { &gate };
    void *results[1];
    int errors[1];
    assert_int_equal(td_pool_map(pool, briefly_gated_task, args, 1, NAN, results, errors),
                     -EINVAL);
    assert_int_equal(
        td_pool_map(pool, briefly_gated_task, args, 1, HUGE_TIMEOUT, results, errors),
        -EOVERFLOW);
    /* Python's map(timeout=-1): result(end_time - now) raises TimeoutError at once. */
    assert_int_equal(td_pool_map(pool, briefly_gated_task, args, 1, -1.0, results, errors),
                     -ETIMEDOUT);
    td_event_set(&gate);
    assert_int_equal(td_futures_wait(&f, 1, TD_FOREVER, TD_ALL_COMPLETED, &done), 1);
    assert_true(done);
    td_future_free(f);
    td_pool_shutdown(pool, true, false);
    td_pool_free(pool);
    td_event_destroy(&gate);
}

/* Thread.join: max(timeout, 0). The thread joined runs until its gate opens, or for
 * 30 s: a join that waited would see it finish, and answer 0, not -ETIMEDOUT. */
struct join_case {
    td_event_t gate;
    td_thread_t *thread;
};

static void wait_gate_briefly(void *gate)
{
    td_event_wait(gate, 30.0);
}

static int thread_join_call(void *arg, double timeout)
{
    return td_thread_join(((struct join_case *)arg)->thread, timeout);
}

static void let_thread_end(void *arg)
{
    td_event_set(&((struct join_case *)arg)->gate);
}

static void thread_join_timeouts(void **state)
{
    (void)state;
    struct join_case c;
    td_event_init(&c.gate);
    c.thread = test_start(wait_gate_briefly, &c.gate);
    assert_int_equal(td_thread_join(c.thread, -1.0), -ETIMEDOUT); /* it was TD_FOREVER */
    assert_int_equal(td_thread_join(c.thread, -5.0), -ETIMEDOUT);
    assert_int_equal(td_thread_join(c.thread, NAN), -EINVAL);
    assert_int_equal(td_thread_join(c.thread, HUGE_TIMEOUT), -EOVERFLOW);
    /* TD_FOREVER waits, from another thread, until the gate opens. */
    trial_t t = run_trial(thread_join_call, &c, c.thread, let_thread_end, TD_FOREVER);
    assert_int_equal(t.rc, 0);
    assert_true(t.waited);
    td_thread_free(c.thread);
    td_event_destroy(&c.gate);
}

/* ---- Barrier and Timer -------------------------------------------------------------- */

static int barrier_call(void *barrier, double timeout)
{
    int rc = td_barrier_wait(barrier, timeout);
    return rc < 0 ? rc : 0;
}

static void barrier_arrive(void *barrier)
{
    td_barrier_wait(barrier, TD_FOREVER);
}

static void barrier_timeouts(void **state)
{
    (void)state;
    td_barrier_t b;
    assert_int_equal(td_barrier_init(&b, 2, NULL, NULL, NAN), -EINVAL);
    assert_int_equal(td_barrier_init(&b, 2, NULL, NULL, HUGE_TIMEOUT), -EOVERFLOW);
    assert_int_equal(td_barrier_init(&b, 2, NULL, NULL, TD_FOREVER), 0);
    /* TD_FOREVER is Python's None: the barrier's default, here no limit. */
    trial_t t = run_trial(barrier_call, &b, &b, barrier_arrive, TD_FOREVER);
    assert_int_equal(t.rc, 0);
    assert_true(t.waited);
    assert_int_equal(barrier_call(&b, NAN), -EINVAL);
    assert_int_equal(barrier_call(&b, HUGE_TIMEOUT), -EOVERFLOW);
    assert_false(td_barrier_broken(&b)); /* refused before entering */
    /* Python: wait(-1) times out at once, which breaks the barrier. (It was
     * TD_FOREVER, the default, and waited.) */
    assert_int_equal(barrier_call(&b, -1.0), -EPIPE);
    assert_true(td_barrier_broken(&b));
    td_barrier_destroy(&b);
}

static atomic_int fired;

static void fire(void *arg)
{
    (void)arg;
    atomic_fetch_add(&fired, 1);
}

static void timer_timeouts(void **state)
{
    (void)state;
    td_timer_t *timer;
    assert_int_equal(td_timer_new(&timer, NAN, fire, NULL), -EINVAL);
    assert_int_equal(td_timer_new(&timer, HUGE_TIMEOUT, fire, NULL), -EOVERFLOW);
    /* Negative: at once, as Python's finished.wait(-1). */
    atomic_store(&fired, 0);
    assert_int_equal(td_timer_new(&timer, -1.0, fire, NULL), 0);
    assert_int_equal(td_timer_start(timer), 0);
    assert_int_equal(td_timer_join(timer, TD_FOREVER), 0);
    assert_int_equal(atomic_load(&fired), 1);
    td_timer_free(timer);
    /* TD_FOREVER: never, until cancelled. */
    assert_int_equal(td_timer_new(&timer, TD_FOREVER, fire, NULL), 0);
    assert_int_equal(td_timer_start(timer), 0);
    assert_int_equal(td_timer_join(timer, 0), -ETIMEDOUT);
    td_timer_cancel(timer);
    assert_int_equal(td_timer_join(timer, TD_FOREVER), 0);
    assert_false(td_timer_fired(timer));
    assert_int_equal(atomic_load(&fired), 1);
    td_timer_free(timer);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lock_timeouts),
        cmocka_unit_test(rlock_timeouts),
        cmocka_unit_test(queue_put_timeouts),
        cmocka_unit_test(queue_get_timeouts),
        cmocka_unit_test(queue_join_timeouts),
        cmocka_unit_test(simplequeue_get_timeouts),
        cmocka_unit_test(semaphore_timeouts),
        cmocka_unit_test(event_timeouts),
        cmocka_unit_test(condition_timeouts),
        cmocka_unit_test(future_timeouts),
        cmocka_unit_test(futures_wait_as_completed_map_timeouts),
        cmocka_unit_test(thread_join_timeouts),
        cmocka_unit_test(barrier_timeouts),
        cmocka_unit_test(timer_timeouts),
    };
    return test_run_cases(tests);
}
