/* SPDX-License-Identifier: MIT */
/* test_cpython_threading.c - the parts of CPython 3.11's Lib/test/test_threading.py
 * about threads themselves: names and the Thread-N counter, idents, enumerate and
 * active_count, daemon flags, join and is_alive, the exit rule, fork, and Timer.
 * Cases keep CPython's "<Class>.<test_name>".
 *
 * How the port differs: CPython's scripts run in a fresh interpreter
 * (assert_python_ok) become modes of cpython_child.c, run with a deadline so a hang
 * is a failure. Not ported: what has no C counterpart (repr, args/kwargs, trace and
 * profile hooks, excepthook, subinterpreters, _tstate_lock internals,
 * PyThreadState_SetAsyncExc, interrupt_main), and the _DummyThread bookkeeping
 * CPython's tests undo by hand.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static void func(void *arg)
{
    (void)arg;
}

static td_thread_t *new_thread(const td_thread_attr_t *attr)
{
    td_thread_t *t = NULL;
    assert_int_equal(td_thread_new(&t, attr), 0);
    return t;
}

/* ---- ThreadTests --------------------------------------------------------------------- */

/* CPython mocks threading._counter; here the next number is read off an unnamed
 * thread, and each later default name must take the next one. */
static void ThreadTests_test_name(void **state)
{
    (void)state;
    char want[64];
    td_thread_t *t = new_thread(&(td_thread_attr_t){ .target = func, .name = "myname1" });
    assert_string_equal(test_name(t), "myname1");
    td_thread_free(t);
    /* The target name is ignored if name is specified. */
    t = new_thread(&(td_thread_attr_t){ TD_TARGET(func), .name = "myname2" });
    assert_string_equal(test_name(t), "myname2");
    td_thread_free(t);
    t = new_thread(&(td_thread_attr_t){ .target = func });
    unsigned long n = 0;
    assert_int_equal(sscanf(test_name(t), "Thread-%lu", &n), 1);
    td_thread_free(t);
    t = new_thread(&(td_thread_attr_t){ .target = func });
    snprintf(want, sizeof want, "Thread-%lu", n + 1);
    assert_string_equal(test_name(t), want);
    td_thread_free(t);
    t = new_thread(&(td_thread_attr_t){ TD_TARGET(func) });
    snprintf(want, sizeof want, "Thread-%lu (func)", n + 2);
    assert_string_equal(test_name(t), want);
    td_thread_free(t);
    /* name="" is falsy in Python: the thread gets a default name (the counter
     * moves on). Checked last, so the rest is checked even when this fails. */
    t = new_thread(&(td_thread_attr_t){ .target = func, .name = "" });
    snprintf(want, sizeof want, "Thread-%lu", n + 3);
    assert_string_equal(test_name(t), want);
    td_thread_free(t);
}

/* No more than 3 of the 10 can run at once. */
struct various {
    td_sem_t sema;
    td_rlock_t mutex;
    int numrunning;          /* guarded by mutex */
    atomic_int too_many, negative;
    atomic_uint seed;
};

static void various_task(void *arg)
{
    struct various *v = arg;
    unsigned seed = atomic_fetch_add(&v->seed, 7919);
    double delay = (double)(rand_r(&seed) % 100) / 1e6; /* random() / 10000.0 */
    td_sem_acquire(&v->sema, true, TD_FOREVER);
    td_rlock_acquire(&v->mutex, true, TD_FOREVER);
    if (++v->numrunning > 3)
        atomic_fetch_add(&v->too_many, 1);
    td_rlock_release(&v->mutex);
    test_nap(delay);
    td_rlock_acquire(&v->mutex, true, TD_FOREVER);
    if (--v->numrunning < 0)
        atomic_fetch_add(&v->negative, 1);
    td_rlock_release(&v->mutex);
    td_sem_release(&v->sema, 1);
}

static void various_ops(void)
{
    enum { NUMTASKS = 10 };
    struct various *v = calloc(1, sizeof *v);
    assert_non_null(v);
    td_sem_init_bounded(&v->sema, 3);
    td_rlock_init(&v->mutex);
    td_thread_t *threads[NUMTASKS];
    for (int i = 0; i < NUMTASKS; i++) {
        char name[32];
        snprintf(name, sizeof name, "<thread %d>", i);
        threads[i] = new_thread(&(td_thread_attr_t){ .target = various_task, .arg = v,
                                                     .name = name });
        assert_int_equal(td_thread_ident(threads[i]), 0); /* assertIsNone(t.ident) */
        assert_int_equal(td_thread_start(threads[i]), 0);
    }
    /* Native ids: all different, and not the main thread's. */
    long ids[NUMTASKS + 1];
    ids[NUMTASKS] = td_get_native_id();
    for (int i = 0; i < NUMTASKS; i++) {
        ids[i] = td_thread_native_id(threads[i]);
        assert_true(ids[i] > 0);
        for (int j = 0; j < i; j++)
            assert_true(ids[j] != ids[i]);
        assert_true(ids[i] != ids[NUMTASKS]);
    }
    for (int i = 0; i < NUMTASKS; i++) {
        assert_int_equal(td_thread_join(threads[i], TD_FOREVER), 0);
        assert_false(td_thread_is_alive(threads[i]));
        assert_int_not_equal(td_thread_ident(threads[i]), 0);
        td_thread_free(threads[i]);
    }
    assert_int_equal(v->numrunning, 0);
    assert_int_equal(atomic_load(&v->too_many), 0);
    assert_int_equal(atomic_load(&v->negative), 0);
    td_sem_destroy(&v->sema);
    td_rlock_destroy(&v->mutex);
    free(v);
}

