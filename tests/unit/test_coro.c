/* SPDX-License-Identifier: MIT */
/* test_coro.c - stackful coroutines: states through a whole life, values both ways,
 * close and its unwinding, nested and closed resumes refused, many coroutines at
 * once, coroutines on two threads at once, and (in a child process, coro_child.c) a
 * stack overflow caught by the guard page, a fault passed on, the limit of mappings. */
#include "helpers.h"

#include <fenv.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#if TD__TSAN || TD__ASAN
#define UNDER_SANITIZER 1
#endif

#define PTR(n) ((void *)(intptr_t)(n))
#define NUM(p) ((intptr_t)(p))

/* ---- states and values -------------------------------------------------------------- */

struct life {
    td_coro_t *co;
    td_coro_state_t seen_inside; /* the state the body saw of itself */
    td_coro_t *current_inside;
};

static void *three_steps(td_coro_t *co, void *arg)
{
    struct life *l = arg;
    l->seen_inside = td_coro_state(co);
    l->current_inside = td_coro_current();
    td_coro_yield(co, PTR(1), NULL);
    td_coro_yield(co, PTR(2), NULL);
    return PTR(99);
}

static void states_through_a_whole_life(void **state)
{
    (void)state;
    struct life l = { 0 };
    void *out = NULL;
    assert_int_equal(td_coro_new(&l.co, three_steps, &l, NULL), 0);
    assert_int_equal(td_coro_state(l.co), TD_CORO_CREATED);
    assert_null(td_coro_current());

    assert_int_equal(td_coro_resume(l.co, NULL, &out), 0);
    assert_int_equal(NUM(out), 1);
    assert_int_equal(l.seen_inside, TD_CORO_RUNNING);
    assert_ptr_equal(l.current_inside, l.co);
    assert_int_equal(td_coro_state(l.co), TD_CORO_SUSPENDED);
    assert_null(td_coro_current());

    assert_int_equal(td_coro_resume(l.co, NULL, &out), 0);
    assert_int_equal(NUM(out), 2);
    assert_int_equal(td_coro_resume(l.co, NULL, &out), TD_ESTOP);
    assert_int_equal(NUM(out), 99); /* the return value, once */
    assert_int_equal(td_coro_state(l.co), TD_CORO_CLOSED);
    td_coro_free(l.co);
}

static void state_names(void **state)
{
    (void)state;
    assert_string_equal(td_coro_state_name(TD_CORO_CREATED), "CORO_CREATED");
    assert_string_equal(td_coro_state_name(TD_CORO_RUNNING), "CORO_RUNNING");
    assert_string_equal(td_coro_state_name(TD_CORO_SUSPENDED), "CORO_SUSPENDED");
    assert_string_equal(td_coro_state_name(TD_CORO_CLOSED), "CORO_CLOSED");
    assert_string_equal(td_coro_state_name((td_coro_state_t)42), "?");
}

/* A running total: each resume's value is added, each yield hands the total back. */
static void *accumulate(td_coro_t *co, void *arg)
{
    (void)arg;
    intptr_t total = 0;
    void *sent;
    while (td_coro_yield(co, PTR(total), &sent) == 0 && sent != NULL)
        total += *(int *)sent;
    return PTR(-total);
}

static void send_values_both_ways(void **state)
{
    (void)state;
    td_coro_t *co;
    void *out;
    int ten = 10, twenty = 20, minus_five = -5;
    assert_int_equal(td_coro_new(&co, accumulate, NULL, NULL), 0);
    /* Python's rule: the first send must be None, and the refusal changes nothing. */
    assert_int_equal(td_coro_resume(co, &ten, &out), -EINVAL);
    assert_int_equal(td_coro_state(co), TD_CORO_CREATED);
    assert_int_equal(td_coro_resume(co, NULL, &out), 0);
    assert_int_equal(NUM(out), 0);
    assert_int_equal(td_coro_resume(co, &ten, &out), 0);
    assert_int_equal(NUM(out), 10);
    assert_int_equal(td_coro_resume(co, &twenty, &out), 0);
    assert_int_equal(NUM(out), 30);
    assert_int_equal(td_coro_resume(co, &minus_five, NULL), 0); /* out may be NULL */
    assert_int_equal(td_coro_resume(co, NULL, &out), TD_ESTOP);
    assert_int_equal(NUM(out), -25);
    td_coro_free(co);
}

/* ---- close ---------------------------------------------------------------------------- */

struct cleanup {
    int yields_seen;   /* yields that returned 0 */
    int cancels_seen;  /* yields that returned -ECANCELED */
    bool cleaned_up;
    bool yield_again;  /* ignore the close: yield once more */
    void *sent_on_cancel;
};

static void *holds_a_resource(td_coro_t *co, void *arg)
{
    struct cleanup *c = arg;
    for (;;) {
        void *sent = PTR(7);
        int rc = td_coro_yield(co, NULL, &sent);
        if (rc == 0) {
            c->yields_seen++;
            continue;
        }
        c->cancels_seen++;
        c->sent_on_cancel = sent;
        if (c->yield_again) {
            c->yield_again = false;
            continue; /* the misbehaviour close() reports */
        }
        break;
    }
    c->cleaned_up = true;
    return PTR(5);
}

static void close_of_suspended_unwinds(void **state)
{
    (void)state;
    struct cleanup c = { 0 };
    td_coro_t *co;
    assert_int_equal(td_coro_new(&co, holds_a_resource, &c, NULL), 0);
    assert_int_equal(td_coro_resume(co, NULL, NULL), 0);
    assert_int_equal(td_coro_resume(co, NULL, NULL), 0);
    assert_int_equal(c.yields_seen, 1);
    assert_int_equal(td_coro_close(co), 0);
    assert_int_equal(c.cancels_seen, 1);
    assert_null(c.sent_on_cancel);
    assert_true(c.cleaned_up);
    assert_int_equal(td_coro_state(co), TD_CORO_CLOSED);
    assert_int_equal(td_coro_close(co), 0); /* closing a closed one: nothing to do */
    assert_int_equal(c.cancels_seen, 1);
    td_coro_free(co);
}

static void close_of_created_never_runs_it(void **state)
{
    (void)state;
    struct cleanup c = { 0 };
    td_coro_t *co;
    assert_int_equal(td_coro_new(&co, holds_a_resource, &c, NULL), 0);
    assert_int_equal(td_coro_close(co), 0);
    assert_int_equal(td_coro_state(co), TD_CORO_CLOSED);
    assert_int_equal(td_coro_resume(co, NULL, NULL), -EINVAL);
    assert_int_equal(c.yields_seen + c.cancels_seen, 0);
    assert_false(c.cleaned_up);
    td_coro_free(co);
}

