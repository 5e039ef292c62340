/* SPDX-License-Identifier: MIT */
/* exit_rule_child.c - run by test_thread's exit_rule case: a daemon thread that
 * never stops, a non-daemon worker, and a non-daemon thread that starts another
 * worker while td_exit already waits. Exits with status 7 through td_exit. */
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

int main(void)
{
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
