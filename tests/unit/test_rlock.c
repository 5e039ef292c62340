/* SPDX-License-Identifier: MIT */
/* test_rlock.c - Python's RLock: re-entry, owner-only release, exclusion. */
#include <string.h>

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

/* More RLocks held at once than the thread's own table has room for (8): the rest
 * are kept in the RLocks themselves, and every answer stays the same. */
enum { MANY = 20 };
/* As many RLocks as the holding thread's own table has room for. */
enum { HELD_BEFORE = 8 };

struct many {
    td_rlock_t rlocks[MANY];
    int release_rc[MANY];
    bool owned[MANY];
    int try_rc[MANY];
};

static void look_from_other_thread(void *arg)
{
    struct many *m = arg;
    for (int i = 0; i < MANY; i++) {
        m->owned[i] = td_rlock_is_owned(&m->rlocks[i]);
        m->release_rc[i] = td_rlock_release(&m->rlocks[i]);
        m->try_rc[i] = td_rlock_acquire(&m->rlocks[i], false, TD_FOREVER);
        if (m->try_rc[i] == 0)
            td_rlock_release(&m->rlocks[i]);
    }
}

static void many_held_at_once(void **state)
{
    (void)state;
    struct many m;
    for (int i = 0; i < MANY; i++) {
        td_rlock_init(&m.rlocks[i]);
        assert_int_equal(td_rlock_acquire(&m.rlocks[i], true, TD_FOREVER), 0);
    }
    for (int i = 0; i < MANY; i++) /* re-entered, past the table too */
        assert_int_equal(td_rlock_acquire(&m.rlocks[i], true, TD_FOREVER), 0);
    for (int i = 0; i < MANY; i++) {
        assert_true(td_rlock_is_owned(&m.rlocks[i]));
        assert_int_equal(td_rlock_count(&m.rlocks[i]), 2);
    }
    test_join(test_start(look_from_other_thread, &m));
    for (int i = 0; i < MANY; i++) {
        assert_false(m.owned[i]);
        assert_int_equal(m.release_rc[i], -EPERM);
        assert_int_equal(m.try_rc[i], -EBUSY);
    }
    /* Given back out of order: the even ones first, from the oldest. */
    for (int pass = 0; pass < 2; pass++)
        for (int i = pass; i < MANY; i += 2) {
            assert_int_equal(td_rlock_release(&m.rlocks[i]), 0);
            assert_int_equal(td_rlock_count(&m.rlocks[i]), 1);
            assert_int_equal(td_rlock_release(&m.rlocks[i]), 0);
            assert_false(td_rlock_is_owned(&m.rlocks[i]));
            assert_int_equal(td_rlock_release(&m.rlocks[i]), -EPERM);
            for (int j = 0; j < MANY; j++) {
                bool released = j % 2 < pass || (j % 2 == pass && j <= i);
                assert_int_equal(td_rlock_is_owned(&m.rlocks[j]), !released);
            }
        }
    test_join(test_start(look_from_other_thread, &m));
    for (int i = 0; i < MANY; i++) {
        assert_false(m.owned[i]);
        assert_int_equal(m.release_rc[i], -EPERM);
        assert_int_equal(m.try_rc[i], 0); /* all free now */
        td_rlock_destroy(&m.rlocks[i]);
    }
}

/* A thread that takes an RLock, says so, and gives it back when told. */
struct holding {
    td_rlock_t *rlock;
    td_event_t *taken, *let_go;
};

static void hold_until_let_go(void *arg)
{
    struct holding *h = arg;
    td_rlock_acquire(h->rlock, true, TD_FOREVER);
    td_event_set(h->taken);
    td_event_wait(h->let_go, TD_FOREVER);
    td_rlock_release(h->rlock);
}

struct holder {
    td_rlock_t rlock;
    td_event_t taken, done;
};

/* A try that fails (busy, or timed out) leaves no trace: the caller does not own
 * the RLock afterwards, and its other RLocks are untouched. */
