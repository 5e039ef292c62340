/* SPDX-License-Identifier: MIT */
/* core.h - the bottom floor of libthrdemo: the one clock, deadlines, the one wait
 * path, spinning, the library's own mutexes, and the hooks through which the floors
 * above (the runtime, a controlled scheduler, an observer) attach without the core
 * calling up to them.
 *
 * Every read of time in the library goes through td__now() / td__wall_now(); every
 * timed or untimed block goes through td__wait_until(); every wake through
 * td__wake(). That is the seam a controlled scheduler with a virtual clock replaces
 * (td__sched below): one branch, predicted not-taken, when no schedule runs.
 * Names are td__x: not static, not exported.
 */
#ifndef THRDEMO_CORE_H
#define THRDEMO_CORE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "thrdemo/common.h"
#include "thrdemo/observer.h"

#define TD__LIKELY(x) __builtin_expect(!!(x), 1)
#define TD__UNLIKELY(x) __builtin_expect(!!(x), 0)
/* Kept out of line: a rare path that would otherwise bloat its caller's fast path. */
#define TD__NOINLINE __attribute__((noinline))
/* Inlined even where the compiler would not: a hot path of a few instructions whose
 * call would cost as much as its work (a queue's put and get). */
#define TD__ALWAYS_INLINE inline __attribute__((always_inline))
/* Thread-locals of a shared library reached without a call to __tls_get_addr: the
 * library is linked into programs, not dlopen'ed late, so the static TLS block has
 * room for the few words it keeps. */
#define TD__TLS _Thread_local __attribute__((tls_model("initial-exec")))

/* ---- the one clock ---------------------------------------------------------------- */

/* Nanoseconds. Deadlines are absolute CLOCK_MONOTONIC nanoseconds. */
typedef int64_t td__ns_t;
#define TD__NS_PER_S 1000000000LL
/* The deadline of a wait without limit (Python's timeout=None). */
#define TD__NEVER INT64_MAX

/* CLOCK_MONOTONIC now, in ns (virtual under a schedule). */
td__ns_t td__now(void);
/* CLOCK_REALTIME now, in ns since the Unix epoch (virtual under a schedule). */
td__ns_t td__wall_now(void);
/* CLOCK_MONOTONIC read from the kernel even under a schedule: for spin budgets and
 * measurements of the library's own cost, never for a program's notion of time. */
td__ns_t td__real_now(void);

/* ---- deadlines -------------------------------------------------------------------- */

/* When a wait ends: an absolute CLOCK_MONOTONIC time, or TD__NEVER. */
typedef struct td__deadline {
    td__ns_t at;
} td__deadline_t;

/* The deadline timeout seconds from now: TD_FOREVER gives TD__NEVER; zero, negative
 * or NaN give "now" (callers judge timeouts with td__check_timeout first; this is a
 * safety net); the sum saturates below TD__NEVER, so TD_TIMEOUT_MAX cannot overflow.
 * The one place a public timeout in seconds becomes a deadline. */
td__deadline_t td__deadline_in(double timeout);
/* A deadline that never comes. */
static inline td__deadline_t td__forever(void)
{
    return (td__deadline_t){ TD__NEVER };
}
/* Whether the deadline is the one that never comes. */
static inline bool td__deadline_is_never(td__deadline_t d)
{
    return d.at == TD__NEVER;
}
/* Whether a deadline has passed. */
bool td__deadline_passed(td__deadline_t d);

/* What a negative timeout means: CPython 3.11 has three rules, and each public call
 * follows the one its Python namesake does. */
typedef enum td__timeout_rule {
    TD__TIMEOUT_LOCK,  /* Lock/RLock.acquire: -1 waits for ever, other negatives are
                        * ValueError (-EINVAL) */
    TD__TIMEOUT_QUEUE, /* Queue.put/get: any negative is ValueError (-EINVAL) */
    TD__TIMEOUT_JOIN   /* Thread.join, Condition/Event.wait, Semaphore.acquire,
                        * Future.result, wait, asyncio.wait_for, ...: a negative
                        * timeout is 0, do not wait */
} td__timeout_rule_t;

