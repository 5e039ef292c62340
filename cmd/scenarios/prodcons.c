/* SPDX-License-Identifier: MIT */
/* prodcons.c - seed 004: producer/consumer over queue.Queue(maxsize=10), run as two
 * tasks of a ThreadPoolExecutor(max_workers=2), stopped by an Event.
 *
 * The producer puts random messages (1-11) until the Event is set; the consumer
 * stores them; main sets the Event after --duration seconds; leaving the `with`
 * block shuts the executor down and waits. Trace, in the seed's logging format
 * "%H:%M:%S: message": "Producer got message: V", "Consumer storing message: V
 * (size=S)", "Main: about to set event", and the two "received event. Exiting".
 *
 * The seed's consumer loops on `while not event.is_set() or not queue.empty()` and
 * can block for ever in get() (the Event set and the queue empty between its check
 * and its get), or leave a message the producer puts after it. Here the producer,
 * once it sees the Event, shuts the queue down (Python 3.13) and join()s it: the
 * consumer's get() drains what is left (task_done() for each) and then fails, so it
 * always ends, every message produced is consumed exactly once, and both exit
 * lines come last. The size is the one left at the get itself (qsize() called
 * after it races with the producer). --stats shows both counts and checksums.
 *
 * --rate N paces the producer to N messages a second (waiting on the Event, so the
 * end is still prompt), slow enough for a class to read. --seed-consumer runs the
 * seed's own loops instead, with a watchdog for their hang: prodcons_seed.c.
 *
 * Things to try: --seed 1 (twice); --maxsize 1; --quiet --stats --duration 5;
 * --rate 3 --duration 3; --seed-consumer --rate 5 --duration 2.
 */
#include <stdint.h>

#include <thrdemo/event.h>
#include <thrdemo/log.h>
#include <thrdemo/pool.h>
#include <thrdemo/queue.h>

#include "prodcons.h"

/* What one side saw: how many messages, their sum and an order-sensitive hash. */
struct tally {
    uint64_t count, sum, hash;
};

struct pipeline {
    td_queue_t *queue;
    td_event_t event;
    double rate;           /* --rate: messages a second (0: as fast as it can) */
    struct tally produced; /* written by the producer only */
    struct tally consumed; /* written by the consumer only */
};

static void tally_add(struct tally *t, uint64_t value)
{
    t->count++;
    t->sum += value;
    t->hash = (t->hash ^ value) * 1099511628211u; /* FNV-1a over the sequence */
}

static int producer(void *arg, void **result)
{
    (void)result;
    struct pipeline *p = arg;
    while (!td_event_is_set(&p->event)) {
        long message = (long)py_randint(1, 11);
        if (!cli_globals.quiet)
            td_log("Producer got message: %ld", message);
        if (td_queue_put(p->queue, (void *)(intptr_t)message, true, TD_FOREVER) != 0)
            break;
        tally_add(&p->produced, (uint64_t)message);
        if (p->rate > 0)
            td_event_wait(&p->event, runner_seconds(1 / p->rate)); /* --rate */
    }
    td_queue_shutdown(p->queue, false); /* the fix: "no more messages are coming" */
    td_queue_join(p->queue, TD_FOREVER); /* until the consumer has stored them all */
    td_log("Producer received event. Exiting");
    return 0;
}

static int consumer(void *arg, void **result)
{
    (void)result;
    struct pipeline *p = arg;
    void *item;
    size_t size;
    /* get() blocks while the queue is empty and fails only once the producer has
     * shut it down and it is drained: no message is left behind, no hang. */
    while (td_queue_get(p->queue, &item, true, TD_FOREVER, &size) == 0) {
        long message = (long)(intptr_t)item;
        if (!cli_globals.quiet)
            td_log("Consumer storing message: %ld (size=%zu)", message, size);
        tally_add(&p->consumed, (uint64_t)message);
        td_queue_task_done(p->queue);
    }
    td_log("Consumer received event. Exiting");
    return 0;
}

static void report(const struct pipeline *p)
{
    stats_count("messages produced", p->produced.count);
    stats_count("messages consumed", p->consumed.count);
    stats_line("produced checksum: sum %llu, hash %016llx",
               (unsigned long long)p->produced.sum, (unsigned long long)p->produced.hash);
    stats_line("consumed checksum: sum %llu, hash %016llx",
               (unsigned long long)p->consumed.sum, (unsigned long long)p->consumed.hash);
}

