/* SPDX-License-Identifier: MIT */
/* deadlock.c - deadlocks a class can see (issue 23): two threads taking two locks in
 * opposite orders, five dining philosophers, and the fix of each (one global order).
 *
 * lock-order: Thread-1 takes lock_a then lock_b, Thread-2 lock_b then lock_a. If each
 * gets its first lock before the other's second, each waits for the other for good.
 * philosophers: philosopher i picks up fork i, then fork (i+1)%5; if all five hold
 * their left fork, nobody gets a right one. The -fixed variants take the lower-numbered
 * lock first, so no cycle of waits can form (Philosopher 4 reaches for fork 0 first).
 * Under --schedule the scheduler finds a deadlock (every thread blocked) and prints who
 * waits for which lock, held by whom; exit 3. On real threads no run may hang: a wait
 * for a lock runs out every second, and then the story reads its own books of who holds
 * and who waits for which lock; a cycle there is a deadlock: the same report, exit 3.
 *
 * Trace: "Thread-1 (a_then_b) has lock_a", ..., "Both threads have finished."; or
 * "Philosopher 0 picks up fork 0", "... picks up fork 1", "Philosopher 0 eats", ...,
 * "All philosophers have eaten."
 * Things to try: --schedule fifo (deadlocks), then lock-order-fixed; --together (every
 * thread takes its first lock before any reaches for its second: the deadlock, for
 * sure, on real threads too); `explore deadlock philosophers`.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include <thrdemo/barrier.h>
#include <thrdemo/lock.h>
#include <thrdemo/log.h>
#include <thrdemo/schedule.h>
#include <thrdemo/thread.h>

#include "scenarios.h"

/* Its options, one enumerator per row of the table at the end, by which the story
 * reads them: a name mistyped does not compile. */
enum {
    DEADLOCK_ROUNDS,
    DEADLOCK_TOGETHER,
};

enum { SEATS = 5, NOBODY = -1 };
/* Seconds a wait for a lock runs before a look at the books: 1 nominal, and at most 1
 * real, so that Ctrl-C (which cannot end a Lock's wait) is heard within a second. */
static double check_every(void)
{
    double every = runner_seconds(1.0);
    return every < 1.0 ? every : 1.0;
}

/* The locks, and the story's books: who holds and who waits for which lock (a seat
 * is a thread). Kept on real threads only, where they are how a deadlock is seen;
 * under a schedule the scheduler sees it, and the books would add scheduling points. */
static struct table {
    td_lock_t locks[SEATS];
    td_lock_t books;          /* guards holder and waits */
    int holder[SEATS];        /* the seat holding each lock, or NOBODY */
    int waits[SEATS];         /* the lock each seat waits for, or NOBODY */
    char who[SEATS][CLI_NAME_MAX]; /* each seat's thread name, written before it waits */
    int seats, rounds;
    bool keep_books;
    bool together;            /* --together: every seat holds one lock before any waits */
    td_barrier_t all_have_one;
    atomic_bool deadlocked;   /* found and said: every seat gives up */
} t;

/* The seat whose wait-for path from seat me ends in a cycle, or NOBODY. (books held) */
static int on_cycle(int me)
{
    int seat = me;
    for (int step = 0; step <= t.seats; step++) {
        if (seat == NOBODY || t.waits[seat] == NOBODY)
            return NOBODY; /* someone on the path can go on */
        seat = t.holder[t.waits[seat]];
    }
    return seat; /* more steps than seats: the path came round */
}

/* Say the cycle through seat seen on stderr, from its lowest seat, as the scheduler's
 * report does. (books held) */
static void report(int seen)
{
    int first = seen;
    for (int seat = t.holder[t.waits[seen]]; seat != seen; seat = t.holder[t.waits[seat]])
        first = seat < first ? seat : first;
    char text[SEATS * 3 * (CLI_NAME_MAX + 32) + 256], lock[64];
    int len = snprintf(text, sizeof text, "thrdemo: deadlock: each of these threads waits for "
                                          "a lock the next one holds (seen on real threads)\n");
    int seat = first;
    do {
        int next = t.holder[t.waits[seat]];
        td_object_get_name(&t.locks[t.waits[seat]], lock, sizeof lock);
        len += snprintf(text + len, sizeof text - (size_t)len, "  %s waits for lock %s, held by %s\n",
                        t.who[seat], lock, t.who[next]);
        seat = next;
    } while (seat != first);
    fflush(stdout);
    fputs(text, stderr);
}

/* Look at the books after a wait ran out: whether seat me should give up (a
 * deadlock, said once, or Ctrl-C). */
static bool give_up(int me)
{
    if (runner_stopping() || atomic_load(&t.deadlocked))
        return true;
    td_lock_acquire(&t.books, true, TD_FOREVER);
    int seat = on_cycle(me);
    if (seat != NOBODY && !atomic_exchange(&t.deadlocked, true))
        report(seat);
    td_lock_release(&t.books);
    return seat != NOBODY;
}

