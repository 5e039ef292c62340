/* SPDX-License-Identifier: MIT */
/* test_stress_wakeup.c - no lost wake-up, in every blocking primitive, under the
 * timing that loses them: timed and untimed waiters on the same object, and the
 * release landing as the timed waiter's timeout expires.
 *
 * Each round, on a fresh object:
 *   1. a "firer" thread makes the object unavailable (holds the lock, fills the
 *      queue, ...); the timed waiter T and two untimed waiters U1, U2 start;
 *   2. T starts waiting with a short timeout d; a moment later (so T is first in
 *      line) U1 and U2 start waiting without a timeout;
 *   3. the firer makes the object available at T's deadline plus a jitter that
 *      sweeps -0.3 d .. +0.5 d over the rounds, so some releases land in the few
 *      microseconds where T is timing out;
 *   4. every waiter must finish. The main thread is the watchdog: it waits for
 *      them on a plain pthread latch (not on the library under test) with a
 *      generous deadline; a round that does not finish fails the test with what
 *      is stuck, and its threads (daemons) and memory are left behind so the rest
 *      of the file still runs.
 * Then each primitive's own accounting is checked (units, tokens, items, indices).
 * TSan cannot find these bugs: nothing races, a wake-up just goes to a thread that
 * leaves without passing it on. Rounds scale with THRDEMO_STRESS_SCALE (less under
 * sanitizers, see helpers.h).
 *
 * Issue 11: Lock and RLock failed here until its fix, within the first 15 rounds
 * (after a timed-out futex wait the last try took the lock as LOCKED(1) while U1
 * and U2 slept on it, and the next release woke nobody: two waiters asleep on a
 * free lock).
 */
#include "helpers.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { T, U1, U2, WAITERS, FIRER = WAITERS, THREADS };
enum { PENDING = 1000 }; /* a waiter's rc before it returns */

struct round;

typedef struct wakeup_kind {
    const char *name;
    void (*setup)(struct round *r);                /* main, before any thread */
    void (*hold)(struct round *r);                 /* firer: make it unavailable */
    int (*wait)(struct round *r, double timeout);  /* waiter: 0 when it got it */
    void (*after)(struct round *r, int rc);        /* waiter, after its wait */
    void (*fire)(struct round *r);                 /* firer, at T's deadline */
    const char *(*check)(struct round *r);         /* NULL, or what is wrong */
    void (*teardown)(struct round *r);
} wakeup_kind_t;

struct round {
    const wakeup_kind_t *kind;
    long maxsize;                 /* for the queues */
    double d, jitter;
    atomic_llong t0_ns;           /* when T began its wait (0: not yet) */
    atomic_llong fire_at_ns;
    test_latch_t ready, go_t, go_u, go_fire, done;
    atomic_int rc[THREADS];
    td_thread_t *threads[THREADS];
    /* the primitive under test */
    td_lock_t lock;
    td_rlock_t rlock;
    td_cond_t cond;
    int tokens, taken;            /* guarded by lock (the condition's) */
    td_sem_t sem;
    atomic_int sem_taken;
    td_event_t event;
    td_queue_t *queue;
    atomic_int moved;             /* items got (get side) or put (put side) */
    td_barrier_t barrier;
    td_pool_t *pool;
    td_future_t *future;
    td_event_t gate;
    td_thread_t *target;
};

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* How long a round may take before it counts as hung: thousands of times a
 * round's 2-3 ms, so a loaded machine (CI runs four suites on two shared cores)
 * cannot fake a hang. */
static double hang_deadline(void)
{
    return test_under_sanitizer() ? 30.0 : 10.0;
}

/* ---- the threads of a round ---------------------------------------------------------- */

static void waiter(struct round *r, int who)
{
    test_latch_arrive(&r->ready);
    test_latch_wait(who == T ? &r->go_t : &r->go_u, 1, 3600);
    if (who == T)
        atomic_store(&r->t0_ns, now_ns());
    int rc = r->kind->wait(r, who == T ? r->d : TD_FOREVER);
    if (r->kind->after)
        r->kind->after(r, rc);
    atomic_store(&r->rc[who], rc);
    test_latch_arrive(&r->done);
}

static void timed_waiter(void *arg)
{
    waiter(arg, T);
}

static void untimed_waiter_1(void *arg)
{
    waiter(arg, U1);
}

static void untimed_waiter_2(void *arg)
{
    waiter(arg, U2);
}

