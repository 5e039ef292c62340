/* SPDX-License-Identifier: MIT */
/* test_trace.c - the recorder (trace.h): what a run looks like through it (a wait
 * woken by a set, joined by its cause; lines in order; a sleep with the wait inside
 * it; slices kept nested), one bounded store for many threads, drops counted and
 * the file under the limit, the observer installed before still hearing everything,
 * and the same bytes twice under a schedule. */
#include "helpers.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- reading what a recorder holds ----------------------------------------------- */

enum { MAX_ENTRIES = 4096, TEXT = 80 };

struct seen {
    size_t n_tracks;
    char tracks[64][TEXT];
    size_t n;
    struct entry {
        td_trace_entry_t e;
        char object[TEXT], text[TEXT];
    } entries[MAX_ENTRIES];
    size_t per_track[4096];
};

static struct seen seen;

static int keep_tracks(const td_trace_track_t *tracks, size_t n, void *ctx)
{
    struct seen *s = ctx;
    s->n_tracks = n;
    for (size_t i = 0; i < n && i < 64; i++)
        snprintf(s->tracks[i], TEXT, "%s", tracks[i].name);
    return 0;
}

static int keep_entry(const td_trace_entry_t *e, void *ctx)
{
    struct seen *s = ctx;
    if (e->track < 4096)
        s->per_track[e->track]++;
    if (s->n == MAX_ENTRIES)
        return 0;
    struct entry *k = &s->entries[s->n++];
    k->e = *e;
    snprintf(k->object, TEXT, "%s", e->object);
    snprintf(k->text, TEXT, "%.*s", (int)e->len, e->text ? e->text : "");
    return 0;
}

static void visit(td_trace_t *trace)
{
    memset(&seen, 0, sizeof seen);
    assert_int_equal(td_trace_visit(trace, &(td_trace_visitor_t){ keep_tracks, keep_entry,
                                                                   &seen }),
                     0);
}

/* The first entry of a kind on an object (any object when NULL), or NULL. */
static const struct entry *find(td_obs_kind_t kind, const char *object)
{
    for (size_t i = 0; i < seen.n; i++)
        if (seen.entries[i].e.kind == kind && (!object || strcmp(seen.entries[i].object, object) == 0))
            return &seen.entries[i];
    return NULL;
}

static size_t count(td_obs_kind_t kind)
{
    size_t n = 0;
    for (size_t i = 0; i < seen.n; i++)
        n += seen.entries[i].e.kind == kind;
    return n;
}

/* The JSON file a recorder writes, in a malloc'ed string (size in *len). */
static char *json_of(td_trace_t *trace, uint64_t *dropped, size_t *len)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(td_trace_write_json(trace, fileno(f), "test", dropped), 0);
    off_t size = lseek(fileno(f), 0, SEEK_END);
    assert_true(size > 0);
    char *text = malloc((size_t)size + 1);
    assert_non_null(text);
    assert_int_equal(pread(fileno(f), text, (size_t)size, 0), size);
    text[size] = '\0';
    fclose(f);
    *len = (size_t)size;
    return text;
}

static size_t occurrences(const char *text, const char *what)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, what)); p += strlen(what))
        n++;
    return n;
}

/* Lines go to /dev/null: the tests read them from the recording. */
static int quiet_lines(void)
{
    int fd = open("/dev/null", O_WRONLY);
    assert_true(fd >= 0);
    return td_log_set_fd(fd);
}

static void loud_lines(int old)
{
    close(td_log_set_fd(old));
}

/* ---- an observer installed before the recorder --------------------------------------- */

struct before {
    atomic_int reports;
    const void *watched;
    test_latch_t blocked; /* arrivals: WAIT_BEGINs on watched */
};

static struct before before;

static void count_before(const td_obs_event_t *ev, void *ctx)
{
    struct before *b = ctx;
    atomic_fetch_add(&b->reports, 1);
    if (ev->kind == TD_OBS_WAIT_BEGIN && ev->object == b->watched)
        test_latch_arrive(&b->blocked);
}

static const td_observer_t before_observer = { count_before, &before };

/* ---- a wait woken by a set ---------------------------------------------------------- */

static void wait_for_gate(void *arg)
{
    td_event_t *gate = arg;
    td_print("worker waits");
    td_event_wait(gate, TD_FOREVER);
    td_print("worker goes on");
}

