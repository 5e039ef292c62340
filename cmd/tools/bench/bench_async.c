/* SPDX-License-Identifier: MIT */
/* bench_async.c - asyncio at scale, on libthrdemo's event loop and its tasks, which
 * take turns on one shared stack, each one's frames copied out while it waits.
 *
 * async        asyncio.run of a main that creates and gathers --tasks tasks (100,000
 *              unless told), each of which does one `await asyncio.sleep(0)`
 *              (scripts/bench/py_async.py does the same in CPython): wall time and the
 *              process's peak RSS; then what each live task costs, measured when all
 *              of them are alive, suspended in their sleep(0): the heap it holds (task
 *              and coroutine, its saved stack bytes, its share of the ready queue and
 *              of gather's arrays), and of that the bytes of its saved stack. The
 *              loop's one shared stack (a few pages) is not counted per task.
 * async-sleep  10,000 tasks asleep at once, each having formatted a line first (a task
 *              that logged, then sleeps): the process's peak RSS, and the stack bytes
 *              each task saved.
 * After each run the freed buffers and stacks are handed back (malloc_trim,
 * td_coro_trim), so what one workload freed is not what the next one measures.
 */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <thrdemo/coro.h>
#include <thrdemo/task.h>

#include "bench.h"

enum { GATHERED = 100000, ASLEEP = 10000 };

/* A field of /proc/self/status in bytes ("VmRSS:", "VmHWM:"). */
static double status_bytes(const char *field)
{
    return (double)bench_status_value(field) * 1024;
}

static void failed(bench_result_t *r, const char *what, int rc)
{
    r->ok = false;
    snprintf(r->note, sizeof r->note, "%s: %s", what, td_strerror(rc));
}

/* Give back what a run freed: heap pages and free stacks. */
static void release_freed(void)
{
    malloc_trim(0);
    td_coro_trim();
}

/* ---- N tasks gathered ------------------------------------------------------------- */

static long slept; /* tasks whose sleep(0) came back: every one must */

static int sleep0(void *arg, void **result)
{
    (void)arg, (void)result;
    int rc = td_aio_sleep(0);
    slept += rc == 0;
    return rc;
}

/* What the live tasks cost, seen by the last gathered coroutine: it runs after all
 * the others have run to their sleep(0), when every task is alive and suspended. */
struct peak {
    bool wanted; /* measure: off when the run is timed */
    long tasks;  /* gathered: --tasks */
    size_t heap_before, heap, saved;
};

static size_t heap_in_use(void)
{
    struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;
}

static int measures_the_peak(void *arg, void **result)
{
    (void)result;
    struct peak *p = arg;
    if (!p->wanted)
        return 0;
    p->heap = heap_in_use(); /* before the list below, which is the bench's own */
    size_t max = (size_t)p->tasks + 2;
    td_aio_task_t **tasks = malloc(max * sizeof *tasks);
    size_t n = tasks ? td_aio_all_tasks(NULL, tasks, max) : 0;
    for (size_t i = 0; i < n && i < max; i++)
        p->saved += td_aio_task_stack_touched(tasks[i]);
    free(tasks);
    return 0;
}

struct gathering {
    td_aio_coro_t *coros; /* the sleep0s and the measurer */
    struct peak peak;
};

static int gather_all(void *arg, void **result)
{
    (void)result;
    struct gathering *g = arg;
    return td_aio_gather_coros(g->coros, (size_t)g->peak.tasks + 1, NULL, NULL);
}

/* asyncio.run(main()), main gathering the tasks: 0 or its error. */
static int run_gathering(struct gathering *g, bench_result_t *r, double *ms)
{
    long n = g->peak.tasks = r->param > 0 ? r->param : GATHERED;
    g->coros = malloc(((size_t)n + 1) * sizeof *g->coros);
    if (!g->coros) {
        failed(r, "no memory for the coroutines", -ENOMEM);
        return -ENOMEM;
    }
    for (long i = 0; i < n; i++)
        g->coros[i] = TD_AIO_CORO(sleep0, NULL);
    g->coros[n] = TD_AIO_CORO(measures_the_peak, &g->peak);
    slept = 0;
    g->peak.heap_before = heap_in_use();
    double start = bench_now();
    int rc = td_aio_run(TD_AIO_CORO(gather_all, g), NULL, NULL); /* asyncio.run(main()) */
    *ms = (bench_now() - start) * 1e3;
    free(g->coros);
    release_freed();
    if (rc != 0) {
        failed(r, "asyncio.run", rc);
    } else if (slept != n) {
        r->ok = false;
        snprintf(r->note, sizeof r->note, "%ld of %ld tasks slept", slept, n);
        rc = -EPROTO;
    }
    return rc;
}

void bench_async_gather(bench_result_t *r)
{
    struct gathering g = { 0 };
    bench_reset_peak_rss();
    run_gathering(&g, r, &r->value[0]);
    r->value[1] = status_bytes("VmHWM:") / 1e6;
}

void bench_async_per_task(bench_result_t *r)
{
    struct gathering g = { .peak.wanted = true };
    double ms;
    if (run_gathering(&g, r, &ms) != 0)
        return;
    /* The saved stack bytes are heap: counted once, in the first figure. */
    r->value[0] = (double)(g.peak.heap - g.peak.heap_before) / (double)g.peak.tasks;
    r->value[1] = (double)g.peak.saved / (double)g.peak.tasks;
}

/* ---- 10,000 asleep ----------------------------------------------------------------- */

static int logs_then_sleeps(void *arg, void **result)
{
    (void)result;
    char line[128];
    snprintf(line, sizeof line, "task %ld: %s at %.3f", (long)(intptr_t)arg, "waiting", 1.5);
    int rc = td_aio_sleep(0.2); /* all 10,000 asleep at once */
    return rc == 0 && line[0] == 't' ? 0 : -EPROTO;
}

struct asleep {
    size_t touched; /* stack bytes resident, summed over the tasks */
    double rss;     /* the process's, while they sleep */
    int rc;
};

static int sleepers(void *arg, void **result)
{
    (void)result;
    struct asleep *a = arg;
    static td_aio_task_t *tasks[ASLEEP];
    int made = 0, rc = 0;
    for (; made < ASLEEP && rc == 0; made++)
        rc = td_aio_create_task(&tasks[made], TD_AIO_CORO(logs_then_sleeps, (void *)(intptr_t)made));
    made -= rc != 0;
    if (rc == 0)
        rc = td_aio_sleep(0.01); /* each has run to its sleep */
    a->rss = status_bytes("VmRSS:");
    for (int i = 0; i < made; i++)
        a->touched += td_aio_task_stack_touched(tasks[i]);
    bool done[ASLEEP];
    if (rc == 0 && td_aio_wait(tasks, (size_t)made, TD_FOREVER, TD_ALL_COMPLETED, done) != made)
        rc = -EPROTO;
    for (int i = 0; i < made && rc == 0; i++)
        rc = td_aio_future_result(tasks[i], NULL);
    for (int i = 0; i < made; i++)
        td_aio_future_free(tasks[i]);
    a->rc = rc;
    return rc;
}

void bench_async_sleepers(bench_result_t *r)
{
    struct asleep a = { 0 };
    bench_reset_peak_rss();
    int rc = td_aio_run(TD_AIO_CORO(sleepers, &a), NULL, NULL);
    r->value[0] = status_bytes("VmHWM:") / 1e6;
    release_freed();
    r->value[1] = (double)a.touched / ASLEEP;
    if (rc != 0 || a.rc != 0)
        failed(r, "10,000 sleeping tasks", rc != 0 ? rc : a.rc);
}