static void firer(void *arg)
{
    struct round *r = arg;
    if (r->kind->hold)
        r->kind->hold(r);
    test_latch_arrive(&r->ready);
    test_latch_wait(&r->go_fire, 1, 3600);
    long long at = atomic_load(&r->fire_at_ns);
    while (now_ns() < at) {
    }
    r->kind->fire(r);
    atomic_store(&r->rc[FIRER], 0);
    test_latch_arrive(&r->done);
}

/* Rounds whose threads never finished: kept reachable (they still use them). */
static struct round *abandoned[16];
static int n_abandoned;

static void describe_stuck(struct round *r, char *buf, size_t size)
{
    static const char *who[THREADS] = { "timed waiter", "untimed waiter 1",
                                        "untimed waiter 2", "releasing thread" };
    size_t len = 0;
    for (int i = 0; i < THREADS; i++)
        if (atomic_load(&r->rc[i]) == PENDING && len < size)
            len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? ", " : "", who[i]);
}

/* One round: true when it went well, else false and why not in msg. */
static bool run_round(const wakeup_kind_t *kind, long maxsize, double d, double jitter,
                      long round, long rounds, char *msg, size_t size)
{
    struct round *r = calloc(1, sizeof *r);
    assert_non_null(r);
    r->kind = kind;
    r->maxsize = maxsize;
    r->d = d;
    r->jitter = jitter;
    for (int i = 0; i < THREADS; i++)
        atomic_init(&r->rc[i], PENDING);
    test_latch_t *latches[] = { &r->ready, &r->go_t, &r->go_u, &r->go_fire, &r->done };
    for (size_t i = 0; i < 5; i++)
        test_latch_init(latches[i]);
    kind->setup(r);
    r->threads[FIRER] = test_start_daemon(firer, r);
    r->threads[T] = test_start_daemon(timed_waiter, r);
    r->threads[U1] = test_start_daemon(untimed_waiter_1, r);
    r->threads[U2] = test_start_daemon(untimed_waiter_2, r);
    assert_true(test_latch_wait(&r->ready, THREADS, hang_deadline()));
    test_latch_arrive(&r->go_t);
    while (atomic_load(&r->t0_ns) == 0) {
    }
    test_nap(d * 0.15); /* T goes to sleep first: it is first in line for a wake-up */
    test_latch_arrive(&r->go_u);
    long long t0 = atomic_load(&r->t0_ns);
    atomic_store(&r->fire_at_ns, t0 + (long long)((d + jitter) * 1e9));
    test_latch_arrive(&r->go_fire);
    if (!test_latch_wait(&r->done, THREADS, hang_deadline())) {
        char stuck[128] = "";
        describe_stuck(r, stuck, sizeof stuck);
        snprintf(msg, size,
                 "%s: lost wake-up: %s still blocked %.0f s after the release "
                 "(round %ld of %ld, release %+.0f us from the timed waiter's deadline)",
                 kind->name, stuck, hang_deadline(), round + 1, rounds, jitter * 1e6);
        if (n_abandoned < 16)
            abandoned[n_abandoned++] = r;
        return false;
    }
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(td_thread_join(r->threads[i], hang_deadline()), 0);
        td_thread_free(r->threads[i]);
    }
    const char *wrong = kind->check(r);
    if (wrong)
        snprintf(msg, size, "%s: %s (round %ld of %ld, release %+.0f us from the deadline)",
                 kind->name, wrong, round + 1, rounds, jitter * 1e6);
    if (kind->teardown)
        kind->teardown(r);
    for (size_t i = 0; i < 5; i++)
        test_latch_destroy(latches[i]);
    free(r);
    return wrong == NULL;
}

/* Run rounds of kind (at maxsize, for the queues); fail at the first bad one. */
static void stress(const wakeup_kind_t *kind, long maxsize, long base_rounds)
{
    long rounds = test_scaled(base_rounds);
    double d = test_under_sanitizer() ? 0.006 : 0.0015;
    char msg[512];
    for (long k = 0; k < rounds; k++) {
        double jitter = d * (-0.3 + 0.8 * (double)(k % 33) / 32.0);
        if (!run_round(kind, maxsize, d, jitter, k, rounds, msg, sizeof msg))
            fail_msg("%s", msg);
    }
}

static const char *untimed_got_it(struct round *r)
{
    if (atomic_load(&r->rc[U1]) != 0 || atomic_load(&r->rc[U2]) != 0)
        return "an untimed waiter returned without getting what it waited for";
    return NULL;
}

/* ---- Lock ---------------------------------------------------------------------------- */

static void lock_setup(struct round *r) { td_lock_init(&r->lock); }
static void lock_hold(struct round *r) { td_lock_acquire(&r->lock, true, TD_FOREVER); }
static int lock_wait(struct round *r, double t) { return td_lock_acquire(&r->lock, true, t); }
static void lock_fire(struct round *r) { td_lock_release(&r->lock); }