/* Python: RuntimeError("generator ignored GeneratorExit"); the generator stays
 * suspended and runs normally when resumed. */
static void close_ignored_is_eproto(void **state)
{
    (void)state;
    struct cleanup c = { .yield_again = true };
    td_coro_t *co;
    assert_int_equal(td_coro_new(&co, holds_a_resource, &c, NULL), 0);
    assert_int_equal(td_coro_resume(co, NULL, NULL), 0);
    assert_int_equal(td_coro_close(co), -EPROTO);
    assert_int_equal(td_coro_state(co), TD_CORO_SUSPENDED);
    assert_false(c.cleaned_up);
    assert_int_equal(td_coro_resume(co, NULL, NULL), 0); /* an ordinary yield again */
    assert_int_equal(c.yields_seen, 1);
    assert_int_equal(td_coro_close(co), 0);               /* this time it returns */
    assert_true(c.cleaned_up);
    td_coro_free(co);
}

static void free_of_suspended_closes_it(void **state)
{
    (void)state;
    struct cleanup c = { 0 };
    td_coro_t *co;
    assert_int_equal(td_coro_new(&co, holds_a_resource, &c, NULL), 0);
    assert_int_equal(td_coro_resume(co, NULL, NULL), 0);
    td_coro_free(co);
    assert_int_equal(c.cancels_seen, 1);
    assert_true(c.cleaned_up);
    td_coro_free(NULL);
}

/* ---- refused calls ---------------------------------------------------------------------- */

struct nested {
    td_coro_t *self, *other;
    int self_resume, self_close, other_resume, yield_other;
};

static void *resumes_itself(td_coro_t *co, void *arg)
{
    struct nested *n = arg;
    n->self_resume = td_coro_resume(co, NULL, NULL);
    n->self_close = td_coro_close(co);
    if (n->other) {
        n->other_resume = td_coro_resume(n->other, NULL, NULL); /* its resumer: running */
        n->yield_other = td_coro_yield(n->other, NULL, NULL);   /* not the current one */
    }
    return NULL;
}

static void *resumes_the_other(td_coro_t *co, void *arg)
{
    (void)co;
    struct nested *n = arg;
    td_coro_resume(n->other, NULL, NULL);
    return NULL;
}

static void nested_resume_is_rejected(void **state)
{
    (void)state;
    struct nested n = { 0 };
    assert_int_equal(td_coro_new(&n.self, resumes_itself, &n, NULL), 0);
    assert_int_equal(td_coro_resume(n.self, NULL, NULL), TD_ESTOP);
    assert_int_equal(n.self_resume, -EBUSY); /* ValueError: generator already executing */
    assert_int_equal(n.self_close, -EBUSY);
    td_coro_free(n.self);

    /* a resumes b, b resumes a (which is running, inside its resume of b). */
    struct nested b_side = { 0 };
    td_coro_t *a;
    assert_int_equal(td_coro_new(&b_side.self, resumes_itself, &b_side, NULL), 0);
    struct nested a_side = { .other = b_side.self };
    assert_int_equal(td_coro_new(&a, resumes_the_other, &a_side, NULL), 0);
    b_side.other = a;
    assert_int_equal(td_coro_resume(a, NULL, NULL), TD_ESTOP);
    assert_int_equal(b_side.other_resume, -EBUSY);
    assert_int_equal(b_side.yield_other, -EINVAL);
    assert_int_equal(td_coro_state(b_side.self), TD_CORO_CLOSED);
    td_coro_free(a);
    td_coro_free(b_side.self);
}

static void resuming_closed_is_rejected(void **state)
{
    (void)state;
    td_coro_t *co;
    void *out = PTR(3);
    assert_int_equal(td_coro_new(&co, accumulate, NULL, NULL), 0);
    assert_int_equal(td_coro_resume(co, NULL, NULL), 0);
    assert_int_equal(td_coro_resume(co, NULL, NULL), TD_ESTOP);
    assert_int_equal(td_coro_resume(co, NULL, &out), -EINVAL);
    assert_int_equal(NUM(out), 3); /* untouched */
    assert_int_equal(td_coro_resume(NULL, NULL, NULL), -EINVAL);
    td_coro_free(co);
}

static void *noop(td_coro_t *co, void *arg)
{
    (void)co;
    return arg;
}

static void bad_arguments(void **state)
{
    (void)state;
    td_coro_t *co;
    assert_int_equal(td_coro_new(&co, NULL, NULL, NULL), -EINVAL);
    assert_int_equal(td_coro_new(NULL, noop, NULL, NULL), -EINVAL);
    const td_coro_attr_t tiny = { .stack_size = TD_CORO_STACK_MIN - 1 };
    assert_int_equal(td_coro_new(&co, noop, NULL, &tiny), -EINVAL);
    /* Outside any coroutine there is nothing to yield from. */
    td_coro_trim(); /* a reused stack would still have the pages its last user touched */
    assert_int_equal(td_coro_new(&co, noop, NULL, NULL), 0);
    assert_int_equal(td_coro_yield(co, NULL, NULL), -EINVAL);
    assert_int_equal(td_coro_yield(NULL, NULL, NULL), -EINVAL);
    assert_int_equal(td_coro_stack_size(co), TD_CORO_STACK_DEFAULT);
    assert_int_equal(td_coro_stack_touched(co), 0); /* prepared lazily: nothing touched */
    assert_int_equal(td_coro_close(NULL), -EINVAL);
    td_coro_free(co);
    /* An odd size is rounded up to whole pages. */
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    const td_coro_attr_t odd = { .stack_size = TD_CORO_STACK_MIN + 1 };
    assert_int_equal(td_coro_new(&co, noop, NULL, &odd), 0);
    assert_int_equal(td_coro_stack_size(co), TD_CORO_STACK_MIN + page);
    assert_int_equal(td_coro_resume(co, NULL, NULL), TD_ESTOP);
    assert_true(td_coro_stack_touched(co) >= page);
    td_coro_free(co);
    assert_non_null(td_coro_switch_method());
}

/* ---- nesting ----------------------------------------------------------------------------- */

struct chain {
    td_coro_t *outer, *inner;
    td_coro_t *current_in_outer_after; /* current, in outer, after inner yielded back */
    intptr_t got[3];
};

static void *inner_body(td_coro_t *co, void *arg)
{
    (void)arg;
    td_coro_yield(co, PTR(10), NULL);
    td_coro_yield(co, PTR(20), NULL);
    return PTR(30);
}

