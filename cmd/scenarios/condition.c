/* SPDX-License-Identifier: MIT */
/* condition.c - a producer and consumers on a threading.Condition: seed 004's
 * producer/consumer, built on the Condition that seed 001 lists among the threading
 * module's objects, the way teachers asked for it.
 *
 * The Condition's lock guards the list of items and the "done" flag. A consumer
 * waits with wait_for() on the predicate "an item is there, or the producer is
 * done": the predicate is checked before the first wait and after every wake-up, so
 * an item made before the consumer waited is not missed, and a wake-up with nothing
 * to take (another consumer was quicker) just waits again. The producer makes an
 * item, notify()s one consumer, takes --delay to make the next; at the end it sets
 * "done" and notify_all()s, since every consumer must see it.
 *
 * Trace: "Producer made item 1, notify()", "Thread-1 (consumer) consumed item 1",
 * ..., "Producer is done, notify_all()", each consumer's "Thread-N (consumer):
 * nothing left and the producer is done, exiting", "All threads have finished."
 * Which consumer takes which item is up to the scheduler (waiters wake oldest first).
 * Things to try: --consumers 4 --items 10; --delay 0 (the producer outruns them);
 * `prodcons` for the same with a Queue.
 */
#include <thrdemo/condition.h>
#include <thrdemo/lock.h>
#include <thrdemo/log.h>
#include <thrdemo/thread.h>

#include "scenarios.h"

/* Its options, one enumerator per row of the table at the end, by which the story
 * reads them: a name mistyped does not compile. */
enum {
    CONDITION_ITEMS,
    CONDITION_CONSUMERS,
    CONDITION_DELAY,
};

struct shop {
    td_lock_t lock;
    td_cond_t cond;      /* over lock: guards made, taken and done */
    long long made;      /* items 1..made were made; */
    long long taken;     /* items 1..taken were taken: the list holds taken+1..made */
    bool done;           /* the producer has made its last item */
    long long items;     /* --items */
    double delay;        /* --delay */
};

/* The predicate: an item is there, or the producer is done. (The lock is held.) */
static bool item_or_done(void *arg)
{
    struct shop *s = arg;
    return s->taken < s->made || s->done;
}

static void consumer(void *arg)
{
    struct shop *s = arg;
    char name[CLI_NAME_MAX];
    cli_thread_name(td_current_thread(), name);
    td_cond_acquire(&s->cond, true, TD_FOREVER); /* with cond: */
    for (;;) {
        bool ready;
        td_cond_wait_for(&s->cond, item_or_done, s, TD_FOREVER, &ready); /* the lesson */
        if (s->taken == s->made)
            break; /* done, and nothing left */
        td_print("%s consumed item %lld", name, ++s->taken);
        stats_count("items consumed", 1);
    }
    if (!runner_stopping())
        td_print("%s: nothing left and the producer is done, exiting", name);
    td_cond_release(&s->cond);
}

static void producer(void *arg)
{
    struct shop *s = arg;
    for (long long i = 1; i <= s->items && !runner_stopping(); i++) {
        td_cond_acquire(&s->cond, true, TD_FOREVER);
        s->made = i;
        td_print("Producer made item %lld, notify()", i);
        td_cond_notify(&s->cond, 1); /* wakes one waiting consumer */
        td_cond_release(&s->cond);
        runner_sleep(s->delay); /* making the next item takes a while */
    }
    td_cond_acquire(&s->cond, true, TD_FOREVER);
    s->done = true; /* also after Ctrl-C: the consumers must end */
    if (!runner_stopping())
        td_print("Producer is done, notify_all()");
    td_cond_notify_all(&s->cond); /* every consumer must see "done" */
    td_cond_release(&s->cond);
}

static int run_condition(const cli_args_t *args)
{
    static struct shop s; /* the threads use it until they are joined */
    td_lock_init(&s.lock);
    td_cond_init(&s.cond, &s.lock);
    s.items = cli_int(args, CONDITION_ITEMS);
    s.delay = cli_number(args, CONDITION_DELAY);
    td_thread_t *consumers[MAX_THREADS] = { 0 }, *maker = NULL;
    long long n = cli_int(args, CONDITION_CONSUMERS);
    int rc = 0;
    for (long long i = 0; i < n && rc == 0; i++)
        rc = runner_start(&consumers[i], &(td_thread_attr_t){ TD_TARGET(consumer), .arg = &s });
    if (rc == 0)
        rc = runner_start(&maker, &(td_thread_attr_t){ TD_TARGET(producer), .arg = &s });
    if (!maker) { /* no producer to say "done": say it here, so the consumers end */
        td_cond_acquire(&s.cond, true, TD_FOREVER);
        s.done = true;
        td_cond_notify_all(&s.cond);
        td_cond_release(&s.cond);
    }
    runner_join(maker);
    for (long long i = 0; i < n; i++)
        runner_join(consumers[i]);
    if (rc == 0 && !runner_stopping())
        td_print("All threads have finished.");
    return rc;
}

/* `thrdemo condition`: its variants, options, lesson and Python calls, which the
 * parser, the help and `list` read (cli.h). */
const cli_command_t scenario_condition = {
    .name = "condition", .kind = CMD_SCENARIO, .seed = "001",
    .summary = "a producer and consumers on a Condition: wait_for(), notify(), notify_all()",
    .about = "threading.Condition, which seed 001 lists among the threading module's "
             "objects, doing seed 004's producer/consumer: the consumers wait_for() an "
             "item or the end, the producer notify()s one per item and notify_all()s "
             "at the end.",
    .lesson = "Wait for a state, not for a notify: with the Condition's lock held, "
              "wait_for(predicate) checks the shared state first and again after every "
              "wake-up, so an item made before anyone waited is not missed and a "
              "wake-up with nothing to take just waits again. notify() wakes one "
              "waiter, notify_all() every one.",
    .variants = (const cli_variant_t[]){
        { NULL, "a producer and consumers on a Condition: wait_for(), notify(), notify_all()",
          .example = "condition --consumers 3 --items 9 --scale 0.2", .run = run_condition },
        { 0 } },
    .options = (const cli_option_t[]){
        [CONDITION_ITEMS] = { "items", OPT_INT, "5", .max = 1e6,
          .help = "items the producer makes" },
        [CONDITION_CONSUMERS] = { "consumers", OPT_INT, "2", 1, MAX_THREADS,
          .help = "consumer threads" },
        [CONDITION_DELAY] = { "delay", OPT_NUMBER, "1", .max = 1e9,
          .help = "seconds the producer takes to make the next item" },
        { 0 } },
    .python = (const cli_pycall_t[]){
        { "threading.Condition()", "td_cond_init (over a td_lock_t)" },
        { "with cond:", "td_cond_acquire, td_cond_release" },
        { "cond.wait_for(predicate)", "td_cond_wait_for(&cond, pred, ctx, TD_FOREVER, &ok)" },
        { "cond.notify()", "td_cond_notify(&cond, 1)" },
        { "cond.notify_all()", "td_cond_notify_all" },
        { "threading.Thread(target=...).start", "td_thread_new, td_thread_start" },
        { "threading.Thread.join", "td_thread_join" },
        { 0 } },
};
