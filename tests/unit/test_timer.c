/* SPDX-License-Identifier: MIT */
/* test_timer.c - Timer: fires after the interval, cancel before firing, join. */
#include "helpers.h"

struct shot {
    atomic_int calls;
    double fired_at;
};

static void fire(void *arg)
{
    struct shot *s = arg;
    s->fired_at = test_now();
    atomic_fetch_add(&s->calls, 1);
}

static void fires_after_interval(void **state)
{
    (void)state;
    struct shot s = { .fired_at = 0 };
    td_timer_t *t;
    assert_int_equal(td_timer_new(&t, 0.1, fire, &s), 0);
    double start = test_now();
    assert_int_equal(td_timer_start(t), 0);
    assert_true(td_thread_is_alive(td_timer_thread(t)));
    assert_int_equal(td_timer_join(t, TD_FOREVER), 0);
    assert_int_equal(atomic_load(&s.calls), 1);
    assert_true(td_timer_fired(t));
    assert_true(s.fired_at - start >= 0.099);
    assert_true(s.fired_at - start < 0.1 + TEST_SLACK);
    td_timer_free(t);
}

static void cancel_before_firing(void **state)
{
    (void)state;
    struct shot s = { .fired_at = 0 };
    td_timer_t *t;
    assert_int_equal(td_timer_new(&t, 10.0, fire, &s), 0);
    assert_int_equal(td_timer_start(t), 0);
    double start = test_now();
    td_timer_cancel(t);
    assert_int_equal(td_timer_join(t, 5.0), 0);
    assert_true(test_now() - start < 1.0); /* the thread ended at once */
    assert_int_equal(atomic_load(&s.calls), 0);
    assert_false(td_timer_fired(t));
    td_timer_cancel(t); /* harmless afterwards */
    td_timer_free(t);
}

/* It fires the interval after start(), and only one start() is allowed. */
static void due_counts_from_start(void **state)
{
    (void)state;
    struct shot s = { .fired_at = 0 };
    td_timer_t *t;
    assert_int_equal(td_timer_new(&t, 0.1, fire, &s), 0);
    double start = test_now();
    assert_int_equal(td_timer_start(t), 0);
    assert_int_equal(td_timer_start(t), -EINVAL); /* a timer is started once */
    assert_int_equal(td_timer_join(t, TD_FOREVER), 0);
    assert_true(s.fired_at - start >= 0.099);
    assert_true(s.fired_at - start < 0.1 + TEST_SLACK);
    td_timer_free(t);
}

static void misuse(void **state)
{
    (void)state;
    td_timer_t *t;
    assert_int_equal(td_timer_new(&t, 1.0, NULL, NULL), -EINVAL);
    assert_int_equal(td_timer_new(&t, 0, fire, NULL), 0);
    assert_int_equal(td_timer_join(t, 0), -EINVAL); /* not started */
    td_timer_free(t); /* freeing an unstarted timer is fine */
}

static void free_while_pending_still_fires(void **state)
{
    (void)state;
    static struct shot s;
    td_timer_t *t;
    assert_int_equal(td_timer_new(&t, 0.05, fire, &s), 0);
    assert_int_equal(td_timer_start(t), 0);
    td_thread_t *thread = td_thread_ref(td_timer_thread(t));
    td_timer_free(t); /* the running timer keeps its own reference */
    assert_int_equal(td_thread_join(thread, TD_FOREVER), 0);
    td_thread_free(thread);
    assert_int_equal(atomic_load(&s.calls), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fires_after_interval),
        cmocka_unit_test(cancel_before_firing),
        cmocka_unit_test(due_counts_from_start),
        cmocka_unit_test(misuse),
        cmocka_unit_test(free_while_pending_still_fires),
    };
    return test_run_cases(tests);
}
