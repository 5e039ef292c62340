/* SPDX-License-Identifier: MIT */
/* bench_schedule.c - what the controlled scheduler (--schedule) costs: a scheduling
 * point where the same thread goes on (one thread, 1,000,000 td_yield_now under
 * fifo), a switch to another thread (two threads taking turns: every point under
 * fifo hands the token over), and the floor under that switch: two plain pthreads on
 * one CPU handing a futex word back and forth, which is what a hand-off between
 * threads pinned to one CPU must at least pay. Plus lock-counter's default work under
 * random:1: 2 x 1,000,000 Lock-guarded increments, about 4 million points. */
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <thrdemo/lock.h>
#include <thrdemo/schedule.h>

#include "bench.h"

enum { POINTS = 1000000, TURNS = 100000, HANDOFFS = 100000, COUNTS = 1000000 };

/* Begin a schedule on the calling thread: false (and a note) if it cannot. */
static bool begin(const char *policy, bench_result_t *r)
{
    td_sched_config_t config = { .max_steps = UINT64_MAX };
    int rc = td_policy_parse(policy, &config.policy);
    if (rc == 0)
        rc = td_sched_begin(&config);
    if (rc != 0) {
        r->ok = false;
        snprintf(r->note, sizeof r->note, "cannot begin a schedule: %s", td_strerror(rc));
    }
    return rc == 0;
}

static void end(bench_result_t *r)
{
    int rc = td_sched_end();
    if (rc != 0 && r->ok) {
        r->ok = false;
        snprintf(r->note, sizeof r->note, "cannot end the schedule: %s", td_strerror(rc));
    }
}

void bench_schedule_point(bench_result_t *r)
{
    if (!begin("fifo", r))
        return;
    double start = bench_now();
    for (int i = 0; i < POINTS; i++)
        td_yield_now();
    double elapsed = bench_now() - start;
    uint64_t steps = td_sched_steps(), switches = td_sched_switches();
    end(r);
    r->value[0] = elapsed / POINTS * 1e6;
    if (steps != POINTS || switches != 0) {
        r->ok = false;
        snprintf(r->note, sizeof r->note, "%llu points and %llu switches, not %d and 0",
                 (unsigned long long)steps, (unsigned long long)switches, POINTS);
    }
}

static void take_turns(void *arg)
{
    (void)arg;
    for (int i = 0; i < TURNS; i++)
        td_yield_now();
}

void bench_schedule_switch(bench_result_t *r)
{
    if (!begin("fifo", r))
        return;
    void *t;
    double start = bench_now();
    if (!bench_start(&t, take_turns, NULL, r)) {
        end(r);
        return;
    }
    take_turns(NULL);
    bench_join(t);
    double elapsed = bench_now() - start;
    uint64_t switches = td_sched_switches();
    end(r);
    r->value[0] = switches ? elapsed / (double)switches * 1e6 : 0;
    if (switches < 2 * TURNS) {
        r->ok = false;
        snprintf(r->note, sizeof r->note, "%llu switches, not %d or more",
                 (unsigned long long)switches, 2 * TURNS);
    }
}

/* ---- the floor: a futex hand-off between two pthreads on one CPU ------------------ */

struct handoff {
    atomic_uint turn; /* whose turn: 0 or 1 */
    int cpu;
};

static void pass_turns(struct handoff *h, unsigned me)
{
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(h->cpu, &one);
    sched_setaffinity(0, sizeof one, &one);
    for (int i = 0; i < HANDOFFS; i++) {
        while (atomic_load_explicit(&h->turn, memory_order_acquire) != me)
            syscall(SYS_futex, &h->turn, FUTEX_WAIT_PRIVATE, 1 - me, NULL, NULL, 0);
        atomic_store_explicit(&h->turn, 1 - me, memory_order_release);
        syscall(SYS_futex, &h->turn, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    }
}

static void *other_side(void *arg)
{
    pass_turns(arg, 1);
    return NULL;
}

void bench_schedule_futex(bench_result_t *r)
{
    static struct handoff h;
    atomic_store(&h.turn, 0);
    h.cpu = sched_getcpu() > 0 ? sched_getcpu() : 0;
    pthread_t t;
    double start = bench_now();
    if (pthread_create(&t, NULL, other_side, &h) != 0) {
        r->ok = false;
        snprintf(r->note, sizeof r->note, "cannot start a thread");
        return;
    }
    pass_turns(&h, 0);
    pthread_join(t, NULL);
    double elapsed = bench_now() - start;
    bench_unpin();
    r->value[0] = elapsed / (2.0 * HANDOFFS) * 1e6;
}

/* ---- lock-counter's work under random:1 ------------------------------------------ */

struct counted {
    td_lock_t lock;
    long long value;
};

static void count(struct counted *c, long long delta)
{
    for (int i = 0; i < COUNTS; i++) {
        td_lock_acquire(&c->lock, true, TD_FOREVER);
        c->value += delta;
        td_lock_release(&c->lock);
    }
}

static void count_down(void *arg)
{
    count(arg, -1);
}

void bench_schedule_counter(bench_result_t *r)
{
    static struct counted c;
    td_lock_init(&c.lock);
    c.value = 0;
    if (!begin("random:1", r))
        return;
    void *t;
    double start = bench_now();
    if (!bench_start(&t, count_down, &c, r)) {
        end(r);
        return;
    }
    count(&c, +1);
    bench_join(t);
    double elapsed = bench_now() - start;
    uint64_t steps = td_sched_steps();
    end(r);
    r->value[0] = elapsed * 1e3;
    r->value[1] = (double)steps / 1e6;
    if (c.value != 0) {
        r->ok = false;
        snprintf(r->note, sizeof r->note, "the counter ended at %lld, not 0", c.value);
    }
}
