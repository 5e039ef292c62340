/* SPDX-License-Identifier: MIT */
/* test_pool.c - ThreadPoolExecutor and Future: results, errors, timeouts, cancel,
 * callbacks, worker names and lazy starting, shutdown, 10,000 tasks. */
#include "helpers.h"

#include <stdatomic.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int double_it(void *arg, void **result)
{
    *result = (void *)((uintptr_t)arg * 2);
    return 0;
}

static int fail_with_eio(void *arg, void **result)
{
    (void)arg;
    (void)result;
    return -EIO;
}

static int block_on_event(void *arg, void **result)
{
    td_event_wait(arg, TD_FOREVER);
    *result = arg;
    return 0;
}

static int record_name(void *arg, void **result)
{
    (void)result;
    snprintf(arg, 64, "%s", test_name(td_current_thread()));
    return 0;
}

static void default_max_workers(void **state)
{
    (void)state;
    cpu_set_t set;
    sched_getaffinity(0, sizeof set, &set);
    size_t cpus = (size_t)CPU_COUNT(&set);
    td_pool_t *pool;
    assert_int_equal(td_pool_new(&pool, 0, NULL), 0);
    assert_int_equal(td_pool_max_workers(pool), cpus + 4 < 32 ? cpus + 4 : 32);
    assert_int_equal(td_pool_threads(pool), 0); /* none until there is work */
    td_pool_free(pool);
}

static void names_and_lazy_workers(void **state)
{
    (void)state;
    td_pool_t *pool;
    assert_int_equal(td_pool_new(&pool, 4, NULL), 0);
    char name[64] = "";
    td_future_t *f;
    assert_int_equal(td_pool_submit(pool, record_name, name, &f), 0);
    assert_int_equal(td_future_result(f, TD_FOREVER, NULL), 0);
    td_future_free(f);
    assert_int_equal(strncmp(name, "ThreadPoolExecutor-", 19), 0);
    assert_int_equal(strcmp(name + strlen(name) - 2, "_0"), 0);
    /* One task, one worker: a pool of 4 does not start them all up front. */
    assert_int_equal(td_pool_threads(pool), 1);
    td_pool_free(pool);

    /* A second executor has the next K, named by CPython's rule. */
    td_pool_t *other;
    assert_int_equal(td_pool_new(&other, 1, "custom"), 0);
    assert_int_equal(td_pool_submit(other, record_name, name, &f), 0);
    td_future_result(f, TD_FOREVER, NULL);
    td_future_free(f);
    assert_string_equal(name, "custom_0");
    td_pool_free(other);
}

enum { TASKS = 10000 };

static void ten_thousand_tasks(void **state)
{
    (void)state;
    td_pool_t *pool;
    assert_int_equal(td_pool_new(&pool, 0, NULL), 0);
    static td_future_t *futures[TASKS];
    for (uintptr_t i = 0; i < TASKS; i++)
        assert_int_equal(td_pool_submit(pool, double_it, (void *)i, &futures[i]), 0);
    for (uintptr_t i = 0; i < TASKS; i++) {
        void *result = NULL;
        assert_int_equal(td_future_result(futures[i], TD_FOREVER, &result), 0);
        assert_int_equal((uintptr_t)result, i * 2);
        assert_true(td_future_done(futures[i]));
        td_future_free(futures[i]);
    }
    assert_true(td_pool_threads(pool) >= 1);
    assert_true(td_pool_threads(pool) <= td_pool_max_workers(pool));
    td_pool_free(pool);
}

static void errors_and_timeouts(void **state)
{
    (void)state;
    td_pool_t *pool;
    assert_int_equal(td_pool_new(&pool, 2, NULL), 0);
    td_future_t *f;
    assert_int_equal(td_pool_submit(pool, fail_with_eio, NULL, &f), 0);
    /* Its "exception": told apart from the wait's own outcome. */
    assert_int_equal(td_future_result(f, TD_FOREVER, NULL), TD_ETASK);
    int error = 0;
    assert_int_equal(td_future_exception(f, TD_FOREVER, &error), 0);
    assert_int_equal(error, -EIO);
    td_future_free(f);

    td_event_t go;
    td_event_init(&go);
    assert_int_equal(td_pool_submit(pool, block_on_event, &go, &f), 0);
    double start = test_now();
    assert_int_equal(td_future_result(f, 0.1, NULL), -ETIMEDOUT);
    assert_elapsed(start, 0.1);
    assert_false(td_future_done(f));
    td_event_set(&go);
    void *result = NULL;
    assert_int_equal(td_future_result(f, TD_FOREVER, &result), 0);
    assert_ptr_equal(result, &go);
    td_future_free(f);
    assert_int_equal(td_pool_submit(pool, NULL, NULL, &f), -EINVAL);
    td_pool_free(pool);
}

