/* SPDX-License-Identifier: MIT */
/* cpython_child.c - the scripts CPython's tests run in a fresh interpreter
 * (assert_python_ok), as one program with a mode argument. The parent test reads
 * its stdout and exit status, and kills it if it hangs.
 *
 *   join-main        test_threading's test_1_join_on_shutdown: a non-daemon thread
 *                    joins the main thread, which ends with the exit rule
 *   fork-dummy       test_dummy_thread_after_fork: the child of fork() sees only
 *                    itself in the registry
 *   fork-is-alive    test_is_alive_after_fork: a thread of the parent is not alive
 *                    in the child, and the child's exit does not wait for it
 *   pool-atexit      test_concurrent_futures' test_interpreter_shutdown: the exit
 *                    rule lets a submitted task finish
 *   pool-cancel-no-wait  test_cancel_futures_wait_false
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thrdemo/thrdemo.h>

static void joining_func(void *arg)
{
    td_thread_join(arg, TD_FOREVER);
    td_print("end of thread");
}

static int join_main(void)
{
    td_thread_t *t;
    if (td_thread_new(&t, &(td_thread_attr_t){ TD_TARGET(joining_func),
                                              .arg = td_current_thread() }) != 0 ||
        td_thread_start(t) != 0)
        return 1;
    td_thread_free(t);
    td_print("end of main");
    td_exit(0);
}

static td_event_t release;

static void *foreign_thread(void *arg)
{
    (void)arg;
    td_current_thread(); /* registers it as Dummy-N */
    td_event_wait(&release, TD_FOREVER);
    return NULL;
}

/* fork() and let the child report; the parent passes the child's status on. */
static int fork_and_report(void (*in_child)(void))
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        in_child();
        _exit(99); /* not reached: in_child exits */
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

static void report_active_count(void)
{
    td_print("active_count=%zu", td_active_count());
    _exit(0);
}

static int fork_dummy(void)
{
    td_event_init(&release);
    pthread_t foreign;
    if (pthread_create(&foreign, NULL, foreign_thread, NULL) != 0)
        return 1;
    while (td_active_count() < 2) /* the foreign thread has registered */
        td_event_wait(&release, 0.001);
    td_print("parent active_count=%zu", td_active_count());
    int rc = fork_and_report(report_active_count);
    td_event_set(&release);
    pthread_join(foreign, NULL);
    return rc;
}

static td_thread_t *worker;
static td_event_t started;

static void wait_for_release(void *arg)
{
    (void)arg;
    td_event_set(&started);
    td_event_wait(&release, TD_FOREVER);
}

static void report_is_alive(void)
{
    td_print("is_alive=%d", td_thread_is_alive(worker));
    td_exit(0); /* the exit rule: nothing here to wait for */
}

static int fork_is_alive(void)
{
    td_event_init(&release);
    td_event_init(&started);
    if (td_thread_new(&worker, &(td_thread_attr_t){ TD_TARGET(wait_for_release) }) != 0 ||
        td_thread_start(worker) != 0)
        return 1;
    /* As CPython's start() does, wait until the thread runs its target: a fork while
     * it is still being set up (in malloc, say) would hand the child a lock that no
     * thread there can release (ASan's allocator, before LLVM 17, has no fork
     * handler of its own: the child hung about once in 100 runs under load). */
    td_event_wait(&started, TD_FOREVER);
    int rc = fork_and_report(report_is_alive);
    td_event_set(&release);
    td_thread_join(worker, TD_FOREVER);
    td_thread_free(worker);
    return rc;
}

static int sleep_and_print(void *arg, void **result)
{
    (void)result;
    td_event_t never;
    td_event_init(&never);
    td_event_wait(&never, 0.2);
    td_print("%s", (const char *)arg);
    return 0;
}

static int pool_atexit(void)
{
    td_pool_t *pool;
    if (td_pool_new(&pool, 5, NULL) != 0 || td_pool_submit(pool, sleep_and_print, "apple",
                                                           NULL) != 0)
        return 1;
    td_exit(0); /* the pool is neither shut down nor freed: the exit rule does it */
}

static int pool_cancel_no_wait(void)
{
    td_pool_t *pool;
    if (td_pool_new(&pool, 0, NULL) != 0 || td_pool_submit(pool, sleep_and_print, "apple",
                                                           NULL) != 0)
        return 1;
    td_pool_shutdown(pool, false, true);
    td_exit(0);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "join-main") == 0)
        return join_main();
    if (strcmp(mode, "fork-dummy") == 0)
        return fork_dummy();
    if (strcmp(mode, "fork-is-alive") == 0)
        return fork_is_alive();
    if (strcmp(mode, "pool-atexit") == 0)
        return pool_atexit();
    if (strcmp(mode, "pool-cancel-no-wait") == 0)
        return pool_cancel_no_wait();
    fprintf(stderr, "cpython_child: unknown mode '%s'\n", mode);
    return 2;
}
