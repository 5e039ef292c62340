/* SPDX-License-Identifier: MIT */
/* test_barrier.c - Barrier: arrival indices, the action, reuse, timeout, abort,
 * reset, and Python's broken-barrier rules. */
#include "helpers.h"

enum { PARTIES = 3 };

struct party {
    td_barrier_t *barrier;
    double timeout;
    int rc[2]; /* two rounds */
    int rounds;
};

static void wait_rounds(void *arg)
{
    struct party *p = arg;
    for (int r = 0; r < p->rounds; r++)
        p->rc[r] = td_barrier_wait(p->barrier, p->timeout);
}

static atomic_int actions;

static int count_action(void *arg)
{
    (void)arg;
    atomic_fetch_add(&actions, 1);
    return 0;
}

static void indices_action_and_reuse(void **state)
{
    (void)state;
    td_barrier_t b;
    assert_int_equal(td_barrier_init(&b, PARTIES, count_action, NULL, TD_FOREVER), 0);
    assert_int_equal(td_barrier_parties(&b), PARTIES);
    atomic_init(&actions, 0);
    struct party parties[PARTIES];
    td_thread_t *threads[PARTIES];
    for (int i = 0; i < PARTIES; i++) {
        parties[i] = (struct party){ .barrier = &b, .timeout = TD_FOREVER, .rounds = 2 };
        threads[i] = test_start(wait_rounds, &parties[i]);
    }
    for (int i = 0; i < PARTIES; i++)
        test_join(threads[i]);
    for (int r = 0; r < 2; r++) {
        int seen = 0;
        for (int i = 0; i < PARTIES; i++) {
            assert_true(parties[i].rc[r] >= 0 && parties[i].rc[r] < PARTIES);
            seen |= 1 << parties[i].rc[r];
        }
        assert_int_equal(seen, (1 << PARTIES) - 1); /* each index exactly once */
    }
    assert_int_equal(atomic_load(&actions), 2);
    assert_false(td_barrier_broken(&b));
    td_barrier_destroy(&b);
}

static void zero_parties_is_einval(void **state)
{
    (void)state;
    td_barrier_t b;
    assert_int_equal(td_barrier_init(&b, 0, NULL, NULL, TD_FOREVER), -EINVAL);
}

static void timeout_breaks_then_reset_repairs(void **state)
{
    (void)state;
    td_barrier_t b;
    td_barrier_init(&b, 2, NULL, NULL, TD_FOREVER);
    double start = test_now();
    assert_int_equal(td_barrier_wait(&b, 0.05), -EPIPE);
    assert_elapsed(start, 0.05);
    assert_true(td_barrier_broken(&b));
    assert_int_equal(td_barrier_wait(&b, 0.05), -EPIPE); /* stays broken */
    td_barrier_reset(&b);
    assert_false(td_barrier_broken(&b));
    /* Usable again: two parties meet. */
    struct party p = { .barrier = &b, .timeout = 5.0, .rounds = 1 };
    td_thread_t *t = test_start(wait_rounds, &p);
    int mine = td_barrier_wait(&b, 5.0);
    test_join(t);
    assert_true(mine >= 0 && p.rc[0] >= 0 && mine != p.rc[0]);
    td_barrier_destroy(&b);
}

static void default_timeout_applies(void **state)
{
    (void)state;
    td_barrier_t b;
    td_barrier_init(&b, 2, NULL, NULL, 0.05);
    double start = test_now();
    assert_int_equal(td_barrier_wait(&b, TD_FOREVER), -EPIPE);
    assert_elapsed(start, 0.05);
}

static void wait_until_waiting(td_barrier_t *b, size_t n)
{
    while (td_barrier_n_waiting(b) < n)
        test_pause(0.001);
}

static void abort_releases_waiters(void **state)
{
    (void)state;
    td_barrier_t b;
    td_barrier_init(&b, 3, NULL, NULL, TD_FOREVER);
    struct party p[2];
    td_thread_t *t[2];
    for (int i = 0; i < 2; i++) {
        p[i] = (struct party){ .barrier = &b, .timeout = TD_FOREVER, .rounds = 1 };
        t[i] = test_start(wait_rounds, &p[i]);
    }
    wait_until_waiting(&b, 2);
    td_barrier_abort(&b);
    for (int i = 0; i < 2; i++) {
        test_join(t[i]);
        assert_int_equal(p[i].rc[0], -EPIPE);
    }
    assert_true(td_barrier_broken(&b));
    assert_int_equal(td_barrier_wait(&b, 1.0), -EPIPE);
}

static void reset_breaks_current_waiters(void **state)
{
    (void)state;
    td_barrier_t b;
    td_barrier_init(&b, 2, NULL, NULL, TD_FOREVER);
    struct party p = { .barrier = &b, .timeout = TD_FOREVER, .rounds = 1 };
    td_thread_t *t = test_start(wait_rounds, &p);
    wait_until_waiting(&b, 1);
    td_barrier_reset(&b);
    test_join(t);
    assert_int_equal(p.rc[0], -EPIPE);
    assert_false(td_barrier_broken(&b)); /* reset, not broken: usable */
    p.rc[0] = 7;
    t = test_start(wait_rounds, &p);
    assert_true(td_barrier_wait(&b, 5.0) >= 0);
    test_join(t);
    assert_true(p.rc[0] >= 0);
}

static int failing_action(void *arg)
{
    (void)arg;
    return -1;
}

static void failing_action_breaks(void **state)
{
    (void)state;
    td_barrier_t b;
    td_barrier_init(&b, 2, failing_action, NULL, TD_FOREVER);
    struct party p = { .barrier = &b, .timeout = TD_FOREVER, .rounds = 1 };
    td_thread_t *t = test_start(wait_rounds, &p);
    int mine = td_barrier_wait(&b, TD_FOREVER);
    test_join(t);
    assert_int_equal(mine, -EPIPE);
    assert_int_equal(p.rc[0], -EPIPE);
    assert_true(td_barrier_broken(&b));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(indices_action_and_reuse),
        cmocka_unit_test(zero_parties_is_einval),
        cmocka_unit_test(timeout_breaks_then_reset_repairs),
        cmocka_unit_test(default_timeout_applies),
        cmocka_unit_test(abort_releases_waiters),
        cmocka_unit_test(reset_breaks_current_waiters),
        cmocka_unit_test(failing_action_breaks),
    };
    return test_run_cases(tests);
}
