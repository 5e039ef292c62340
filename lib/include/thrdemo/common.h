/* SPDX-License-Identifier: MIT */
/* common.h - what every libthrdemo header shares: the export macro, the timeout
 * convention and error decoding.
 *
 * Timeouts are relative seconds as double, as in Python. TD_FOREVER (INFINITY)
 * stands for Python's None ("wait as long as it takes"), and every call takes it.
 * Other values follow the Python call each function mirrors, as its header says:
 *   Lock/RLock acquire: -1 also waits for ever, other negatives are -EINVAL;
 *   Queue put/get/join: a negative timeout is -EINVAL (Python's ValueError);
 *   every other wait (join, Condition/Event wait, Semaphore acquire, futures,
 *   asyncio): a negative timeout is 0, it does not wait.
 * Everywhere NaN is -EINVAL and a finite timeout above TD_TIMEOUT_MAX is -EOVERFLOW
 * (Python's OverflowError), except where a function's result cannot say so (its
 * header tells). Functions that can fail return 0 or a
 * negative errno (-ETIMEDOUT, -EINVAL, -EPERM, ...), like libuv; a timeout is a
 * result, not a failure. The library never prints and never sets errno.
 */
#ifndef THRDEMO_COMMON_H
#define THRDEMO_COMMON_H

#include <errno.h>
#include <math.h>

#if defined(THRDEMO_BUILDING) && defined(__GNUC__)
#define TD_API __attribute__((visibility("default")))
#else
#define TD_API
#endif

/* A function that never returns, in C11 and in C++11. */
#ifdef __cplusplus
#define TD_NORETURN [[noreturn]]
#else
#define TD_NORETURN _Noreturn
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Wait without limit: Python's timeout=None. Infinity, a value no caller computes
 * by accident (it was -1.0 in 0.1.0, so a mistaken -1 waited for ever). */
#define TD_FOREVER ((double)INFINITY)

/* Largest timeout accepted, in seconds: Python's threading.TIMEOUT_MAX on Linux. */
#define TD_TIMEOUT_MAX 9223372036.0

/* A task (a future's function) returned an error: its own code is had separately
 * (td_future_exception), so it is never mistaken for the wait's -ETIMEDOUT or
 * -ECANCELED. Below every errno value (Linux's are 1..4095). */
#define TD_ETASK (-4096)

/* A generator or coroutine has returned: Python's StopIteration, a result rather
 * than a failure (td_gen_next, td_coro_resume). Below every errno value too. */
#define TD_ESTOP (-4097)

/* Describe a result code of this library in words true wherever the code came from
 * ("timed out", ...); the caller adds what it means there. Never returns NULL. */
TD_API const char *td_strerror(int code);

/* Seconds on CLOCK_MONOTONIC, the clock every timeout runs on: Python's
 * time.monotonic(). For due times that must not drift (start + n * interval). */
TD_API double td_monotonic(void);

/* Seconds since the Unix epoch on CLOCK_REALTIME: Python's time.time(). Under a
 * controlled schedule this clock is virtual too, as td_monotonic is. */
TD_API double td_time(void);

/* The library's version as "MAJOR.MINOR.PATCH". */
TD_API const char *td_version(void);

#ifdef __cplusplus
}
#endif
#endif
