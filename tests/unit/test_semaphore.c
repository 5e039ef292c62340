/* SPDX-License-Identifier: MIT */
/* test_semaphore.c - Semaphore and BoundedSemaphore: counting, timeouts, release(n),
 * over-release of a bounded one. */
#include "helpers.h"

static void counts(void **state)
{
    (void)state;
    td_sem_t s;
    td_sem_init(&s, 2);
    assert_int_equal(td_sem_acquire(&s, true, TD_FOREVER), 0);
    assert_int_equal(td_sem_acquire(&s, false, TD_FOREVER), 0);
    assert_int_equal(td_sem_acquire(&s, false, TD_FOREVER), -EBUSY);
    assert_int_equal(td_sem_value(&s), 0);
    assert_int_equal(td_sem_release(&s, 5), 0); /* unbounded: may exceed the start */
    assert_int_equal(td_sem_value(&s), 5);
    td_sem_destroy(&s);
}

static void misuse(void **state)
{
    (void)state;
    td_sem_t s;
    td_sem_init_bounded(&s, 1);
    assert_int_equal(td_sem_acquire(&s, false, 1.0), -EINVAL);
    assert_int_equal(td_sem_release(&s, 0), -EINVAL); /* "n must be one or more" */
    assert_int_equal(td_sem_release(&s, 1), -EINVAL); /* released too many times */
    assert_int_equal(td_sem_value(&s), 1);
    assert_int_equal(td_sem_acquire(&s, true, TD_FOREVER), 0);
    assert_int_equal(td_sem_release(&s, 2), -EINVAL);
    assert_int_equal(td_sem_value(&s), 0); /* a refused release changes nothing */
    assert_int_equal(td_sem_release(&s, 1), 0);
    assert_int_equal(td_sem_value(&s), 1);
}

static void timeout_is_honoured(void **state)
{
    (void)state;
    td_sem_t s;
    td_sem_init(&s, 0);
    double start = test_now();
    assert_int_equal(td_sem_acquire(&s, true, 0.1), -ETIMEDOUT);
    assert_elapsed(start, 0.1);
    assert_int_equal(td_sem_acquire(&s, true, -1.5), -ETIMEDOUT);
}

enum { WAITERS = 6 };

struct gate {
    td_sem_t sem;
    atomic_int got;
};

static void take_one(void *arg)
{
    struct gate *g = arg;
    if (td_sem_acquire(&g->sem, true, 1.0) == 0)
        atomic_fetch_add(&g->got, 1);
}

static void release_n_lets_n_through(void **state)
{
    (void)state;
    struct gate g;
    td_sem_init(&g.sem, 0);
    atomic_init(&g.got, 0);
    td_thread_t *threads[WAITERS];
    for (int i = 0; i < WAITERS; i++)
        threads[i] = test_start(take_one, &g);
    assert_int_equal(td_sem_release(&g.sem, 4), 0);
    for (int i = 0; i < WAITERS; i++)
        test_join(threads[i]);
    assert_int_equal(atomic_load(&g.got), 4);
    assert_int_equal(td_sem_value(&g.sem), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts),
        cmocka_unit_test(misuse),
        cmocka_unit_test(timeout_is_honoured),
        cmocka_unit_test(release_n_lets_n_through),
    };
    return test_run_cases(tests);
}