static void a_failed_acquire_owns_nothing(void **state)
{
    (void)state;
    struct holder h;
    td_rlock_init(&h.rlock);
    td_event_init(&h.taken);
    td_event_init(&h.done);
    td_rlock_t mine;
    td_rlock_init(&mine);
    td_rlock_acquire(&mine, true, TD_FOREVER);
    struct holding holding = { &h.rlock, &h.taken, &h.done };
    td_thread_t *t = test_start(hold_until_let_go, &holding);
    td_event_wait(&h.taken, TD_FOREVER);
    assert_int_equal(td_rlock_acquire(&h.rlock, false, TD_FOREVER), -EBUSY);
    assert_int_equal(td_rlock_acquire(&h.rlock, true, 0.01), -ETIMEDOUT);
    assert_int_equal(td_rlock_acquire(&h.rlock, true, 0), -ETIMEDOUT);
    assert_false(td_rlock_is_owned(&h.rlock));
    assert_int_equal(td_rlock_count(&h.rlock), 0);
    assert_int_equal(td_rlock_release(&h.rlock), -EPERM);
    assert_int_equal(td_rlock_count(&mine), 1);
    td_event_set(&h.done);
    test_join(t);
    assert_int_equal(td_rlock_acquire(&h.rlock, true, TD_FOREVER), 0);
    assert_int_equal(td_rlock_release(&mine), 0);
    assert_false(td_rlock_is_owned(&mine));
    assert_int_equal(td_rlock_count(&h.rlock), 1);
    assert_int_equal(td_rlock_release(&h.rlock), 0);
}

/* Each thread below takes `n` RLocks and leaves them held, or asks about the
 * RLocks another left, while itself holding `n` of its own (past the table's 8,
 * the RLocks' own fields answer). */
struct asker {
    td_rlock_t *left; /* the RLocks an ended thread left held */
    td_rlock_t *own;  /* the asker's own, each released before it ends */
    int n;
    bool owned;
    int release_rc;
};

static void take_and_leave(void *arg)
{
    struct asker *a = arg;
    for (int i = 0; i < a->n; i++)
        td_rlock_acquire(&a->left[i], true, TD_FOREVER);
}

static void ask(void *arg)
{
    struct asker *a = arg;
    for (int i = 0; i < a->n; i++)
        td_rlock_acquire(&a->own[i], true, TD_FOREVER);
    for (int i = 0; i < a->n; i++) {
        a->owned |= td_rlock_is_owned(&a->left[i]);
        if (td_rlock_release(&a->left[i]) != -EPERM)
            a->release_rc = -1;
    }
    for (int i = 0; i < a->n; i++)
        td_rlock_release(&a->own[i]);
}

/* An RLock left held by a thread that ended stays held, and no later thread owns
 * it, even one that the C library gives the same stack and thread-locals (glibc
 * reuses them, so a later thread's pthread_t and TLS addresses are the dead
 * one's; CPython's RLock, which compares get_ident(), would let it release). */
static void a_later_thread_does_not_inherit_an_rlock(void **state)
{
    (void)state;
    enum { ROUNDS_OF_THREADS = 20 };
    static td_rlock_t left[ROUNDS_OF_THREADS][MANY], own[MANY];
    for (int i = 0; i < MANY; i++)
        td_rlock_init(&own[i]);
    for (int round = 0; round < ROUNDS_OF_THREADS; round++) {
        struct asker a = { .left = left[round], .own = own, .n = round % 2 ? MANY : 1 };
        for (int i = 0; i < a.n; i++)
            td_rlock_init(&left[round][i]);
        test_join(test_start(take_and_leave, &a));
        test_join(test_start(ask, &a));
        assert_false(a.owned);
        assert_int_equal(a.release_rc, 0); /* each release said -EPERM */
        for (int i = 0; i < a.n; i++)
            assert_int_equal(td_rlock_acquire(&left[round][i], false, TD_FOREVER), -EBUSY);
    }
}

static void try_and_count(void *arg)
{
    struct asker *a = arg;
    a->release_rc = td_rlock_acquire(a->left, false, TD_FOREVER);
    a->owned = td_rlock_is_owned(a->left);
    td_rlock_release(a->left);
}

