/* SPDX-License-Identifier: MIT */
/* internal.h - what the library's files share and its users never see: futex
 * waits against a CLOCK_MONOTONIC deadline, the calling thread's key, the observer
 * call. Names are td__x: not static, not exported. */
#ifndef THRDEMO_INTERNAL_H
#define THRDEMO_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "thrdemo/observer.h"
#include "thrdemo/thread.h"

/* When a wait ends; forever when the timeout was TD_FOREVER. */
typedef struct td__deadline {
    bool forever;
    struct timespec at; /* CLOCK_MONOTONIC */
} td__deadline_t;

/* The deadline timeout seconds from now (negative other than TD_FOREVER: now). */
td__deadline_t td__deadline_in(double timeout);
/* Whether a (finite) deadline has passed. */
bool td__deadline_passed(const td__deadline_t *deadline);

/* Sleep while *word == expected, until woken or the deadline: 0 (woken, changed, or
 * spurious: callers re-check) or -ETIMEDOUT. */
int td__futex_wait(atomic_uint *word, unsigned expected, const td__deadline_t *deadline);
/* Wake up to n threads sleeping on word. */
void td__futex_wake(atomic_uint *word, int n);

/* Spin, briefly, until *word != expected (or the deadline): true if it changed.
 * The budget is per thread and adaptive, 1 to 6 microseconds: doubled when a spin
 * pays off, cut by an eighth when it ends in a sleep; so a thread waiting for long
 * burns a few microseconds at most before it sleeps. Right after this thread woke
 * a sleeper, one spin may last 20 us (see futex.c). */
bool td__spin_while(atomic_uint *word, unsigned expected, const td__deadline_t *deadline);

/* The same budget for a spin whose condition is not one word:
 *   td__spin_t s; td__spin_start(&s, &deadline);
 *   while (!ready()) if (!td__spin_again(&s)) break;   (then sleep)
 * and td__spin_won() when ready() came true. */
typedef struct td__spin {
    long long limit_ns;
} td__spin_t;
void td__spin_start(td__spin_t *spin, const td__deadline_t *deadline);
/* Pause a burst; false once the budget is spent (which shrinks it). */
bool td__spin_again(td__spin_t *spin);
/* The spin paid off: grow the budget. */
void td__spin_won(void);
/* Tell the spinner that this thread just woke a sleeping thread up. */
void td__note_woke_sleeper(void);

/* A number unique to the calling thread among live threads, never 0. */
uintptr_t td__self_key(void);

/* Whether a timeout is one the library accepts (TD_FOREVER, or 0..TIMEOUT_MAX):
 * 0, -EINVAL (NaN or negative), or -EOVERFLOW. */
int td__check_timeout(double timeout);

extern _Atomic(const td_observer_t *) td__observer;
void td__observe(const td_observer_t *obs, td_obs_kind_t kind, const char *primitive,
                 const void *object, td_thread_t *thread, int result);

/* Report to the observer, if any: one predictable branch when there is none. */
#define TD__OBSERVE(kind, primitive, object, result)                                  \
    do {                                                                              \
        const td_observer_t *td__o =                                                  \
            atomic_load_explicit(&td__observer, memory_order_acquire);                \
        if (__builtin_expect(td__o != NULL, 0))                                       \
            td__observe(td__o, (kind), (primitive), (object), NULL, (result));       \
    } while (0)

struct td_event;
/* td_event_wait against an absolute deadline: true if the event was set. */
bool td__event_wait_until(struct td_event *event, const td__deadline_t *deadline);

/* Have td_shutdown() call fn(arg) before it joins threads (CPython's
 * threading._register_atexit): 0 or -ENOMEM. Callbacks run with the list's lock
 * held, so they must not register or unregister. */
int td__atexit_register(void (*fn)(void *), void *arg);
/* Remove a registration (waits for a call under way). */
void td__atexit_unregister(void (*fn)(void *), void *arg);

/* The library's own pthread mutexes (registry, output, atexit hooks): error-checking
 * in Debug builds, and misuse aborts with a message rather than deadlocking or
 * going unnoticed, as libuv's uv_mutex_lock does (a failure here is always a bug). */
#ifdef NDEBUG
#define TD__MUTEX_INITIALIZER PTHREAD_MUTEX_INITIALIZER
#else
#define TD__MUTEX_INITIALIZER PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP
#endif
void td__mutex_lock(pthread_mutex_t *mutex);
void td__mutex_unlock(pthread_mutex_t *mutex);

/* Count one written line for the calling thread (log.c tells thread.c). */
void td__thread_count_line(void);
/* Hold the output lock for good so daemon threads write nothing more (td_exit). */
void td__log_freeze(void);

#endif
