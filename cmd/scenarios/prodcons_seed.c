/* SPDX-License-Identifier: MIT */
/* prodcons_seed.c - `prodcons --seed-consumer`: seed 004's own producer and consumer,
 * which can hang, with a watchdog that says so.
 *
 * The seed's consumer loops on `while not event.is_set() or not queue.empty()` and
 * then calls get(). If it checked the event just before main set it, and the queue
 * is empty (the producer saw the event and left), that get() waits for ever, and so
 * would the program. The other race: the producer puts a message after the
 * consumer's last check, and nobody ever takes it. --rate makes the first nearly
 * certain: a slow producer leaves the consumer waiting in get() on an empty queue.
 *
 * The watchdog (thrdemo's addition, main's work after the event): while the consumer
 * has not ended, if it made no progress for --hang-after seconds, the queue is empty
 * and the producer has exited, it logs why the consumer will never end and shuts the
 * queue down so that the get() fails and the program ends (exit 0). Python cannot
 * stop the thread: examples/python/prodcons.py ends the process there instead, after
 * the same line. When the consumer does end, messages left behind are logged.
 *
 * Trace: the seed's lines, then after "Main: about to set event" either both exit
 * lines, or "Watchdog: the consumer is blocked in get() on an empty queue ...
 * (stopped after 2 s)", or a count of messages left.
 * Things to try: --seed-consumer --rate 5 --duration 2 (the hang); --seed-consumer
 * --stats, several times (produced and consumed may differ).
 */
#include <stdatomic.h>
#include <stdint.h>

#include <thrdemo/event.h>
#include <thrdemo/log.h>
#include <thrdemo/pool.h>
#include <thrdemo/queue.h>

#include "prodcons.h"

struct seed_pipeline {
    td_queue_t *queue;
    td_event_t event;         /* the seed's: set by main after --duration */
    double rate;              /* --rate (0: as fast as it can) */
    atomic_ullong produced, consumed; /* the consumer's count is the watchdog's gauge */
    td_event_t producer_done; /* set when the producer returns */
    td_event_t consumer_done; /* set when the consumer returns */
};

static int seed_producer(void *arg, void **result)
{
    (void)result;
    struct seed_pipeline *p = arg;
    while (!td_event_is_set(&p->event)) {
        long message = (long)py_randint(1, 11);
        if (!cli_globals.quiet)
            td_log("Producer got message: %ld", message);
        if (td_queue_put(p->queue, (void *)(intptr_t)message, true, TD_FOREVER) != 0)
            break; /* Ctrl-C shut the queue */
        atomic_fetch_add(&p->produced, 1);
        if (p->rate > 0)
            td_event_wait(&p->event, runner_seconds(1 / p->rate)); /* --rate */
    }
    if (!runner_stopping())
        td_log("Producer received event. Exiting");
    td_event_set(&p->producer_done);
    return 0;
}

static int seed_consumer(void *arg, void **result)
{
    (void)result;
    struct seed_pipeline *p = arg;
    void *item;
    size_t size;
    bool ended = true;
    while (!td_event_is_set(&p->event) || !td_queue_empty(p->queue)) {
        /* The seed's hang: the event set and the queue empty after the check above. */
        if ((ended = td_queue_get(p->queue, &item, true, TD_FOREVER, &size) == 0) == false)
            break; /* the watchdog shut the queue: the seed would never get here */
        if (!cli_globals.quiet)
            td_log("Consumer storing message: %ld (size=%zu)", (long)(intptr_t)item, size);
        atomic_fetch_add(&p->consumed, 1);
    }
    if (ended && !runner_stopping())
        td_log("Consumer received event. Exiting");
    td_event_set(&p->consumer_done);
    return 0;
}

/* After the event: wait for the consumer; say so when it is in the seed's hang. */
static void watchdog(struct seed_pipeline *p, double hang_after)
{
    for (;;) {
        unsigned long long before = atomic_load(&p->consumed);
        if (runner_wait(&p->consumer_done, hang_after) && !runner_stopping())
            break; /* it ended */
        if (runner_stopping())
            return;
        if (atomic_load(&p->consumed) == before && td_queue_empty(p->queue) &&
            td_event_is_set(&p->producer_done)) {
            td_log("Watchdog: the consumer is blocked in get() on an empty queue and the "
                   "producer has exited: the seed's consumer checked the event before it "
                   "was set, and now waits for ever (stopped after %g s)", hang_after);
            td_queue_shutdown(p->queue, true); /* its get() fails: it ends */
            return;
        }
    }
    /* The producer may still put one message, checked before the event was set:
     * count what is left once it has gone too (it cannot block: the queue has room). */
    if (!runner_wait(&p->producer_done, TD_FOREVER) || runner_stopping())
        return;
    size_t left = td_queue_qsize(p->queue);
    if (left > 0)
        td_log("Watchdog: messages left in the queue, never consumed: %zu (the producer "
               "put them after the consumer's last check)", left);
    stats_count("messages left in the queue", left);
}

int run_prodcons_seed(const cli_args_t *args, td_pool_t *executor, td_queue_t *queue)
{
    static struct seed_pipeline p; /* the tasks use it until the pool is freed */
    p.queue = queue;
    p.rate = cli_number(args, PRODCONS_RATE);
    td_event_init(&p.event);
    td_event_init(&p.producer_done);
    td_event_init(&p.consumer_done);
    int rc = td_pool_submit(executor, seed_producer, &p, NULL);
    if (rc == 0)
        rc = td_pool_submit(executor, seed_consumer, &p, NULL);
    if (rc != 0)
        cli_error("cannot start the pipeline: %s", td_strerror(rc));
    if (rc == 0 && !runner_sleep(cli_number(args, PRODCONS_DURATION)))
        td_log("Main: about to set event");
    td_event_set(&p.event);
    if (rc == 0)
        watchdog(&p, cli_number(args, PRODCONS_HANG_AFTER));
    if (rc != 0 || runner_stopping())
        td_queue_shutdown(queue, true); /* whoever waits in put() or get() ends */
    td_pool_free(executor); /* joins the tasks */
    stats_count("messages produced", atomic_load(&p.produced));
    stats_count("messages consumed", atomic_load(&p.consumed));
    return rc == 0 ? EXIT_OK : EXIT_RUNTIME;
}