/* Create a bunch of threads, let each do some work, wait until all are done. */
static void ThreadTests_test_various_ops(void **state)
{
    (void)state;
    various_ops();
}

/* Run with a small(ish) thread stack size (256 KiB). */
static void ThreadTests_test_various_ops_small_stack(void **state)
{
    (void)state;
    assert_int_equal(td_stack_size(262144, NULL), 0);
    various_ops();
    assert_int_equal(td_stack_size(0, NULL), 0);
}

/* Run with a large thread stack size (1 MiB). */
static void ThreadTests_test_various_ops_large_stack(void **state)
{
    (void)state;
    assert_int_equal(td_stack_size(0x100000, NULL), 0);
    various_ops();
    assert_int_equal(td_stack_size(0, NULL), 0);
}

struct foreign {
    td_lock_t mutex, finish;
    unsigned long ident, pthread_id;
    char name[64];
    bool daemon, alive;
};

static void *foreign_body(void *arg)
{
    struct foreign *f = arg;
    /* Calling current_thread() forces an entry for the foreign thread. */
    td_thread_t *me = td_current_thread();
    f->ident = td_thread_ident(me);
    f->pthread_id = (unsigned long)pthread_self();
    td_thread_get_name(me, f->name, sizeof f->name);
    f->daemon = td_thread_daemon(me);
    f->alive = td_thread_is_alive(me);
    td_lock_release(&f->mutex);
    td_lock_acquire(&f->finish, true, TD_FOREVER); /* stay alive until told */
    return NULL;
}

/* The ident still works for the main thread and for threads the library did not
 * start ("dummy threads"). */
static void ThreadTests_test_ident_of_no_threading_threads(void **state)
{
    (void)state;
    assert_int_not_equal(td_thread_ident(td_current_thread()), 0);
    struct foreign *f = calloc(1, sizeof *f);
    assert_non_null(f);
    td_lock_init(&f->mutex);
    td_lock_init(&f->finish);
    td_lock_acquire(&f->mutex, true, TD_FOREVER);
    pthread_t tid;
    assert_int_equal(pthread_create(&tid, NULL, foreign_body, f), 0);
    td_lock_acquire(&f->mutex, true, TD_FOREVER); /* done.wait() */
    assert_int_equal(f->ident, (unsigned long)tid);
    td_lock_release(&f->finish);
    pthread_join(tid, NULL);
    free(f);
}

/* A foreign thread can use the threading module: it gets a daemon "Dummy-N" entry
 * that is alive and listed. CPython 3.11 keeps that entry until deleted by hand;
 * thrdemo drops it when the thread ends (enumerate lists live threads only). */
static void ThreadTests_test_foreign_thread(void **state)
{
    (void)state;
    struct foreign *f = calloc(1, sizeof *f);
    assert_non_null(f);
    td_lock_init(&f->mutex);
    td_lock_init(&f->finish);
    td_lock_acquire(&f->mutex, true, TD_FOREVER);
    td_lock_acquire(&f->finish, true, TD_FOREVER);
    size_t before = td_active_count();
    pthread_t tid;
    assert_int_equal(pthread_create(&tid, NULL, foreign_body, f), 0);
    td_lock_acquire(&f->mutex, true, TD_FOREVER); /* wait for the thread */
    assert_int_equal(td_active_count(), before + 1);
    td_thread_t *all[64];
    size_t n = td_enumerate(all, 64);
    bool listed = false;
    for (size_t i = 0; i < n && i < 64; i++) {
        listed |= td_thread_ident(all[i]) == f->pthread_id;
        td_thread_free(all[i]);
    }
    assert_true(listed);
    assert_int_equal(strncmp(f->name, "Dummy-", 6), 0); /* _DummyThread */
    assert_true(f->daemon);
    assert_true(f->alive); /* issue 29376 */
    td_lock_release(&f->finish);
    pthread_join(tid, NULL);
    assert_int_equal(td_active_count(), before);
    free(f);
}

