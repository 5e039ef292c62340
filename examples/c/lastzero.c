/* SPDX-License-Identifier: MIT */
/* lastzero.c - Abdulla et al.'s lastzero(N): the benchmark that shows what optimal
 * dynamic partial-order reduction saves (POPL 2014, "Optimal dynamic partial order
 * reduction"; the interweave crate runs it too).
 *
 * An array of N + 1 zeros and N + 1 threads. Thread 0 looks for the last zero:
 * `for (i = N; array[i] != 0; i--);`. Thread j (1..N) sets array[j] = array[j-1] + 1.
 * Every access is a scheduling point (td_sched_read, td_sched_write), and there are
 * millions of interleavings for N = 5; td_sched_explore (explore.h) runs one per
 * class of equivalent ones (reads of one element commute), 64 in all.
 *
 * Why (N + 3) * 2^(N-2) classes. A class is fixed by the order of every two steps
 * that conflict (one element, one of them a write):
 * - thread j's read of array[j-1] and thread j-1's write of it (j = 2..N): N - 1
 *   independent choices, "before" or "after";
 * - thread 0's reads against the writes: thread 0 stops at some r, having read
 *   array[N..r+1] after their writes and array[r] before its write (array[0] is never
 *   written).
 * For r = 0 and r = N every one of the 2^(N-1) choices is possible. For 0 < r < N
 * one is forced: if thread r+1 read array[r] after thread r wrote it, then thread r's
 * write comes before thread r+1's write, before thread 0's read of array[r+1], before
 * its read of array[r], which came before thread r's write: a cycle. So 2^(N-2)
 * classes end at each such r, and 2 * 2^(N-1) + (N - 1) * 2^(N-2) = (N + 3) * 2^(N-2)
 * in all: 2, 5, 12, 28, 64 for N = 1..5, the counts an optimal DPOR reaches (and a
 * brute-force count of the classes of every interleaving gives).
 *
 * Build: cc lastzero.c $(pkg-config --cflags --libs thrdemo)
 * Run: ./a.out [N]   (N from 1 to 8, default 5)
 * Prints:
 *   lastzero(5): 64 schedules, exhaustive
 *   64 = (5 + 3) * 2^(5-2), one per class of equivalent schedules
 *   thread 0 found the last zero at:
 *     0: 16 schedules
 *     1: 8 schedules
 *     2: 8 schedules
 *     3: 8 schedules
 *     4: 8 schedules
 *     5: 16 schedules
 */
#include <stdio.h>
#include <stdlib.h>

#include <thrdemo/explore.h>
#include <thrdemo/thread.h>

enum { MAX_N = 8 };

static int array[MAX_N + 1]; /* one thread runs at a time under a schedule */
static int n;                /* N */
static int last_zero;        /* what thread 0 found */

static void find_last_zero(void *arg)
{
    (void)arg;
    int i = n;
    for (;;) {
        td_sched_read(&array[i]);
        if (array[i] == 0)
            break;
        i--; /* array[0] is never written: the loop ends there at the latest */
    }
    last_zero = i;
}

/* Thread j: array[j] = array[j-1] + 1, a read and a write. */
static void increment_from_previous(void *arg)
{
    int *element = arg; /* &array[j] */
    td_sched_read(element - 1);
    int previous = element[-1];
    td_sched_write(element);
    *element = previous + 1;
}

/* One run: thread 0 and threads 1..N; the outcome is where thread 0 stopped. */
static int run(void *arg, char *outcome, size_t size)
{
    (void)arg;
    td_thread_t *t[MAX_N + 1];
    for (int j = 0; j <= n; j++) {
        td_thread_attr_t attr = { TD_TARGET(find_last_zero) };
        if (j > 0)
            attr = (td_thread_attr_t){ TD_TARGET(increment_from_previous), .arg = &array[j] };
        if (td_thread_new(&t[j], &attr) != 0 || td_thread_start(t[j]) != 0)
            return 1;
    }
    for (int j = 0; j <= n; j++) {
        td_thread_join(t[j], TD_FOREVER);
        td_thread_free(t[j]);
    }
    snprintf(outcome, size, "%d", last_zero);
    return 0;
}

/* qsort's order for outcomes: by index, whatever order the search found them in. */
static int by_index(const void *a, const void *b)
{
    int x = atoi(((const td_explore_outcome_t *)a)->value);
    int y = atoi(((const td_explore_outcome_t *)b)->value);
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    n = argc > 1 ? atoi(argv[1]) : 5;
    if (argc > 2 || n < 1 || n > MAX_N) {
        fprintf(stderr, "usage: lastzero [N]   (N from 1 to %d)\n", MAX_N);
        return 2;
    }
    td_explore_report_t report;
    int rc = td_sched_explore(NULL, 0, run, NULL, &report);
    if (rc != 0) {
        fprintf(stderr, "lastzero: td_sched_explore: %s\n", td_strerror(rc));
        return 1;
    }
    qsort(report.outcomes, report.n_outcomes, sizeof *report.outcomes, by_index);
    /* (N + 3) * 2^(N-2), kept in integers: N = 1 gives 4 / 2. */
    unsigned long long want = ((unsigned long long)(n + 3) << n) / 4;
    printf("lastzero(%d): %llu schedules, %s\n", n, (unsigned long long)report.schedules,
           report.exhaustive ? "exhaustive" : "incomplete");
    printf("%llu %s (%d + 3) * 2^(%d-2), one per class of equivalent schedules\n",
           (unsigned long long)report.schedules, report.schedules == want ? "=" : "!=", n, n);
    printf("thread 0 found the last zero at:\n");
    for (size_t i = 0; i < report.n_outcomes; i++)
        printf("  %s: %llu schedule%s\n", report.outcomes[i].value,
               (unsigned long long)report.outcomes[i].count,
               report.outcomes[i].count == 1 ? "" : "s");
    bool right = report.exhaustive && report.schedules == want && report.failures == 0 &&
                 report.n_outcomes == (size_t)n + 1;
    td_explore_report_free(&report);
    return right ? 0 : 1;
}