static int run_prodcons(const cli_args_t *args)
{
    td_log_set_format(TD_LOG_ASCTIME);
    static struct pipeline p;
    td_event_init(&p.event);
    td_object_set_name(&p.event, "event");
    td_pool_t *executor = NULL;
    int rc = td_queue_new(&p.queue, (long)cli_int(args, PRODCONS_MAXSIZE), NULL);
    if (rc == 0)
        td_object_set_name(p.queue, "queue"); /* producer(queue, event), consumer(...) */
    if (rc == 0)
        rc = td_pool_new(&executor, (size_t)cli_int(args, PRODCONS_WORKERS), NULL);
    if (rc == 0 && cli_flag(args, PRODCONS_SEED_CONSUMER)) {
        rc = run_prodcons_seed(args, executor, p.queue); /* frees the executor */
        td_queue_free(p.queue);
        return rc;
    }
    p.rate = cli_number(args, PRODCONS_RATE);
    if (rc == 0)
        rc = td_pool_submit(executor, producer, &p, NULL);
    if (rc == 0)
        rc = td_pool_submit(executor, consumer, &p, NULL);
    if (rc != 0) {
        cli_error("cannot start the pipeline: %s", td_strerror(rc));
        if (executor)
            td_queue_shutdown(p.queue, true); /* a producer that did start stops */
        td_event_set(&p.event);
        td_pool_free(executor);
        td_queue_free(p.queue);
        return EXIT_RUNTIME;
    }
    if (!runner_sleep(cli_number(args, PRODCONS_DURATION)))
        td_log("Main: about to set event");
    td_event_set(&p.event);
    td_pool_free(executor); /* leaving `with`: shutdown(wait=True) */
    report(&p);
    td_queue_free(p.queue);
    return EXIT_OK;
}

static int check_prodcons(const cli_args_t *args)
{
    if (cli_given(args, PRODCONS_HANG_AFTER) && !cli_flag(args, PRODCONS_SEED_CONSUMER))
        return cli_usage_error("prodcons", "--hang-after watches the seed's consumer: it "
                                           "needs --seed-consumer");
    return 0;
}

/* `thrdemo prodcons`: its variants, options, lesson and Python calls, which the parser,
 * the help and `list` read (cli.h). */
const cli_command_t scenario_prodcons = {
    .name = "prodcons", .kind = CMD_SCENARIO, .seed = "004", .check = check_prodcons,
    .summary = "producer/consumer over a bounded queue in a thread pool, stopped by an Event",
    .about = "A producer and a consumer over queue.Queue(maxsize=10) in a "
             "ThreadPoolExecutor, stopped by an Event; no message is lost, nothing hangs.",
    .lesson = "A bounded queue hands work from one thread to another and makes a fast "
              "producer wait for a slow consumer. The seed's consumer can hang in get() "
              "once the producer is gone (see it with --seed-consumer --rate 5); shutting "
              "the queue down ends it cleanly.",
    .variants = (const cli_variant_t[]){
        { NULL, "producer/consumer over a bounded queue in a thread pool, stopped by an Event",
          .example = "prodcons --seed-consumer --rate 5 --duration 2", .run = run_prodcons },
        { 0 } },
    .options = (const cli_option_t[]){
        [PRODCONS_DURATION] = { "duration", OPT_NUMBER, "0.1", .max = 1e9,
          .help = "seconds before main sets the event" },
        [PRODCONS_MAXSIZE] = { "maxsize", OPT_INT, "10", .max = 1e7,
          .help = "the queue's maxsize (0: unbounded)" },
        [PRODCONS_WORKERS] = { "workers", OPT_INT, "2", 2, 64,
          .help = "the executor's max_workers (producer and consumer run at once: 2 or more)" },
        [PRODCONS_RATE] = { "rate", OPT_NUMBER, "0", .max = 1e9,
          .help = "messages the producer makes a second, slow enough to read (0: as fast as "
                  "it can)" },
        [PRODCONS_SEED_CONSUMER] = { "seed-consumer", OPT_FLAG,
          .help = "the seed's own producer and consumer, which can hang; a watchdog says so "
                  "and ends the run (exit 0), or counts the messages they left behind" },
        [PRODCONS_HANG_AFTER] = { "hang-after", OPT_NUMBER, "2", .min_open = true, .max = 1e9,
          .help = "with --seed-consumer: seconds without progress, the queue empty and the "
                  "producer gone, before the watchdog calls it a hang" },
        { 0 } },
    .python = (const cli_pycall_t[]){
        { "queue.Queue(maxsize=10)", "td_queue_new" },
        { "queue.Queue.put / get", "td_queue_put, td_queue_get" },
        { "queue.Queue.task_done / join", "td_queue_task_done, td_queue_join" },
        { "queue.Queue.shutdown (3.13)", "td_queue_shutdown" },
        { "queue.Queue.empty / qsize", "td_queue_empty, td_queue_qsize" },
        { "event.wait(1 / rate)", "td_event_wait (--rate)" },
        { "ThreadPoolExecutor(max_workers=2)", "td_pool_new" },
        { "executor.submit(f, ...)", "td_pool_submit" },
        { "leaving `with executor:`", "td_pool_free (shutdown(wait=True))" },
        { "threading.Event set / is_set", "td_event_set, td_event_is_set" },
        { "logging '%(asctime)s: %(message)s'", "td_log_set_format(TD_LOG_ASCTIME), td_log" },
        { 0 } },
};
