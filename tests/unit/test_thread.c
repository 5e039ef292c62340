/* SPDX-License-Identifier: MIT */
/* test_thread.c - Thread: names and the counter rule, daemon inheritance, start and
 * join misuse, join(timeout), the registry, and the interpreter-exit rule. */
#include "helpers.h"

#include <stdatomic.h>
#include <stdio.h>
#include <math.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void nothing(void *arg)
{
    (void)arg;
}

/* The Thread-N counter advances by one per unnamed thread, from wherever earlier
 * cases left it (so the cases pass in any order; run alone, a is Thread-1). */
static void default_names_and_counter(void **state)
{
    (void)state;
    td_thread_t *a, *b, *c, *d;
    assert_int_equal(td_thread_new(&a, &(td_thread_attr_t){ TD_TARGET(nothing) }), 0);
    unsigned long n = 0;
    assert_int_equal(sscanf(test_name(a), "Thread-%lu (nothing)", &n), 1);
    char expect[64];
    /* A named thread does not advance the counter. */
    assert_int_equal(td_thread_new(&b, &(td_thread_attr_t){ TD_TARGET(nothing),
                                                            .name = "worker" }), 0);
    assert_string_equal(test_name(b), "worker");
    assert_int_equal(td_thread_new(&c, &(td_thread_attr_t){ .target = nothing }), 0);
    snprintf(expect, sizeof expect, "Thread-%lu", n + 1);
    assert_string_equal(test_name(c), expect);
    td_timer_t *timer;
    assert_int_equal(td_timer_new(&timer, 1, nothing, NULL), 0);
    snprintf(expect, sizeof expect, "Thread-%lu", n + 2);
    assert_string_equal(test_name(td_timer_thread(timer)), expect);
    assert_int_equal(td_thread_new(&d, &(td_thread_attr_t){ TD_TARGET(nothing) }), 0);
    snprintf(expect, sizeof expect, "Thread-%lu (nothing)", n + 3);
    assert_string_equal(test_name(d), expect);
    assert_int_equal(td_thread_set_name(d, "renamed"), 0);
    assert_string_equal(test_name(d), "renamed");
    assert_string_equal(test_name(td_main_thread()), "MainThread");
    assert_ptr_equal(td_current_thread(), td_main_thread());
    td_timer_free(timer);
    td_thread_free(a);
    td_thread_free(b);
    td_thread_free(c);
    td_thread_free(d);
}

static void misuse(void **state)
{
    (void)state;
    td_thread_t *t;
    assert_int_equal(td_thread_new(&t, &(td_thread_attr_t){ 0 }), -EINVAL);
    assert_int_equal(td_thread_new(&t, &(td_thread_attr_t){ TD_TARGET(nothing) }), 0);
    assert_int_equal(td_thread_join(t, TD_FOREVER), -EINVAL); /* never started */
    assert_false(td_thread_is_alive(t));
    assert_int_equal(td_thread_ident(t), 0);
    assert_int_equal(td_thread_start(t), 0);
    assert_int_equal(td_thread_start(t), -EINVAL); /* "threads can only be started once" */
    assert_int_equal(td_thread_set_daemon(t, true), -EINVAL);
    assert_int_equal(td_thread_join(t, TD_FOREVER), 0);
    assert_int_equal(td_thread_start(t), -EINVAL);
    assert_int_equal(td_thread_join(td_current_thread(), TD_FOREVER), -EDEADLK);
    td_thread_free(t);
    assert_int_equal(td_stack_size(1000, NULL), -EINVAL);
}

struct self_join {
    td_thread_t *me;
    int rc;
};

static void join_myself(void *arg)
{
    struct self_join *s = arg;
    s->rc = td_thread_join(td_current_thread(), 1.0);
}

static void joining_itself_is_edeadlk(void **state)
{
    (void)state;
    struct self_join s = { .rc = 0 };
    test_join(test_start(join_myself, &s));
    assert_int_equal(s.rc, -EDEADLK);
}

struct blocker {
    td_event_t release;
    td_event_t started;
    bool daemon;
    unsigned long ident;
    long native_id;
    char name[64];
};