static void lock_after(struct round *r, int rc)
{
    if (rc == 0)
        td_lock_release(&r->lock);
}

static const char *lock_check(struct round *r)
{
    const char *wrong = untimed_got_it(r);
    if (!wrong && td_lock_locked(&r->lock))
        wrong = "the lock is still held after every holder released it";
    if (!wrong && atomic_load(&r->rc[T]) != 0 && atomic_load(&r->rc[T]) != -ETIMEDOUT)
        wrong = "the timed acquire returned neither 0 nor -ETIMEDOUT";
    return wrong;
}

static const wakeup_kind_t LOCK = { "Lock", lock_setup, lock_hold, lock_wait, lock_after,
                                    lock_fire, lock_check, NULL };

static void test_lock_no_lost_wakeup(void **state)
{
    (void)state;
    stress(&LOCK, 0, 150);
}

/* ---- RLock --------------------------------------------------------------------------- */

static void rlock_setup(struct round *r) { td_rlock_init(&r->rlock); }
static void rlock_hold(struct round *r) { td_rlock_acquire(&r->rlock, true, TD_FOREVER); }
static int rlock_wait(struct round *r, double t) { return td_rlock_acquire(&r->rlock, true, t); }
static void rlock_fire(struct round *r) { td_rlock_release(&r->rlock); }

static void rlock_after(struct round *r, int rc)
{
    if (rc == 0)
        td_rlock_release(&r->rlock);
}

static const char *rlock_check(struct round *r)
{
    const char *wrong = untimed_got_it(r);
    if (!wrong && td_rlock_acquire(&r->rlock, false, TD_FOREVER) != 0)
        wrong = "the RLock is still held after every owner released it";
    else if (!wrong)
        td_rlock_release(&r->rlock);
    return wrong;
}

static const wakeup_kind_t RLOCK = { "RLock", rlock_setup, rlock_hold, rlock_wait,
                                     rlock_after, rlock_fire, rlock_check, NULL };

static void test_rlock_no_lost_wakeup(void **state)
{
    (void)state;
    stress(&RLOCK, 0, 150);
}

/* ---- Condition: three tokens, each announced by a notify ----------------------------- */

static void cond_setup(struct round *r)
{
    td_lock_init(&r->lock);
    td_cond_init(&r->cond, &r->lock);
}

static bool has_token(void *arg)
{
    return ((struct round *)arg)->tokens > 0;
}

static int cond_wait(struct round *r, double timeout)
{
    td_cond_acquire(&r->cond, true, TD_FOREVER);
    bool ok = false;
    td_cond_wait_for(&r->cond, has_token, r, timeout, &ok);
    if (ok) {
        r->tokens--;
        r->taken++;
    }
    td_cond_release(&r->cond);
    return ok ? 0 : -ETIMEDOUT;
}

/* One token and notify(1) at T's deadline (T is the oldest waiter), then two more. */
static void cond_fire(struct round *r)
{
    td_cond_acquire(&r->cond, true, TD_FOREVER);
    r->tokens++;
    td_cond_notify(&r->cond, 1);
    td_cond_release(&r->cond);
    td_cond_acquire(&r->cond, true, TD_FOREVER);
    r->tokens += 2;
    td_cond_notify(&r->cond, 2);
    td_cond_release(&r->cond);
}

static const char *cond_check(struct round *r)
{
    const char *wrong = untimed_got_it(r);
    if (!wrong && r->tokens + r->taken != 3)
        wrong = "tokens were lost or made up";
    if (!wrong && r->taken != 2 + (atomic_load(&r->rc[T]) == 0))
        wrong = "a waiter's answer does not match the tokens it took";
    return wrong;
}

static void cond_teardown(struct round *r)
{
    td_cond_destroy(&r->cond);
}

static const wakeup_kind_t CONDITION = { "Condition", cond_setup, NULL, cond_wait, NULL,
                                         cond_fire, cond_check, cond_teardown };

static void test_condition_no_lost_wakeup(void **state)
{
    (void)state;
    stress(&CONDITION, 0, 80);
}

/* ---- Semaphore: release(1) at the deadline, then release(2) -------------------------- */

static void sem_setup(struct round *r) { td_sem_init(&r->sem, 0); }

static int sem_wait(struct round *r, double timeout)
{
    int rc = td_sem_acquire(&r->sem, true, timeout);
    if (rc == 0)
        atomic_fetch_add(&r->sem_taken, 1);
    return rc;
}

