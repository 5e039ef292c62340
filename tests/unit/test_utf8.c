/* SPDX-License-Identifier: MIT */
/* test_utf8.c - the project's one UTF-8 check (core/utf8.h), which the trace's JSON,
 * the command line's error lines and tcp-echo's echo of received bytes all use: the
 * sequences Python's strict decoder accepts, and none of those it refuses. Internal
 * (hidden in the library), so this file is built with core/utf8.c. */
#include "helpers.h"

#include <string.h>

#include "core/utf8.h"

static size_t len_of(const char *s)
{
    return td__utf8_length((const unsigned char *)s, strlen(s));
}

static void test_valid_lengths(void **state)
{
    (void)state;
    assert_int_equal(len_of("a"), 1);
    assert_int_equal(len_of("\xc3\xa9"), 2);         /* U+00E9 */
    assert_int_equal(len_of("\xed\x95\x9c"), 3);     /* U+D55C, a Hangul syllable */
    assert_int_equal(len_of("\xef\xbf\xbd"), 3);     /* U+FFFD */
    assert_int_equal(len_of("\xf0\x9f\x98\x80"), 4); /* U+1F600 */
    assert_int_equal(len_of("\xf4\x8f\xbf\xbf"), 4); /* U+10FFFF, the last */
}

static void test_refused_as_python_refuses(void **state)
{
    (void)state;
    assert_int_equal(len_of("\x80"), 0);             /* a stray continuation byte */
    assert_int_equal(len_of("\xc0\xaf"), 0);         /* overlong '/' */
    assert_int_equal(len_of("\xe0\x80\xaf"), 0);     /* overlong, 3 bytes */
    assert_int_equal(len_of("\xf0\x80\x80\xaf"), 0); /* overlong, 4 bytes */
    assert_int_equal(len_of("\xed\xa0\x80"), 0);     /* U+D800, a surrogate */
    assert_int_equal(len_of("\xf4\x90\x80\x80"), 0); /* past U+10FFFF */
    assert_int_equal(len_of("\xc3("), 0);            /* a missing continuation */
    assert_int_equal(len_of("\xff"), 0);
}

static void test_never_reads_past_n(void **state)
{
    (void)state;
    const unsigned char cut[] = { 0xe2, 0x82, 0xac }; /* U+20AC, given 2 bytes of 3 */
    assert_int_equal(td__utf8_length(cut, 2), 0);
    assert_int_equal(td__utf8_length(cut, 3), 3);
    assert_int_equal(td__utf8_length(cut, 0), 0);
}

int main(void)
{
    const struct CMUnitTest cases[] = {
        cmocka_unit_test(test_valid_lengths),
        cmocka_unit_test(test_refused_as_python_refuses),
        cmocka_unit_test(test_never_reads_past_n),
    };
    return test_run_cases(cases);
}
