/* SPDX-License-Identifier: MIT */
/* wait.c - the one place the library sleeps and wakes: futexes against an absolute
 * CLOCK_MONOTONIC deadline, and the adaptive spin some waits do first.
 *
 * Waits use FUTEX_WAIT_BITSET, whose timeout is an absolute CLOCK_MONOTONIC time, so
 * a deadline survives spurious wake-ups unchanged and a wall-clock jump never
 * shortens or stretches a wait. Futexes are process-private. Under a schedule the
 * scheduler blocks and wakes instead (td__sched), and nothing spins.
 */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "core.h"

static long futex_wait(atomic_uint *word, unsigned expected, const struct timespec *at)
{
    return syscall(SYS_futex, (unsigned *)word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG,
                   expected, at, NULL, FUTEX_BITSET_MATCH_ANY);
}

int td__wait_until(atomic_uint *word, unsigned expected, td__deadline_t deadline)
{
    if (TD__UNLIKELY(td__sched != NULL))
        return td__sched->wait(word, expected, deadline);
    return td__futex_wait_raw(word, expected, deadline);
}

int td__futex_wait_raw(atomic_uint *word, unsigned expected, td__deadline_t deadline)
{
    struct timespec at = { .tv_sec = (time_t)(deadline.at / TD__NS_PER_S),
                           .tv_nsec = (long)(deadline.at % TD__NS_PER_S) };
    int saved = errno; /* the library never changes errno */
    long rc = futex_wait(word, expected, td__deadline_is_never(deadline) ? NULL : &at);
    bool timed_out = rc == -1 && errno == ETIMEDOUT;
    errno = saved;
    /* Woken, EAGAIN (the word had changed) or EINTR: the caller re-checks. */
    return timed_out ? -ETIMEDOUT : 0;
}

void td__wake(atomic_uint *word, int n)
{
    if (TD__UNLIKELY(td__sched != NULL))
        td__sched->wake(word, n);
    else
        td__futex_wake_raw(word, n);
}

void td__futex_wake_raw(atomic_uint *word, int n)
{
    int saved = errno;
    syscall(SYS_futex, (unsigned *)word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, n, NULL, NULL, 0);
    errno = saved;
}

/* ---- spinning ---------------------------------------------------------------------- */

/* The spin budget of the calling thread, in nanoseconds. */
enum { SPIN_MIN_NS = 1000, SPIN_MAX_NS = 6000, SPIN_START_NS = 3000, WAKE_SPIN_NS = 20000 };
static TD__TLS unsigned spin_budget_ns = SPIN_START_NS;
/* Set when this thread has just woken a sleeper (td__note_woke_sleeper): the
 * answer will take one wake-up latency, so the next spin waits that long, once.
 * Without it a hand-off that slept once keeps sleeping: each side's spin ends
 * before the other's wake-up (~30 us here) completes. Measured on the event
 * ping-pong: 2-12 us per round trip and 7,000-37,000 sleeps in 200,000 waits
 * without; 0.3 us and about 40 sleeps with WAKE_SPIN_NS = 20 us. */
static TD__TLS bool expect_slow_answer;

void td__note_woke_sleeper(void)
{
    expect_slow_answer = true;
}

void td__cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

void td__snooze(td__backoff_t *backoff)
{
    enum { SPIN_STEPS = 6 };
    if (TD__UNLIKELY(td__sched != NULL)) {
        td__sched->point(TD__POINT_YIELD, NULL, NULL); /* the library spinning inside */
        return;
    }
    if (backoff->step <= SPIN_STEPS) {
        for (unsigned i = 0; i < 1u << backoff->step; i++)
            td__cpu_relax();
        backoff->step++;
        return;
    }
    sched_yield();
}

void td__spin_start(td__spin_t *spin, td__deadline_t deadline)
{
    if (TD__UNLIKELY(td__sched != NULL)) {
        spin->limit = 0; /* one thread runs at a time: nobody could answer a spin */
        return;
    }
    td__ns_t start = td__real_now();
    td__ns_t limit = start + (expect_slow_answer ? WAKE_SPIN_NS : spin_budget_ns);
    expect_slow_answer = false;
    if (deadline.at < limit)
        limit = deadline.at;
    spin->limit = limit;
}

bool td__spin_again(td__spin_t *spin)
{
    if (spin->limit == 0)
        return false;
    /* Look again only between bursts of pauses: a spinner that hammers the cache
     * line slows the very thread it waits for. */
    for (int i = 0; i < 16; i++)
        td__cpu_relax();
    if (td__real_now() < spin->limit)
        return true;
    /* Gently down: one long wait should not cost the next hand-off its spin. */
    unsigned shrunk = spin_budget_ns - spin_budget_ns / 8;
    spin_budget_ns = shrunk < SPIN_MIN_NS ? SPIN_MIN_NS : shrunk;
    return false;
}

void td__spin_won(void)
{
    unsigned grown = spin_budget_ns * 2;
    spin_budget_ns = grown > SPIN_MAX_NS ? SPIN_MAX_NS : grown;
}

bool td__spin_while(atomic_uint *word, unsigned expected, td__deadline_t deadline)
{
    td__spin_t spin;
    td__spin_start(&spin, deadline);
    while (td__spin_again(&spin)) {
        if (atomic_load_explicit(word, memory_order_acquire) != expected) {
            td__spin_won();
            return true;
        }
    }
    return false;
}

bool td__spin_until(atomic_uint *word, unsigned expected, td__deadline_t deadline)
{
    if (TD__UNLIKELY(td__sched != NULL))
        return false;
    while (td__real_now() < deadline.at) {
        for (int i = 0; i < 16; i++)
            td__cpu_relax();
        if (atomic_load_explicit(word, memory_order_acquire) != expected)
            return true;
    }
    return false;
}