static void block_until_released(void *arg)
{
    struct blocker *b = arg;
    td_thread_t *me = td_current_thread();
    b->daemon = td_thread_daemon(me);
    b->ident = td_get_ident();
    b->native_id = td_get_native_id();
    snprintf(b->name, sizeof b->name, "%s", test_name(me));
    td_event_set(&b->started);
    td_event_wait(&b->release, TD_FOREVER);
}

static void join_timeout_leaves_it_alive(void **state)
{
    (void)state;
    struct blocker b;
    td_event_init(&b.release);
    td_event_init(&b.started);
    td_thread_t *t = test_start(block_until_released, &b);
    double start = test_now();
    assert_int_equal(td_thread_join(t, 0.1), -ETIMEDOUT);
    assert_elapsed(start, 0.1);
    assert_true(td_thread_is_alive(t));
    assert_int_equal(td_thread_join(t, -5), -ETIMEDOUT); /* negative: max(t, 0) */
    td_event_set(&b.release);
    assert_int_equal(td_thread_join(t, TD_FOREVER), 0);
    assert_false(td_thread_is_alive(t));
    td_thread_free(t);
}

static void ids_and_registry(void **state)
{
    (void)state;
    struct blocker b;
    td_event_init(&b.release);
    td_event_init(&b.started);
    size_t before = td_active_count();
    td_thread_t *t = test_start(block_until_released, &b);
    td_event_wait(&b.started, TD_FOREVER);
    assert_int_equal(td_active_count(), before + 1);
    assert_int_equal(td_thread_ident(t), b.ident);
    assert_int_equal(td_thread_native_id(t), b.native_id);
    assert_true(b.native_id > 0);
    assert_int_not_equal(b.native_id, td_get_native_id());
    assert_int_equal(td_thread_ident(td_main_thread()), td_get_ident());

    td_thread_t *all[16];
    size_t n = td_enumerate(all, 16);
    assert_int_equal(n, before + 1);
    assert_ptr_equal(all[0], td_main_thread());
    bool found = false;
    for (size_t i = 0; i < n; i++) {
        found |= all[i] == t;
        td_thread_free(all[i]);
    }
    assert_true(found);
    td_event_set(&b.release);
    test_join(t);
    assert_int_equal(td_active_count(), before);
}

static void daemon_flag_is_inherited(void **state)
{
    (void)state;
    struct blocker b;
    td_event_init(&b.release);
    td_event_set(&b.release);
    td_event_init(&b.started);
    /* Main is not a daemon, so neither is its child by default. */
    test_join(test_start(block_until_released, &b));
    assert_false(b.daemon);

    td_thread_t *t;
    assert_int_equal(td_thread_new(&t, &(td_thread_attr_t){ TD_TARGET(block_until_released),
                                                            .arg = &b,
                                                            .daemon = TD_DAEMON_YES }), 0);
    assert_true(td_thread_daemon(t));
    assert_int_equal(td_thread_set_daemon(t, false), 0);
    assert_false(td_thread_daemon(t));
    assert_int_equal(td_thread_set_daemon(t, true), 0);
    assert_int_equal(td_thread_start(t), 0);
    test_join(t);
    assert_true(b.daemon);
}

/* A daemon thread starts a child with no daemon setting: the child is a daemon. */
struct family {
    bool child_daemon;
};

static void child_reports(void *arg)
{
    struct family *f = arg;
    f->child_daemon = td_thread_daemon(td_current_thread());
}

static void parent_starts_child(void *arg)
{
    td_thread_t *child;
    if (td_thread_new(&child, &(td_thread_attr_t){ TD_TARGET(child_reports), .arg = arg }) != 0)
        return;
    td_thread_start(child);
    td_thread_join(child, TD_FOREVER);
    td_thread_free(child);
}

static void daemon_parent_makes_daemon_child(void **state)
{
    (void)state;
    struct family f = { .child_daemon = false };
    td_thread_t *t;
    assert_int_equal(td_thread_new(&t, &(td_thread_attr_t){ TD_TARGET(parent_starts_child),
                                                            .arg = &f,
                                                            .daemon = TD_DAEMON_YES }), 0);
    assert_int_equal(td_thread_start(t), 0);
    test_join(t);
    assert_true(f.child_daemon);
}

