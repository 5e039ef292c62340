/* SPDX-License-Identifier: MIT */
/* test_local.c - threading.local: each thread sees its own value, made on first use
 * by init (Python's __init__ per thread), destroyed when the thread ends and, for
 * the threads still alive, when the local is freed. Ported in spirit from CPython's
 * Lib/test/test_threading_local.py (test_local_refs, test_derived, test_arguments). */
#include "helpers.h"

struct counter {
    int value;
    int init_arg;
};

static atomic_int inits, destroys;

static void count_init(void *value, void *arg)
{
    struct counter *c = value;
    c->init_arg = *(int *)arg;
    atomic_fetch_add(&inits, 1);
}

static void count_destroy(void *value)
{
    (void)value;
    atomic_fetch_add(&destroys, 1);
}

struct run {
    td_local_t *local;
    int seen_before, seen_after, init_arg;
};

static void use_local(void *arg)
{
    struct run *r = arg;
    struct counter *c = td_local_get(r->local);
    r->seen_before = c->value; /* a fresh value: 0, whatever other threads did */
    for (int i = 0; i < 1000; i++)
        c->value++;
    r->seen_after = ((struct counter *)td_local_get(r->local))->value;
    r->init_arg = c->init_arg;
}

/* test_arguments / test_derived: init runs once per thread with its argument, and
 * every thread's value is its own. */
static void each_thread_its_own(void **state)
{
    (void)state;
    atomic_store(&inits, 0);
    atomic_store(&destroys, 0);
    int arg = 17;
    td_local_t *local;
    assert_int_equal(td_local_new(&local, sizeof(struct counter), count_init, &arg,
                                  count_destroy),
                     0);
    struct counter *mine = td_local_get(local);
    mine->value = 5;
    enum { N = 8 };
    struct run runs[N];
    td_thread_t *threads[N];
    for (int i = 0; i < N; i++) {
        runs[i] = (struct run){ .local = local };
        threads[i] = test_start(use_local, &runs[i]);
    }
    for (int i = 0; i < N; i++) {
        test_join(threads[i]);
        assert_int_equal(runs[i].seen_before, 0);
        assert_int_equal(runs[i].seen_after, 1000);
        assert_int_equal(runs[i].init_arg, 17);
    }
    assert_int_equal(((struct counter *)td_local_get(local))->value, 5);
    assert_ptr_equal(td_local_get(local), mine);
    assert_int_equal(atomic_load(&inits), N + 1);
    /* test_local_refs: an ended thread's value is gone with it. */
    assert_int_equal(atomic_load(&destroys), N);
    td_local_free(local); /* the main thread's value goes now */
    assert_int_equal(atomic_load(&destroys), N + 1);
}

struct parked {
    td_local_t *local;
    td_event_t have_value, release;
};

static void hold_value(void *arg)
{
    struct parked *p = arg;
    td_local_get(p->local);
    td_event_set(&p->have_value);
    td_event_wait(&p->release, TD_FOREVER);
}

/* A local freed while threads that have values still run: their values are
 * destroyed by td_local_free, and nothing is destroyed twice when they end. Two
 * locals in one thread do not share a value. */
static void free_while_threads_hold_values(void **state)
{
    (void)state;
    atomic_store(&destroys, 0);
    int arg = 0;
    td_local_t *a, *b;
    assert_int_equal(td_local_new(&a, 8, count_init, &arg, count_destroy), 0);
    assert_int_equal(td_local_new(&b, 8, NULL, NULL, NULL), 0);
    assert_ptr_not_equal(td_local_get(a), td_local_get(b));
    struct parked p = { .local = a };
    td_event_init(&p.have_value);
    td_event_init(&p.release);
    td_thread_t *t = test_start(hold_value, &p);
    td_event_wait(&p.have_value, TD_FOREVER);
    td_local_free(a);
    assert_int_equal(atomic_load(&destroys), 2); /* main's and the thread's */
    td_event_set(&p.release);
    test_join(t);
    assert_int_equal(atomic_load(&destroys), 2);
    td_local_free(b);
    td_local_t *c;
    assert_int_equal(td_local_new(&c, 0, NULL, NULL, NULL), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_thread_its_own),
        cmocka_unit_test(free_while_threads_hold_values),
    };
    return test_run_cases(tests);
}
