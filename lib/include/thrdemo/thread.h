/* SPDX-License-Identifier: MIT */
/* thread.h - Python's threading.Thread and the module functions around it.
 *
 * A td_thread_t is reference counted: the handle returned by td_thread_new is one
 * reference, a running thread holds another. td_thread_free drops the caller's, so
 * "start and forget" works as `Thread(...).start()` does in Python.
 * Every started thread sits in one registry (enumerate, active_count) from start()
 * until its function returns. The main thread is registered when the library loads,
 * as "MainThread". Threads the library did not start get a daemon "Dummy-N" entry
 * the first time they ask for td_current_thread().
 *
 * The interpreter-exit rule: td_exit() joins every non-daemon thread, including ones
 * started while it waits, and then exits the process, so daemon threads die with it.
 * After fork() the child's registry holds only the thread that forked, which becomes
 * the child's main thread (CPython's _after_fork).
 */
#ifndef THRDEMO_THREAD_H
#define THRDEMO_THREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct td_thread td_thread_t;

/* A thread's body, Python's target (or an overridden run()). */
typedef void (*td_thread_fn)(void *arg);

/* daemon values in td_thread_attr_t. */
enum { TD_DAEMON_INHERIT = 0, TD_DAEMON_NO = 1, TD_DAEMON_YES = 2 };

typedef struct td_thread_attr {
    td_thread_fn target;     /* required */
    void *arg;               /* passed to target */
    const char *name;        /* NULL or "": CPython's default name */
    const char *target_name; /* the target's name for "Thread-N (target)"; NULL gives
                                "Thread-N", as a subclass-style thread is named */
    int daemon;              /* TD_DAEMON_*: inherited from the creator by default */
} td_thread_attr_t;

/* Fill target and target_name from one function name: TD_TARGET(worker). */
#define TD_TARGET(fn) .target = (fn), .target_name = #fn

/* Create an unstarted thread (Python's Thread(...)) into *out: 0 or -ENOMEM,
 * -EINVAL (no target). The name is fixed here, so the Thread-N counter advances in
 * creation order for unnamed threads only. */
TD_API int td_thread_new(td_thread_t **out, const td_thread_attr_t *attr);
/* Drop the caller's reference; the thread itself runs on. NULL is allowed. */
TD_API void td_thread_free(td_thread_t *thread);
/* Take one more reference (for a thread found through td_enumerate, say). */
TD_API td_thread_t *td_thread_ref(td_thread_t *thread);
/* Start the thread: 0, -EINVAL if already started ("threads can only be started
 * once"), or -EAGAIN when the system cannot make another thread. It is alive and
 * its ident known when this returns; it may not have run a single line yet. */
TD_API int td_thread_start(td_thread_t *thread);
/* Wait for the thread to finish, at most timeout seconds (TD_FOREVER: no limit;
 * zero or negative: do not wait, Python's max(timeout, 0)). 0 finished, -ETIMEDOUT
 * still running, -EDEADLK joining the current thread, -EINVAL never started or a
 * NaN timeout, -EOVERFLOW a finite timeout above TD_TIMEOUT_MAX. Waits on
 * CLOCK_MONOTONIC. */
TD_API int td_thread_join(td_thread_t *thread, double timeout);
/* Whether the thread has started and not yet finished. */
TD_API bool td_thread_is_alive(td_thread_t *thread);
/* Copy the thread's name into buf (size bytes, always NUL-terminated when size > 0,
 * cut short if it does not fit) and return its full length, as snprintf does. A
 * copy, because another thread may rename it at any time. */
TD_API size_t td_thread_get_name(td_thread_t *thread, char *buf, size_t size);
/* Rename the thread: 0, -EINVAL (NULL name) or -ENOMEM. */
TD_API int td_thread_set_name(td_thread_t *thread, const char *name);
/* Whether the thread is a daemon. */
TD_API bool td_thread_daemon(td_thread_t *thread);
/* Make it a daemon or not: 0, or -EINVAL once started (Python: RuntimeError). */
TD_API int td_thread_set_daemon(td_thread_t *thread, bool daemon);
/* Python's Thread.ident: the pthread id, 0 before start. */
TD_API unsigned long td_thread_ident(td_thread_t *thread);
/* Python's Thread.native_id: the kernel's thread id, 0 before start (once started,
 * waits the moment it takes the new thread to report it). */
TD_API long td_thread_native_id(td_thread_t *thread);
/* How many lines the thread has written through td_print/td_log. */
TD_API uint64_t td_thread_lines(td_thread_t *thread);

/* The calling thread's object (borrowed: do not free). Never NULL. */
TD_API td_thread_t *td_current_thread(void);
/* The main thread's object (borrowed). */
TD_API td_thread_t *td_main_thread(void);
/* Copy up to cap new references to live threads into out, main first; returns how
 * many threads are alive (which may exceed cap). Free each with td_thread_free. */
TD_API size_t td_enumerate(td_thread_t **out, size_t cap);
/* How many threads are alive: Python's active_count(). */
TD_API size_t td_active_count(void);
/* The calling thread's pthread id: Python's get_ident(). */
TD_API unsigned long td_get_ident(void);
/* The calling thread's kernel id: Python's get_native_id(). */
TD_API long td_get_native_id(void);
/* Set the stack size for threads started later (0: the system default) and store
 * the previous setting in *old when old is not NULL. 0, or -EINVAL for a size
 * under 32 KiB. Python's stack_size([size]). */
TD_API int td_stack_size(size_t size, size_t *old);
/* The stack size threads are started with (0: the system default). */
TD_API size_t td_get_stack_size(void);

/* Python's threading._shutdown: run the atexit hooks (pools shut down), mark the
 * main thread finished when the main thread calls it (so a thread joining the main
 * thread returns), then join every non-daemon thread other than the caller,
 * including ones they start while it waits. Returns when none is left. */
TD_API void td_shutdown(void);
/* td_shutdown(), then exit the process with status: daemon threads die with it,
 * their unfinished lines unwritten. The interpreter's exit rule in one call. */
TD_NORETURN TD_API void td_exit(int status);

#ifdef __cplusplus
}
#endif
#endif