/* Check a public timeout under the rule its call follows, and make *timeout the one
 * to wait with (TD_FOREVER, or 0 .. TD_TIMEOUT_MAX): 0, -EINVAL (NaN, or a negative
 * the rule rejects) or -EOVERFLOW (finite above TD_TIMEOUT_MAX, Python's
 * OverflowError). TD_FOREVER (INFINITY) is accepted by every rule. The one place a
 * public timeout is judged. */
int td__check_timeout(double *timeout, td__timeout_rule_t rule);

/* ---- the one wait path ------------------------------------------------------------ */

/* Sleep while *word == expected, until woken or the deadline. Returns 0 (woken, the
 * word changed, or spurious: callers re-check their condition) or -ETIMEDOUT (the
 * deadline has passed). Every block in the library ends up here (musl's
 * __timedwait). */
int td__wait_until(atomic_uint *word, unsigned expected, td__deadline_t deadline);
/* Wake up to n threads sleeping on word (INT32_MAX: all). */
void td__wake(atomic_uint *word, int n);

/* The kernel's futex itself, never the scheduler's: for the scheduler's own
 * hand-offs, and for threads it does not control. Results as td__wait_until. */
int td__futex_wait_raw(atomic_uint *word, unsigned expected, td__deadline_t deadline);
void td__futex_wake_raw(atomic_uint *word, int n);

/* ---- spinning before sleeping ----------------------------------------------------- */

/* Spin, briefly, until *word != expected (or the deadline): true if it changed.
 * The budget is per thread and adaptive, 1 to 6 microseconds: doubled when a spin
 * pays off, cut by an eighth when it ends in a sleep; so a thread waiting for long
 * burns a few microseconds at most before it sleeps. Right after this thread woke
 * a sleeper, one spin may last 20 us (see wait.c). Never spins under a schedule:
 * only one thread runs there, so nobody could change the word meanwhile. */
bool td__spin_while(atomic_uint *word, unsigned expected, td__deadline_t deadline);

/* Spin until *word != expected or the deadline, however long that is (for a wait
 * whose end must be exact, a Timer's last stretch): true if the word changed.
 * Under a schedule it returns false at once. */
bool td__spin_until(atomic_uint *word, unsigned expected, td__deadline_t deadline);

/* The same budget for a spin whose condition is not one word:
 *   td__spin_t s; td__spin_start(&s, deadline);
 *   while (!ready()) if (!td__spin_again(&s)) break;   (then sleep)
 * and td__spin_won() when ready() came true. */
typedef struct td__spin {
    td__ns_t limit;
} td__spin_t;
void td__spin_start(td__spin_t *spin, td__deadline_t deadline);
/* Pause a burst; false once the budget is spent (which shrinks it). */
bool td__spin_again(td__spin_t *spin);
/* The spin paid off: grow the budget. */
void td__spin_won(void);
/* Tell the spinner that this thread just woke a sleeping thread up. */
void td__note_woke_sleeper(void);
/* One pause instruction: a spinning thread's courtesy to its sibling hyperthread. */
void td__cpu_relax(void);

/* Backing off while another thread finishes a step it has begun and cannot be
 * stopped in (a queue slot claimed but not yet written, a block not yet linked):
 * the wait is a few instructions of that thread's, unless it was preempted there.
 *   td__backoff_t b = { 0 }; while (!done()) td__snooze(&b);
 * Pauses 1, 2, 4 ... 64 times, then gives the CPU away (sched_yield), so a thread
 * preempted inside its step gets to finish it. Under a schedule, where no other
 * thread runs unless this one lets it, each call is a scheduling point. */
typedef struct td__backoff {
    unsigned step;
} td__backoff_t;
void td__snooze(td__backoff_t *backoff);

/* ---- the library's own mutexes ---------------------------------------------------- */

/* The library's own pthread mutexes (registry, output, atexit hooks): error-checking
 * in Debug builds, and misuse aborts with a message rather than deadlocking or
 * going unnoticed, as libuv's uv_mutex_lock does (a failure here is always a bug).
 * None of them is ever held across a wait, a user callback or a scheduling point. */
#ifdef NDEBUG
#define TD__MUTEX_INITIALIZER PTHREAD_MUTEX_INITIALIZER
#else
#define TD__MUTEX_INITIALIZER PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP
#endif
void td__mutex_lock(pthread_mutex_t *mutex);
void td__mutex_unlock(pthread_mutex_t *mutex);
/* In a fork()ed child, a mutex the forking thread took before fork(): make it
 * free again (unlocked if it can be; an error-checking mutex records the owner's
 * kernel thread id, which the forking thread no longer has in the child). */
