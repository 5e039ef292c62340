/* SPDX-License-Identifier: MIT */
/* async_queue.c - the async scenario's queue variants (seed 002, "asyncio.Queue"): a
 * producer puts 0..4 a second apart, a consumer prints each until it gets None.
 *
 * queue        the seed's program: nobody puts the None, so the consumer waits in
 *              get() on an empty queue forever, gather() waits for the consumer, and
 *              asyncio.run() for gather(), with nothing left that could wake any of
 *              them. A coroutine that waits for nothing but a future is not busy: the
 *              loop just sleeps. --hang-after s after the producer is done, one line
 *              says so, the main task is cancelled (gather cancels the consumer) and
 *              the program ends, exit 0.
 * queue-fixed  the producer ends with put(None), the end-of-work value the consumer
 *              checks for: all ends after 5 s.
 */
#include <string.h>

#include <thrdemo/aio_queue.h>
#include <thrdemo/log.h>
#include <thrdemo/task.h>

#include "async.h"

static bool fixed; /* queue-fixed: the producer puts the None */

/* None is NULL, so the numbers travel as pointers to them. */
static const int numbers[5] = { 0, 1, 2, 3, 4 };

static int producer(void *queue, void **result)
{
    (void)result;
    for (int i = 0; i < 5; i++) {
        int rc = td_aio_queue_put(queue, (void *)&numbers[i]); /* await queue.put(i) */
        if (rc == 0)
            rc = td_aio_sleep(runner_seconds(1));
        if (rc != 0)
            return rc;
    }
    return fixed ? td_aio_queue_put(queue, NULL) : 0; /* the fix: await queue.put(None) */
}

static int consumer(void *queue, void **result)
{
    (void)result;
    for (;;) {
        void *item;
        int rc = td_aio_queue_get(queue, &item); /* the seed's consumer waits here forever */
        if (rc != 0)
            return rc;
        if (item == NULL) /* if item is None: break */
            break;
        td_print("Consumed: %d", *(const int *)item);
        td_aio_queue_task_done(queue);
    }
    return 0;
}

static int queue_main(void *arg, void **result)
{
    (void)arg, (void)result;
    td_aio_queue_t *queue; /* asyncio.Queue() */
    int rc = td_aio_queue_new(&queue, 0);
    if (rc != 0)
        return rc;
    const td_aio_coro_t both[] = { TD_AIO_CORO(producer, queue), TD_AIO_CORO(consumer, queue) };
    rc = td_aio_gather_coros(both, 2, NULL, NULL);
    td_aio_queue_free(queue);
    return rc;
}

/* The seed's main, bounded: HANG_AFTER s after the producer is done, say why it
 * hangs and cancel it (the reference's bounded()). */
static double hang_after;

static td_aio_task_t *find_task(const char *coro_name)
{
    td_aio_task_t *tasks[8];
    size_t n = td_aio_all_tasks(NULL, tasks, 8);
    for (size_t i = 0; i < n && i < 8; i++)
        if (strcmp(td_aio_task_coro_name(tasks[i]), coro_name) == 0)
            return tasks[i];
    return NULL;
}

static int watch_the_hang(td_aio_task_t *main_task)
{
    int rc = td_aio_sleep(0); /* main runs up to its gather(), which makes the two tasks */
    td_aio_task_t *producer_task = rc == 0 ? find_task("producer") : NULL;
    bool done;
    if (producer_task)
        rc = td_aio_wait(&producer_task, 1, TD_FOREVER, TD_ALL_COMPLETED, &done);
    if (rc >= 0)
        rc = td_aio_sleep(runner_seconds(hang_after));
    if (rc != 0)
        return rc;
    if (!td_aio_future_done(main_task)) {
        td_print("Consumer still blocked in queue.get(): the queue is empty and the producer "
                 "is done, so the seed's program never exits (stopped after %g s)", hang_after);
        td_aio_future_cancel(main_task, NULL);
    }
    return 0;
}

static int bounded(void *arg, void **result)
{
    (void)arg, (void)result;
    td_aio_task_t *main_task;
    int rc = td_aio_create_task(&main_task, TD_AIO_CORO(queue_main, NULL));
    if (rc != 0)
        return rc;
    rc = watch_the_hang(main_task);
    if (rc != 0)
        td_aio_future_cancel(main_task, NULL); /* we were cancelled (Ctrl-C): main too */
    int main_rc = td_aio_await(main_task, NULL); /* try: await main_task */
    td_aio_future_free(main_task);
    if (rc == 0 && main_rc == -ECANCELED) /* except asyncio.CancelledError: pass */
        main_rc = 0;
    return rc != 0 ? rc : main_rc;
}

int run_async_queue(const cli_args_t *args)
{
    hang_after = cli_number(args, ASYNC_HANG_AFTER);
    return async_run(TD_AIO_CORO(bounded, NULL));
}

int run_async_queue_fixed(const cli_args_t *args)
{
    (void)args;
    fixed = true;
    return async_run(TD_AIO_CORO(queue_main, NULL));
}
