/* SPDX-License-Identifier: MIT */
/* pool.c - Python's ThreadPoolExecutor (concurrent/futures/thread.py) and its map().
 *
 * A pool is an unbounded td_queue of work items, an `idle` Semaphore counting
 * workers waiting for work, and its worker threads. submit() queues an item and
 * starts a worker only when no idle one can take it (CPython's
 * _adjust_thread_count). A NULL item is the sentinel that tells a worker to leave;
 * each leaving worker puts it back for the next one.
 * shutdown_lock guards shutdown, threads and n_threads.
 * Futures live in future.c; a worker runs a work item as CPython's _WorkItem.run:
 * skip it if cancelled, else run it and settle its future.
 */
#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "future_internal.h"
#include "prim.h"
#include "runtime/runtime.h"
#include "thrdemo/condition.h"
#include "thrdemo/lock.h"
#include "thrdemo/pool.h"
#include "thrdemo/queue.h"
#include "thrdemo/semaphore.h"
#include "thrdemo/thread.h"

struct work_item {
    td_future_t *future;
    td_task_fn fn;
    void *arg;
};

struct td_pool {
    td_queue_t *work;
    td_sem_t idle;
    td_lock_t shutdown_lock;
    bool shutdown;
    size_t max_workers;
    td_thread_t **threads;
    size_t n_threads;
    char prefix[64];
};

static atomic_uint pool_counter; /* CPython's ThreadPoolExecutor._counter */

/* ---- work items and workers -------------------------------------------------------- */

/* CPython's _WorkItem.run: skip a cancelled future, else run and settle it. */
static void run_item(struct work_item *w)
{
    if (!td__future_start(w->future))
        return;
    void *result = NULL;
    int rc = w->fn(w->arg, &result);
    td__future_finish(w->future, rc, result);
}

/* A work item dropped unrun: its future is cancelled and noticed, so neither
 * td_future_result nor td_futures_wait on it hangs (issue 21). */
static void free_item(void *item)
{
    struct work_item *w = item;
    if (!w)
        return;
    td__future_drop(w->future);
    td_future_free(w->future);
    free(w);
}

static void worker(void *arg)
{
    struct td_pool *pool = arg;
    for (;;) {
        void *item = NULL;
        if (td_queue_get(pool->work, &item, false, TD_FOREVER, NULL) == -ENODATA) {
            td_sem_release(&pool->idle, 1); /* idle: submit() may hand us work */
            if (td_queue_get(pool->work, &item, true, TD_FOREVER, NULL) != 0)
                return;
        }
        if (!item) {
            td_queue_put(pool->work, NULL, true, TD_FOREVER); /* wake the next one */
            return;
        }
        struct work_item *w = item;
        run_item(w);
        td_future_free(w->future);
        free(w);
    }
}

/* Start one more worker if none is idle and the limit allows (shutdown_lock held). */
static int adjust_thread_count(struct td_pool *pool)
{
    if (td_sem_acquire(&pool->idle, false, TD_FOREVER) == 0)
        return 0; /* an idle worker will take it */
    if (pool->n_threads >= pool->max_workers)
        return 0;
    char name[96];
    snprintf(name, sizeof name, "%s_%zu", pool->prefix, pool->n_threads);
    td_thread_t *t;
    int rc = td_thread_new(&t, &(td_thread_attr_t){ TD_TARGET(worker), .arg = pool,
                                                    .name = name, .daemon = TD_DAEMON_NO });
    if (rc != 0)
        return rc;
    rc = td_thread_start(t);
    if (rc != 0) {
        td_thread_free(t);
        return rc;
    }
    pool->threads[pool->n_threads++] = t;
    return 0;
}

/* ---- the executor ------------------------------------------------------------------ */

static size_t default_max_workers(void)
{
    cpu_set_t set;
    size_t cpus = 1;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        cpus = (size_t)CPU_COUNT(&set);
    return cpus + 4 < 32 ? cpus + 4 : 32; /* min(32, process_cpu_count() + 4) */
}