void td__mutex_reset_in_child(pthread_mutex_t *mutex);
#if defined(__GNUC__) || defined(__clang__)
#define TD__PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define TD__PRINTF(a, b)
#endif
/* The three ways to stop (fail.c): each writes "libthrdemo: KIND: message" once on
 * stderr and aborts; the message carries no prefix of its own. */
/* The library's own bug: "internal error". Never returns. */
_Noreturn void td__fatal(const char *fmt, ...) TD__PRINTF(1, 2);
/* A caller's mistake a void function cannot return: "misuse". Never returns. */
_Noreturn void td__misuse(const char *fmt, ...) TD__PRINTF(1, 2);
/* No memory where no error can be returned: "out of memory". Never returns. */
_Noreturn void td__out_of_memory(const char *fmt, ...) TD__PRINTF(1, 2);

/* ---- the library's mutexes across fork() ------------------------------------------ */

/* Every process-wide mutex of the library has a slot here (fork.c). The thread that
 * calls fork() takes them in this order, so a mutex that is ever taken while another
 * is held must come after it: a recording trace names a new track under its mutex,
 * reading the registry and the names. */
typedef enum td__fork_slot {
    TD__FORK_TRACE,    /* the recording trace's mutex, while it records */
    TD__FORK_REGISTRY, /* the thread registry */
    TD__FORK_NAMES,    /* object names */
    TD__FORK_LOCALS,   /* thread-local slots */
    TD__FORK_ATEXIT,   /* td_shutdown's callbacks */
    TD__FORK_STACKS,   /* coroutine stack pools */
    TD__FORK_OUTPUT,   /* the output lock */
    TD__FORK_SLOTS
} td__fork_slot_t;

/* Keep mutex whole across fork(): the forking thread holds it while the process is
 * copied, then the parent unlocks it and the child makes it free again, first
 * running in_child (NULL: nothing) with every guarded mutex still held, to tidy the
 * state they guard. Fills slot (mutex NULL empties it); never fails. */
void td__fork_guard(td__fork_slot_t slot, pthread_mutex_t *mutex, void (*in_child)(void));
/* Empty slot if it still guards mutex, before that mutex is destroyed (a slot
 * another mutex took meanwhile stays as it is). */
void td__fork_unguard(td__fork_slot_t slot, const pthread_mutex_t *mutex);

/* ---- hooks for the floors above --------------------------------------------------- */

/* One report to the observer, as primitives make it; the runtime adds the thread,
 * the time, the sequence number (unless seq is given) and the cause. */
typedef struct td__report {
    td_obs_kind_t kind;
    const char *primitive;
    const void *object;
    int result;
    double timeout;   /* WAIT_BEGIN */
    uint64_t seq;     /* 0: numbered when reported */
    const char *text; /* LINE */
    size_t len;
} td__report_t;

/* The observer's entry, installed by the runtime (td_observer_set): NULL when
 * nobody observes. */
typedef void (*td__report_fn)(const td__report_t *report);
extern _Atomic(td__report_fn) td__reporter;

/* Whether anyone observes: one predictable branch when nobody does. */
#define TD__OBSERVING() \
    TD__UNLIKELY(atomic_load_explicit(&td__reporter, memory_order_acquire) != NULL)

/* Report to the observer, if any. */
#define TD__OBSERVE(k_, p_, o_, r_) TD__OBSERVE_WAIT(k_, p_, o_, r_, -1.0)

/* The same with the wait's timeout (for TD_OBS_WAIT_BEGIN). */
#define TD__OBSERVE_WAIT(k_, p_, o_, r_, t_)                                          \
    do {                                                                              \
        td__report_fn td__r = atomic_load_explicit(&td__reporter, memory_order_acquire); \
        if (TD__UNLIKELY(td__r != NULL))                                              \
            td__r(&(td__report_t){ .kind = (k_), .primitive = (p_), .object = (o_),   \
                                   .result = (r_), .timeout = (t_) });                \
    } while (0)

/* Scheduling points: every library operation that can block or wake another thread
 * names itself here first, before it takes any lock, so a controlled scheduler can
 * decide who runs next. The kind says what the step that follows does to the object
 * (explore --all orders two steps only when they touch one object and one of them
 * changes it; sched_dpor.c's table): the object is the primitive's address, or the
 * variable's, or NULL for the kinds that touch nothing, or anything. */
