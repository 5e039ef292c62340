/* SPDX-License-Identifier: MIT */
/* consumer.c - a program outside the project that uses the installed libthrdemo. */
#include <thrdemo/thrdemo.h>

static void hello(void *arg)
{
    char name[64];
    td_thread_get_name(td_current_thread(), name, sizeof name);
    td_print("hello from %s", name);
    td_event_set(arg);
}

int main(void)
{
    td_event_t done;
    td_event_init(&done);
    td_thread_t *t;
    if (td_thread_new(&t, &(td_thread_attr_t){ TD_TARGET(hello), .arg = &done }) != 0 ||
        td_thread_start(t) != 0)
        return 1;
    td_event_wait(&done, TD_FOREVER);
    td_thread_join(t, TD_FOREVER);
    td_thread_free(t);
    return 0;
}