static void stack_size_setting(void **state)
{
    (void)state;
    size_t old = 1;
    assert_int_equal(td_stack_size(256 * 1024, &old), 0);
    assert_int_equal(old, 0);
    assert_int_equal(td_get_stack_size(), 256 * 1024);
    struct blocker b;
    td_event_init(&b.release);
    td_event_set(&b.release);
    td_event_init(&b.started);
    test_join(test_start(block_until_released, &b)); /* runs on the smaller stack */
    assert_int_equal(td_stack_size(0, &old), 0);
    assert_int_equal(old, 256 * 1024);
}

/* start() returns once the thread runs, as Python's does: its ids are known. */
static void ids_known_when_start_returns(void **state)
{
    (void)state;
    struct blocker b;
    td_event_init(&b.release);
    td_event_init(&b.started);
    td_thread_t *t = test_start(block_until_released, &b);
    assert_true(td_thread_native_id(t) > 0);
    assert_int_not_equal(td_thread_ident(t), 0);
    assert_true(td_thread_is_alive(t));
    td_event_set(&b.release);
    test_join(t);
}

static void monotonic_clock(void **state)
{
    (void)state;
    double a = td_monotonic();
    test_pause(0.02);
    double b = td_monotonic();
    assert_true(b - a >= 0.019);
    assert_true(b - a < 0.02 + TEST_SLACK);
    assert_true(fabs(td_monotonic() - test_now()) < 0.01); /* the same clock */
}

/* td_shutdown waits for non-daemon threads (not daemon ones) and returns. */
struct shutdown_case {
    td_event_t release_daemon;
    atomic_int finished;
};

static void finish_soon(void *arg)
{
    struct shutdown_case *s = arg;
    test_pause(0.05);
    atomic_fetch_add(&s->finished, 1);
}

static void daemon_waits_forever(void *arg)
{
    struct shutdown_case *s = arg;
    td_event_wait(&s->release_daemon, TD_FOREVER);
}

static void shutdown_joins_non_daemon_only(void **state)
{
    (void)state;
    static struct shutdown_case s;
    td_event_init(&s.release_daemon);
    atomic_init(&s.finished, 0);
    td_thread_t *d, *w;
    assert_int_equal(td_thread_new(&d, &(td_thread_attr_t){ TD_TARGET(daemon_waits_forever),
                                                            .arg = &s,
                                                            .daemon = TD_DAEMON_YES }), 0);
    assert_int_equal(td_thread_start(d), 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(td_thread_new(&w, &(td_thread_attr_t){ TD_TARGET(finish_soon),
                                                                .arg = &s }), 0);
        assert_int_equal(td_thread_start(w), 0);
        td_thread_free(w);
    }
    td_shutdown();
    assert_int_equal(atomic_load(&s.finished), 3);
    assert_true(td_thread_is_alive(d)); /* the daemon is not waited for */
    td_event_set(&s.release_daemon);
    test_join(d);
}

/* ---- the exit rule, in a child process (exit_rule_child.c) ------------------------- */

static void exit_rule(void **state)
{
    (void)state;
    /* A separate program: fork() in a threaded process is what TSan refuses. */
    FILE *child = popen(EXIT_RULE_CHILD, "r");
    assert_non_null(child);
    static char out[1 << 20];
    size_t len = fread(out, 1, sizeof out - 1, child);
    out[len] = '\0';
    int status = pclose(child);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 7);
    /* Both non-daemon workers (one started during td_exit) finished every line. */
    assert_true(strstr(out, "main done\n") != NULL);
    int workers = 0, daemons = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        workers += strncmp(line, "worker ", 7) == 0;
        daemons += strncmp(line, "daemon ", 7) == 0;
    }
    assert_int_equal(workers, 10);
    /* The daemon ran meanwhile, then died with the process (it never stops itself). */
    assert_true(daemons > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(default_names_and_counter),
        cmocka_unit_test(misuse),
        cmocka_unit_test(joining_itself_is_edeadlk),
        cmocka_unit_test(join_timeout_leaves_it_alive),
        cmocka_unit_test(ids_and_registry),
        cmocka_unit_test(daemon_flag_is_inherited),
        cmocka_unit_test(daemon_parent_makes_daemon_child),
        cmocka_unit_test(stack_size_setting),
        cmocka_unit_test(ids_known_when_start_returns),
        cmocka_unit_test(monotonic_clock),
        cmocka_unit_test(shutdown_joins_non_daemon_only),
        cmocka_unit_test(exit_rule),
    };
    return test_run_cases(tests);
}