/* Try hard to trigger #1703448: a thread still returned by enumerate() after it
 * has been join()ed. */
static void ThreadTests_test_enumerate_after_join(void **state)
{
    (void)state;
    for (int i = 1; i < 100; i++) {
        td_thread_t *t = test_start(func, NULL);
        assert_int_equal(td_thread_join(t, TD_FOREVER), 0);
        td_thread_t *all[64];
        size_t n = td_enumerate(all, 64);
        bool listed = false;
        for (size_t j = 0; j < n && j < 64; j++) {
            listed |= all[j] == t;
            td_thread_free(all[j]);
        }
        assert_false(listed);
        td_thread_free(t);
    }
}

static void ThreadTests_test_daemon_param(void **state)
{
    (void)state;
    td_thread_t *t = new_thread(&(td_thread_attr_t){ .target = func });
    assert_false(td_thread_daemon(t)); /* inherited from the main thread */
    td_thread_free(t);
    t = new_thread(&(td_thread_attr_t){ .target = func, .daemon = TD_DAEMON_NO });
    assert_false(td_thread_daemon(t));
    td_thread_free(t);
    t = new_thread(&(td_thread_attr_t){ .target = func, .daemon = TD_DAEMON_YES });
    assert_true(td_thread_daemon(t));
    td_thread_free(t);
}

static void main_is_not_me(void *arg)
{
    atomic_store((atomic_int *)arg,
                 td_thread_ident(td_main_thread()) != td_thread_ident(td_current_thread()));
}

static void ThreadTests_test_main_thread(void **state)
{
    (void)state;
    td_thread_t *main_thread = td_main_thread();
    assert_string_equal(test_name(main_thread), "MainThread");
    assert_int_equal(td_thread_ident(main_thread), td_thread_ident(td_current_thread()));
    assert_int_equal(td_thread_ident(main_thread), td_get_ident());
    atomic_int differs;
    atomic_init(&differs, 0);
    test_join(test_start(main_is_not_me, &differs));
    assert_int_equal(atomic_load(&differs), 1);
}

static void sem_acquire(void *arg)
{
    td_sem_acquire(arg, true, TD_FOREVER);
}

static void sem_release(void *arg)
{
    td_sem_release(arg, 1);
}

/* BoundedSemaphore raises ValueError if released too often. */
static void ThreadTests_test_BoundedSemaphore_limit(void **state)
{
    (void)state;
    for (int limit = 1; limit < 10; limit++) {
        td_sem_t bs;
        td_sem_init_bounded(&bs, (size_t)limit);
        td_thread_t *threads[10];
        for (int i = 0; i < limit; i++)
            threads[i] = test_start(sem_acquire, &bs);
        for (int i = 0; i < limit; i++)
            test_join(threads[i]);
        for (int i = 0; i < limit; i++)
            threads[i] = test_start(sem_release, &bs);
        for (int i = 0; i < limit; i++)
            test_join(threads[i]);
        assert_int_equal(td_sem_release(&bs, 1), -EINVAL);
        td_sem_destroy(&bs);
    }
}

/* bpo-37788: a thread which is not joined explicitly does not leak: it leaves the
 * registry when it ends (threading_helper.wait_threads_exit). */
static void ThreadTests_test_leak_without_join(void **state)
{
    (void)state;
    size_t before = td_active_count();
    td_thread_free(test_start(func, NULL)); /* Thread.join() is not called */
    double deadline = test_now() + 30;
    while (td_active_count() != before && test_now() < deadline)
        test_nap(0.001);
    assert_int_equal(td_active_count(), before);
}

/* ---- ThreadJoinOnShutdown, fork ------------------------------------------------------ */

/* Run cpython_child in mode: it must exit 0 within 10 s and print want. */
static void expect_child(const char *mode, const char *want)
{
    char out[256];
    int status = test_run_child(CPYTHON_CHILD, mode, out, sizeof out, 10);
    assert_int_not_equal(status, -1); /* -1: it hung and was killed */
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_string_equal(out, want);
}

/* The usual case: on exit, wait for a non-daemon thread, here one that joins the
 * main thread (which counts as finished once it is in the exit rule). */
static void ThreadJoinOnShutdown_test_1_join_on_shutdown(void **state)
{
    (void)state;
    expect_child("join-main", "end of main\nend of thread\n");
}

/* Issue #14308: a dummy thread in the registry does not mess up fork(): the child
 * sees only itself. */
static void ThreadTests_test_dummy_thread_after_fork(void **state)
{
    (void)state;
    expect_child("fork-dummy", "parent active_count=2\nactive_count=1\n");
}

/* #18418: is_alive() is False in the child for threads that did not survive the
 * fork, and the child's exit rule does not wait for them (a hang if it does). */
