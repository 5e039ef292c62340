/* SPDX-License-Identifier: MIT */
/* local.h - Python's threading.local: one object, a separate value in each thread.
 *
 * td_local_get returns the calling thread's value, made on its first use in that
 * thread: size bytes, zeroed, then passed to init (Python runs __init__ once per
 * thread with the constructor's arguments: here init's arg). A thread's values are
 * destroyed (destroy, then freed) when the thread ends, and every thread's value
 * when the local is freed. Threads the library did not start have values too, but
 * the main thread's are destroyed only by td_local_free.
 * Thread-safe; a value belongs to its thread, so using it needs no lock.
 */
#ifndef THRDEMO_LOCAL_H
#define THRDEMO_LOCAL_H

#include <stddef.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct td_local td_local_t;

/* Make a thread's value: value points to size zeroed bytes. */
typedef void (*td_local_init_fn)(void *value, void *arg);
/* Release what a value holds (not the value itself, which the library frees).
 * It runs on the thread that ends (or calls td_local_free) and may use any local
 * there, its own included: a value it makes in a thread whose values are being
 * destroyed is destroyed in turn, as POSIX does for thread-specific data, for up
 * to 4 rounds; one still made in the last round is freed without its destroy. */
typedef void (*td_local_destroy_fn)(void *value);

/* Create a local of size bytes per thread (size > 0), with optional init (called
 * with arg) and destroy: 0, -EINVAL or -ENOMEM. */
TD_API int td_local_new(td_local_t **out, size_t size, td_local_init_fn init, void *arg,
                        td_local_destroy_fn destroy);
/* The calling thread's value, made on first use; NULL only when out of memory. */
TD_API void *td_local_get(td_local_t *local);
/* Destroy every thread's value and the local; no thread may use it any more. */
TD_API void td_local_free(td_local_t *local);

#ifdef __cplusplus
}
#endif
#endif