/* Like a generator looping over another generator: the inner yields come to us. */
static void *outer_body(td_coro_t *co, void *arg)
{
    struct chain *c = arg;
    void *v;
    for (int i = 0; i < 3; i++) {
        td_coro_resume(c->inner, NULL, &v);
        c->got[i] = NUM(v);
    }
    c->current_in_outer_after = td_coro_current();
    td_coro_yield(co, PTR(c->got[0] + c->got[1] + c->got[2]), NULL);
    return NULL;
}

static void nested_coroutines_yield_to_their_resumer(void **state)
{
    (void)state;
    struct chain c = { 0 };
    void *out;
    assert_int_equal(td_coro_new(&c.inner, inner_body, NULL, NULL), 0);
    assert_int_equal(td_coro_new(&c.outer, outer_body, &c, NULL), 0);
    assert_int_equal(td_coro_resume(c.outer, NULL, &out), 0);
    assert_int_equal(NUM(out), 60);
    assert_int_equal(c.got[0], 10);
    assert_int_equal(c.got[1], 20);
    assert_int_equal(c.got[2], 30);
    assert_ptr_equal(c.current_in_outer_after, c.outer);
    assert_int_equal(td_coro_state(c.inner), TD_CORO_CLOSED);
    assert_null(td_coro_current());
    td_coro_free(c.outer);
    td_coro_free(c.inner);
}

/* ---- many at once ------------------------------------------------------------------------ */

enum { MANY = TD__TSAN ? 1000 : 10000 }; /* every TSan fiber carries a large state */
enum { ROUNDS = 5 };

/* Yields its index, then index+1, ...: the count lives in this frame, on this stack. */
static void *count_from(td_coro_t *co, void *arg)
{
    for (intptr_t n = NUM(arg);; n++)
        if (td_coro_yield(co, PTR(n), NULL) != 0)
            return NULL;
}

static void many_coroutines_alive_at_once(void **state)
{
    (void)state;
    static td_coro_t *coros[MANY];
    const td_coro_attr_t attr = { .stack_size = 64 * 1024 };
    for (intptr_t i = 0; i < MANY; i++)
        assert_int_equal(td_coro_new(&coros[i], count_from, PTR(i * 1000), &attr), 0);
    bool all_right = true;
    size_t touched_max = 0;
    for (intptr_t round = 0; round < ROUNDS; round++) {
        for (intptr_t i = 0; i < MANY; i++) { /* round robin: each keeps its own count */
            void *out;
            all_right &= td_coro_resume(coros[i], NULL, &out) == 0;
            all_right &= NUM(out) == i * 1000 + round;
        }
    }
    for (intptr_t i = 0; i < MANY; i += MANY / 10) {
        size_t touched = td_coro_stack_touched(coros[i]);
        touched_max = touched > touched_max ? touched : touched_max;
    }
    for (intptr_t i = 0; i < MANY; i++)
        td_coro_free(coros[i]);
    assert_true(all_right);
    assert_true(touched_max > 0);
    assert_true(touched_max <= attr.stack_size);
}

/* ---- threads ------------------------------------------------------------------------------ */

enum { THREAD_SWITCHES = 100000 };

struct per_thread {
    td_barrier_t *start;
    int new_rc;
    long wrong;    /* resumes that gave a wrong value or code */
    long switches;
    bool current_right;
};

static void *counts_up(td_coro_t *co, void *arg)
{
    struct per_thread *p = arg;
    for (intptr_t n = 0;; n++) {
        p->current_right &= td_coro_current() == co;
        if (td_coro_yield(co, PTR(n), NULL) != 0)
            return NULL;
    }
}

static void run_own_coroutine(void *arg)
{
    struct per_thread *p = arg;
    td_coro_t *co;
    p->current_right = true;
    p->new_rc = td_coro_new(&co, counts_up, p, NULL);
    td_barrier_wait(p->start, TD_FOREVER); /* both threads switch at the same time */
    if (p->new_rc != 0)
        return;
    for (intptr_t i = 0; i < THREAD_SWITCHES; i++) {
        void *out;
        if (td_coro_resume(co, NULL, &out) != 0 || NUM(out) != i)
            p->wrong++;
        p->switches++;
    }
    td_coro_free(co);
}

static void a_coroutine_per_thread_on_two_threads(void **state)
{
    (void)state;
    td_barrier_t start;
    assert_int_equal(td_barrier_init(&start, 2, NULL, NULL, TD_FOREVER), 0);
    struct per_thread p[2] = { { .start = &start }, { .start = &start } };
    td_thread_t *t0 = test_start(run_own_coroutine, &p[0]);
    td_thread_t *t1 = test_start(run_own_coroutine, &p[1]);
    test_join(t0);
    test_join(t1);
    td_barrier_destroy(&start);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(p[i].new_rc, 0);
        assert_int_equal(p[i].switches, THREAD_SWITCHES);
        assert_int_equal(p[i].wrong, 0);
        assert_true(p[i].current_right);
    }
}

/* A coroutine started on one thread continues on another (one at a time). */
struct handoff {
    td_coro_t *co;
    int rc;
    void *out;
};

static void resume_here(void *arg)
{
    struct handoff *h = arg;
    h->rc = td_coro_resume(h->co, NULL, &h->out);
}

static void resumed_on_another_thread(void **state)
{
    (void)state;
    struct handoff h;
    void *out;
    assert_int_equal(td_coro_new(&h.co, count_from, PTR(100), NULL), 0);
    assert_int_equal(td_coro_resume(h.co, NULL, &out), 0);
    assert_int_equal(NUM(out), 100);
    test_join(test_start(resume_here, &h));
    assert_int_equal(h.rc, 0);
    assert_int_equal(NUM(h.out), 101);
    assert_int_equal(td_coro_resume(h.co, NULL, &out), 0);
    assert_int_equal(NUM(out), 102);
    td_coro_free(h.co);
}

/* While one thread runs it, a resume from another thread is refused. */
struct blocked {
    td_event_t inside, release;
    td_coro_t *co;
    int rc;
};

static void *waits_inside(td_coro_t *co, void *arg)
{
    struct blocked *b = arg;
    td_event_set(&b->inside);
    td_event_wait(&b->release, TD_FOREVER);
    td_coro_yield(co, NULL, NULL);
    return NULL;
}

static void resume_blocked_coroutine(void *arg)
{
    struct blocked *b = arg;
    b->rc = td_coro_resume(b->co, NULL, NULL);
}