static atomic_int ran;

static int note_ran(void *arg, void **result)
{
    (void)arg;
    (void)result;
    atomic_fetch_add(&ran, 1);
    return 0;
}

static void wait_running(td_future_t *f)
{
    while (!td_future_running(f))
        test_pause(0.001);
}

static void cancel_before_and_after_start(void **state)
{
    (void)state;
    td_pool_t *pool;
    assert_int_equal(td_pool_new(&pool, 1, NULL), 0);
    td_event_t go;
    td_event_init(&go);
    atomic_init(&ran, 0);
    td_future_t *busy, *queued;
    assert_int_equal(td_pool_submit(pool, block_on_event, &go, &busy), 0);
    wait_running(busy);
    assert_false(td_future_cancel(busy)); /* running: too late */
    assert_true(td_future_running(busy));
    assert_int_equal(td_pool_submit(pool, note_ran, NULL, &queued), 0);
    assert_true(td_future_cancel(queued)); /* not started: cancelled */
    assert_true(td_future_cancel(queued)); /* and stays so */
    assert_true(td_future_cancelled(queued));
    assert_true(td_future_done(queued));
    td_event_set(&go);
    assert_int_equal(td_future_result(busy, TD_FOREVER, NULL), 0);
    assert_false(td_future_cancel(busy)); /* finished: too late */
    assert_int_equal(td_future_result(queued, TD_FOREVER, NULL), -ECANCELED);
    td_pool_shutdown(pool, true, false);
    assert_int_equal(atomic_load(&ran), 0); /* the cancelled task never ran */
    td_future_free(busy);
    td_future_free(queued);
    td_pool_free(pool);
}

/* Runs on the worker: records, never asserts (cmocka's state is per thread). */
/* A stack no mmap can give (beyond the address space): every thread start fails. */
#define IMPOSSIBLE_STACK ((size_t)1 << 62)

/* Issue 24: -EAGAIN from td_pool_submit queues nothing: with no worker and none
 * startable, fn never runs and *future is left alone. */
static void submit_eagain_queues_nothing(void **state)
{
    (void)state;
    td_pool_t *pool;
    assert_int_equal(td_pool_new(&pool, 2, NULL), 0);
    atomic_store(&ran, 0);
    size_t old;
    assert_int_equal(td_stack_size(IMPOSSIBLE_STACK, &old), 0);
    td_future_t *f = (td_future_t *)&old;
    int rc = td_pool_submit(pool, note_ran, NULL, &f);
    assert_int_equal(td_stack_size(old, NULL), 0);
    assert_int_equal(rc, -EAGAIN);
    assert_ptr_equal(f, (td_future_t *)&old);
    assert_int_equal(td_pool_threads(pool), 0);
    assert_int_equal(td_pool_submit(pool, note_ran, NULL, &f), 0); /* threads start again */
    assert_int_equal(td_future_result(f, TD_FOREVER, NULL), 0);
    td_future_free(f);
    td_pool_shutdown(pool, true, false);
    assert_int_equal(atomic_load(&ran), 1); /* only the second task ran */
    td_pool_free(pool);
}

/* Issue 24: when a worker exists but another cannot start, the task is queued for it
 * and submit returns 0, not -EAGAIN. */
static void submit_without_a_new_worker_queues(void **state)
{
    (void)state;
    td_pool_t *pool;
    assert_int_equal(td_pool_new(&pool, 2, NULL), 0);
    td_event_t go;
    td_event_init(&go);
    td_future_t *busy, *queued;
    assert_int_equal(td_pool_submit(pool, block_on_event, &go, &busy), 0);
    wait_running(busy); /* the one worker is busy: the next submit wants a second */
    size_t old;
    assert_int_equal(td_stack_size(IMPOSSIBLE_STACK, &old), 0);
    int rc = td_pool_submit(pool, double_it, (void *)21, &queued);
    assert_int_equal(td_stack_size(old, NULL), 0);
    assert_int_equal(rc, 0);
    assert_int_equal(td_pool_threads(pool), 1);
    td_event_set(&go);
    void *result = NULL;
    assert_int_equal(td_future_result(queued, TD_FOREVER, &result), 0);
    assert_int_equal((uintptr_t)result, 42);
    td_future_free(busy);
    td_future_free(queued);
    td_pool_free(pool);
    td_event_destroy(&go);
}