/* Write in the books that seat me waits for lock. */
static void book_wait(int me, int lock)
{
    td_lock_acquire(&t.books, true, TD_FOREVER);
    t.waits[me] = lock;
    td_lock_release(&t.books);
}

/* Write in the books that seat me holds lock, and waits for nothing. */
static void book_hold(int me, int lock)
{
    td_lock_acquire(&t.books, true, TD_FOREVER);
    t.waits[me] = NOBODY;
    t.holder[lock] = me;
    td_lock_release(&t.books);
}

/* lock.release(): out of the books first, so the books never show a free lock held. */
static void put_down(int lock)
{
    if (t.keep_books) {
        td_lock_acquire(&t.books, true, TD_FOREVER);
        t.holder[lock] = NOBODY;
        td_lock_release(&t.books);
    }
    td_lock_release(&t.locks[lock]);
}

/* lock.acquire() for seat me: true when taken, false when it gave up. */
static bool take(int me, int lock)
{
    if (!t.keep_books) { /* under a schedule: a deadlock stops the run, said by thrdemo */
        td_lock_acquire(&t.locks[lock], true, TD_FOREVER);
        return true;
    }
    book_wait(me, lock);
    while (td_lock_acquire(&t.locks[lock], true, check_every()) != 0)
        if (give_up(me))
            return false;
    book_hold(me, lock);
    if (!atomic_load(&t.deadlocked))
        return true;
    put_down(lock); /* the run is over: no more lines */
    return false;
}

/* With --together, wait until every seat holds its first lock. */
static void all_together(void)
{
    if (t.together)
        td_barrier_wait(&t.all_have_one, TD_FOREVER);
}

/* Seat me's thread writes its name in the books (before any wait: read with them). */
static const char *sit(int me)
{
    return cli_thread_name(td_current_thread(), t.who[me]);
}

/* lock-order: seat me takes first, then second ("has lock_a"). */
static void take_both(int me, int first, int second)
{
    const char *name = sit(me);
    if (!take(me, first))
        return;
    td_print("%s has lock_%c", name, 'a' + first);
    all_together();
    if (take(me, second)) { /* the other thread may hold it, and wait for ours */
        td_print("%s has lock_%c", name, 'a' + second);
        put_down(second);
    }
    put_down(first);
}

static void a_then_b(void *arg)
{
    take_both((int)(intptr_t)arg, 0, 1);
}

static void b_then_a(void *arg)
{
    take_both((int)(intptr_t)arg, 1, 0);
}

/* Philosopher i: fork first, fork second, eat, --rounds times. */
static void dine(int i, int first, int second)
{
    sit(i);
    for (int round = 0; round < t.rounds && !runner_stopping(); round++) {
        if (!take(i, first))
            return;
        td_print("Philosopher %d picks up fork %d", i, first);
        all_together();
        if (!take(i, second)) {
            put_down(first);
            return;
        }
        td_print("Philosopher %d picks up fork %d", i, second);
        td_print("Philosopher %d eats", i);
        put_down(second);
        put_down(first);
    }
}

static void philosopher(void *arg)
{
    int i = (int)(intptr_t)arg;
    dine(i, i, (i + 1) % SEATS); /* left, then right: five left forks, and no right one */
}

static void philosopher_fixed(void *arg)
{
    int i = (int)(intptr_t)arg, right = (i + 1) % SEATS;
    dine(i, i < right ? i : right, i < right ? right : i); /* the lower-numbered first */
}

/* Set the table: seats locks named lock_names[i] and seats threads, thread i running
 * fn[i] (its target's name target[i]; named name[i] when name is not NULL), all joined.
 * EXIT_DEADLOCK when the books showed one. */
static int run_table(const cli_args_t *args, int seats, const char *const *lock_names,
                     td_thread_fn const *fn, const char *const *target, const char *const *name)
{
    t = (struct table){ .seats = seats, .keep_books = !td_sched_active() };
    t.rounds = cli_has(args, DEADLOCK_ROUNDS) ? (int)cli_int(args, DEADLOCK_ROUNDS) : 1;
    t.together = cli_has(args, DEADLOCK_TOGETHER) && cli_flag(args, DEADLOCK_TOGETHER);
    td_lock_init(&t.books);
    for (int i = 0; i < seats; i++) {
        td_lock_init(&t.locks[i]);
        td_object_set_name(&t.locks[i], lock_names[i]);
        t.holder[i] = t.waits[i] = NOBODY;
    }
    if (t.together)
        td_barrier_init(&t.all_have_one, (size_t)seats, NULL, NULL, TD_FOREVER);
    td_thread_t *threads[SEATS] = { 0 };
    int rc = 0;
    for (int i = 0; i < seats && rc == 0; i++)
        rc = runner_start(&threads[i], &(td_thread_attr_t){
            .target = fn[i], .arg = (void *)(intptr_t)i,
            .name = name ? name[i] : NULL, .target_name = target[i] });
    if (rc != 0 && t.together)
        td_barrier_abort(&t.all_have_one); /* the seats that started must not wait */
    for (int i = 0; i < seats; i++)
        runner_join(threads[i]);
    if (t.together)
        td_barrier_destroy(&t.all_have_one);
    return rc != 0 ? rc : atomic_load(&t.deadlocked) ? EXIT_DEADLOCK : EXIT_OK;
}