static void concurrent_resume_is_rejected(void **state)
{
    (void)state;
    struct blocked b;
    td_event_init(&b.inside);
    td_event_init(&b.release);
    assert_int_equal(td_coro_new(&b.co, waits_inside, &b, NULL), 0);
    td_thread_t *t = test_start(resume_blocked_coroutine, &b);
    td_event_wait(&b.inside, TD_FOREVER);
    assert_int_equal(td_coro_state(b.co), TD_CORO_RUNNING);
    assert_int_equal(td_coro_resume(b.co, NULL, NULL), -EBUSY);
    assert_int_equal(td_coro_close(b.co), -EBUSY);
    td_event_set(&b.release);
    test_join(t);
    assert_int_equal(b.rc, 0);
    assert_int_equal(td_coro_state(b.co), TD_CORO_SUSPENDED);
    td_coro_free(b.co);
}

/* ---- the observer sees every switch --------------------------------------------------------- */

struct switches {
    const void *object;
    int resumes, suspends, stops;
};

static void count_switches(const td_obs_event_t *ev, void *ctx)
{
    struct switches *s = ctx;
    if (ev->object != s->object)
        return;
    s->resumes += ev->kind == TD_OBS_CORO_RESUME;
    s->suspends += ev->kind == TD_OBS_CORO_SUSPEND;
    s->stops += ev->kind == TD_OBS_CORO_SUSPEND && ev->result == TD_ESTOP;
}

static void observer_sees_switches(void **state)
{
    (void)state;
    struct switches s = { 0 };
    td_observer_t obs = { .notify = count_switches, .ctx = &s };
    td_coro_t *co;
    struct life l = { 0 };
    assert_int_equal(td_coro_new(&co, three_steps, &l, NULL), 0);
    s.object = co;
    const td_observer_t *before = td_observer_set(&obs);
    while (td_coro_resume(co, NULL, NULL) == 0)
        ;
    td_observer_set(before);
    td_coro_free(co);
    assert_int_equal(s.resumes, 3);
    assert_int_equal(s.suspends, 3);
    assert_int_equal(s.stops, 1);
}

/* ---- shared (copied) stacks ------------------------------------------------------------ */

/* A body whose locals at several depths must survive every switch: it recurses to
 * `depth` frames, each holding a checksum of its own, yields at the bottom `rounds`
 * times (each value made from every frame's locals), and checks them all on the way
 * back up. big: the bottom frame holds 8 KiB of locals too. */
/* A shared stack of the default size in *stack, and the attributes that put a new
 * coroutine on it. */
static td_coro_attr_t new_shared_stack(td_coro_stack_t **stack)
{
    assert_int_equal(td_coro_stack_new(stack, 0), 0);
    return (td_coro_attr_t){ .shared = *stack };
}

/* Yields 0, 1, 2, ... until closed. */
static void *counts_up_forever(td_coro_t *co, void *arg)
{
    (void)arg;
    for (intptr_t n = 0;; n++)
        if (td_coro_yield(co, PTR(n), NULL) != 0)
            return NULL;
}

struct deep {
    int depth, rounds;
    bool big;
    int bad; /* frames whose locals changed behind their back */
};

/* A frame's value from the one above it, wrapping (unsigned) rather than overflowing. */
static intptr_t mix(intptr_t above, int level, int i)
{
    return (intptr_t)((uintptr_t)above * 31u + (uintptr_t)(level * 8 + i));
}

static intptr_t add(intptr_t a, intptr_t b)
{
    return (intptr_t)((uintptr_t)a + (uintptr_t)b);
}

/* The bottom frame: yields, with 8 KiB of locals of its own to check. */
static __attribute__((noinline)) void yields_with_a_large_frame(td_coro_t *co, struct deep *d,
                                                                 intptr_t value)
{
    volatile unsigned char large[8192];
    for (size_t i = 0; i < sizeof large; i++)
        large[i] = (unsigned char)(i * 7 + (size_t)value);
    for (int r = 0; r < d->rounds; r++) {
        td_coro_yield(co, PTR(add(value, r)), NULL);
        for (size_t i = 0; i < sizeof large; i++)
            d->bad += large[i] != (unsigned char)(i * 7 + (size_t)value);
    }
}

static __attribute__((noinline)) void yields(td_coro_t *co, struct deep *d, intptr_t value)
{
    for (int r = 0; r < d->rounds; r++)
        td_coro_yield(co, PTR(add(value, r)), NULL);
}

static __attribute__((noinline)) intptr_t descend(td_coro_t *co, struct deep *d, int level,
                                                  intptr_t above)
{
    volatile intptr_t mine[8];
    for (int i = 0; i < 8; i++)
        mine[i] = mix(above, level, i);
    intptr_t sum = 0;
    if (level < d->depth)
        sum = descend(co, d, level + 1, mine[7]);
    else if (d->big)
        yields_with_a_large_frame(co, d, mine[7]);
    else
        yields(co, d, mine[7]);
    for (int i = 0; i < 8; i++)
        d->bad += mine[i] != mix(above, level, i);
    return add(sum, mine[0]);
}

static void *deep_body(td_coro_t *co, void *arg)
{
    struct deep *d = arg;
    return PTR(descend(co, d, 0, 1));
}

/* What deep_body yields at round r, computed the same way without a coroutine. */
static intptr_t expected_yield(int depth, int r)
{
    intptr_t above = 1;
    for (int level = 0; level <= depth; level++)
        above = mix(above, level, 7);
    return add(above, r);
}

static intptr_t expected_return(int depth)
{
    intptr_t above = 1, sum = 0;
    for (int level = 0; level <= depth; level++) {
        sum = add(sum, mix(above, level, 0));
        above = mix(above, level, 7);
    }
    return sum;
}

enum { SHARERS = 3, SHARED_ROUNDS = 5 };

