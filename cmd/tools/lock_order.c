/* SPDX-License-Identifier: MIT */
/* lock_order.c - `thrdemo lock-order`, a hidden command for the tests (not in
 * `list`, the help, the man page or the completions): two threads take two locks
 * in opposite orders, the classic lock-order inversion. Without a schedule it
 * almost never deadlocks; under --schedule fifo it always does, and thrdemo prints
 * who waits for which lock, held by whom, and exits 3; `explore lock-order` lists
 * the schedules that deadlock first.
 * Trace: each thread's "has lock_x" lines and, when both get through, "Both
 * threads have finished."
 */
#include <thrdemo/lock.h>
#include <thrdemo/log.h>
#include <thrdemo/observer.h>
#include <thrdemo/thread.h>

#include "scenarios/scenarios.h"
#include "tools/tools.h"

static td_lock_t lock_a, lock_b;

static void take_both(td_lock_t *first, const char *first_name, td_lock_t *second,
                      const char *second_name)
{
    char name[CLI_NAME_MAX];
    cli_thread_name(td_current_thread(), name);
    td_lock_acquire(first, true, TD_FOREVER);
    td_print("%s has %s", name, first_name);
    td_lock_acquire(second, true, TD_FOREVER); /* the other thread may hold it, and wait */
    td_print("%s has %s", name, second_name);
    td_lock_release(second);
    td_lock_release(first);
}

static void a_then_b(void *arg)
{
    (void)arg;
    take_both(&lock_a, "lock_a", &lock_b, "lock_b");
}

static void b_then_a(void *arg)
{
    (void)arg;
    take_both(&lock_b, "lock_b", &lock_a, "lock_a");
}

static int run_lock_order(const cli_args_t *args)
{
    (void)args;
    td_lock_init(&lock_a);
    td_lock_init(&lock_b);
    td_object_set_name(&lock_a, "lock_a");
    td_object_set_name(&lock_b, "lock_b");
    td_thread_t *t1 = NULL, *t2 = NULL;
    int rc = runner_start(&t1, &(td_thread_attr_t){ TD_TARGET(a_then_b) });
    if (rc == 0)
        rc = runner_start(&t2, &(td_thread_attr_t){ TD_TARGET(b_then_a) });
    runner_join(t1);
    runner_join(t2);
    if (rc == 0)
        td_print("Both threads have finished.");
    return rc;
}

const cli_command_t hidden_lock_order = {
    .name = "lock-order", .kind = CMD_TOOL, .run = run_lock_order,
    .summary = "two threads take two locks in opposite orders (hidden: for the tests)",
    .about = "Two threads take lock_a and lock_b in opposite orders: some schedules "
             "deadlock.",
    .variants = (const cli_variant_t[]){
        { NULL, "two threads take two locks in opposite orders",
          .example = "lock-order --schedule fifo" },
        { 0 } },
};
