/* SPDX-License-Identifier: MIT */
/* helpers.h - what the unit tests share. cmocka asserts only in the main thread:
 * workers record outcomes in structs the main thread checks after joining. */
#ifndef THRDEMO_TEST_HELPERS_H
#define THRDEMO_TEST_HELPERS_H

#include <setjmp.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <thrdemo/thrdemo.h>

/* Seconds on CLOCK_MONOTONIC. */
double test_now(void);
/* Create and start a thread running fn(arg); the test fails if that fails. */
td_thread_t *test_start(td_thread_fn fn, void *arg);
/* Join (without limit) and free. */
void test_join(td_thread_t *thread);
/* The thread's name (a copy that stays valid for the next three calls). */
const char *test_name(td_thread_t *thread);
/* Let roughly seconds pass by waiting on an event nobody sets (pacing, never sync). */
void test_pause(double seconds);

/* Timing bounds: never early, and generous above for a loaded 2-core machine. */
#define TEST_SLACK 0.5
#define assert_elapsed(start, seconds)                                               \
    do {                                                                             \
        double el_ = test_now() - (start);                                           \
        assert_true(el_ >= (seconds) - 0.001);                                       \
        assert_true(el_ < (seconds) + TEST_SLACK);                                   \
    } while (0)

#endif
