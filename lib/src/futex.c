/* SPDX-License-Identifier: MIT */
/* futex.c - the one place the library talks to the kernel about sleeping.
 *
 * Waits use FUTEX_WAIT_BITSET, whose timeout is an absolute CLOCK_MONOTONIC time, so
 * a deadline survives spurious wake-ups unchanged and a wall-clock jump never
 * shortens or stretches a wait. Futexes are process-private.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"
#include "thrdemo/common.h"

double td_monotonic(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

td__deadline_t td__deadline_in(double timeout)
{
    td__deadline_t d = { .forever = timeout == TD_FOREVER };
    if (d.forever)
        return d;
    if (!(timeout > 0))
        timeout = 0; /* also NaN: callers reject it before, this is a safety net */
    if (timeout > TD_TIMEOUT_MAX)
        timeout = TD_TIMEOUT_MAX;
    clock_gettime(CLOCK_MONOTONIC, &d.at);
    double whole = floor(timeout);
    d.at.tv_sec += (time_t)whole;
    d.at.tv_nsec += (long)((timeout - whole) * 1e9);
    if (d.at.tv_nsec >= 1000000000L) {
        d.at.tv_sec += 1;
        d.at.tv_nsec -= 1000000000L;
    }
    return d;
}

bool td__deadline_passed(const td__deadline_t *deadline)
{
    if (deadline->forever)
        return false;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec > deadline->at.tv_sec ||
           (now.tv_sec == deadline->at.tv_sec && now.tv_nsec >= deadline->at.tv_nsec);
}

int td__futex_wait(atomic_uint *word, unsigned expected, const td__deadline_t *deadline)
{
    const struct timespec *at = deadline->forever ? NULL : &deadline->at;
    int saved = errno; /* the library never changes errno */
    long rc = syscall(SYS_futex, (unsigned *)word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG,
                      expected, at, NULL, FUTEX_BITSET_MATCH_ANY);
    bool timed_out = rc == -1 && errno == ETIMEDOUT;
    errno = saved;
    /* Woken, EAGAIN (the word had changed) or EINTR: the caller re-checks. */
    return timed_out ? -ETIMEDOUT : 0;
}

void td__futex_wake(atomic_uint *word, int n)
{
    int saved = errno;
    syscall(SYS_futex, (unsigned *)word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, n, NULL, NULL, 0);
    errno = saved;
}

/* The spin budget of the calling thread, in nanoseconds. */
enum { SPIN_MIN_NS = 1000, SPIN_MAX_NS = 6000, SPIN_START_NS = 3000, WAKE_SPIN_NS = 20000 };
static _Thread_local unsigned spin_budget_ns = SPIN_START_NS;
/* Set when this thread has just woken a sleeper (td__note_woke_sleeper): the
 * answer will take one wake-up latency, so the next spin waits that long, once.
 * Without it a hand-off that slept once keeps sleeping: each side's spin ends
 * before the other's wake-up (~30 us here) completes. Measured on the event
 * ping-pong: 2-12 us per round trip and 7,000-37,000 sleeps in 200,000 waits
 * without; 0.3 us and about 40 sleeps with WAKE_SPIN_NS = 20 us. */
static _Thread_local bool expect_slow_answer;

void td__note_woke_sleeper(void)
{
    expect_slow_answer = true;
}

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void td__spin_start(td__spin_t *spin, const td__deadline_t *deadline)
{
    long long start = now_ns();
    long long limit = start + (expect_slow_answer ? WAKE_SPIN_NS : spin_budget_ns);
    expect_slow_answer = false;
    if (!deadline->forever) {
        long long end = (long long)deadline->at.tv_sec * 1000000000LL + deadline->at.tv_nsec;
        if (end < limit)
            limit = end;
    }
    spin->limit_ns = limit;
}

bool td__spin_again(td__spin_t *spin)
{
    /* Look again only between bursts of pauses: a spinner that hammers the cache
     * line slows the very thread it waits for. */
    for (int i = 0; i < 16; i++)
        cpu_relax();
    if (now_ns() < spin->limit_ns)
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

bool td__spin_while(atomic_uint *word, unsigned expected, const td__deadline_t *deadline)
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

static _Noreturn void mutex_failed(const char *what, int rc)
{
    fprintf(stderr, "libthrdemo: internal error: pthread_mutex_%s: %s\n", what, strerror(rc));
    abort();
}

void td__mutex_lock(pthread_mutex_t *mutex)
{
    int rc = pthread_mutex_lock(mutex);
    if (rc != 0)
        mutex_failed("lock", rc);
}

void td__mutex_unlock(pthread_mutex_t *mutex)
{
    int rc = pthread_mutex_unlock(mutex);
    if (rc != 0)
        mutex_failed("unlock", rc);
}

int td__check_timeout(double timeout)
{
    if (timeout == TD_FOREVER)
        return 0;
    if (isnan(timeout) || timeout < 0)
        return -EINVAL;
    if (timeout > TD_TIMEOUT_MAX)
        return -EOVERFLOW;
    return 0;
}
