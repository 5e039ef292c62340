/* SPDX-License-Identifier: MIT */
/* exit_rule_child.c - run by test_thread's exit_rule case: a daemon thread that
 * never stops, a non-daemon worker, and a non-daemon thread that starts another
 * worker while td_exit already waits. Exits with status 7 through td_exit.
 * With the argument "join-main" (test_runtime): a non-daemon thread joins the main
 * thread, which then calls td_exit(5); CPython marks the main thread stopped at
 * shutdown, so the join returns and the process ends. */
#include <string.h>

#include <thrdemo/thrdemo.h>

static void pause_for(double seconds)
{
    td_event_t never;
    td_event_init(&never);
    td_event_wait(&never, seconds);
}

static void count_forever(void *arg)
{
    (void)arg;
    for (int i = 0;; i++) {
        td_print("daemon %d", i);
        pause_for(0.002);
    }
}

static void count_to_five(void *arg)
{
    (void)arg;
    for (int i = 0; i < 5; i++) {
        td_print("worker %d", i);
        pause_for(0.02);
    }
}

static void start_late_worker(void *arg)
{
    (void)arg;
    pause_for(0.03);
    td_thread_t *t;
    if (td_thread_new(&t, &(td_thread_attr_t){ TD_TARGET(count_to_five), .name = "late",
                                               .daemon = TD_DAEMON_NO }) == 0) {
        td_thread_start(t);
        td_thread_free(t);
    }
}

static void join_main(void *arg)
{
    (void)arg;
    int rc = td_thread_join(td_main_thread(), TD_FOREVER);
    td_print("joined main: %d, main alive: %d", rc, td_thread_is_alive(td_main_thread()));
}

static int joiner_of_main(void)
{
    td_thread_t *t;
    if (td_thread_new(&t, &(td_thread_attr_t){ TD_TARGET(join_main),
                                               .daemon = TD_DAEMON_NO }) != 0 ||
        td_thread_start(t) != 0)
        return 1;
    td_thread_free(t);
    td_print("main done");
    td_exit(5);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "join-main") == 0)
        return joiner_of_main();
    const td_thread_attr_t attrs[] = {
        { TD_TARGET(count_forever), .daemon = TD_DAEMON_YES },
        { TD_TARGET(count_to_five) },
        { TD_TARGET(start_late_worker) },
    };
    for (size_t i = 0; i < 3; i++) {
        td_thread_t *t;
        if (td_thread_new(&t, &attrs[i]) == 0) {
            td_thread_start(t);
            td_thread_free(t);
        }
    }
    td_print("main done");
    td_exit(7);
}