static void ThreadTests_test_is_alive_after_fork(void **state)
{
    (void)state;
    expect_child("fork-is-alive", "is_alive=0\n");
}

/* ---- ThreadingExceptionTests --------------------------------------------------------- */

static void ThreadingExceptionTests_test_start_thread_again(void **state)
{
    (void)state;
    td_thread_t *t = test_start(func, NULL);
    assert_int_equal(td_thread_start(t), -EINVAL); /* RuntimeError */
    test_join(t);
}

static void ThreadingExceptionTests_test_joining_current_thread(void **state)
{
    (void)state;
    assert_int_equal(td_thread_join(td_current_thread(), TD_FOREVER), -EDEADLK);
}

static void ThreadingExceptionTests_test_joining_inactive_thread(void **state)
{
    (void)state;
    td_thread_t *t = new_thread(&(td_thread_attr_t){ .target = func });
    assert_int_equal(td_thread_join(t, TD_FOREVER), -EINVAL); /* RuntimeError */
    td_thread_free(t);
}

static void ThreadingExceptionTests_test_daemonize_active_thread(void **state)
{
    (void)state;
    td_thread_t *t = test_start(func, NULL);
    assert_int_equal(td_thread_set_daemon(t, true), -EINVAL); /* RuntimeError */
    test_join(t);
}

static void ThreadingExceptionTests_test_releasing_unacquired_lock(void **state)
{
    (void)state;
    td_lock_t lock;
    td_lock_init(&lock);
    assert_int_equal(td_lock_release(&lock), -EPERM); /* RuntimeError */
}

/* ---- TimerTests ---------------------------------------------------------------------- */

struct spy {
    td_event_t callback_event;
    void *callback_args[4];
    atomic_int calls;
};

static struct spy spy;

static void callback_spy(void *arg)
{
    int i = atomic_fetch_add(&spy.calls, 1);
    if (i < 4)
        spy.callback_args[i] = arg;
    td_event_set(&spy.callback_event);
}

/* Issue 17435: one timer's arguments do not leak into another's. In C each timer
 * carries its own argument; each must fire once, with its own. */
static void TimerTests_test_init_immutable_default_args(void **state)
{
    (void)state;
    static int args1, args2;
    td_event_init(&spy.callback_event);
    atomic_store(&spy.calls, 0);
    td_timer_t *timer1, *timer2;
    assert_int_equal(td_timer_new(&timer1, 0.01, callback_spy, &args1), 0);
    assert_int_equal(td_timer_start(timer1), 0);
    assert_true(td_event_wait(&spy.callback_event, 30));
    td_event_clear(&spy.callback_event);
    assert_int_equal(td_timer_new(&timer2, 0.01, callback_spy, &args2), 0);
    assert_int_equal(td_timer_start(timer2), 0);
    assert_true(td_event_wait(&spy.callback_event, 30));
    assert_int_equal(td_timer_join(timer1, TD_FOREVER), 0);
    assert_int_equal(td_timer_join(timer2, TD_FOREVER), 0);
    assert_int_equal(atomic_load(&spy.calls), 2);
    assert_ptr_equal(spy.callback_args[0], &args1);
    assert_ptr_equal(spy.callback_args[1], &args2);
    td_timer_free(timer1);
    td_timer_free(timer2);
}

#define OWN(cls, fn) { .name = #cls "." #fn, .test_func = cls##_##fn }

int main(void)
{
    const struct CMUnitTest tests[] = {
        OWN(ThreadTests, test_name),
        OWN(ThreadTests, test_various_ops),
        OWN(ThreadTests, test_various_ops_small_stack),
        OWN(ThreadTests, test_various_ops_large_stack),
        OWN(ThreadTests, test_ident_of_no_threading_threads),
        OWN(ThreadTests, test_foreign_thread),
        OWN(ThreadTests, test_enumerate_after_join),
        OWN(ThreadTests, test_daemon_param),
        OWN(ThreadTests, test_main_thread),
        OWN(ThreadTests, test_BoundedSemaphore_limit),
        OWN(ThreadTests, test_leak_without_join),
        OWN(ThreadTests, test_dummy_thread_after_fork),
        OWN(ThreadTests, test_is_alive_after_fork),
        OWN(ThreadJoinOnShutdown, test_1_join_on_shutdown),
        OWN(ThreadingExceptionTests, test_start_thread_again),
        OWN(ThreadingExceptionTests, test_joining_current_thread),
        OWN(ThreadingExceptionTests, test_joining_inactive_thread),
        OWN(ThreadingExceptionTests, test_daemonize_active_thread),
        OWN(ThreadingExceptionTests, test_releasing_unacquired_lock),
        OWN(TimerTests, test_init_immutable_default_args),
    };
    return test_run_cases(tests);
}
