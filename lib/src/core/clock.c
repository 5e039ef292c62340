/* SPDX-License-Identifier: MIT */
/* clock.c - the one clock: every read of time in the library comes here, and every
 * public timeout in seconds becomes a deadline here, once.
 *
 * Deadlines are absolute CLOCK_MONOTONIC nanoseconds in an int64: 292 years of
 * range, so TD_TIMEOUT_MAX (2^63 ns, Python's threading.TIMEOUT_MAX) fits only by
 * saturating, which td__deadline_in does instead of overflowing. Under a schedule
 * the scheduler's virtual clock answers instead of the kernel.
 */
#include <errno.h>
#include <math.h>
#include <time.h>

#include "core.h"

const td__sched_ops_t *td__sched;

static td__ns_t read_clock(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (td__ns_t)ts.tv_sec * TD__NS_PER_S + ts.tv_nsec;
}

td__ns_t td__real_now(void)
{
    return read_clock(CLOCK_MONOTONIC);
}

td__ns_t td__now(void)
{
    if (TD__UNLIKELY(td__sched != NULL))
        return td__sched->now();
    return read_clock(CLOCK_MONOTONIC);
}

td__ns_t td__wall_now(void)
{
    if (TD__UNLIKELY(td__sched != NULL))
        return td__sched->wall_now();
    return read_clock(CLOCK_REALTIME);
}

td__deadline_t td__deadline_in(double timeout)
{
    if (timeout == TD_FOREVER)
        return td__forever();
    td__ns_t now = td__now();
    if (!(timeout > 0)) /* also NaN */
        return (td__deadline_t){ now };
    /* Saturate: a timeout at TD_TIMEOUT_MAX is "practically never", not a wrap. */
    double ns = timeout * 1e9;
    double room = (double)(TD__NEVER - 1 - now);
    if (ns >= room)
        return (td__deadline_t){ TD__NEVER - 1 };
    return (td__deadline_t){ now + (td__ns_t)ns };
}

bool td__deadline_passed(td__deadline_t d)
{
    return !td__deadline_is_never(d) && td__now() >= d.at;
}

int td__check_timeout(double *timeout, td__timeout_rule_t rule)
{
    double t = *timeout;
    if (t == TD_FOREVER)
        return 0;
    if (isnan(t))
        return -EINVAL; /* Python: "Invalid value NaN (not a number)" */
    if (t < 0) {
        if (rule == TD__TIMEOUT_QUEUE || (rule == TD__TIMEOUT_LOCK && t != -1))
            return -EINVAL; /* Python: "timeout value must be a non-negative number" */
        *timeout = rule == TD__TIMEOUT_LOCK ? TD_FOREVER : 0;
        return 0;
    }
    return t > TD_TIMEOUT_MAX ? -EOVERFLOW : 0;
}

double td_monotonic(void)
{
    return (double)td__now() / 1e9;
}

double td_time(void)
{
    return (double)td__wall_now() / 1e9;
}
