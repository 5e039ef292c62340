/* SPDX-License-Identifier: MIT */
/* readers.c - one writer and N readers of one int: 2^N schedules, no more, no fewer.
 *
 * The writer sets x = 1; reader i copies x into seen[i]. A schedule interleaves
 * every thread's steps, and there are many: (N + 1)! orders of the accesses alone.
 * But two reads of x commute (either order ends alike), so what tells two schedules
 * apart is only, for each reader, whether it read before or after the write: 2^N
 * classes of equivalent schedules, and every class ends differently (seen[] says
 * which readers came after the write). This is the textbook case for dynamic
 * partial-order reduction (Flanagan and Godefroid, POPL 2005; Abdulla et al.'s
 * optimal DPOR, POPL 2014, and the interweave crate count the same): an exhaustive
 * search that runs one schedule per class makes exactly 2^N runs, where one that
 * treated the reads as conflicting would make (N + 1)!. td_sched_explore (explore.h)
 * is such a search; the program names its accesses to x with td_sched_write and
 * td_sched_read, the scheduling points where another thread may run. Python's
 * version:
 *
 *     def writer(): global x; x = 1
 *     def reader(i): seen[i] = x
 *
 * The number of classes in which k readers saw the write is the binomial
 * coefficient C(N, k): which k of the N readers came after it.
 *
 * Build: cc readers.c $(pkg-config --cflags --libs thrdemo)
 * Run: ./a.out [N]   (N from 1 to 12 readers, default 8)
 * Prints:
 *   one writer, 8 readers: 256 schedules, exhaustive
 *   256 = 2^8: each reader reads before or after the write
 *   256 outcomes, one per schedule; by how many readers saw the write:
 *     0 readers: 1 schedule
 *     1 readers: 8 schedules
 *     2 readers: 28 schedules
 *     3 readers: 56 schedules
 *     4 readers: 70 schedules
 *     5 readers: 56 schedules
 *     6 readers: 28 schedules
 *     7 readers: 8 schedules
 *     8 readers: 1 schedule
 */
#include <stdio.h>
#include <stdlib.h>

#include <thrdemo/explore.h>
#include <thrdemo/thread.h>

enum { MAX_READERS = 12 };

static int x;                    /* the shared variable: one thread runs at a time */
static int seen[MAX_READERS];    /* what each reader read */
static int readers;              /* N */

static void writer(void *arg)
{
    (void)arg;
    td_sched_write(&x); /* the readers may run before or after this */
    x = 1;
}

static void reader(void *arg)
{
    int *mine = arg;
    td_sched_read(&x);
    *mine = x;
}

/* One run: the writer and the readers; the outcome is what each reader saw, "0110"
 * for four readers of which the second and third came after the write. */
static int run(void *arg, char *outcome, size_t size)
{
    (void)arg;
    td_thread_t *t[MAX_READERS + 1];
    for (int i = 0; i <= readers; i++) {
        td_thread_attr_t attr = { TD_TARGET(writer) };
        if (i > 0)
            attr = (td_thread_attr_t){ TD_TARGET(reader), .arg = &seen[i - 1] };
        if (td_thread_new(&t[i], &attr) != 0 || td_thread_start(t[i]) != 0)
            return 1;
    }
    for (int i = 0; i <= readers; i++) {
        td_thread_join(t[i], TD_FOREVER);
        td_thread_free(t[i]);
    }
    for (int i = 0; i < readers && (size_t)i + 1 < size; i++)
        outcome[i] = (char)('0' + seen[i]);
    outcome[readers < (int)size ? readers : (int)size - 1] = '\0';
    return 0;
}

/* How many readers saw the write in an outcome. */
static int ones(const char *outcome)
{
    int n = 0;
    for (; *outcome; outcome++)
        n += *outcome == '1';
    return n;
}

int main(int argc, char **argv)
{
    readers = argc > 1 ? atoi(argv[1]) : 8;
    if (argc > 2 || readers < 1 || readers > MAX_READERS) {
        fprintf(stderr, "usage: readers [N]   (N from 1 to %d)\n", MAX_READERS);
        return 2;
    }
    td_explore_report_t report;
    int rc = td_sched_explore(NULL, 0, run, NULL, &report);
    if (rc != 0) {
        fprintf(stderr, "readers: td_sched_explore: %s\n", td_strerror(rc));
        return 1;
    }
    unsigned long long want = 1ULL << readers;
    printf("one writer, %d readers: %llu schedules, %s\n", readers,
           (unsigned long long)report.schedules, report.exhaustive ? "exhaustive" : "incomplete");
    printf("%llu %s 2^%d: each reader reads before or after the write\n",
           (unsigned long long)report.schedules, report.schedules == want ? "=" : "!=", readers);
    /* The outcomes come in the order the search found them: count them by class. */
    unsigned long long by_ones[MAX_READERS + 1] = { 0 };
    bool one_each = true;
    for (size_t i = 0; i < report.n_outcomes; i++) {
        by_ones[ones(report.outcomes[i].value)] += report.outcomes[i].count;
        one_each = one_each && report.outcomes[i].count == 1;
    }
    printf("%zu outcomes, %s; by how many readers saw the write:\n", report.n_outcomes,
           one_each ? "one per schedule" : "NOT one per schedule");
    for (int k = 0; k <= readers; k++)
        printf("  %d readers: %llu schedule%s\n", k, by_ones[k], by_ones[k] == 1 ? "" : "s");
    bool right = report.exhaustive && report.schedules == want && report.n_outcomes == want &&
                 one_each && report.failures == 0;
    td_explore_report_free(&report);
    return right ? 0 : 1;
}
