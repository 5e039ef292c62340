/* SPDX-License-Identifier: MIT */
/* explain.h - --explain: a scheduled run told step by step on stderr, each step with
 * the source line that took it ("Thread-1 (increment) reads shared_resource = 0
 * (race.c:169, from lock_counter.c:60)"). The schedule's step hook (schedule.h's
 * on_step) records the first and the last EXPLAIN_KEEP steps; after the run, or when
 * it is stuck, the code addresses are turned into source lines (addr2line, when it
 * is installed and the binary has debug information) and the steps are printed.
 * stdout is left alone: it stays the scenario's trace, byte for byte. */
#ifndef THRDEMO_EXPLAIN_H
#define THRDEMO_EXPLAIN_H

#include <thrdemo/schedule.h>

/* The steps kept at each end of a long run; those in between are counted. */
enum { EXPLAIN_KEEP = 100 };

/* Under --explain, hook config's steps (config->on_step and ctx: schedrun owns no
 * other use of them). Call before td_sched_begin. */
void explain_begin(td_sched_config_t *config);
/* The value the calling thread's last step read or wrote (a racy counter's load or
 * store), shown with the step: "reads shared_resource = 0". Does nothing unless
 * --explain records the run. */
void explain_value(long long value);
/* The frames a step's source line is found in (backtrace's, taken on the thread
 * that made the step). */
enum { EXPLAIN_FRAMES = 12 };
/* The scenario's source line of a call into the library made at caller, with the
 * stack frames the calling thread had then, into buf: "lock_counter.c:60" (the
 * scenario's line even when the call itself is in cmd/support/), a function
 * ("add+0x1c") without debug information, or "". Runs addr2line for addresses not
 * seen before. */
void explain_source_line(const void *caller, void *const *frames, int n_frames, char *buf,
                         size_t size);
/* Print the steps recorded so far on stderr, once (later calls do nothing). */
void explain_print(void);
/* The name --explain, step and the deadlock report give an object into buf: its own
 * ("lock_a"), a thread's ("Thread-2 (decrement)"), else "NOUN #k", k counting this
 * run's unnamed objects in order of first appearance; "" for NULL. */
void explain_object_name(const void *object, const char *noun, char *buf, size_t size);

#endif
