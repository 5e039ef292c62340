/* SPDX-License-Identifier: MIT */
#include "helpers.h"

#include <time.h>

double test_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

td_thread_t *test_start(td_thread_fn fn, void *arg)
{
    td_thread_t *t = NULL;
    assert_int_equal(td_thread_new(&t, &(td_thread_attr_t){ .target = fn, .arg = arg }), 0);
    assert_int_equal(td_thread_start(t), 0);
    return t;
}

void test_join(td_thread_t *thread)
{
    assert_int_equal(td_thread_join(thread, TD_FOREVER), 0);
    td_thread_free(thread);
}

void test_pause(double seconds)
{
    td_event_t never;
    td_event_init(&never);
    td_event_wait(&never, seconds);
}

const char *test_name(td_thread_t *thread)
{
    /* A few buffers in turn, so one assertion can compare two names. */
    static _Thread_local char names[4][128];
    static _Thread_local unsigned next;
    char *buf = names[next++ % 4];
    td_thread_get_name(thread, buf, sizeof names[0]);
    return buf;
}