static void test_wake_up_and_its_cause(void **state)
{
    (void)state;
    td_event_t gate;
    td_event_init(&gate);
    td_object_set_name(&gate, "gate");
    test_latch_init(&before.blocked);
    before.watched = &gate;
    atomic_store(&before.reports, 0);
    td_observer_set(&before_observer);
    td_trace_t *trace;
    assert_int_equal(td_trace_new(&trace, 0), 0);
    assert_int_equal(td_trace_start(trace), 0);
    int old = quiet_lines();

    td_thread_t *t;
    assert_int_equal(td_thread_new(&t, &(td_thread_attr_t){ .target = wait_for_gate, .arg = &gate,
                                                           .name = "worker" }),
                     0);
    assert_int_equal(td_thread_start(t), 0);
    assert_true(test_latch_wait(&before.blocked, 1, 10)); /* it blocks: now set */
    td_event_set(&gate);
    test_join(t);
    loud_lines(old);
    td_trace_stop(trace);
    assert_ptr_equal(td_observer_set(NULL), &before_observer); /* put back */

    visit(trace);
    assert_int_equal(seen.n_tracks, 2);
    assert_string_equal(seen.tracks[0], "MainThread");
    assert_string_equal(seen.tracks[1], "worker");
    const struct entry *set = find(TD_OBS_SET, "gate"), *end = find(TD_OBS_WAIT_END, "gate");
    const struct entry *begin = find(TD_OBS_WAIT_BEGIN, "gate");
    assert_non_null(set);
    assert_non_null(begin);
    assert_non_null(end);
    assert_int_equal(set->e.track, 0);
    assert_int_equal(begin->e.track, 1);
    assert_int_equal(end->e.cause, set->e.seq); /* what it observed */
    assert_true(end->e.time >= set->e.time);
    assert_true(begin->e.time <= end->e.time);
    assert_true(begin->e.timeout < 0);
    const struct entry *line = find(TD_OBS_LINE, NULL);
    assert_non_null(line);
    assert_string_equal(line->text, "worker waits");
    assert_int_equal(line->e.track, 1);
    assert_int_equal(count(TD_OBS_LINE), 2);
    /* Every report reached the observer installed before, too. */
    assert_true(atomic_load(&before.reports) >= (int)seen.n);

    uint64_t dropped = 1;
    size_t len;
    char *json = json_of(trace, &dropped, &len);
    assert_int_equal(dropped, 0);
    assert_non_null(strstr(json, "{\"traceEvents\":["));
    assert_non_null(strstr(json, "\"name\":\"wait gate\""));
    assert_non_null(strstr(json, "\"ended\":\"wake-up\""));
    assert_non_null(strstr(json, "\"name\":\"set gate\""));
    assert_non_null(strstr(json, "\"name\":\"woken by set gate\""));
    assert_non_null(strstr(json, "\"args\":{\"name\":\"worker\"}"));
    assert_non_null(strstr(json, "\"name\":\"worker goes on\",\"args\":{\"line\":2}"));
    /* The set's flow, and the join's when main's join had to wait for the exit. */
    assert_true(occurrences(json, "\"ph\":\"s\"") >= 1);
    assert_int_equal(occurrences(json, "\"ph\":\"s\""), occurrences(json, "\"ph\":\"f\""));
    assert_int_equal(occurrences(json, "\"ph\":\"B\""), occurrences(json, "\"ph\":\"E\""));
    assert_non_null(strstr(json, "\"dropped_events\":0,"));
    assert_non_null(strstr(json, "\"clock\":\"real\""));
    assert_string_equal(json + len - 3, "}}\n");
    free(json);
    td_trace_free(trace);
    test_latch_destroy(&before.blocked);
}

/* ---- a sleep, and slices kept nested ---------------------------------------------- */

static void test_wait_inside_a_sleep_is_part_of_it(void **state)
{
    (void)state;
    td_event_t nap;
    td_event_init(&nap);
    td_trace_t *trace;
    assert_int_equal(td_trace_new(&trace, 0), 0);
    assert_int_equal(td_trace_start(trace), 0);
    td_observe(TD_OBS_WAIT_BEGIN, "sleep", &nap, 0, 0.5); /* time.sleep(0.5), scaled */
    assert_false(td_event_wait(&nap, 0.01));
    td_observe(TD_OBS_WAIT_END, "sleep", &nap, -ETIMEDOUT, -1);
    td_trace_stop(trace);

    visit(trace);
    assert_int_equal(count(TD_OBS_WAIT_BEGIN), 1);
    assert_int_equal(count(TD_OBS_WAIT_END), 1);
    assert_string_equal(find(TD_OBS_WAIT_BEGIN, NULL)->e.primitive, "sleep");
    assert_true(find(TD_OBS_WAIT_BEGIN, NULL)->e.timeout == 0.5);
    size_t len;
    char *json = json_of(trace, NULL, &len);
    assert_non_null(strstr(json, "\"name\":\"sleep 0.5 s\""));
    assert_null(strstr(json, "wait event"));
    assert_non_null(strstr(json, "\"ended\":\"timeout\""));
    free(json);
    td_trace_free(trace);
}

