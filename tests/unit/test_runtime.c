/* SPDX-License-Identifier: MIT */
/* test_runtime.c - the runtime's defects fixed in issue 11, each with the case that
 * showed it: a detach of a thread whose id was not known yet, an empty name, the
 * exit rule with a thread joining the main thread, the registry after fork(), and a
 * timeout of TD_TIMEOUT_MAX (a signed overflow under UBSan). */
#include "helpers.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void nothing(void *arg)
{
    (void)arg;
}

struct churn {
    atomic_bool stop;
    atomic_int started;
};

static void start_and_forget(void *arg)
{
    struct churn *c = arg;
    for (int i = 0; i < 1000; i++) {
        td_thread_t *t;
        if (td_thread_new(&t, &(td_thread_attr_t){ TD_TARGET(nothing) }) == 0) {
            if (td_thread_start(t) == 0)
                atomic_fetch_add(&c->started, 1);
            td_thread_free(t);
        }
    }
    atomic_store(&c->stop, true);
}

/* Bug fixed: td_thread_free on a reference from td_enumerate, taken between start()'s
 * registry entry and its storing the pthread id, detached pthread id 0 (a crash).
 * Now the detach waits for the id. Reaping must still happen exactly once. */
static void free_while_starting(void **state)
{
    (void)state;
    struct churn c = { 0 };
    td_thread_t *starter = test_start(start_and_forget, &c);
    while (!atomic_load(&c.stop)) {
        td_thread_t *live[64];
        size_t n = td_enumerate(live, 64);
        for (size_t i = 0; i < n && i < 64; i++)
            td_thread_free(live[i]);
    }
    test_join(starter);
    assert_int_equal(atomic_load(&c.started), 1000);
}

/* Bug fixed: Thread(name="") kept the empty name; CPython's is str(name or
 * _newname()). */
static void empty_name_is_no_name(void **state)
{
    (void)state;
    td_thread_t *t;
    assert_int_equal(td_thread_new(&t, &(td_thread_attr_t){ TD_TARGET(nothing), .name = "" }),
                     0);
    assert_non_null(strstr(test_name(t), "Thread-"));
    assert_non_null(strstr(test_name(t), " (nothing)"));
    td_thread_free(t);
}

/* td_thread_get_name copies, cuts short, and says how long the name is. */
static void get_name_copies_out(void **state)
{
    (void)state;
    td_thread_t *t;
    assert_int_equal(td_thread_new(&t, &(td_thread_attr_t){ TD_TARGET(nothing),
                                                            .name = "a-long-name" }),
                     0);
    char small[4];
    assert_int_equal(td_thread_get_name(t, small, sizeof small), 11);
    assert_string_equal(small, "a-l");
    assert_int_equal(td_thread_get_name(t, NULL, 0), 11);
    assert_int_equal(td_thread_set_name(t, "other"), 0);
    assert_string_equal(test_name(t), "other");
    assert_int_equal(td_thread_set_name(t, NULL), -EINVAL);
    td_thread_free(t);
}

/* Bug fixed: td_exit hung when a non-daemon thread joined the main thread (its
 * done flag was never set). `timeout` turns a hang into a failure. */
static void exit_with_a_thread_joining_main(void **state)
{
    (void)state;
    FILE *child = popen("timeout 20 " EXIT_RULE_CHILD " join-main", "r");
    assert_non_null(child);
    char out[4096] = "";
    size_t len = fread(out, 1, sizeof out - 1, child);
    out[len] = '\0';
    int status = pclose(child);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 5);
    assert_non_null(strstr(out, "main done\n"));
    assert_non_null(strstr(out, "joined main: 0, main alive: 0\n"));
}

static void wait_for_event(void *arg)
{
    td_event_wait(arg, TD_FOREVER);
}

/* In a forked child: only the forking thread is registered, it is the main thread,
 * and the exit rule has nobody to join. 0 when all holds. */
