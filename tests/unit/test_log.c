/* SPDX-License-Identifier: MIT */
/* test_log.c - whole lines, the two logging formats, per-thread line counts. */
#include "helpers.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char captured[1 << 20];

/* Run fn with the output sent to a temporary file; return what it wrote. */
static const char *capture(void (*fn)(void))
{
    FILE *f = tmpfile();
    assert_non_null(f);
    int old = td_log_set_fd(fileno(f));
    fn();
    td_log_set_fd(old);
    rewind(f);
    size_t len = fread(captured, 1, sizeof captured - 1, f);
    captured[len] = '\0';
    fclose(f);
    return captured;
}

static void print_two(void)
{
    td_print("hello %d", 1);
    td_print("%s", "");
}

static void print_adds_newline(void **state)
{
    (void)state;
    assert_string_equal(capture(print_two), "hello 1\n\n");
}

static void log_thread_formats(void)
{
    td_log_set_format(TD_LOG_THREADNAME);
    td_log("sleeping %0.2f", 0.3);
    td_log_set_format(TD_LOG_MESSAGE);
    td_log("plain");
}

static void threadname_format_pads(void **state)
{
    (void)state;
    assert_string_equal(capture(log_thread_formats), "(MainThread) sleeping 0.30\nplain\n");
}

static void named_short(void *arg)
{
    (void)arg;
    td_log("x");
}

static void named_long(void *arg)
{
    (void)arg;
    td_log("y");
}

static void log_short_and_long_names(void)
{
    td_log_set_format(TD_LOG_THREADNAME);
    td_thread_t *t;
    td_thread_new(&t, &(td_thread_attr_t){ TD_TARGET(named_short), .name = "t1" });
    td_thread_start(t);
    test_join(t);
    td_thread_new(&t, &(td_thread_attr_t){ TD_TARGET(named_long), .name = "a-very-long-name" });
    td_thread_start(t);
    test_join(t);
    td_log_set_format(TD_LOG_MESSAGE);
}

static void pads_and_never_truncates(void **state)
{
    (void)state;
    assert_string_equal(capture(log_short_and_long_names),
                        "(t1        ) x\n(a-very-long-name) y\n");
}

static void log_asctime(void)
{
    td_log_set_format(TD_LOG_ASCTIME);
    td_log("Main: about to set event");
    td_log_set_format(TD_LOG_MESSAGE);
}

static void asctime_format(void **state)
{
    (void)state;
    const char *out = capture(log_asctime);
    /* "HH:MM:SS: message" */
    assert_int_equal(strlen(out), 8 + 2 + strlen("Main: about to set event") + 1);
    assert_true(out[2] == ':' && out[5] == ':' && out[8] == ':' && out[9] == ' ');
    assert_string_equal(out + 10, "Main: about to set event\n");
}

enum { WRITERS = 4, LINES = 2000 };

static void write_lines(void *arg)
{
    int id = *(int *)arg;
    for (int i = 0; i < LINES; i++)
        td_print("writer %d line %04d %s", id, i, "..............................");
}

static void concurrent_writers(void)
{
    int ids[WRITERS];
    td_thread_t *threads[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        ids[i] = i;
        threads[i] = test_start(write_lines, &ids[i]);
    }
    for (int i = 0; i < WRITERS; i++) {
        assert_int_equal(td_thread_join(threads[i], TD_FOREVER), 0);
        assert_int_equal(td_thread_lines(threads[i]), LINES);
        td_thread_free(threads[i]);
    }
}

static void lines_never_tear(void **state)
{
    (void)state;
    char *out = (char *)capture(concurrent_writers);
    int next[WRITERS] = { 0 };
    int total = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n"), total++) {
        int id, i;
        assert_int_equal(sscanf(line, "writer %d line %d", &id, &i), 2);
        assert_true(id >= 0 && id < WRITERS);
        assert_int_equal(i, next[id]); /* each thread's lines whole and in order */
        next[id]++;
        assert_int_equal(strlen(line), strlen("writer 0 line 0000 ") + 30);
    }
    assert_int_equal(total, WRITERS * LINES);
}

static void print_long_line(void)
{
    static char big[5000];
    memset(big, 'x', sizeof big - 1);
    td_print("%s", big);
}

static void long_lines_whole(void **state)
{
    (void)state;
    const char *out = capture(print_long_line);
    assert_int_equal(strlen(out), 5000);
    assert_int_equal(out[4999], '\n');
}

static void write_error_is_reported(void **state)
{
    (void)state;
    assert_int_equal(td_log_status(), 0);
    int old = td_log_set_fd(-1);
    assert_int_equal(td_print("lost"), -EBADF);
    td_log_set_fd(old);
    assert_int_equal(td_log_status(), -EBADF);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(print_adds_newline),
        cmocka_unit_test(threadname_format_pads),
        cmocka_unit_test(pads_and_never_truncates),
        cmocka_unit_test(asctime_format),
        cmocka_unit_test(lines_never_tear),
        cmocka_unit_test(long_lines_whole),
        cmocka_unit_test(write_error_is_reported),
    };
    return test_run_cases(tests);
}