static void test_lock_taken_back_inside_a_wait_stays_nested(void **state)
{
    (void)state;
    td_lock_t lock;
    td_cond_t cond;
    td_lock_init(&lock);
    td_cond_init(&cond, &lock);
    td_object_set_name(&lock, "cond_lock");
    td_trace_t *trace;
    assert_int_equal(td_trace_new(&trace, 0), 0);
    assert_int_equal(td_trace_start(trace), 0);
    td_cond_acquire(&cond, true, TD_FOREVER);
    /* Times out: the lock is let go (the hold ends), taken back inside the wait
     * (a hold opens in it), then the wait ends around it: split and opened again. */
    assert_int_equal(td_cond_wait(&cond, 0.01), -ETIMEDOUT);
    td_cond_release(&cond);
    td_trace_stop(trace);

    size_t len;
    char *json = json_of(trace, NULL, &len);
    assert_int_equal(occurrences(json, "\"ph\":\"B\""), occurrences(json, "\"ph\":\"E\""));
    assert_int_equal(occurrences(json, "\"continues\":true"), 1);
    assert_int_equal(occurrences(json, "\"continued\":true"), 1);
    assert_int_equal(occurrences(json, "\"name\":\"hold cond_lock\""), 6);
    free(json);
    td_trace_free(trace);
    td_cond_destroy(&cond);
}

/* ---- bounded: one store, drops counted, the file under the limit ------------------ */

static void test_limit_bounds_store_and_file(void **state)
{
    (void)state;
    td_trace_t *trace;
    assert_int_equal(td_trace_new(&trace, TD_TRACE_MIN_LIMIT), 0);
    assert_int_equal(td_trace_start(trace), 0);
    int old = quiet_lines();
    int value = 0;
    enum { REPORTS = 20000 };
    for (int i = 0; i < REPORTS; i++) {
        if (i % 10 == 0)
            td_print("line %d", i);
        else
            td_observe(TD_OBS_COUNTER, "counter", &value, i, -1);
    }
    loud_lines(old);
    td_trace_stop(trace);
    uint64_t recorded = td_trace_recorded(trace), dropped = td_trace_dropped(trace);
    assert_true(dropped > 0);
    assert_int_equal(recorded + dropped, REPORTS); /* nothing lost without a count */
    assert_true(recorded * 48 < TD_TRACE_MIN_LIMIT); /* what it kept fits the limit */

    uint64_t in_file_dropped;
    size_t len;
    char *json = json_of(trace, &in_file_dropped, &len);
    assert_true(len <= TD_TRACE_MIN_LIMIT);
    assert_true(in_file_dropped >= dropped);
    char said[64];
    snprintf(said, sizeof said, "\"dropped_events\":%llu,", (unsigned long long)in_file_dropped);
    assert_non_null(strstr(json, said));
    assert_string_equal(json + len - 3, "}}\n");
    /* The lines kept are the first ones, numbered as stdout has them. */
    assert_non_null(strstr(json, "\"name\":\"line 0\",\"args\":{\"line\":1}"));
    assert_non_null(strstr(json, "\"name\":\"line 10\",\"args\":{\"line\":2}"));
    free(json);
    td_trace_free(trace);
}

struct reporter {
    int values[5];
};

static void report_five(void *arg)
{
    struct reporter *r = arg;
    for (int i = 0; i < 5; i++)
        td_observe(TD_OBS_COUNTER, "counter", &r->values[i], i, -1);
}

static void test_many_threads_one_store(void **state)
{
    (void)state;
    long n = test_scaled(2000);
    td_thread_t **threads = calloc((size_t)n, sizeof *threads);
    struct reporter *reporters = calloc((size_t)n, sizeof *reporters);
    assert_non_null(threads);
    assert_non_null(reporters);
    td_trace_t *trace;
    assert_int_equal(td_trace_new(&trace, 0), 0);
    assert_int_equal(td_trace_start(trace), 0);
    for (long i = 0; i < n; i++)
        threads[i] = test_start(report_five, &reporters[i]);
    for (long i = 0; i < n; i++)
        test_join(threads[i]);
    td_trace_stop(trace);
    assert_int_equal(td_trace_dropped(trace), 0);
    assert_true(td_trace_recorded(trace) >= (uint64_t)n * 7); /* start, 5, exit */

    visit(trace);
    assert_int_equal(seen.n_tracks, (size_t)n + 1);
    for (size_t t = 1; t <= (size_t)n; t++) /* start, five values, exit: each its own */
        assert_int_equal(seen.per_track[t], 7);
    assert_string_equal(seen.tracks[0], "MainThread");
    assert_memory_equal(seen.tracks[1], "Thread-", 7);
    td_trace_free(trace);
    free(threads);
    free(reporters);
}