static int check_child_registry(const char *expected_name)
{
    alarm(20); /* a hang in td_shutdown becomes SIGALRM, a failure */
    td_thread_t *live[8];
    size_t n = td_enumerate(live, 8);
    int bad = n != 1 || live[0] != td_current_thread() ||
              td_main_thread() != td_current_thread() ||
              strcmp(test_name(td_current_thread()), expected_name) != 0 ||
              td_get_native_id() != td_thread_native_id(td_current_thread());
    for (size_t i = 0; i < n && i < 8; i++)
        td_thread_free(live[i]);
    td_shutdown();
    return bad;
}

static int fork_and_check(const char *expected_name)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(check_child_registry(expected_name));
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

struct forker {
    int result;
};

static void fork_from_worker(void *arg)
{
    struct forker *f = arg;
    f->result = fork_and_check("forker");
}

/* Bug fixed: after fork() the child kept the parent's registry, so its exit joined
 * threads that do not exist there and hung. Now (CPython's _after_fork) the child
 * holds only the forking thread, which becomes its main thread. */
static void fork_resets_the_registry(void **state)
{
    (void)state;
    td_event_t release;
    td_event_init(&release);
    td_thread_t *blocked = test_start(wait_for_event, &release); /* non-daemon */
    assert_int_equal(fork_and_check("MainThread"), 0);

    struct forker f = { -1 };
    td_thread_t *t;
    assert_int_equal(td_thread_new(&t, &(td_thread_attr_t){ TD_TARGET(fork_from_worker),
                                                            .arg = &f, .name = "forker" }),
                     0);
    assert_int_equal(td_thread_start(t), 0);
    test_join(t);
    assert_int_equal(f.result, 0);

    td_event_set(&release);
    test_join(blocked);
    assert_true(td_main_thread() == td_current_thread()); /* the parent is unchanged */
}

struct huge_waits {
    td_event_t go;
    td_lock_t lock;
    td_queue_t *queue;
    bool event_set, lock_taken;
    int got;
};

static void wait_with_timeout_max(void *arg)
{
    struct huge_waits *h = arg;
    h->event_set = td_event_wait(&h->go, TD_TIMEOUT_MAX);
    h->lock_taken = td_lock_acquire(&h->lock, true, TD_TIMEOUT_MAX) == 0;
    if (h->lock_taken)
        td_lock_release(&h->lock);
    h->got = td_queue_get(h->queue, NULL, true, TD_TIMEOUT_MAX, NULL);
}

/* Bug fixed: a timeout near TD_TIMEOUT_MAX overflowed a signed multiplication when
 * the deadline was made (UBSan: `thrdemo --scale 10 timer once --delay 1e9`). The
 * deadline now saturates: such a wait is simply very long. */
static void timeout_max_does_not_overflow(void **state)
{
    (void)state;
    struct huge_waits h = { 0 };
    td_event_init(&h.go);
    td_lock_init(&h.lock);
    assert_int_equal(td_queue_new(&h.queue, 2, NULL), 0);
    assert_int_equal(td_lock_acquire(&h.lock, true, TD_FOREVER), 0);
    td_thread_t *t = test_start(wait_with_timeout_max, &h);
    td_event_set(&h.go);
    td_lock_release(&h.lock);
    assert_int_equal(td_queue_put(h.queue, &h, true, TD_TIMEOUT_MAX), 0);
    assert_int_equal(td_thread_join(t, TD_TIMEOUT_MAX), 0);
    td_thread_free(t);
    assert_true(h.event_set);
    assert_true(h.lock_taken);
    assert_int_equal(h.got, 0);
    assert_int_equal(td_lock_acquire(&h.lock, true, TD_TIMEOUT_MAX * 2), -EOVERFLOW);
    td_queue_free(h.queue);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(free_while_starting),
        cmocka_unit_test(empty_name_is_no_name),
        cmocka_unit_test(get_name_copies_out),
        cmocka_unit_test(exit_with_a_thread_joining_main),
        cmocka_unit_test(fork_resets_the_registry),
        cmocka_unit_test(timeout_max_does_not_overflow),
    };
    return test_run_cases(tests);
}
