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

/* The locals the destroy callbacks below use (a callback gets only the value). */
static td_local_t *used_at_exit, *self_using;
static atomic_int used_destroys, self_destroys;

static void count_used_destroy(void *value)
{
    (void)value;
    atomic_fetch_add(&used_destroys, 1);
}

/* Reads and writes another local while its own thread's values are destroyed. */
static void destroy_using_other(void *value)
{
    (void)value;
    int *other = td_local_get(used_at_exit);
    *other += 1;
}

/* Uses its own local again each time: a value made anew at every round. */
static void destroy_using_itself(void *value)
{
    (void)value;
    atomic_fetch_add(&self_destroys, 1);
    *(int *)td_local_get(self_using) = 42;
}

static void touch(void *arg)
{
    *(int *)td_local_get(arg) = 1;
}

/* Issue 21, bug fixed: a value a destroy callback made while its thread ended was
 * filed in the table being freed; it was never destroyed with the thread, and
 * td_local_free then wrote into the freed table (heap-use-after-free under ASan).
 * Now it is destroyed in a further round, as POSIX does for thread-specific data;
 * a callback that makes its own value again every time stops after 4 rounds. */
static void destroy_uses_locals_while_thread_ends(void **state)
{
    (void)state;
    atomic_store(&used_destroys, 0);
    atomic_store(&self_destroys, 0);
    td_local_t *uses_other;
    assert_int_equal(td_local_new(&used_at_exit, sizeof(int), NULL, NULL, count_used_destroy),
                     0);
    assert_int_equal(td_local_new(&uses_other, sizeof(int), NULL, NULL, destroy_using_other),
                     0);
    assert_int_equal(td_local_new(&self_using, sizeof(int), NULL, NULL, destroy_using_itself),
                     0);
    test_join(test_start(touch, uses_other));
    assert_int_equal(atomic_load(&used_destroys), 1); /* made at its end, gone with it */
    test_join(test_start(touch, self_using));
    assert_int_equal(atomic_load(&self_destroys), 4); /* then only freed */
    td_local_free(used_at_exit); /* walked the freed table before the fix */
    td_local_free(uses_other);
    td_local_free(self_using);
    assert_int_equal(atomic_load(&used_destroys), 1);
}

/* td_local_free runs the callbacks on the calling thread: one that uses the local
 * being freed there makes a value in its slot, which must not outlive the local
 * (before, a local made next took the slot and found that stale value). */
static void destroy_uses_its_local_while_freed(void **state)
{
    (void)state;
    atomic_store(&self_destroys, 0);
    assert_int_equal(td_local_new(&self_using, sizeof(int), NULL, NULL, destroy_using_itself),
                     0);
    *(int *)td_local_get(self_using) = 1;
    td_local_free(self_using);
    assert_int_equal(atomic_load(&self_destroys), 4);
    td_local_t *next;
    assert_int_equal(td_local_new(&next, sizeof(int), NULL, NULL, NULL), 0);
    assert_int_equal(*(int *)td_local_get(next), 0); /* a fresh value, not a stale 42 */
    td_local_free(next);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_thread_its_own),
        cmocka_unit_test(free_while_threads_hold_values),
        cmocka_unit_test(destroy_uses_locals_while_thread_ends),
        cmocka_unit_test(destroy_uses_its_local_while_freed),
    };
    return test_run_cases(tests);
}
