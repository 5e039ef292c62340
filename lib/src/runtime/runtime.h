/* SPDX-License-Identifier: MIT */
/* runtime.h - the second floor: what the runtime (thread registry, names, the exit
 * rule, atexit hooks, the observer) offers the floors above it besides the public
 * thread API. It uses only the core. */
#ifndef THRDEMO_RUNTIME_H
#define THRDEMO_RUNTIME_H

#include <stddef.h>

#include "core/core.h"
#include "thrdemo/thread.h"

/* The calling thread's object if it has one (never registers a foreign thread as
 * Dummy-N, which td_current_thread does): for reports made from any thread. */
td_thread_t *td__current_if_known(void);

/* The order in which threads were started (the main thread first), as enumerate()
 * lists them: for a trace's tracks. Read it on the thread itself, or once it runs. */
uint64_t td__thread_start_order(const td_thread_t *thread);

/* Give a thread its number under a schedule (the scheduler numbers the thread that
 * begins it): its ident and native id are made from it from then on. */
void td__thread_set_number(td_thread_t *thread, unsigned number);

/* Whether the thread has ended (its joiners return at once). */
bool td__thread_ended(const td_thread_t *thread);

/* The next report sequence number (for a LINE, taken under the output lock so
 * lines are numbered in the order they reach stdout). */
uint64_t td__observe_seq(void);

/* A second listener beside the public observer, for the scheduler's wait-for
 * report (NULL removes it): it hears every report first. */
void td__observe_also(td__report_fn listener);

/* Count one written line for the calling thread (the log service tells us). */
void td__thread_count_line(void);

/* Have td_shutdown() call fn(arg) before it joins threads (CPython's
 * threading._register_atexit): 0 or -ENOMEM. Callbacks run newest first, with no
 * lock of the runtime held, so they may use any primitive; td_shutdown may run more
 * than once, so they must be idempotent. */
int td__atexit_register(void (*fn)(void *), void *arg);
/* Remove a registration; if the callback is running, wait until it has returned. */
void td__atexit_unregister(void (*fn)(void *), void *arg);
/* Run every registered callback once (td_shutdown's first step). */
void td__atexit_run(void);

#endif