/* td_shutdown()'s hook, CPython's _python_exit: no new work, workers leave, and
 * each is joined. The join matters for a worker that has already ended (after a
 * shutdown(wait=False), say): the exit rule joins only threads still registered,
 * so without it that pthread was never reaped (TSan: a thread leak). */
static void pool_atexit(void *arg)
{
    struct td_pool *pool = arg;
    td_lock_acquire(&pool->shutdown_lock, true, TD_FOREVER);
    if (!pool->shutdown) {
        pool->shutdown = true;
        td_queue_put(pool->work, NULL, true, TD_FOREVER);
    }
    size_t n = pool->n_threads;
    td_lock_release(&pool->shutdown_lock);
    for (size_t i = 0; i < n; i++)
        td_thread_join(pool->threads[i], TD_FOREVER);
}

int td_pool_new(td_pool_t **out, size_t max_workers, const char *name_prefix)
{
    struct td_pool *pool = calloc(1, sizeof *pool);
    if (!pool)
        return -ENOMEM;
    pool->max_workers = max_workers ? max_workers : default_max_workers();
    pool->threads = calloc(pool->max_workers, sizeof *pool->threads);
    if (!pool->threads || td_queue_new(&pool->work, 0, free_item) != 0) {
        free(pool->threads);
        free(pool);
        return -ENOMEM;
    }
    unsigned k = atomic_fetch_add(&pool_counter, 1);
    if (name_prefix)
        snprintf(pool->prefix, sizeof pool->prefix, "%s", name_prefix);
    else
        snprintf(pool->prefix, sizeof pool->prefix, "ThreadPoolExecutor-%u", k);
    td_sem_init(&pool->idle, 0);
    td_lock_init(&pool->shutdown_lock);
    if (td__atexit_register(pool_atexit, pool) != 0) {
        td_queue_free(pool->work);
        free(pool->threads);
        free(pool);
        return -ENOMEM;
    }
    *out = pool;
    return 0;
}

size_t td_pool_max_workers(td_pool_t *pool)
{
    return pool->max_workers;
}

size_t td_pool_threads(td_pool_t *pool)
{
    td_lock_acquire(&pool->shutdown_lock, true, TD_FOREVER);
    size_t n = pool->n_threads;
    td_lock_release(&pool->shutdown_lock);
    return n;
}

int td_pool_submit(td_pool_t *pool, td_task_fn fn, void *arg, td_future_t **future)
{
    if (!fn)
        return -EINVAL;
    struct work_item *w = malloc(sizeof *w);
    td_future_t *f = td__future_new();
    if (!w || !f) {
        free(w);
        td_future_free(f);
        return -ENOMEM;
    }
    *w = (struct work_item){ .future = f, .fn = fn, .arg = arg };
    td_future_ref(f); /* one for the work item, one for the caller */
    td_lock_acquire(&pool->shutdown_lock, true, TD_FOREVER);
    int rc = pool->shutdown ? -ESHUTDOWN : td_queue_put(pool->work, w, true, TD_FOREVER);
    if (rc == 0) {
        int started = adjust_thread_count(pool);
        if (started != 0 && pool->n_threads == 0) {
            /* No worker exists to ever run it: take it back (it is the only item,
             * since every earlier submit either had a worker or was taken back). */
            void *back;
            td_queue_get(pool->work, &back, false, TD_FOREVER, NULL);
            rc = started;
        }
    }
    td_lock_release(&pool->shutdown_lock);
    if (rc != 0) {
        free(w);
        td_future_free(f); /* the work item's reference */
        td_future_free(f); /* and the caller's */
        return rc;
    }
    if (future)
        *future = f;
    else
        td_future_free(f);
    return 0;
}