static void on_done(td_future_t *f, void *arg)
{
    if (td_future_done(f))
        atomic_fetch_add((atomic_int *)arg, 1);
}

static void done_callbacks(void **state)
{
    (void)state;
    td_pool_t *pool;
    assert_int_equal(td_pool_new(&pool, 1, NULL), 0);
    td_event_t go;
    td_event_init(&go);
    atomic_int calls;
    atomic_init(&calls, 0);
    td_future_t *f;
    assert_int_equal(td_pool_submit(pool, block_on_event, &go, &f), 0);
    assert_int_equal(td_future_add_done_callback(f, on_done, &calls), 0);
    assert_int_equal(td_future_add_done_callback(f, on_done, &calls), 0);
    assert_int_equal(atomic_load(&calls), 0);
    td_event_set(&go);
    td_future_result(f, TD_FOREVER, NULL);
    td_pool_shutdown(pool, true, false); /* the worker has run the callbacks */
    assert_int_equal(atomic_load(&calls), 2);
    assert_int_equal(td_future_add_done_callback(f, on_done, &calls), 0);
    assert_int_equal(atomic_load(&calls), 3); /* already done: called at once */
    td_future_free(f);
    td_pool_free(pool);
}

static void shutdown_rules(void **state)
{
    (void)state;
    td_pool_t *pool;
    assert_int_equal(td_pool_new(&pool, 1, NULL), 0);
    td_event_t go;
    td_event_init(&go);
    td_future_t *busy, *queued[3];
    assert_int_equal(td_pool_submit(pool, block_on_event, &go, &busy), 0);
    wait_running(busy);
    for (int i = 0; i < 3; i++)
        assert_int_equal(td_pool_submit(pool, note_ran, NULL, &queued[i]), 0);
    td_pool_shutdown(pool, false, true); /* cancel_futures: the queued ones go */
    td_future_t *late;
    assert_int_equal(td_pool_submit(pool, note_ran, NULL, &late), -ESHUTDOWN);
    for (int i = 0; i < 3; i++) {
        assert_true(td_future_cancelled(queued[i]));
        td_future_free(queued[i]);
    }
    td_event_set(&go);
    td_pool_shutdown(pool, true, false); /* waits for the running task */
    assert_true(td_future_done(busy));
    assert_int_equal(td_future_result(busy, 0, NULL), 0);
    td_future_free(busy);
    td_pool_free(pool);
}

/* td_shutdown() (the exit rule) shuts live pools down, so their workers end. */
static void exit_rule_shuts_pools_down(void **state)
{
    (void)state;
    td_pool_t *pool;
    assert_int_equal(td_pool_new(&pool, 2, NULL), 0);
    td_future_t *f;
    assert_int_equal(td_pool_submit(pool, double_it, (void *)21, &f), 0);
    td_future_result(f, TD_FOREVER, NULL);
    td_future_free(f);
    size_t before = td_active_count();
    assert_true(before >= 2);
    td_shutdown(); /* would hang here if the idle worker were not told to leave */
    assert_int_equal(td_active_count(), 1);
    assert_int_equal(td_pool_submit(pool, double_it, NULL, &f), -ESHUTDOWN);
    td_pool_free(pool);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(default_max_workers),
        cmocka_unit_test(names_and_lazy_workers),
        cmocka_unit_test(ten_thousand_tasks),
        cmocka_unit_test(errors_and_timeouts),
        cmocka_unit_test(cancel_before_and_after_start),
        cmocka_unit_test(done_callbacks),
        cmocka_unit_test(shutdown_rules),
        cmocka_unit_test(exit_rule_shuts_pools_down),
        cmocka_unit_test(submit_eagain_queues_nothing),
        cmocka_unit_test(submit_without_a_new_worker_queues),
    };
    return test_run_cases(tests);
}