static void sem_fire(struct round *r)
{
    td_sem_release(&r->sem, 1);
    td_sem_release(&r->sem, 2);
}

static const char *sem_check(struct round *r)
{
    const char *wrong = untimed_got_it(r);
    if (!wrong && td_sem_value(&r->sem) + (size_t)atomic_load(&r->sem_taken) != 3)
        wrong = "units were lost or made up";
    return wrong;
}

static void sem_teardown(struct round *r) { td_sem_destroy(&r->sem); }

static const wakeup_kind_t SEMAPHORE = { "Semaphore", sem_setup, NULL, sem_wait, NULL,
                                         sem_fire, sem_check, sem_teardown };

static void test_semaphore_no_lost_wakeup(void **state)
{
    (void)state;
    stress(&SEMAPHORE, 0, 80);
}

/* ---- Event --------------------------------------------------------------------------- */

static void event_setup(struct round *r) { td_event_init(&r->event); }

static int event_wait(struct round *r, double timeout)
{
    return td_event_wait(&r->event, timeout) ? 0 : -ETIMEDOUT;
}

static void event_fire(struct round *r) { td_event_set(&r->event); }

static const wakeup_kind_t EVENT = { "Event", event_setup, NULL, event_wait, NULL,
                                     event_fire, untimed_got_it, NULL };

static void test_event_no_lost_wakeup(void **state)
{
    (void)state;
    stress(&EVENT, 0, 80);
}

/* ---- Queue, get side: three puts, the first at the deadline -------------------------- */

static void queue_setup(struct round *r)
{
    assert_int_equal(td_queue_new(&r->queue, r->maxsize, NULL), 0);
}

static int queue_get(struct round *r, double timeout)
{
    void *item;
    int rc = td_queue_get(r->queue, &item, true, timeout, NULL);
    if (rc == 0)
        atomic_fetch_add(&r->moved, 1);
    return rc;
}

static void queue_put_three(struct round *r)
{
    for (int i = 0; i < 3; i++)
        td_queue_put(r->queue, &r->moved, true, TD_FOREVER);
}

static const char *queue_get_check(struct round *r)
{
    const char *wrong = untimed_got_it(r);
    if (!wrong && td_queue_qsize(r->queue) + (size_t)atomic_load(&r->moved) != 3)
        wrong = "items were lost or made up";
    return wrong;
}

static void queue_teardown(struct round *r) { td_queue_free(r->queue); }

static const wakeup_kind_t QUEUE_GET = { "Queue.get", queue_setup, NULL, queue_get, NULL,
                                         queue_put_three, queue_get_check, queue_teardown };

static void test_queue_get_no_lost_wakeup(void **state)
{
    stress(&QUEUE_GET, *(const long *)*state, 50);
}

/* ---- Queue, put side: a full queue, three gets, the first at the deadline ------------ */

static void queue_fill(struct round *r)
{
    for (long i = 0; i < r->maxsize; i++)
        td_queue_put(r->queue, &r->moved, false, TD_FOREVER);
}

static int queue_put(struct round *r, double timeout)
{
    int rc = td_queue_put(r->queue, &r->moved, true, timeout);
    if (rc == 0)
        atomic_fetch_add(&r->moved, 1);
    return rc;
}

static void queue_get_three(struct round *r)
{
    void *item;
    for (int i = 0; i < 3; i++)
        td_queue_get(r->queue, &item, true, TD_FOREVER, NULL);
}

static const char *queue_put_check(struct round *r)
{
    const char *wrong = untimed_got_it(r);
    if (!wrong && td_queue_qsize(r->queue) != (size_t)(r->maxsize + atomic_load(&r->moved) - 3))
        wrong = "items were lost or made up";
    return wrong;
}

static const wakeup_kind_t QUEUE_PUT = { "Queue.put", queue_setup, queue_fill, queue_put,
                                         NULL, queue_get_three, queue_put_check,
                                         queue_teardown };

static void test_queue_put_no_lost_wakeup(void **state)
{
    stress(&QUEUE_PUT, *(const long *)*state, 50);
}

/* ---- Barrier: four parties, the firer arrives last at the deadline ------------------- */

static void barrier_setup(struct round *r)
{
    assert_int_equal(td_barrier_init(&r->barrier, THREADS, NULL, NULL, TD_FOREVER), 0);
}

static int barrier_wait(struct round *r, double timeout)
{
    return td_barrier_wait(&r->barrier, timeout);
}

static void barrier_fire(struct round *r)
{
    atomic_store(&r->moved, td_barrier_wait(&r->barrier, TD_FOREVER)); /* its index */
}

/* All or nothing: every party passed with its own index, or the timeout broke the
 * barrier for every party. */
