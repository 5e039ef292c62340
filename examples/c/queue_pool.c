/* SPDX-License-Identifier: MIT */
/* queue_pool.c - a two-stage pipeline: main produces numbers into a bounded Queue,
 * three consumer tasks in a ThreadPoolExecutor square and add them up.
 *
 * The queue holds at most 4 items, so main blocks in put() whenever the consumers
 * fall behind (back-pressure instead of unbounded memory). Each consumer loops on
 * get() until the queue is shut down and drained (-ESHUTDOWN, Python 3.13's
 * ShutDown), marks each item done, and returns its partial sum through its future.
 * main waits with join() until every item is processed, shuts the queue down, and
 * adds up the futures' results. Python's version:
 *
 *     q = queue.Queue(maxsize=4)
 *     def consume():
 *         total = 0
 *         while True:
 *             try: n = q.get()
 *             except queue.ShutDown: return total
 *             total += n * n; q.task_done()
 *     with ThreadPoolExecutor(3) as pool:
 *         futures = [pool.submit(consume) for _ in range(3)]
 *         for n in range(1, 101): q.put(n)
 *         q.join(); q.shutdown()
 *         print(sum(f.result() for f in futures))
 *
 * Build: cc queue_pool.c $(pkg-config --cflags --libs thrdemo)
 * Prints:
 *   3 consumers processed 100 items: sum of squares 338350 (expected 338350)
 */
#include <stdint.h>
#include <stdio.h>

#include <thrdemo/log.h>
#include <thrdemo/pool.h>
#include <thrdemo/queue.h>

enum { CONSUMERS = 3, ITEMS = 100, MAXSIZE = 4 };

struct consumer {
    td_queue_t *queue;
    long long sum;   /* of the squares this consumer took */
    int items;
};

/* A pool task: 0 and the consumer's own struct as its result, or -errno. */
static int consume(void *arg, void **result)
{
    struct consumer *c = arg;
    void *item;
    int rc;
    while ((rc = td_queue_get(c->queue, &item, true, TD_FOREVER, NULL)) == 0) {
        long long n = (intptr_t)item;
        c->sum += n * n;
        c->items++;
        td_queue_task_done(c->queue); /* lets main's join() return once all are done */
    }
    if (rc != -ESHUTDOWN) /* the only way out that is not an error */
        return rc;
    *result = c;
    return 0;
}

int main(void)
{
    td_queue_t *queue;
    td_pool_t *pool;
    if (td_queue_new(&queue, MAXSIZE, NULL) != 0 || td_pool_new(&pool, CONSUMERS, NULL) != 0) {
        fprintf(stderr, "queue_pool: out of memory\n");
        return 1;
    }
    struct consumer consumers[CONSUMERS];
    td_future_t *futures[CONSUMERS];
    for (int i = 0; i < CONSUMERS; i++) {
        consumers[i] = (struct consumer){ .queue = queue };
        int rc = td_pool_submit(pool, consume, &consumers[i], &futures[i]);
        if (rc != 0) {
            fprintf(stderr, "queue_pool: cannot submit: %s\n", td_strerror(rc));
            return 1;
        }
    }

    for (intptr_t n = 1; n <= ITEMS; n++) /* blocks while 4 items wait: back-pressure */
        td_queue_put(queue, (void *)n, true, TD_FOREVER);
    td_queue_join(queue, TD_FOREVER);   /* every item got and marked done */
    td_queue_shutdown(queue, false);    /* consumers' next get() fails: they return */

    long long total = 0;
    int items = 0, failed = 0;
    for (int i = 0; i < CONSUMERS; i++) {
        void *result;
        int rc = td_future_result(futures[i], TD_FOREVER, &result);
        if (rc == 0) { /* the task returned 0: its result is valid */
            const struct consumer *c = result;
            total += c->sum;
            items += c->items;
        } else {       /* the task's error, or the wait's (timeout, cancelled) */
            fprintf(stderr, "queue_pool: consumer %d failed: %s\n", i, td_strerror(rc));
            failed++;
        }
        td_future_free(futures[i]);
    }
    td_pool_shutdown(pool, true, false);
    td_pool_free(pool);
    td_queue_free(queue);

    long long expected = (long long)ITEMS * (ITEMS + 1) * (2 * ITEMS + 1) / 6;
    td_print("%d consumers processed %d items: sum of squares %lld (expected %lld)",
             CONSUMERS, items, total, expected);
    return failed == 0 && total == expected ? 0 : 1;
}
