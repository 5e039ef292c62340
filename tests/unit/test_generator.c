/* SPDX-License-Identifier: MIT */
/* test_generator.c - Python's generator protocol on coroutines. Names follow CPython's
 * Lib/test/test_inspect.py (TestGetGeneratorState) and test_generators.py where a
 * case is theirs. */
#include "helpers.h"

#include <stdio.h>
#include <string.h>

#define PTR(n) ((void *)(intptr_t)(n))
#define NUM(p) ((intptr_t)(p))

/* def simple(): yield 1; yield 2; yield 3; return 4 */
static void *one_two_three(td_gen_t *gen, void *arg)
{
    (void)arg;
    for (intptr_t i = 1; i <= 3; i++)
        td_gen_yield(gen, PTR(i), NULL);
    return PTR(4);
}

static void for_loop_takes_every_value(void **state)
{
    (void)state;
    td_gen_t *gen;
    intptr_t seen[8], n = 0;
    assert_int_equal(td_gen_new(&gen, one_two_three, NULL, NULL), 0);
    TD_GEN_FOREACH(value, gen)
    {
        assert_true(n < 8);
        seen[n++] = NUM(value);
    }
    assert_int_equal(n, 3);
    assert_int_equal(seen[0], 1);
    assert_int_equal(seen[1], 2);
    assert_int_equal(seen[2], 3);
    assert_int_equal(td_gen_state(gen), TD_CORO_CLOSED);
    assert_int_equal(NUM(td_gen_return_value(gen)), 4);
    td_gen_free(gen);
}

/* TestGetGeneratorState: test_created, test_suspended, test_closed_after_exhaustion */
static void test_created_suspended_closed_after_exhaustion(void **state)
{
    (void)state;
    td_gen_t *gen;
    void *value = PTR(-1);
    assert_int_equal(td_gen_new(&gen, one_two_three, NULL, NULL), 0);
    assert_string_equal(td_gen_state_name(td_gen_state(gen)), "GEN_CREATED");
    assert_null(td_gen_return_value(gen));
    assert_int_equal(td_gen_next(gen, &value), 0);
    assert_int_equal(NUM(value), 1);
    assert_string_equal(td_gen_state_name(td_gen_state(gen)), "GEN_SUSPENDED");
    assert_int_equal(td_gen_next(gen, NULL), 0);
    assert_int_equal(td_gen_next(gen, NULL), 0);
    assert_int_equal(td_gen_next(gen, &value), TD_ESTOP); /* StopIteration(4) */
    assert_int_equal(NUM(value), 4);
    assert_string_equal(td_gen_state_name(td_gen_state(gen)), "GEN_CLOSED");
    value = PTR(-1);
    assert_int_equal(td_gen_next(gen, &value), TD_ESTOP); /* again: StopIteration() */
    assert_null(value);
    assert_int_equal(NUM(td_gen_return_value(gen)), 4);
    td_gen_free(gen);
}

/* TestGetGeneratorState.test_running: the body sees itself running. */
struct running {
    td_gen_t *self;
    td_coro_state_t seen;
    int next_rc, close_rc;
};

static void *looks_at_itself(td_gen_t *gen, void *arg)
{
    struct running *r = arg;
    r->seen = td_gen_state(gen);
    r->next_rc = td_gen_next(gen, NULL); /* ValueError: generator already executing */
    r->close_rc = td_gen_close(gen);
    return NULL;
}

static void test_running(void **state)
{
    (void)state;
    struct running r = { 0 };
    assert_int_equal(td_gen_new(&r.self, looks_at_itself, &r, NULL), 0);
    assert_int_equal(td_gen_next(r.self, NULL), TD_ESTOP);
    assert_string_equal(td_gen_state_name(r.seen), "GEN_RUNNING");
    assert_int_equal(r.next_rc, -EBUSY);
    assert_int_equal(r.close_rc, -EBUSY);
    td_gen_free(r.self);
}

static void state_names(void **state)
{
    (void)state;
    assert_string_equal(td_gen_state_name(TD_CORO_CREATED), "GEN_CREATED");
    assert_string_equal(td_gen_state_name(TD_CORO_RUNNING), "GEN_RUNNING");
    assert_string_equal(td_gen_state_name(TD_CORO_SUSPENDED), "GEN_SUSPENDED");
    assert_string_equal(td_gen_state_name(TD_CORO_CLOSED), "GEN_CLOSED");
    assert_string_equal(td_gen_state_name((td_coro_state_t)-1), "?");
}

