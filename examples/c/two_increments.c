/* SPDX-License-Identifier: MIT */
/* two_increments.c - two threads each do `x = x + 1` K times without a lock: every
 * final value the program can end with, found by trying every schedule.
 *
 * `x = x + 1` is a load and a store, and another thread may run between them, so an
 * increment can be lost. How many? Testing by hand, or sampling random schedules,
 * shows some values and can never say "those are all". td_sched_explore (explore.h)
 * can: it runs the program once per class of equivalent schedules (dynamic
 * partial-order reduction) and so sees every final value there is. The shared
 * variable is a plain int, so the program names its accesses: td_sched_read before
 * the load and td_sched_write before the store, the points where the other thread
 * may run. Python's version (`--lock none` of `thrdemo lock-counter`):
 *
 *     def worker():
 *         global x
 *         for _ in range(K):
 *             x = x + 1      # load, then store: another thread may run between
 *
 * The theory, for K >= 2: the final value is exactly one of 2, 3, ..., 2K.
 * - At most 2K: every store writes a loaded value plus one, and a loaded value is at
 *   most the number of stores before it, so no store writes more than the stores so
 *   far; there are 2K.
 * - At least 2: x is 0 only before the first store, and every store writes at least
 *   1. The last store of the run is some thread's K-th, writing its K-th load plus
 *   one; that load came after the thread's own first store (K >= 2), so it read at
 *   least 1, and the final value is at least 2.
 * - Every value between: with threads A and B, for 2 + r (0 <= r <= K - 1): A loads
 *   0; B does K - 1 increments; A stores 1 and does r increments; B loads 1 + r; A
 *   does its other K - 1 - r; B stores 2 + r, last. For 2K - L (0 <= L <= K): L
 *   times "A loads, B increments, A stores" (B's increment is lost), the rest one
 *   after the other: only L increments are lost. Together: 2..K+1 and K..2K.
 * For K = 1 the second argument fails (a thread's only load may come before any
 * store), and the values are 1 and 2.
 * The count of each value is the number of classes of schedules that end with it
 * (two schedules are one class when they differ only in the order of steps that
 * commute: here, the two threads' loads): 34 in all for K = 2 and 328 for K = 3, as
 * a brute-force enumeration of every interleaving also counts.
 *
 * Build: cc two_increments.c $(pkg-config --cflags --libs thrdemo)
 * Run: ./a.out [K]   (K from 1 to 4, default 2)
 * Prints:
 *   two threads, 2 increments each, no lock: 34 schedules, exhaustive
 *   final value 2: 12 schedules
 *   final value 3: 16 schedules
 *   final value 4: 6 schedules
 *   as the theory says: every value from 2 to 4, and no other
 */
#include <stdio.h>
#include <stdlib.h>

#include <thrdemo/explore.h>
#include <thrdemo/thread.h>

enum { MAX_K = 4 };

static int x;          /* the shared counter: under a schedule one thread runs at a time */
static int increments; /* K */

static void worker(void *arg)
{
    (void)arg;
    for (int i = 0; i < increments; i++) {
        td_sched_read(&x); /* the other thread may run here ... */
        int loaded = x;
        td_sched_write(&x); /* ... and here: between the load and the store */
        x = loaded + 1;
    }
}

/* One run: two workers, and the final value as the run's outcome. */
static int run(void *arg, char *outcome, size_t size)
{
    (void)arg;
    td_thread_t *t[2];
    for (int i = 0; i < 2; i++)
        if (td_thread_new(&t[i], &(td_thread_attr_t){ TD_TARGET(worker) }) != 0 ||
            td_thread_start(t[i]) != 0)
            return 1;
    for (int i = 0; i < 2; i++) {
        td_thread_join(t[i], TD_FOREVER);
        td_thread_free(t[i]);
    }
    snprintf(outcome, size, "%d", x);
    return 0;
}

/* qsort's order for outcomes: by their numeric value, so the output is the same
 * whatever order the search found them in. */
static int by_value(const void *a, const void *b)
{
    int u = atoi(((const td_explore_outcome_t *)a)->value);
    int v = atoi(((const td_explore_outcome_t *)b)->value);
    return (u > v) - (u < v);
}

/* Whether the values found are exactly low..high. */
static bool exactly(const td_explore_report_t *r, int low, int high)
{
    if (r->n_outcomes != (size_t)(high - low + 1))
        return false;
    for (size_t i = 0; i < r->n_outcomes; i++)
        if (atoi(r->outcomes[i].value) != low + (int)i)
            return false;
    return true;
}

int main(int argc, char **argv)
{
    increments = argc > 1 ? atoi(argv[1]) : 2;
    if (argc > 2 || increments < 1 || increments > MAX_K) {
        fprintf(stderr, "usage: two_increments [K]   (K from 1 to %d)\n", MAX_K);
        return 2;
    }
    td_explore_report_t report;
    int rc = td_sched_explore(NULL, 0, run, NULL, &report);
    if (rc != 0) {
        fprintf(stderr, "two_increments: td_sched_explore: %s\n", td_strerror(rc));
        return 1;
    }
    qsort(report.outcomes, report.n_outcomes, sizeof *report.outcomes, by_value);
    printf("two threads, %d increment%s each, no lock: %llu schedules, %s\n", increments,
           increments == 1 ? "" : "s", (unsigned long long)report.schedules,
           report.exhaustive ? "exhaustive" : "incomplete");
    for (size_t i = 0; i < report.n_outcomes; i++)
        printf("final value %s: %llu schedules\n", report.outcomes[i].value,
               (unsigned long long)report.outcomes[i].count);
    int low = increments >= 2 ? 2 : 1, high = 2 * increments;
    bool as_theory = report.exhaustive && report.failures == 0 && report.deadlocks == 0 &&
                     exactly(&report, low, high);
    printf("%s: every value from %d to %d, and no other\n",
           as_theory ? "as the theory says" : "NOT what the theory says", low, high);
    td_explore_report_free(&report);
    return as_theory ? 0 : 1;
}