/* This thread does not own r, and another thread can take it. */
static void assert_free_here_and_for_another(td_rlock_t *r)
{
    assert_false(td_rlock_is_owned(r));
    assert_int_equal(td_rlock_release(r), -EPERM);
    struct asker other = { .left = r };
    test_join(test_start(try_and_count, &other));
    assert_int_equal(other.release_rc, 0);
    assert_true(other.owned);
}

/* Destroying an RLock one still holds is a misuse, but it leaves no owner behind:
 * an RLock made again at the same address is free, for this thread and others. */
static void destroyed_while_held_leaves_no_owner(void **state)
{
    (void)state;
    td_rlock_t r;
    td_rlock_init(&r);
    td_rlock_acquire(&r, true, TD_FOREVER);
    td_rlock_acquire(&r, true, TD_FOREVER);
    td_rlock_destroy(&r);
    td_rlock_init(&r);
    assert_free_here_and_for_another(&r);
    /* Made again over one still held, without destroy: the same. */
    td_rlock_acquire(&r, true, TD_FOREVER);
    td_rlock_init(&r);
    assert_free_here_and_for_another(&r);
    td_rlock_destroy(&r);
}

/* ---- what code running inside an acquire or a release sees ----------------------
 * The observer is called on the thread doing the acquire, in the middle of it (and
 * a schedule's interrupt handler runs at a scheduling point inside its wait): for
 * every report on the RLock, the reporting thread must own it exactly when the
 * report is ACQUIRE or RELEASE (released is reported before the word is written),
 * never during a WAIT_BEGIN or WAIT_END. Run with the table empty and full, since
 * a thread holding eight RLocks keeps a ninth in the RLock's own fields. */
enum { MAX_REPORTS = 64 };

struct seen {
    td_rlock_t rlock;
    td_event_t holder_has_it, second_wait_began;
    atomic_int n, wait_begins;
    td_obs_kind_t kind[MAX_REPORTS];
    bool owned[MAX_REPORTS];
};

static struct seen *seen;

static void record(const td_obs_event_t *event, void *ctx)
{
    (void)ctx;
    if (event->object != &seen->rlock)
        return;
    int i = atomic_fetch_add(&seen->n, 1);
    if (i < MAX_REPORTS) {
        seen->kind[i] = event->kind;
        seen->owned[i] = td_rlock_is_owned(&seen->rlock);
    }
    if (event->kind == TD_OBS_WAIT_BEGIN && atomic_fetch_add(&seen->wait_begins, 1) == 1)
        td_event_set(&seen->second_wait_began);
}

static void reports_see_the_truth(int others_held)
{
    static struct seen s;
    memset(&s, 0, sizeof s);
    seen = &s;
    td_rlock_t others[HELD_BEFORE];
    for (int i = 0; i < others_held; i++) {
        td_rlock_init(&others[i]);
        td_rlock_acquire(&others[i], true, TD_FOREVER);
    }
    td_rlock_init(&s.rlock);
    td_event_init(&s.holder_has_it);
    td_event_init(&s.second_wait_began);
    static const td_observer_t observer = { record, NULL };
    td_observer_set(&observer);
    struct holding holding = { &s.rlock, &s.holder_has_it, &s.second_wait_began };
    td_thread_t *holder = test_start(hold_until_let_go, &holding);
    td_event_wait(&s.holder_has_it, TD_FOREVER);
    /* The holder keeps it until our second wait has begun: this one times out. */
    assert_int_equal(td_rlock_acquire(&s.rlock, true, 0.01), -ETIMEDOUT);
    assert_false(td_rlock_is_owned(&s.rlock));
    assert_int_equal(td_rlock_count(&s.rlock), 0);
    assert_int_equal(td_rlock_release(&s.rlock), -EPERM);
    assert_int_equal(td_rlock_acquire(&s.rlock, true, TD_FOREVER), 0);
    assert_int_equal(td_rlock_count(&s.rlock), 1);
    assert_int_equal(td_rlock_release(&s.rlock), 0);
    test_join(holder);
    td_observer_set(NULL);
    int n = atomic_load(&s.n), counts[TD_OBS_KINDS] = { 0 };
    assert_true(n <= MAX_REPORTS);
    for (int i = 0; i < n; i++) {
        counts[s.kind[i]]++;
        bool held = s.kind[i] == TD_OBS_ACQUIRE || s.kind[i] == TD_OBS_RELEASE;
        if (s.owned[i] != held)
            fail_msg("report %d (kind %d): owned %d", i, s.kind[i], s.owned[i]);
    }
    assert_int_equal(counts[TD_OBS_WAIT_BEGIN], 2);
    assert_int_equal(counts[TD_OBS_WAIT_END], 2);
    assert_int_equal(counts[TD_OBS_ACQUIRE], 2);
    assert_int_equal(counts[TD_OBS_RELEASE], 2);
    for (int i = 0; i < others_held; i++) {
        assert_int_equal(td_rlock_count(&others[i]), 1); /* untouched by the failure */
        assert_int_equal(td_rlock_release(&others[i]), 0);
    }
    assert_false(td_rlock_is_owned(&s.rlock));
}