void td_pool_shutdown(td_pool_t *pool, bool wait, bool cancel_futures)
{
    td_lock_acquire(&pool->shutdown_lock, true, TD_FOREVER);
    bool first = !pool->shutdown;
    pool->shutdown = true;
    if (cancel_futures) {
        void *item;
        while (td_queue_get(pool->work, &item, false, TD_FOREVER, NULL) == 0) {
            if (item)
                free_item(item); /* cancels its future, noticed */
        }
    }
    if (first || cancel_futures)
        td_queue_put(pool->work, NULL, true, TD_FOREVER);
    size_t n = pool->n_threads;
    td_lock_release(&pool->shutdown_lock);
    if (!wait)
        return;
    for (size_t i = 0; i < n; i++)
        td_thread_join(pool->threads[i], TD_FOREVER);
}

void td_pool_free(td_pool_t *pool)
{
    if (!pool)
        return;
    td__atexit_unregister(pool_atexit, pool);
    td_pool_shutdown(pool, true, false);
    for (size_t i = 0; i < pool->n_threads; i++)
        td_thread_free(pool->threads[i]);
    td_queue_free(pool->work);
    td_sem_destroy(&pool->idle);
    td_lock_destroy(&pool->shutdown_lock);
    free(pool->threads);
    free(pool);
}

/* After map gave up at a failure: cancel what has not started of futures[from..n)
 * (CPython's map does), and say what became of the rest: a finished task's result
 * and code, -EINPROGRESS for one still running (its result is not collected). */
static void give_up_rest(td_future_t **futures, size_t from, size_t n, void **results,
                         int *errors)
{
    for (size_t i = from; i < n; i++) {
        void *result = NULL;
        int task_rc = 0, got = -ECANCELED;
        if (!td_future_cancel(futures[i])) {
            got = td__future_result_until(futures[i], td__deadline_in(0), &result, &task_rc);
            got = got == -ETIMEDOUT ? -EINPROGRESS : got == TD_ETASK ? task_rc : got;
        }
        if (results)
            results[i] = result;
        if (errors)
            errors[i] = got;
    }
}

/* A submit failed with rc: the arguments from `from` on never had a task. */
static void never_submitted(size_t from, size_t n, int rc, void **results, int *errors)
{
    for (size_t i = from; i < n; i++) {
        if (results)
            results[i] = NULL;
        if (errors)
            errors[i] = rc;
    }
}

int td_pool_map(td_pool_t *pool, td_task_fn fn, void *const *args, size_t n, double timeout,
                void **results, int *errors)
{
    if (!fn || (n > 0 && !args))
        return -EINVAL;
    /* Python's map waits with result(end_time - now): a negative timeout does not. */
    int rc = td__check_timeout(&timeout, TD__TIMEOUT_JOIN);
    if (rc != 0)
        return rc;
    td_future_t **futures = calloc(n ? n : 1, sizeof *futures);
    if (!futures)
        return -ENOMEM;
    size_t submitted = 0;
    while (rc == 0 && submitted < n) {
        rc = td_pool_submit(pool, fn, args[submitted], &futures[submitted]);
        submitted += rc == 0;
    }
    size_t i = 0;
    if (rc != 0) {
        give_up_rest(futures, 0, submitted, results, errors);
        never_submitted(submitted, n, rc, results, errors);
    }
    /* Python: the timeout counts from the end of the submits, for all the results. */
    td__deadline_t deadline = td__deadline_in(timeout);
    for (; rc == 0 && i < n; i++) {
        void *result = NULL;
        int task_rc = 0;
        int got = td__future_result_until(futures[i], deadline, &result, &task_rc);
        if (results)
            results[i] = result;
        if (errors)
            errors[i] = got == TD_ETASK ? task_rc : got;
        if (got != 0) {
            rc = got;
            /* CPython's _result_or_cancel: the future waited for is cancelled too,
             * else a task that had not started would run after map returned. */
            td_future_cancel(futures[i]);
            give_up_rest(futures, i + 1, n, results, errors);
        }
    }
    for (size_t k = 0; k < submitted; k++)
        td_future_free(futures[k]);
    free(futures);
    return rc;
}