static void coroutines_on_one_shared_stack_keep_their_locals(void **state)
{
    (void)state;
    td_coro_stack_t *stack;
    assert_int_equal(td_coro_stack_new(&stack, 0), 0);
    struct deep d[SHARERS] = { { 2, SHARED_ROUNDS, false, 0 }, { 40, SHARED_ROUNDS, false, 0 },
                               { 5, SHARED_ROUNDS, true, 0 } };
    td_coro_t *co[SHARERS];
    for (int i = 0; i < SHARERS; i++) {
        assert_int_equal(td_coro_new(&co[i], deep_body, &d[i],
                                     &(td_coro_attr_t){ .shared = stack }), 0);
        assert_ptr_equal(td_coro_shared_stack(co[i]), stack);
        assert_int_equal(td_coro_stack_size(co[i]), TD_CORO_STACK_DEFAULT);
    }
    /* Interleaved in a changing order: 0 1 2, 2 1 0, 0 1 2, ... and twice in a row. */
    int next[SHARERS] = { 0 };
    for (int round = 0; round <= SHARED_ROUNDS; round++) {
        for (int k = 0; k < SHARERS; k++) {
            int i = round % 2 ? SHARERS - 1 - k : k;
            void *out;
            int rc = td_coro_resume(co[i], NULL, &out);
            if (next[i] < SHARED_ROUNDS) {
                assert_int_equal(rc, 0);
                assert_int_equal(NUM(out), expected_yield(d[i].depth, next[i]));
            } else {
                assert_int_equal(rc, TD_ESTOP);
                assert_int_equal(NUM(out), expected_return(d[i].depth));
            }
            next[i]++;
        }
    }
    for (int i = 0; i < SHARERS; i++) {
        assert_int_equal(d[i].bad, 0);
        assert_int_equal(td_coro_state(co[i]), TD_CORO_CLOSED);
        td_coro_free(co[i]);
    }
    td_coro_stack_free(stack);
}

/* A suspended coroutine of a shared stack costs the bytes it saved, not a page. */
static void a_shallow_coroutine_saves_a_few_hundred_bytes(void **state)
{
    (void)state;
    td_coro_stack_t *stack;
    assert_int_equal(td_coro_stack_new(&stack, 0), 0);
    td_coro_t *a, *b;
    const td_coro_attr_t attr = { .shared = stack };
    assert_int_equal(td_coro_new(&a, counts_up_forever, NULL, &attr), 0);
    assert_int_equal(td_coro_new(&b, counts_up_forever, NULL, &attr), 0);
    assert_int_equal(td_coro_resume(a, NULL, NULL), 0);
    assert_int_equal(td_coro_stack_touched(a), 0); /* still on the stack: nothing saved */
    assert_int_equal(td_coro_resume(b, NULL, NULL), 0);
    size_t saved = td_coro_stack_touched(a);
    assert_true(saved > 0);
#ifndef UNDER_SANITIZER
    assert_true(saved < 1024);
#endif
    td_coro_free(a);
    td_coro_free(b);
    td_coro_stack_free(stack);
}

/* The occupant freed: the stack is free for the others. A non-occupant freed while
 * suspended is closed first: moved back in and unwound, the occupant saved. */
struct unwinding {
    int cleaned;
};

static void *cleans_up(td_coro_t *co, void *arg)
{
    struct unwinding *u = arg;
    volatile intptr_t mine = 1234;
    for (intptr_t n = 0;; n++) {
        if (td_coro_yield(co, PTR(n + mine), NULL) != 0) {
            u->cleaned += mine == 1234;
            return NULL;
        }
    }
}

static void free_of_the_occupant_and_of_another(void **state)
{
    (void)state;
    td_coro_stack_t *stack;
    const td_coro_attr_t attr = new_shared_stack(&stack);
    struct unwinding u = { 0 };
    td_coro_t *a, *b, *c;
    void *out;
    assert_int_equal(td_coro_new(&a, cleans_up, &u, &attr), 0);
    assert_int_equal(td_coro_new(&b, cleans_up, &u, &attr), 0);
    assert_int_equal(td_coro_new(&c, cleans_up, &u, &attr), 0);
    assert_int_equal(td_coro_resume(a, NULL, &out), 0);
    assert_int_equal(td_coro_resume(b, NULL, &out), 0); /* a saved, b occupies */
    td_coro_free(b);                                    /* the occupant: unwound in place */
    assert_int_equal(u.cleaned, 1);
    assert_int_equal(td_coro_resume(c, NULL, &out), 0); /* c occupies */
    td_coro_free(a);                                    /* not the occupant: moved in, unwound */
    assert_int_equal(u.cleaned, 2);
    assert_int_equal(td_coro_resume(c, NULL, &out), 0); /* c comes back intact */
    assert_int_equal(NUM(out), 1235);
    td_coro_t *never;
    assert_int_equal(td_coro_new(&never, cleans_up, &u, &attr), 0);
    td_coro_free(never); /* never ran: nothing to unwind */
    td_coro_free(c);
    assert_int_equal(u.cleaned, 3);
    td_coro_stack_free(stack);
}

/* A coroutine cannot resume a sibling of its own shared stack: its frames are on it. */
struct sibling {
    td_coro_t *other;
    int rc;
};

static void *resumes_sibling(td_coro_t *co, void *arg)
{
    struct sibling *s = arg;
    s->rc = td_coro_resume(s->other, NULL, NULL);
    td_coro_yield(co, NULL, NULL);
    return NULL;
}

/* A sibling freed from a coroutine of the same stack: it cannot be moved in to be
 * closed (the stack is in use here), so its frames are dropped unwound; no hang. */
static void *frees_sibling(td_coro_t *co, void *arg)
{
    struct sibling *s = arg;
    td_coro_free(s->other);
    s->rc = 1;
    td_coro_yield(co, NULL, NULL);
    return NULL;
}

static void free_of_a_sibling_from_the_same_stack(void **state)
{
    (void)state;
    td_coro_stack_t *stack;
    const td_coro_attr_t attr = new_shared_stack(&stack);
    struct unwinding u = { 0 };
    struct sibling s = { 0 };
    td_coro_t *a;
    assert_int_equal(td_coro_new(&s.other, cleans_up, &u, &attr), 0);
    assert_int_equal(td_coro_new(&a, frees_sibling, &s, &attr), 0);
    assert_int_equal(td_coro_resume(s.other, NULL, NULL), 0);
    assert_int_equal(td_coro_resume(a, NULL, NULL), 0); /* other saved, then freed */
    assert_int_equal(s.rc, 1);
    assert_int_equal(u.cleaned, 0); /* not unwound: its stack was a's */
    assert_int_equal(td_coro_resume(a, NULL, NULL), TD_ESTOP);
    td_coro_free(a);
    td_coro_stack_free(stack); /* nobody left on it */
}

static void resume_of_a_sibling_is_ebusy(void **state)
{
    (void)state;
    td_coro_stack_t *stack;
    const td_coro_attr_t attr = new_shared_stack(&stack);
    struct sibling s = { 0 };
    td_coro_t *a;
    assert_int_equal(td_coro_new(&a, resumes_sibling, &s, &attr), 0);
    assert_int_equal(td_coro_new(&s.other, counts_up_forever, NULL, &attr), 0);
    assert_int_equal(td_coro_resume(a, NULL, NULL), 0);
    assert_int_equal(s.rc, -EBUSY);
    assert_int_equal(td_coro_state(s.other), TD_CORO_CREATED); /* nothing changed */
    void *out;
    assert_int_equal(td_coro_resume(s.other, NULL, &out), 0);
    assert_int_equal(NUM(out), 0);
    assert_int_equal(td_coro_resume(a, NULL, NULL), TD_ESTOP);
    td_coro_free(a);
    td_coro_free(s.other);
    td_coro_stack_free(stack);
}