static void test_arguments(void **state)
{
    (void)state;
    td_trace_t *a, *b;
    assert_int_equal(td_trace_new(NULL, 0), -EINVAL);
    assert_int_equal(td_trace_new(&a, TD_TRACE_MIN_LIMIT - 1), -EINVAL);
    assert_int_equal(td_trace_new(&a, TD_TRACE_MAX_LIMIT + 1), -EINVAL);
    assert_int_equal(td_trace_new(&a, 0), 0);
    assert_int_equal(td_trace_new(&b, 0), 0);
    assert_int_equal(td_trace_start(a), 0);
    assert_int_equal(td_trace_start(b), -EBUSY); /* one recorder at a time */
    td_trace_stop(a);
    assert_null(td_observer_set(NULL));
    assert_int_equal(td_trace_start(b), 0);
    td_trace_free(b); /* stops it */
    assert_null(td_observer_set(NULL));
    td_trace_free(a);
    td_trace_free(NULL);
}

/* ---- the same bytes under a schedule -------------------------------------------------- */

struct shop {
    td_queue_t *queue;
    td_lock_t lock;
    td_event_t done;
    int total;
};

static void producer(void *arg)
{
    struct shop *s = arg;
    for (long i = 1; i <= 5; i++) {
        td_print("put %ld", i);
        td_queue_put(s->queue, (void *)i, true, TD_FOREVER);
    }
    td_event_wait(&s->done, 1.0); /* a timeout in virtual time: costs nothing */
}

static void consumer(void *arg)
{
    struct shop *s = arg;
    for (int i = 0; i < 5; i++) {
        void *item;
        td_queue_get(s->queue, &item, true, TD_FOREVER, NULL);
        td_lock_acquire(&s->lock, true, TD_FOREVER);
        s->total += (int)(long)item;
        td_lock_release(&s->lock);
        td_print("got %ld", (long)item);
    }
    td_event_set(&s->done);
}

/* In a child: a schedule, a recorder, a producer and a consumer; the file to fd. */
static void traced_child(int fd)
{
    td_sched_config_t config = { 0 };
    if (td_policy_parse("fifo", &config.policy) != 0 || td_sched_begin(&config) != 0)
        _exit(9);
    td_trace_t *trace;
    if (td_trace_new(&trace, 0) != 0 || td_trace_start(trace) != 0)
        _exit(8);
    int null_fd = open("/dev/null", O_WRONLY);
    td_log_set_fd(null_fd);
    static struct shop s;
    td_queue_new(&s.queue, 2, NULL);
    td_lock_init(&s.lock);
    td_event_init(&s.done);
    td_object_set_name(s.queue, "queue");
    td_object_set_name(&s.lock, "lock");
    td_thread_t *p, *c;
    td_thread_new(&p, &(td_thread_attr_t){ .target = producer, .arg = &s, .name = "producer" });
    td_thread_new(&c, &(td_thread_attr_t){ .target = consumer, .arg = &s, .name = "consumer" });
    td_thread_start(p);
    td_thread_start(c);
    td_thread_join(p, TD_FOREVER);
    td_thread_join(c, TD_FOREVER);
    td_trace_stop(trace);
    _exit(td_trace_write_json(trace, fd, "shop", NULL) == 0 && s.total == 15 ? 0 : 7);
}

/* The file of one run in a fresh child, in a malloc'ed string. */
static char *scheduled_run(void)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        alarm(30);
        traced_child(fds[1]);
    }
    close(fds[1]);
    enum { CAP = 1 << 20 };
    char *text = malloc(CAP);
    assert_non_null(text);
    size_t len = 0;
    ssize_t n;
    while (len + 1 < CAP && (n = read(fds[0], text + len, CAP - 1 - len)) > 0)
        len += (size_t)n;
    text[len] = '\0';
    close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    return text;
}

static void test_same_bytes_under_a_schedule(void **state)
{
    (void)state;
    char *first = scheduled_run(), *second = scheduled_run();
    assert_string_equal(first, second);
    assert_non_null(strstr(first, "\"clock\":\"virtual\""));
    assert_non_null(strstr(first, "\"name\":\"get queue\""));
    assert_non_null(strstr(first, "\"name\":\"put queue\""));
    assert_non_null(strstr(first, "\"name\":\"hold lock\""));
    assert_non_null(strstr(first, "\"timeout\":1.0"));
    assert_non_null(strstr(first, "\"args\":{\"name\":\"producer\"}"));
    assert_null(strstr(first, "0x")); /* no pointer anywhere */
    free(first);
    free(second);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wake_up_and_its_cause),
        cmocka_unit_test(test_wait_inside_a_sleep_is_part_of_it),
        cmocka_unit_test(test_lock_taken_back_inside_a_wait_stays_nested),
        cmocka_unit_test(test_limit_bounds_store_and_file),
        cmocka_unit_test(test_many_threads_one_store),
        cmocka_unit_test(test_arguments),
        cmocka_unit_test(test_same_bytes_under_a_schedule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