typedef enum td__point_kind {
    TD__POINT_YIELD,      /* td_yield_now: spinning code; may touch anything */
    TD__POINT_START,      /* a thread was started: touches nothing shared yet */
    TD__POINT_ACQUIRE,    /* Lock/RLock/Semaphore acquire with a timeout or none */
    TD__POINT_RELEASE,    /* Lock/RLock/Semaphore release */
    TD__POINT_SET,        /* Event set */
    TD__POINT_CLEAR,      /* Event clear */
    TD__POINT_WAIT,       /* Condition/Barrier wait: changes the object */
    TD__POINT_EVENT_WAIT, /* Event wait (every sleep is one): reads the flag */
    TD__POINT_JOIN,       /* join: reads whether the thread (the object) has ended */
    TD__POINT_NOTIFY,     /* Condition notify, a future cancelled */
    TD__POINT_PUT,        /* Queue put */
    TD__POINT_GET,        /* Queue get */
    TD__POINT_TASK_DONE,  /* Queue task_done */
    TD__POINT_QUEUE_JOIN, /* Queue join: reads the unfinished count */
    TD__POINT_SHUTDOWN,   /* Queue shutdown */
    TD__POINT_FUTURE,     /* a future's result or a wait on futures: set by code that
                           * names no point, so it is ordered against everything */
    TD__POINT_FIRE,       /* a Timer's function is about to run */
    TD__POINT_LINE,       /* a trace line is about to be written (object NULL: the
                           * output, which all threads share) */
    TD__POINT_RACE,       /* td_sched_point: a race window; may touch anything */
    TD__POINT_READ,       /* td_sched_read: a read of the variable at object */
    TD__POINT_WRITE,      /* td_sched_write: a write of the variable at object */
    TD__POINT_LOCK        /* a blocking, untimed Lock acquire: the object is the lock's
                           * state word (0 when free), so a scheduler may hold the thread
                           * back while the lock is held, as running it then could only
                           * make it block */
} td__point_kind_t;

/* A controlled scheduler (--schedule) replaces the clock, the wait path and the wake
 * path, and hears of scheduling points and of threads starting and ending. It is
 * installed before any thread it controls starts and removed after they have all
 * ended, so a plain pointer read suffices. NULL: real threads, real time. Only the
 * thread it lets run calls into it, except `wait` and `wake` from threads it does
 * not control, which it passes to the kernel. */
typedef struct td__sched_ops {
    td__ns_t (*now)(void);
    td__ns_t (*wall_now)(void);
    int (*wait)(atomic_uint *word, unsigned expected, td__deadline_t deadline);
    void (*wake)(atomic_uint *word, int n);
    /* caller: the code address that called the library (see TD__POINT). */
    void (*point)(td__point_kind_t kind, const void *object, const void *caller);
    /* A thread is about to be created: its slot (NULL: not controlled). */
    void *(*thread_adding)(void *thread);
    /* Creating it failed: forget the slot. */
    void (*thread_not_added)(void *slot);
    /* First words of the new thread: wait until it is chosen to run. */
    void (*thread_begin)(void *slot);
    /* Last words of a thread: let the next one run; never runs again. */
    void (*thread_end)(void);
    /* A controlled thread's number (1 for the thread that began the schedule, then in
     * start order): slot's, or the calling thread's when slot is NULL; 0 if not
     * controlled. Idents and native ids are made from it, so they are the same run
     * after run. */
    unsigned (*number)(void *slot);
} td__sched_ops_t;
extern const td__sched_ops_t *td__sched;

/* A scheduling point: one predictable branch when no schedule runs. Written in the
 * public function the program called, so its return address is the program's code
 * that made the call (what --explain shows); it is read only under a schedule. */
#define TD__POINT(kind, object) TD__POINT_FROM((kind), (object), __builtin_return_address(0))
/* The same from a helper of the public function, which passes its own return address
 * down as caller (NULL: a step the library takes by itself, a Timer firing). */
#define TD__POINT_FROM(kind, object, caller)                                          \
    do {                                                                              \
        if (TD__UNLIKELY(td__sched != NULL))                                          \
            td__sched->point((kind), (object), (caller));                             \
    } while (0)

#endif