static int run_lock_order(const cli_args_t *args)
{
    bool fixed = cli_variant_is(args, "lock-order-fixed");
    int rc = run_table(args, 2, (const char *const[]){ "lock_a", "lock_b" },
                       (td_thread_fn[]){ a_then_b, fixed ? a_then_b : b_then_a },
                       (const char *const[]){ "a_then_b", fixed ? "a_then_b" : "b_then_a" }, NULL);
    if (rc == EXIT_OK && !runner_stopping())
        td_print("Both threads have finished.");
    return rc;
}

static int run_philosophers(const cli_args_t *args)
{
    bool fixed = cli_variant_is(args, "philosophers-fixed");
    td_thread_fn fn[SEATS];
    const char *target[SEATS];
    for (int i = 0; i < SEATS; i++) {
        fn[i] = fixed ? philosopher_fixed : philosopher;
        target[i] = fixed ? "philosopher_fixed" : "philosopher";
    }
    int rc = run_table(args, SEATS,
                       (const char *const[]){ "fork 0", "fork 1", "fork 2", "fork 3", "fork 4" },
                       fn, target, (const char *const[]){ "Philosopher 0", "Philosopher 1",
                                                         "Philosopher 2", "Philosopher 3",
                                                         "Philosopher 4" });
    if (rc == EXIT_OK && !runner_stopping())
        td_print("All philosophers have eaten.");
    return rc;
}

/* `thrdemo deadlock`: its variants, options, lesson and Python calls, which the
 * parser, the help and `list` read (cli.h). */
const cli_command_t scenario_deadlock = {
    .name = "deadlock", .kind = CMD_SCENARIO, .seed = "002",
    .summary = "locks taken in opposite orders, dining philosophers, and their fixes",
    .about = "threading.Lock, two and five at a time: threads that each hold "
             "one lock and wait for another can wait for each other for good. Under "
             "--schedule thrdemo finds the deadlock and says who waits for which lock, "
             "held by whom (exit 3); on real threads a wait that runs out (every second, "
             "less with --scale below 1) looks for the same cycle, so no run hangs.",
    .lesson = "A deadlock is a cycle of waits: each thread holds a lock the next one "
              "wants. Take locks in one global order (the lowest-numbered first) and "
              "no cycle can form: the -fixed variants do, as Philosopher 4 reaches for "
              "fork 0 before fork 4. (Another fix is a waiter, a Semaphore(4) that lets "
              "at most four philosophers reach for forks at once.)",
    .variants = (const cli_variant_t[]){
        { "lock-order", "two threads take lock_a and lock_b in opposite orders",
          .example = "deadlock lock-order --schedule fifo", .run = run_lock_order,
          .outcome = "Both threads have finished." },
        { "lock-order-fixed", "both threads take lock_a, then lock_b: no deadlock",
          .example = "deadlock lock-order-fixed --schedule fifo", .run = run_lock_order,
          .outcome = "Both threads have finished." },
        { "philosophers", "five dining philosophers: left fork, then right",
          .example = "deadlock philosophers --schedule fifo", .run = run_philosophers,
          .outcome = "All philosophers have eaten." },
        { "philosophers-fixed", "five dining philosophers: the lower-numbered fork first",
          .example = "deadlock philosophers-fixed --rounds 3", .run = run_philosophers,
          .outcome = "All philosophers have eaten." },
        { 0 } },
    .options = (const cli_option_t[]){
        [DEADLOCK_ROUNDS] = { "rounds", OPT_INT, "1", 1, 1000,
          .variants = "philosophers philosophers-fixed",
          .help = "times each philosopher eats" },
        [DEADLOCK_TOGETHER] = { "together", OPT_FLAG, .variants = "lock-order philosophers",
          .help = "every thread takes its first lock before any reaches for its second "
                  "(a Barrier): the deadlock, on real threads too" },
        { 0 } },
    .python = (const cli_pycall_t[]){
        { "threading.Lock()", "td_lock_init" },
        { "lock.acquire(timeout=1)", "td_lock_acquire(&lock, true, 1.0): -ETIMEDOUT when "
                                      "it runs out" },
        { "lock.release()", "td_lock_release" },
        { "threading.Barrier(n).wait()", "td_barrier_init, td_barrier_wait" },
        { "threading.Thread(target=..., name=...).start", "td_thread_new, td_thread_start" },
        { "threading.Thread.join", "td_thread_join" },
        { 0 } },
};