/* The seed's calculator: x = yield total; if x is None: break; total += x */
static void *calculator(td_gen_t *gen, void *arg)
{
    (void)arg;
    int total = 0;
    for (;;) {
        void *x;
        if (td_gen_yield(gen, &total, &x) != 0 || x == NULL) /* yields a pointer into */
            break;                                         /* this frame: it stays valid */
        total += *(const int *)x;
    }
    return NULL;
}

static void send_passes_values_in(void **state)
{
    (void)state;
    td_gen_t *gen;
    void *out;
    int ten = 10, twenty = 20, minus_five = -5;
    assert_int_equal(td_gen_new(&gen, calculator, NULL, NULL), 0);
    assert_int_equal(td_gen_next(gen, &out), 0);
    assert_int_equal(*(int *)out, 0);
    assert_int_equal(td_gen_send(gen, &ten, &out), 0);
    assert_int_equal(*(int *)out, 10);
    assert_int_equal(td_gen_send(gen, &twenty, &out), 0);
    assert_int_equal(*(int *)out, 30);
    assert_int_equal(td_gen_send(gen, &minus_five, &out), 0);
    assert_int_equal(*(int *)out, 25);
    assert_int_equal(td_gen_send(gen, NULL, &out), TD_ESTOP); /* x is None: break */
    assert_int_equal(td_gen_state(gen), TD_CORO_CLOSED);
    td_gen_free(gen);
}

/* test_generators.py: test_send_non_none_to_new_gen (TypeError), and the generator
 * is left as it was. */
static void test_send_non_none_to_new_gen(void **state)
{
    (void)state;
    td_gen_t *gen;
    int one = 1;
    void *out = PTR(-1);
    assert_int_equal(td_gen_new(&gen, calculator, NULL, NULL), 0);
    assert_int_equal(td_gen_send(gen, &one, &out), -EINVAL);
    assert_int_equal(NUM(out), -1);
    assert_int_equal(td_gen_state(gen), TD_CORO_CREATED);
    assert_int_equal(td_gen_send(gen, NULL, &out), 0); /* send(None) starts it */
    assert_int_equal(*(int *)out, 0);
    td_gen_free(gen);
}

/* try: yield ... finally: cleanup */
struct resource {
    int yields;
    bool released;
    bool ignore_close;
};

static void *with_finally(td_gen_t *gen, void *arg)
{
    struct resource *r = arg;
    for (;;) {
        int rc = td_gen_yield(gen, PTR(r->yields), NULL);
        if (rc == -ECANCELED && r->ignore_close) {
            r->ignore_close = false;
            continue;
        }
        if (rc != 0)
            break;
        r->yields++;
    }
    r->released = true; /* the finally: block */
    return NULL;
}

static void close_runs_cleanup(void **state)
{
    (void)state;
    struct resource r = { 0 };
    td_gen_t *gen;
    assert_int_equal(td_gen_new(&gen, with_finally, &r, NULL), 0);
    assert_int_equal(td_gen_next(gen, NULL), 0);
    assert_int_equal(td_gen_next(gen, NULL), 0);
    assert_false(r.released);
    assert_int_equal(td_gen_close(gen), 0);
    assert_true(r.released);
    assert_string_equal(td_gen_state_name(td_gen_state(gen)), "GEN_CLOSED");
    assert_int_equal(td_gen_next(gen, NULL), TD_ESTOP); /* closed: StopIteration */
    assert_int_equal(td_gen_close(gen), 0);
    assert_int_equal(r.yields, 1);
    td_gen_free(gen);
}

/* TestGetGeneratorState.test_closed_after_immediate_exception's cousin: close() of a
 * created generator closes it without running the body. */
static void close_of_created(void **state)
{
    (void)state;
    struct resource r = { 0 };
    td_gen_t *gen;
    assert_int_equal(td_gen_new(&gen, with_finally, &r, NULL), 0);
    assert_int_equal(td_gen_close(gen), 0);
    assert_false(r.released);
    assert_string_equal(td_gen_state_name(td_gen_state(gen)), "GEN_CLOSED");
    td_gen_free(gen);
}