static const char *barrier_check(struct round *r)
{
    int rcs[THREADS] = { atomic_load(&r->rc[T]), atomic_load(&r->rc[U1]),
                         atomic_load(&r->rc[U2]), atomic_load(&r->moved) };
    int broken = 0, seen = 0;
    for (int i = 0; i < THREADS; i++) {
        if (rcs[i] == -EPIPE)
            broken++;
        else if (rcs[i] >= 0 && rcs[i] < THREADS)
            seen |= 1 << rcs[i];
        else
            return "a wait returned neither an index nor -EPIPE";
    }
    if (broken != 0 && broken != THREADS)
        return "some parties passed the barrier while others found it broken";
    if (broken == 0 && seen != (1 << THREADS) - 1)
        return "two parties got the same arrival index";
    return NULL;
}

static void barrier_teardown(struct round *r) { td_barrier_destroy(&r->barrier); }

static const wakeup_kind_t BARRIER = { "Barrier", barrier_setup, NULL, barrier_wait, NULL,
                                       barrier_fire, barrier_check, barrier_teardown };

static void test_barrier_no_lost_wakeup(void **state)
{
    (void)state;
    stress(&BARRIER, 0, 80);
}

/* ---- Future.result: the task finishes at the deadline -------------------------------- */

static int wait_at_gate(void *arg, void **result)
{
    td_event_wait(arg, TD_FOREVER);
    *result = arg;
    return 0;
}

static void future_setup(struct round *r)
{
    td_event_init(&r->gate);
    assert_int_equal(td_pool_new(&r->pool, 1, NULL), 0);
    assert_int_equal(td_pool_submit(r->pool, wait_at_gate, &r->gate, &r->future), 0);
}

static int future_wait(struct round *r, double timeout)
{
    void *result = NULL;
    int rc = td_future_result(r->future, timeout, &result);
    return rc == 0 && result != &r->gate ? -EPROTO : rc;
}

static void open_gate(struct round *r) { td_event_set(&r->gate); }

static void future_teardown(struct round *r)
{
    td_future_free(r->future);
    td_pool_free(r->pool);
}

static const wakeup_kind_t FUTURE = { "Future.result", future_setup, NULL, future_wait, NULL,
                                      open_gate, untimed_got_it, future_teardown };

static void test_future_result_no_lost_wakeup(void **state)
{
    (void)state;
    stress(&FUTURE, 0, 80);
}

/* ---- Thread.join: the thread ends at the deadline ------------------------------------ */

static void wait_for_gate(void *arg)
{
    td_event_wait(arg, TD_FOREVER);
}

static void join_setup(struct round *r)
{
    td_event_init(&r->gate);
    r->target = test_start_daemon(wait_for_gate, &r->gate);
}

static int join_wait(struct round *r, double timeout)
{
    return td_thread_join(r->target, timeout);
}

static void join_teardown(struct round *r) { td_thread_free(r->target); }

static const wakeup_kind_t JOIN = { "Thread.join", join_setup, NULL, join_wait, NULL,
                                    open_gate, untimed_got_it, join_teardown };

static void test_thread_join_no_lost_wakeup(void **state)
{
    (void)state;
    stress(&JOIN, 0, 80);
}

/* ---- the table ----------------------------------------------------------------------- */

static const long SIZES[] = { 0, 1, 2, 1024 };

#define AT(fn, i, label) { .name = #fn "(maxsize=" label ")", .test_func = fn, \
                           .initial_state = (void *)&SIZES[i] }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lock_no_lost_wakeup),
        cmocka_unit_test(test_rlock_no_lost_wakeup),
        cmocka_unit_test(test_condition_no_lost_wakeup),
        cmocka_unit_test(test_semaphore_no_lost_wakeup),
        cmocka_unit_test(test_event_no_lost_wakeup),
        AT(test_queue_get_no_lost_wakeup, 0, "0"),
        AT(test_queue_get_no_lost_wakeup, 1, "1"),
        AT(test_queue_get_no_lost_wakeup, 2, "2"),
        AT(test_queue_get_no_lost_wakeup, 3, "1024"),
        AT(test_queue_put_no_lost_wakeup, 1, "1"),
        AT(test_queue_put_no_lost_wakeup, 2, "2"),
        AT(test_queue_put_no_lost_wakeup, 3, "1024"),
        cmocka_unit_test(test_barrier_no_lost_wakeup),
        cmocka_unit_test(test_future_result_no_lost_wakeup),
        cmocka_unit_test(test_thread_join_no_lost_wakeup),
    };
    return test_run_cases(tests);
}
