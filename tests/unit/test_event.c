/* SPDX-License-Identifier: MIT */
/* test_event.c - Python's Event: set/clear/is_set, timeouts, wake-ups, no lost
 * wake-up under stress. */
#include "helpers.h"

static void flag_basics(void **state)
{
    (void)state;
    td_event_t e;
    td_event_init(&e);
    assert_false(td_event_is_set(&e));
    assert_false(td_event_wait(&e, 0));
    assert_false(td_event_wait(&e, -1.5)); /* negative: does not wait */
    td_event_set(&e);
    td_event_set(&e);
    assert_true(td_event_is_set(&e));
    assert_true(td_event_wait(&e, TD_FOREVER));
    assert_true(td_event_wait(&e, 0));
    td_event_clear(&e);
    assert_false(td_event_is_set(&e));
    td_event_destroy(&e);
}

static void timeout_is_honoured(void **state)
{
    (void)state;
    td_event_t e;
    td_event_init(&e);
    double start = test_now();
    assert_false(td_event_wait(&e, 0.1));
    assert_elapsed(start, 0.1);
    start = test_now();
    assert_false(td_event_wait(&e, 0.0));
    assert_elapsed(start, 0.0);
}

enum { WAITERS = 100 };

struct crowd {
    td_event_t go;
    td_sem_t ready;
    atomic_int woken;
};

static void wait_in_crowd(void *arg)
{
    struct crowd *c = arg;
    td_sem_release(&c->ready, 1);
    if (td_event_wait(&c->go, TD_FOREVER))
        atomic_fetch_add(&c->woken, 1);
}

static void set_wakes_every_waiter(void **state)
{
    (void)state;
    struct crowd c;
    td_event_init(&c.go);
    td_sem_init(&c.ready, 0);
    atomic_init(&c.woken, 0);
    td_thread_t *threads[WAITERS];
    for (int i = 0; i < WAITERS; i++)
        threads[i] = test_start(wait_in_crowd, &c);
    for (int i = 0; i < WAITERS; i++)
        td_sem_acquire(&c.ready, true, TD_FOREVER);
    td_event_set(&c.go);
    for (int i = 0; i < WAITERS; i++)
        test_join(threads[i]);
    assert_int_equal(atomic_load(&c.woken), WAITERS);
}

/* set() then clear() at once still releases a thread that was already waiting
 * (CPython: the waiter was notified, so wait() returns True). */
struct pulse {
    td_event_t e;
    td_event_t waiting;
    bool result;
};

static void wait_for_pulse(void *arg)
{
    struct pulse *p = arg;
    td_event_set(&p->waiting);
    p->result = td_event_wait(&p->e, 5.0);
}

static void set_then_clear_still_wakes(void **state)
{
    (void)state;
    struct pulse p = { .result = false };
    td_event_init(&p.e);
    td_event_init(&p.waiting);
    td_thread_t *t = test_start(wait_for_pulse, &p);
    td_event_wait(&p.waiting, TD_FOREVER);
    test_pause(0.02); /* let it reach the kernel wait, the case under test */
    td_event_set(&p.e);
    td_event_clear(&p.e);
    double start = test_now();
    test_join(t);
    assert_true(p.result);
    assert_true(test_now() - start < 4.0);
}

enum { ROUNDS = 100000 };

/* Two threads pass a token back and forth: each round a set, a wait and a clear on
 * each side. A lost wake-up would hang here (the 60 s timeout reports it). */
struct ping_pong {
    td_event_t ping, pong;
    long rounds_done;
    bool timed_out;
};

static void ponger(void *arg)
{
    struct ping_pong *p = arg;
    for (int i = 0; i < ROUNDS; i++) {
        if (!td_event_wait(&p->ping, 60.0)) {
            p->timed_out = true;
            return;
        }
        td_event_clear(&p->ping);
        p->rounds_done++;
        td_event_set(&p->pong);
    }
}

static void no_lost_wakeup(void **state)
{
    (void)state;
    static struct ping_pong p;
    td_event_init(&p.ping);
    td_event_init(&p.pong);
    td_thread_t *t = test_start(ponger, &p);
    int i = 0;
    for (; i < ROUNDS; i++) {
        td_event_set(&p.ping);
        if (!td_event_wait(&p.pong, 60.0))
            break;
        td_event_clear(&p.pong);
    }
    test_join(t);
    assert_int_equal(i, ROUNDS);
    assert_false(p.timed_out);
    assert_int_equal(p.rounds_done, ROUNDS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(flag_basics),
        cmocka_unit_test(timeout_is_honoured),
        cmocka_unit_test(set_wakes_every_waiter),
        cmocka_unit_test(set_then_clear_still_wakes),
        cmocka_unit_test(no_lost_wakeup),
    };
    return test_run_cases(tests);
}