/* A coroutine of a shared stack may go on on another thread, its frames with it. */
static void shared_stack_coroutine_resumed_on_another_thread(void **state)
{
    (void)state;
    td_coro_stack_t *stack;
    const td_coro_attr_t attr = new_shared_stack(&stack);
    struct deep d = { 3, 2, false, 0 };
    struct handoff h;
    td_coro_t *other;
    void *out;
    assert_int_equal(td_coro_new(&h.co, deep_body, &d, &attr), 0);
    assert_int_equal(td_coro_new(&other, counts_up_forever, NULL, &attr), 0);
    assert_int_equal(td_coro_resume(h.co, NULL, &out), 0);
    assert_int_equal(NUM(out), expected_yield(3, 0));
    assert_int_equal(td_coro_resume(other, NULL, &out), 0); /* h.co saved */
    test_join(test_start(resume_here, &h));                  /* restored there */
    assert_int_equal(h.rc, 0);
    assert_int_equal(NUM(h.out), expected_yield(3, 1));
    assert_int_equal(td_coro_resume(other, NULL, &out), 0);
    assert_int_equal(NUM(out), 1);
    assert_int_equal(td_coro_resume(h.co, NULL, &out), TD_ESTOP);
    assert_int_equal(NUM(out), expected_return(3));
    assert_int_equal(d.bad, 0);
    td_coro_free(h.co);
    td_coro_free(other);
    td_coro_stack_free(stack);
}

static void shared_stack_bad_arguments(void **state)
{
    (void)state;
    td_coro_stack_t *stack;
    assert_int_equal(td_coro_stack_new(NULL, 0), -EINVAL);
    assert_int_equal(td_coro_stack_new(&stack, TD_CORO_STACK_MIN - 1), -EINVAL);
    assert_int_equal(td_coro_stack_new(&stack, TD_CORO_STACK_MIN), 0);
    td_coro_t *co;
    /* The stack's size applies; the attribute's is not looked at. */
    assert_int_equal(td_coro_new(&co, counts_up_forever, NULL,
                                 &(td_coro_attr_t){ .stack_size = 1, .shared = stack }), 0);
    assert_int_equal(td_coro_stack_size(co), TD_CORO_STACK_MIN);
    int local;
    assert_false(td_coro_stack_holds(stack, &local));
    assert_false(td_coro_stack_holds(NULL, &local));
    td_coro_free(co);
    td_coro_stack_free(stack);
    td_coro_stack_free(NULL);
}

/* ---- in a child process: overflow, other faults, the limit ------------------------------------ */

struct child {
    int status;
    char out[512], err[4096];
};

static void read_all(int fd, char *buf, size_t size)
{
    size_t len = 0;
    ssize_t n;
    while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
        len += (size_t)n;
    buf[len] = '\0';
}

/* Run coro_child with the given arguments (arg2, arg3 may be NULL); its stdout and
 * stderr are kept. */
