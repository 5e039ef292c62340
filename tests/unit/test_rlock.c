/* SPDX-License-Identifier: MIT */
/* test_rlock.c - Python's RLock: re-entry, owner-only release, exclusion. */
#include "helpers.h"

static void reentrant(void **state)
{
    (void)state;
    td_rlock_t r;
    td_rlock_init(&r);
    assert_false(td_rlock_is_owned(&r));
    assert_int_equal(td_rlock_acquire(&r, true, TD_FOREVER), 0);
    assert_int_equal(td_rlock_acquire(&r, false, TD_FOREVER), 0);
    assert_int_equal(td_rlock_acquire(&r, true, 1.0), 0);
    assert_true(td_rlock_is_owned(&r));
    assert_int_equal(td_rlock_release(&r), 0);
    assert_int_equal(td_rlock_release(&r), 0);
    assert_true(td_rlock_is_owned(&r));
    assert_int_equal(td_rlock_release(&r), 0);
    assert_false(td_rlock_is_owned(&r));
    assert_int_equal(td_rlock_release(&r), -EPERM);
    td_rlock_destroy(&r);
}

static void bad_arguments(void **state)
{
    (void)state;
    td_rlock_t r;
    td_rlock_init(&r);
    assert_int_equal(td_rlock_acquire(&r, false, 1.0), -EINVAL);
    td_rlock_acquire(&r, true, TD_FOREVER);
    assert_int_equal(td_rlock_acquire(&r, false, 1.0), -EINVAL);
    assert_int_equal(td_rlock_acquire(&r, true, -3), -EINVAL);
    assert_int_equal(td_rlock_release(&r), 0);
    assert_false(td_rlock_is_owned(&r));
}

struct other {
    td_rlock_t rlock;
    int release_rc, acquire_rc;
    double waited;
};

static void try_from_other_thread(void *arg)
{
    struct other *o = arg;
    o->release_rc = td_rlock_release(&o->rlock);
    double start = test_now();
    o->acquire_rc = td_rlock_acquire(&o->rlock, true, 0.05);
    o->waited = test_now() - start;
}

static void only_the_owner_releases(void **state)
{
    (void)state;
    struct other o;
    td_rlock_init(&o.rlock);
    td_rlock_acquire(&o.rlock, true, TD_FOREVER);
    test_join(test_start(try_from_other_thread, &o));
    assert_int_equal(o.release_rc, -EPERM); /* Python: "cannot release un-acquired lock" */
    assert_int_equal(o.acquire_rc, -ETIMEDOUT);
    assert_true(o.waited >= 0.049 && o.waited < 0.05 + TEST_SLACK);
    assert_true(td_rlock_is_owned(&o.rlock));
    assert_int_equal(td_rlock_release(&o.rlock), 0);
}

enum { ROUNDS = 100000 };

struct counter {
    td_rlock_t rlock;
    long value;
};

static void add_nested(void *arg)
{
    struct counter *c = arg;
    for (int i = 0; i < ROUNDS; i++) {
        td_rlock_acquire(&c->rlock, true, TD_FOREVER);
        td_rlock_acquire(&c->rlock, true, TD_FOREVER);
        c->value++;
        td_rlock_release(&c->rlock);
        td_rlock_release(&c->rlock);
    }
}

static void mutual_exclusion(void **state)
{
    (void)state;
    struct counter c = { .value = 0 };
    td_rlock_init(&c.rlock);
    td_thread_t *a = test_start(add_nested, &c), *b = test_start(add_nested, &c);
    test_join(a);
    test_join(b);
    assert_int_equal(c.value, 2 * ROUNDS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reentrant),
        cmocka_unit_test(bad_arguments),
        cmocka_unit_test(only_the_owner_releases),
        cmocka_unit_test(mutual_exclusion),
    };
    return test_run_cases(tests);
}
