/* SPDX-License-Identifier: MIT */
/* test_observer.c - the instrumentation hook sees starts, exits, waits, sets,
 * acquires, releases and lines; removing it stops the reports. */
#include "helpers.h"

#include <stdatomic.h>
#include <unistd.h>

struct tally {
    atomic_int by_kind[TD_OBS_LINE + 1];
    atomic_int timeouts;
};

static struct tally tally;

static void count(const td_obs_event_t *ev, void *ctx)
{
    struct tally *t = ctx;
    atomic_fetch_add(&t->by_kind[ev->kind], 1);
    if (ev->kind == TD_OBS_WAIT_END && ev->result == -ETIMEDOUT)
        atomic_fetch_add(&t->timeouts, 1);
}

static const td_observer_t observer = { .notify = count, .ctx = &tally };

static void say_something(void *arg)
{
    (void)arg;
    td_print("from a thread");
}

static int kind(td_obs_kind_t k)
{
    return atomic_load(&tally.by_kind[k]);
}

static void reports_what_happens(void **state)
{
    (void)state;
    int devnull_fd = dup(1);
    assert_null(td_observer_set(&observer));
    td_lock_t l;
    td_lock_init(&l);
    td_lock_acquire(&l, true, TD_FOREVER);
    td_lock_release(&l);
    td_event_t e;
    td_event_init(&e);
    td_event_wait(&e, 0.01);
    td_event_set(&e);
    int old = td_log_set_fd(devnull_fd);
    test_join(test_start(say_something, NULL));
    td_log_set_fd(old);
    assert_ptr_equal(td_observer_set(NULL), &observer);
    close(devnull_fd);

    assert_int_equal(kind(TD_OBS_ACQUIRE), 1);
    assert_int_equal(kind(TD_OBS_RELEASE), 1);
    assert_int_equal(kind(TD_OBS_SET), 1);
    assert_int_equal(kind(TD_OBS_THREAD_START), 1);
    assert_int_equal(kind(TD_OBS_THREAD_EXIT), 1);
    assert_int_equal(kind(TD_OBS_LINE), 1);
    assert_true(kind(TD_OBS_WAIT_BEGIN) >= 2); /* the event wait and the join */
    assert_int_equal(kind(TD_OBS_WAIT_BEGIN), kind(TD_OBS_WAIT_END));
    assert_int_equal(atomic_load(&tally.timeouts), 1);

    /* Removed: nothing more is counted. */
    td_lock_acquire(&l, true, TD_FOREVER);
    td_lock_release(&l);
    assert_int_equal(kind(TD_OBS_ACQUIRE), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reports_what_happens),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
