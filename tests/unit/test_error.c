/* SPDX-License-Identifier: MIT */
/* test_error.c - td_strerror describes every code the library returns, each in its
 * own words, and td_version is the project's version. */
#include "helpers.h"

#include <stdio.h>
#include <string.h>

static const int codes[] = { 0, -ETIMEDOUT, -EBUSY, -EINVAL, -EPERM, -EDEADLK, -EOVERFLOW,
                             -ENOMEM, -EAGAIN, -ENOSPC, -ENODATA, -ESHUTDOWN, -ECANCELED,
                             -EPIPE, TD_ETASK, -EPROTO, TD_ESTOP };
enum { N_CODES = sizeof codes / sizeof codes[0] };

static void every_code_has_its_words(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_CODES; i++) {
        const char *text = td_strerror(codes[i]);
        assert_non_null(text);
        assert_string_not_equal(text, td_strerror(-99999)); /* not "unknown error" */
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(text, td_strerror(codes[j]));
    }
    assert_string_equal(td_strerror(-ETIMEDOUT), "timed out");
    assert_non_null(td_strerror(12345));
}

/* Bug fixed: -ENOSPC said "the queue is full" and -EPIPE "broken barrier", false for
 * a td_log write that hit a full disk or a closed pipe. The words must be true in
 * every context the code can come from. */
static void words_are_true_wherever_the_code_came_from(void **state)
{
    (void)state;
    assert_non_null(strstr(td_strerror(-ENOSPC), "no space left"));
    assert_non_null(strstr(td_strerror(-ENOSPC), "device"));
    assert_non_null(strstr(td_strerror(-EPIPE), "pipe"));
    assert_non_null(strstr(td_strerror(-EPIPE), "barrier"));
    /* A code the library never makes has the C library's words. */
    assert_string_equal(td_strerror(-ECONNREFUSED), "Connection refused");
}

static void version_is_three_numbers(void **state)
{
    (void)state;
    unsigned major, minor, patch;
    char rest;
    assert_int_equal(sscanf(td_version(), "%u.%u.%u%c", &major, &minor, &patch, &rest), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_code_has_its_words),
        cmocka_unit_test(words_are_true_wherever_the_code_came_from),
        cmocka_unit_test(version_is_three_numbers),
    };
    return test_run_cases(tests);
}
