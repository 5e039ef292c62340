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