static void run_child3(struct child *c, const char *arg1, const char *arg2, const char *arg3)
{
    int out[2], err[2];
    assert_int_equal(pipe(out), 0);
    assert_int_equal(pipe(err), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
    char *argv[] = { CORO_CHILD, (char *)arg1, (char *)arg2, (char *)arg3, NULL };
    pid_t pid;
    assert_int_equal(posix_spawn(&pid, CORO_CHILD, &actions, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    close(err[1]);
    read_all(err[0], c->err, sizeof c->err); /* the child writes little: no deadlock */
    read_all(out[0], c->out, sizeof c->out);
    close(out[0]);
    close(err[0]);
    assert_int_equal(waitpid(pid, &c->status, 0), pid);
}

static void run_child(struct child *c, const char *arg1, const char *arg2)
{
    run_child3(c, arg1, arg2, NULL);
}

static bool died_of_overflow(const struct child *c)
{
    return WIFSIGNALED(c->status) &&
           (WTERMSIG(c->status) == SIGABRT || WTERMSIG(c->status) == SIGSEGV) &&
           strstr(c->err, "libthrdemo: coroutine stack overflow (stack of 65536 bytes)") != NULL;
}

static void stack_overflow_hits_the_guard_page(void **state)
{
    (void)state;
    struct child c;
    run_child(&c, "overflow", NULL);
    if (!died_of_overflow(&c))
        fprintf(stderr, "status %#x, stderr:\n%s\n", c.status, c.err);
    assert_true(died_of_overflow(&c));
    /* On a thread other than main, which needs a signal stack of its own. */
    run_child(&c, "overflow", "thread");
    if (!died_of_overflow(&c))
        fprintf(stderr, "status %#x, stderr:\n%s\n", c.status, c.err);
    assert_true(died_of_overflow(&c));
}

static void shared_stack_overflow_hits_its_guard(void **state)
{
    (void)state;
    struct child c;
    run_child(&c, "overflow", "shared");
    bool died = WIFSIGNALED(c.status) &&
                (WTERMSIG(c.status) == SIGABRT || WTERMSIG(c.status) == SIGSEGV) &&
                strstr(c.err, "libthrdemo: coroutine stack overflow (shared stack of 65536 "
                              "bytes)") != NULL;
    if (!died)
        fprintf(stderr, "status %#x, stderr:\n%s\n", c.status, c.err);
    assert_true(died);
}

static void freeing_a_shared_stack_in_use_aborts(void **state)
{
    (void)state;
    struct child c;
    run_child(&c, "stack-in-use", NULL);
    assert_true(WIFSIGNALED(c.status) && WTERMSIG(c.status) == SIGABRT);
    assert_non_null(strstr(c.err, "libthrdemo: misuse: td_coro_stack_free of a shared stack that "
                                  "coroutines still use"));
}

/* asyncio's check of the pointer rule (task.h), in Debug builds: one clear line. */
static void pointer_rule_broken(const char *what, const char *message)
{
    struct child c;
    run_child(&c, "pointer-rule", what);
#ifdef NDEBUG
    (void)message;
    assert_true(WIFEXITED(c.status) && WEXITSTATUS(c.status) == 0); /* not checked */
    assert_non_null(strstr(c.out, "ran"));
#else
    if (!(WIFSIGNALED(c.status) && WTERMSIG(c.status) == SIGABRT) || !strstr(c.err, message))
        fprintf(stderr, "status %#x, stderr:\n%s\n", c.status, c.err);
    assert_true(WIFSIGNALED(c.status) && WTERMSIG(c.status) == SIGABRT);
    assert_non_null(strstr(c.err, message));
    assert_non_null(strstr(c.err, "(the pointer rule, task.h)"));
#endif
}

static void a_local_handed_to_another_task_aborts_in_debug(void **state)
{
    (void)state;
    pointer_rule_broken("task", "libthrdemo: misuse: td_aio_create_task: the coroutine's "
                                "argument points into a task's stack");
    pointer_rule_broken("queue", "libthrdemo: misuse: td_aio_queue_put: the item points "
                                 "into a task's stack");
}

static void other_faults_are_passed_on(void **state)
{
    (void)state;
    struct child c;
    run_child(&c, "fault", NULL);
    /* The default action, or the handler that was there before ours: a sanitizer's,
     * which reports the SEGV and exits with its own status. */
    bool by_default = WIFSIGNALED(c.status) && WTERMSIG(c.status) == SIGSEGV;
    bool by_sanitizer = strstr(c.err, "SEGV on unknown address 0x000000000010") != NULL &&
                        !(WIFEXITED(c.status) && WEXITSTATUS(c.status) == 0);
    assert_true(by_default || by_sanitizer);
#ifndef UNDER_SANITIZER
    assert_true(by_default);
#endif
    assert_null(strstr(c.err, "stack overflow"));
}

#ifndef UNDER_SANITIZER /* (the tests that use it do not run under the sanitizers) */
struct many {
    int created, resumed, error, again;
    long mappings;
    char guards[32];
};

static void run_many(struct many *m, const char *fallback)
{
    struct child c;
    run_child(&c, "many", fallback);
    if (!WIFEXITED(c.status) || WEXITSTATUS(c.status) != 0)
        fprintf(stderr, "status %#x, stderr:\n%s\n", c.status, c.err);
    assert_true(WIFEXITED(c.status));
    assert_int_equal(WEXITSTATUS(c.status), 0);
    assert_int_equal(sscanf(c.out, "created %d resumed %d error %d again %d mappings %ld "
                                   "guards %31[^\n]",
                            &m->created, &m->resumed, &m->error, &m->again, &m->mappings,
                            m->guards), 6);
}
#endif

/* With guard regions (Linux 6.13+) a slab of 64 stacks is one mapping: 100,000
 * coroutines live at once, far past the 32,000 of two mappings a stack. Not under the
 * sanitizers: their shadow of 100,000 stacks costs gigabytes. */
static void hundred_thousand_alive_with_guard_regions(void **state)
{
    (void)state;
#ifdef UNDER_SANITIZER
    skip();
#else
    if (strcmp(td_coro_guard_method(), "guard regions (madvise)") != 0)
        skip(); /* a kernel before 6.13: the test below covers it */
    struct many m;
    run_many(&m, NULL);
    assert_string_equal(m.guards, "guard regions (madvise)");
    assert_int_equal(m.created, 100000);
    assert_int_equal(m.resumed, 100000);
    assert_int_equal(m.error, 0);
    assert_true(m.mappings <= 100000 / 64 + 64); /* a mapping per slab, at most */
    assert_int_equal(m.again, 0);
#endif
}

/* Where the kernel refuses guard regions (here made to, as before 6.13), guards are
 * mprotect'ed pages: at vm.max_map_count creation fails with an error code and nothing
 * else breaks; freeing makes room again. Not under the sanitizers: their runtimes
 * need mappings of their own and abort themselves when there are none left. */
static void the_limit_of_live_coroutines_with_mprotect_guards(void **state)
{
    (void)state;
#ifdef UNDER_SANITIZER
    skip();
#else
    struct many m;
    run_many(&m, "mprotect");
    assert_string_equal(m.guards, "mprotect");
    assert_true(m.created > 1000); /* two mappings each: about 32,000 at the default */
    assert_true(m.created < 100000);
    assert_int_equal(m.resumed, m.created);
    assert_true(m.error == -ENOMEM || m.error == -EAGAIN);
    assert_int_equal(m.again, 0);
#endif
}

/* The guard catches an overflow whichever way it was installed. */
static void overflow_hits_an_mprotect_guard_too(void **state)
{
    (void)state;
    struct child c;
    run_child3(&c, "overflow", "mprotect", NULL);
    if (!died_of_overflow(&c))
        fprintf(stderr, "status %#x, stderr:\n%s\n", c.status, c.err);
    assert_true(died_of_overflow(&c));
}

/* ---- the stack allocator: reuse, giving pages back ----------------------------------- */

/* A stack size no other test uses, so this pool is this test's alone. */
#define OWN_SIZE ((size_t)72 * 1024)
enum { BURST = 3000 };

/* VmRSS in bytes. */
static long rss_bytes(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[128];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb * 1024;
}

/* Lines of /proc/self/maps. */
static long mappings(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    long n = 0;
    for (int c; f && (c = fgetc(f)) != EOF;)
        n += c == '\n';
    if (f)
        fclose(f);
    return n;
}

/* Where touches_pages' array is: its address escapes, or an optimizer may keep the
 * array out of the stack's pages (seen with gcc and clang at -O2). */
static volatile void *volatile deep_sink;

/* Writes deep into its stack, so that each coroutine has several pages resident. */
static void *touches_pages(td_coro_t *co, void *arg)
{
    (void)arg;
    volatile char deep[5 * 4096];
    deep_sink = deep;
    for (size_t i = 0; i < sizeof deep; i += 512)
        deep[i] = (char)i;
    td_coro_yield(co, NULL, NULL);
    return (void *)(intptr_t)deep[512];
}

static void make_burst(td_coro_t **coros, int n)
{
    const td_coro_attr_t attr = { .stack_size = OWN_SIZE };
    for (int i = 0; i < n; i++) {
        assert_int_equal(td_coro_new(&coros[i], touches_pages, NULL, &attr), 0);
        assert_int_equal(td_coro_resume(coros[i], NULL, NULL), 0);
    }
}

/* A freed stack is the next one handed out, pages and all, with no new mapping. */
static void freed_stacks_are_reused(void **state)
{
    (void)state;
    static td_coro_t *coros[65];
    /* The warm-up reaches the rounds' peak, 65 live stacks (one more than a slab
     * holds): with only 64 it left the 65th to map a slab inside the rounds, which
     * added a mapping whenever the kernel could not merge it with a neighbour. */
    make_burst(coros, 65);
    for (int i = 0; i < 65; i++)
        td_coro_free(coros[i]);
    long before = mappings();
    for (int round = 0; round < 100; round++) {
        make_burst(coros, 64);
        /* Reused while its pages are resident: touched before this one ran. */
        td_coro_t *fresh;
        assert_int_equal(td_coro_new(&fresh, touches_pages, NULL,
                                     &(td_coro_attr_t){ .stack_size = OWN_SIZE }), 0);
        td_coro_free(fresh);
        for (int i = 0; i < 64; i++)
            td_coro_free(coros[i]);
    }
#ifndef UNDER_SANITIZER /* (their runtimes map memory of their own meanwhile) */
    assert_int_equal(mappings(), before);
#else
    (void)before;
#endif
    td_coro_t *again;
    assert_int_equal(td_coro_new(&again, touches_pages, NULL,
                                 &(td_coro_attr_t){ .stack_size = OWN_SIZE }), 0);
    assert_true(td_coro_stack_touched(again) >= 4096); /* an earlier coroutine's pages */
    td_coro_free(again);
}

/* td_coro_trim gives the pages of free stacks back: RSS falls by about what they had. */
static void trim_gives_pages_back(void **state)
{
    (void)state;
    static td_coro_t *coros[BURST];
    td_coro_trim();
    make_burst(coros, BURST);
    size_t resident = 0;
    for (int i = 0; i < BURST; i++)
        resident += td_coro_stack_touched(coros[i]);
    assert_true(resident >= (size_t)BURST * 5 * 4096);
    for (int i = 0; i < BURST; i++)
        td_coro_free(coros[i]);
    long before = rss_bytes();
    assert_true(td_coro_trim() >= BURST);
    long after = rss_bytes();
    /* Past 1,024 freed stacks the older ones were already given back with MADV_FREE,
     * which the kernel may or may not have taken yet: count only what was surely still
     * resident, the newest 1,024 stacks at 5 pages each, with room for noise. */
    assert_true(before - after >= 1024L * 5 * 4096 * 3 / 4);
    td_coro_t *fresh;
    assert_int_equal(td_coro_new(&fresh, touches_pages, NULL,
                                 &(td_coro_attr_t){ .stack_size = OWN_SIZE }), 0);
    assert_int_equal(td_coro_stack_touched(fresh), 0);
    td_coro_free(fresh);
}

/* The rounding mode (MXCSR for SSE, the x87 control word) belongs to each side of a
 * switch, as glibc's swapcontext keeps it: a coroutine that sets its own must not
 * leave it in force in its resumer, nor find the resumer's when it resumes. */
static void *rounds_upward(td_coro_t *co, void *arg)
{
    int *seen = arg;
    fesetround(FE_UPWARD);
    seen[0] = fegetround();
    td_coro_yield(co, NULL, NULL);
    seen[1] = fegetround();
    fesetround(FE_DOWNWARD);
    td_coro_yield(co, NULL, NULL);
    seen[2] = fegetround();
    return NULL;
}

static void rounding_mode_stays_with_each_side(void **state)
{
    (void)state;
    int seen[3] = { -1, -1, -1 };
    td_coro_t *co;
    assert_int_equal(fegetround(), FE_TONEAREST);
    assert_int_equal(td_coro_new(&co, rounds_upward, seen, NULL), 0);
    assert_int_equal(td_coro_resume(co, NULL, NULL), 0);
    assert_int_equal(seen[0], FE_UPWARD);
    assert_int_equal(fegetround(), FE_TONEAREST); /* the resumer's, restored */
    fesetround(FE_TOWARDZERO);                    /* the resumer's own change... */
    assert_int_equal(td_coro_resume(co, NULL, NULL), 0);
    assert_int_equal(seen[1], FE_UPWARD);         /* ...is not the coroutine's */
    assert_int_equal(fegetround(), FE_TOWARDZERO);
    fesetround(FE_TONEAREST);
    assert_int_equal(td_coro_resume(co, NULL, NULL), TD_ESTOP);
    assert_int_equal(seen[2], FE_DOWNWARD);
    assert_int_equal(fegetround(), FE_TONEAREST);
    td_coro_free(co);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(states_through_a_whole_life),
        cmocka_unit_test(state_names),
        cmocka_unit_test(send_values_both_ways),
        cmocka_unit_test(close_of_suspended_unwinds),
        cmocka_unit_test(close_of_created_never_runs_it),
        cmocka_unit_test(close_ignored_is_eproto),
        cmocka_unit_test(free_of_suspended_closes_it),
        cmocka_unit_test(nested_resume_is_rejected),
        cmocka_unit_test(resuming_closed_is_rejected),
        cmocka_unit_test(bad_arguments),
        cmocka_unit_test(nested_coroutines_yield_to_their_resumer),
        cmocka_unit_test(many_coroutines_alive_at_once),
        cmocka_unit_test(a_coroutine_per_thread_on_two_threads),
        cmocka_unit_test(resumed_on_another_thread),
        cmocka_unit_test(concurrent_resume_is_rejected),
        cmocka_unit_test(observer_sees_switches),
        cmocka_unit_test(coroutines_on_one_shared_stack_keep_their_locals),
        cmocka_unit_test(a_shallow_coroutine_saves_a_few_hundred_bytes),
        cmocka_unit_test(free_of_the_occupant_and_of_another),
        cmocka_unit_test(resume_of_a_sibling_is_ebusy),
        cmocka_unit_test(free_of_a_sibling_from_the_same_stack),
        cmocka_unit_test(shared_stack_coroutine_resumed_on_another_thread),
        cmocka_unit_test(shared_stack_bad_arguments),
        cmocka_unit_test(shared_stack_overflow_hits_its_guard),
        cmocka_unit_test(freeing_a_shared_stack_in_use_aborts),
        cmocka_unit_test(a_local_handed_to_another_task_aborts_in_debug),
        cmocka_unit_test(stack_overflow_hits_the_guard_page),
        cmocka_unit_test(other_faults_are_passed_on),
        cmocka_unit_test(hundred_thousand_alive_with_guard_regions),
        cmocka_unit_test(the_limit_of_live_coroutines_with_mprotect_guards),
        cmocka_unit_test(overflow_hits_an_mprotect_guard_too),
        cmocka_unit_test(freed_stacks_are_reused),
        cmocka_unit_test(trim_gives_pages_back),
        cmocka_unit_test(rounding_mode_stays_with_each_side),
    };
    return test_run_cases(tests);
}