/* RuntimeError("generator ignored GeneratorExit") */
static void close_ignored(void **state)
{
    (void)state;
    struct resource r = { .ignore_close = true };
    td_gen_t *gen;
    assert_int_equal(td_gen_new(&gen, with_finally, &r, NULL), 0);
    assert_int_equal(td_gen_next(gen, NULL), 0);
    assert_int_equal(td_gen_close(gen), -EPROTO);
    assert_string_equal(td_gen_state_name(td_gen_state(gen)), "GEN_SUSPENDED");
    td_gen_free(gen); /* closes it again: this time the body returns */
    assert_true(r.released);
}

/* A generator over a generator: (i * 2 for i in range(0, 9) if i % 2 == 0). */
struct range {
    intptr_t start, stop;
};

static void *range_gen(td_gen_t *gen, void *arg)
{
    const struct range *r = arg;
    for (intptr_t i = r->start; i < r->stop; i++)
        if (td_gen_yield(gen, PTR(i), NULL) != 0)
            break;
    return NULL;
}

static void *doubled_evens(td_gen_t *gen, void *arg)
{
    td_gen_t *source = arg;
    TD_GEN_FOREACH(i, source)
    {
        if (NUM(i) % 2 == 0 && td_gen_yield(gen, PTR(NUM(i) * 2), NULL) != 0)
            break;
    }
    return NULL;
}

static void generator_over_generator(void **state)
{
    (void)state;
    struct range r = { 0, 9 };
    td_gen_t *inner, *outer;
    assert_int_equal(td_gen_new(&inner, range_gen, &r, NULL), 0);
    assert_int_equal(td_gen_new(&outer, doubled_evens, inner, NULL), 0);
    char text[64] = "";
    TD_GEN_FOREACH(v, outer)
    {
        char item[8];
        snprintf(item, sizeof item, "%d,", (int)NUM(v));
        strcat(text, item);
    }
    assert_string_equal(text, "0,4,8,12,16,");
    assert_int_equal(td_gen_state(inner), TD_CORO_CLOSED);
    assert_int_equal(td_gen_state(outer), TD_CORO_CLOSED);
    td_gen_free(outer);
    td_gen_free(inner);
}

/* The seed's range loop: stop half-way, then close what is left. */
static void break_out_then_close(void **state)
{
    (void)state;
    struct range r = { 0, 10000000 };
    td_gen_t *gen;
    intptr_t found = -1;
    assert_int_equal(td_gen_new(&gen, range_gen, &r, NULL), 0);
    TD_GEN_FOREACH(value, gen)
    {
        if (NUM(value) == 50000) {
            found = NUM(value);
            break;
        }
    }
    assert_int_equal(found, 50000);
    assert_int_equal(td_gen_state(gen), TD_CORO_SUSPENDED);
    assert_int_equal(td_gen_close(gen), 0);
    td_gen_free(gen);
}

static void bad_arguments(void **state)
{
    (void)state;
    td_gen_t *gen;
    assert_int_equal(td_gen_new(&gen, NULL, NULL, NULL), -EINVAL);
    assert_int_equal(td_gen_new(NULL, one_two_three, NULL, NULL), -EINVAL);
    const td_coro_attr_t tiny = { .stack_size = 1 };
    assert_int_equal(td_gen_new(&gen, one_two_three, NULL, &tiny), -EINVAL);
    assert_int_equal(td_gen_next(NULL, NULL), -EINVAL);
    assert_int_equal(td_gen_send(NULL, NULL, NULL), -EINVAL);
    assert_int_equal(td_gen_close(NULL), -EINVAL);
    assert_int_equal(td_gen_yield(NULL, NULL, NULL), -EINVAL);
    assert_int_equal(td_gen_new(&gen, one_two_three, NULL, NULL), 0);
    assert_int_equal(td_gen_yield(gen, NULL, NULL), -EINVAL); /* not running */
    assert_int_equal(td_coro_stack_size(td_gen_coro(gen)), TD_CORO_STACK_DEFAULT);
    td_gen_free(gen);
    td_gen_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(for_loop_takes_every_value),
        cmocka_unit_test(test_created_suspended_closed_after_exhaustion),
        cmocka_unit_test(test_running),
        cmocka_unit_test(state_names),
        cmocka_unit_test(send_passes_values_in),
        cmocka_unit_test(test_send_non_none_to_new_gen),
        cmocka_unit_test(close_runs_cleanup),
        cmocka_unit_test(close_of_created),
        cmocka_unit_test(close_ignored),
        cmocka_unit_test(generator_over_generator),
        cmocka_unit_test(break_out_then_close),
        cmocka_unit_test(bad_arguments),
    };
    return test_run_cases(tests);
}
