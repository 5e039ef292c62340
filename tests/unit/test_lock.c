/* SPDX-License-Identifier: MIT */
/* test_lock.c - Python's Lock: no owner, timeouts, misuse codes, mutual exclusion. */
#include "helpers.h"

static void acquire_release_and_locked(void **state)
{
    (void)state;
    td_lock_t l;
    td_lock_init(&l);
    assert_false(td_lock_locked(&l));
    assert_int_equal(td_lock_acquire(&l, true, TD_FOREVER), 0);
    assert_true(td_lock_locked(&l));
    assert_int_equal(td_lock_acquire(&l, false, TD_FOREVER), -EBUSY);
    assert_int_equal(td_lock_release(&l), 0);
    assert_false(td_lock_locked(&l));
    td_lock_destroy(&l);
}

static void release_unlocked_is_eperm(void **state)
{
    (void)state;
    td_lock_t l;
    td_lock_init(&l);
    assert_int_equal(td_lock_release(&l), -EPERM);
    assert_int_equal(td_lock_acquire(&l, true, TD_FOREVER), 0);
    assert_int_equal(td_lock_release(&l), 0);
    assert_int_equal(td_lock_release(&l), -EPERM);
}

static void bad_arguments(void **state)
{
    (void)state;
    td_lock_t l;
    td_lock_init(&l);
    /* Python: ValueError "can't specify a timeout for a non-blocking call" */
    assert_int_equal(td_lock_acquire(&l, false, 1.0), -EINVAL);
    /* Python: ValueError "timeout value must be positive" */
    assert_int_equal(td_lock_acquire(&l, true, -2.0), -EINVAL);
    assert_int_equal(td_lock_acquire(&l, true, TD_TIMEOUT_MAX * 2), -EOVERFLOW);
    assert_false(td_lock_locked(&l));
}

static void timeout_is_honoured(void **state)
{
    (void)state;
    td_lock_t l;
    td_lock_init(&l);
    td_lock_acquire(&l, true, TD_FOREVER);
    double start = test_now();
    assert_int_equal(td_lock_acquire(&l, true, 0.1), -ETIMEDOUT);
    assert_elapsed(start, 0.1);
    start = test_now();
    assert_int_equal(td_lock_acquire(&l, true, 0), -ETIMEDOUT);
    assert_elapsed(start, 0);
}

struct release_from_other {
    td_lock_t lock;
    int rc;
};

static void release_it(void *arg)
{
    struct release_from_other *r = arg;
    r->rc = td_lock_release(&r->lock);
}

static void another_thread_may_release(void **state)
{
    (void)state;
    struct release_from_other r;
    td_lock_init(&r.lock);
    td_lock_acquire(&r.lock, true, TD_FOREVER);
    test_join(test_start(release_it, &r));
    assert_int_equal(r.rc, 0);
    assert_false(td_lock_locked(&r.lock));
}

struct blocked {
    td_lock_t lock;
    td_event_t trying;
    int rc;
};

static void acquire_blocking(void *arg)
{
    struct blocked *b = arg;
    td_event_set(&b->trying);
    b->rc = td_lock_acquire(&b->lock, true, TD_FOREVER);
    td_lock_release(&b->lock);
}

static void release_wakes_a_sleeper(void **state)
{
    (void)state;
    struct blocked b = { .rc = -1 };
    td_lock_init(&b.lock);
    td_event_init(&b.trying);
    td_lock_acquire(&b.lock, true, TD_FOREVER);
    td_thread_t *t = test_start(acquire_blocking, &b);
    td_event_wait(&b.trying, TD_FOREVER);
    test_pause(0.02); /* let it go to sleep in the kernel: the path under test */
    td_lock_release(&b.lock);
    test_join(t);
    assert_int_equal(b.rc, 0);
}

enum { ROUNDS = 200000 };

struct counter {
    td_lock_t lock;
    long value; /* guarded by lock: a plain long, so TSan sees any hole in it */
};

static void add_many(void *arg)
{
    struct counter *c = arg;
    for (int i = 0; i < ROUNDS; i++) {
        td_lock_acquire(&c->lock, true, TD_FOREVER);
        c->value++;
        td_lock_release(&c->lock);
    }
}

static void mutual_exclusion(void **state)
{
    (void)state;
    struct counter c = { .value = 0 };
    td_lock_init(&c.lock);
    td_thread_t *a = test_start(add_many, &c), *b = test_start(add_many, &c);
    test_join(a);
    test_join(b);
    assert_int_equal(c.value, 2 * ROUNDS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(acquire_release_and_locked),
        cmocka_unit_test(release_unlocked_is_eperm),
        cmocka_unit_test(bad_arguments),
        cmocka_unit_test(timeout_is_honoured),
        cmocka_unit_test(another_thread_may_release),
        cmocka_unit_test(release_wakes_a_sleeper),
        cmocka_unit_test(mutual_exclusion),
    };
    return test_run_cases(tests);
}