static void reports_see_the_truth_from_the_table(void **state)
{
    (void)state;
    reports_see_the_truth(0);
}

static void reports_see_the_truth_from_a_full_table(void **state)
{
    (void)state;
    reports_see_the_truth(HELD_BEFORE);
}

/* A Condition over an RLock kept in its own fields (the ninth held) lets it go
 * entirely while it waits, and gives it back at the same depth. */
struct spilled_cond {
    td_rlock_t rlock;
    td_cond_t cond;
    bool ready;
};

static bool is_ready(void *arg)
{
    return ((struct spilled_cond *)arg)->ready;
}

static void make_ready(void *arg)
{
    struct spilled_cond *c = arg;
    td_cond_acquire(&c->cond, true, TD_FOREVER); /* only free while the waiter waits */
    c->ready = true;
    td_cond_notify(&c->cond, 1);
    td_cond_release(&c->cond);
}

static void condition_over_a_spilled_rlock(void **state)
{
    (void)state;
    td_rlock_t others[HELD_BEFORE];
    for (int i = 0; i < HELD_BEFORE; i++) {
        td_rlock_init(&others[i]);
        td_rlock_acquire(&others[i], true, TD_FOREVER);
    }
    struct spilled_cond c = { .ready = false };
    td_rlock_init(&c.rlock);
    td_cond_init_rlock(&c.cond, &c.rlock);
    td_rlock_acquire(&c.rlock, true, TD_FOREVER);
    td_rlock_acquire(&c.rlock, true, TD_FOREVER);
    td_thread_t *t = test_start(make_ready, &c);
    bool result = false;
    assert_int_equal(td_cond_wait_for(&c.cond, is_ready, &c, TD_FOREVER, &result), 0);
    assert_true(result);
    assert_int_equal(td_rlock_count(&c.rlock), 2);
    test_join(t);
    assert_int_equal(td_rlock_release(&c.rlock), 0);
    assert_int_equal(td_rlock_release(&c.rlock), 0);
    assert_false(td_rlock_is_owned(&c.rlock));
    for (int i = 0; i < HELD_BEFORE; i++)
        assert_int_equal(td_rlock_release(&others[i]), 0);
    td_cond_destroy(&c.cond);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reentrant),
        cmocka_unit_test(bad_arguments),
        cmocka_unit_test(only_the_owner_releases),
        cmocka_unit_test(mutual_exclusion),
        cmocka_unit_test(many_held_at_once),
        cmocka_unit_test(a_failed_acquire_owns_nothing),
        cmocka_unit_test(a_later_thread_does_not_inherit_an_rlock),
        cmocka_unit_test(destroyed_while_held_leaves_no_owner),
        cmocka_unit_test(reports_see_the_truth_from_the_table),
        cmocka_unit_test(reports_see_the_truth_from_a_full_table),
        cmocka_unit_test(condition_over_a_spilled_rlock),
    };
    return test_run_cases(tests);
}
