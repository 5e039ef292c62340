/* SPDX-License-Identifier: MIT */
/* test_observer.c - the instrumentation hook sees starts, exits, waits, sets,
 * acquires, releases and lines; removing it stops the reports; reports are numbered
 * in the order they happened (lines in stdout's order), and a wake-up names the
 * set, release, put or exit it observed. */
#include "helpers.h"

#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

struct tally {
    atomic_int by_kind[TD_OBS_KINDS];
    atomic_int timeouts;
};

static struct tally tally;

static void count(const td_obs_event_t *ev, void *ctx)
{
    struct tally *t = ctx;
    atomic_fetch_add(&t->by_kind[ev->kind], 1);
    if (ev->kind == TD_OBS_WAIT_END && ev->result == -ETIMEDOUT)
        atomic_fetch_add(&t->timeouts, 1);
}

static const td_observer_t observer = { .notify = count, .ctx = &tally };

static void say_something(void *arg)
{
    (void)arg;
    td_print("from a thread");
}

static int kind(td_obs_kind_t k)
{
    return atomic_load(&tally.by_kind[k]);
}

static void reports_what_happens(void **state)
{
    (void)state;
    int devnull_fd = dup(1);
    assert_null(td_observer_set(&observer));
    td_lock_t l;
    td_lock_init(&l);
    td_lock_acquire(&l, true, TD_FOREVER);
    td_lock_release(&l);
    td_event_t e;
    td_event_init(&e);
    td_event_wait(&e, 0.01);
    td_event_set(&e);
    int old = td_log_set_fd(devnull_fd);
    test_join(test_start(say_something, NULL));
    td_log_set_fd(old);
    assert_ptr_equal(td_observer_set(NULL), &observer);
    close(devnull_fd);

    assert_int_equal(kind(TD_OBS_ACQUIRE), 1);
    assert_int_equal(kind(TD_OBS_RELEASE), 1);
    assert_int_equal(kind(TD_OBS_SET), 1);
    assert_int_equal(kind(TD_OBS_THREAD_START), 1);
    assert_int_equal(kind(TD_OBS_THREAD_EXIT), 1);
    assert_int_equal(kind(TD_OBS_LINE), 1);
    assert_true(kind(TD_OBS_WAIT_BEGIN) >= 1); /* the event wait (the join may not
                                                   wait: the thread may have ended) */
    assert_int_equal(kind(TD_OBS_WAIT_BEGIN), kind(TD_OBS_WAIT_END));
    assert_int_equal(atomic_load(&tally.timeouts), 1);

    /* Removed: nothing more is counted. */
    td_lock_acquire(&l, true, TD_FOREVER);
    td_lock_release(&l);
    assert_int_equal(kind(TD_OBS_ACQUIRE), 1);
}

/* ---- everything a timeline needs ------------------------------------------------------ */

enum { MAX_EVENTS = 4096 };

struct record {
    td_obs_event_t ev;
    char text[64];
};

static struct record records[MAX_EVENTS];
static atomic_bool written[MAX_EVENTS]; /* records[i] may be read once this is set */
static atomic_int n_records;

static void keep(const td_obs_event_t *ev, void *ctx)
{
    (void)ctx;
    int i = atomic_fetch_add(&n_records, 1);
    if (i >= MAX_EVENTS)
        return;
    records[i].ev = *ev;
    if (ev->text) {
        size_t n = ev->len < sizeof records[i].text - 1 ? ev->len : sizeof records[i].text - 1;
        memcpy(records[i].text, ev->text, n);
        records[i].text[n] = '\0';
        records[i].ev.text = records[i].text;
    }
    atomic_store_explicit(&written[i], true, memory_order_release);
}

static const td_observer_t keeper = { .notify = keep };

static const struct record *find(td_obs_kind_t kind, const void *object, int nth)
{
    int n = atomic_load(&n_records);
    for (int i = 0; i < n && i < MAX_EVENTS; i++)
        if (atomic_load_explicit(&written[i], memory_order_acquire) &&
            records[i].ev.kind == kind && (!object || records[i].ev.object == object) &&
            nth-- == 0)
            return &records[i];
    return NULL;
}

struct handoff {
    td_event_t go;
    td_queue_t *queue;
    int got;
};

static void wait_then_get(void *arg)
{
    struct handoff *h = arg;
    td_event_wait(&h->go, TD_FOREVER);
    void *item = NULL;
    h->got = td_queue_get(h->queue, &item, true, TD_FOREVER, NULL);
}

static void shout(void *arg)
{
    for (int i = 0; i < 50; i++)
        td_print("%s %d", (const char *)arg, i);
}

/* The waiter's wake-up names the set it observed, and the get the put; a join the
 * exit; sequence numbers follow time; lines are numbered in stdout's order. */
static void seq_cause_and_lines(void **state)
{
    (void)state;
    atomic_store(&n_records, 0);
    for (int i = 0; i < MAX_EVENTS; i++)
        atomic_store(&written[i], false);
    struct handoff h = { 0 };
    td_event_init(&h.go);
    assert_int_equal(td_queue_new(&h.queue, 2, NULL), 0);
    td_observer_set(&keeper);
    td_thread_t *t = test_start(wait_then_get, &h);
    /* Wait until the thread reports it waits, so the wake-up is a real one. */
    while (!find(TD_OBS_WAIT_BEGIN, &h.go, 0))
        test_pause(0.001);
    td_event_set(&h.go);
    while (!find(TD_OBS_WAIT_BEGIN, h.queue, 0))
        test_pause(0.001);
    assert_int_equal(td_queue_put(h.queue, &h, true, TD_FOREVER), 0);
    test_join(t);

    int fds[2];
    assert_int_equal(pipe(fds), 0);
    int old = td_log_set_fd(fds[1]);
    td_thread_t *a = test_start(shout, "a"), *b = test_start(shout, "b");
    test_join(a);
    test_join(b);
    td_log_set_fd(old);
    close(fds[1]);
    td_observer_set(NULL);

    const struct record *set = find(TD_OBS_SET, &h.go, 0);
    const struct record *woke = find(TD_OBS_WAIT_END, &h.go, 0);
    assert_non_null(set);
    assert_non_null(woke);
    assert_int_equal(woke->ev.result, 0);
    assert_true(woke->ev.cause == set->ev.seq);
    assert_true(woke->ev.seq > set->ev.seq);
    assert_true(woke->ev.time >= set->ev.time);
    const struct record *put = find(TD_OBS_PUT, h.queue, 0);
    const struct record *got = find(TD_OBS_WAIT_END, h.queue, 0);
    assert_non_null(put);
    assert_non_null(got);
    assert_int_equal(put->ev.result, 1); /* the queue's size after the put */
    assert_true(got->ev.cause == put->ev.seq);
    assert_ptr_equal(find(TD_OBS_GET, h.queue, 0)->ev.thread, t);
    assert_true(find(TD_OBS_WAIT_BEGIN, h.queue, 0)->ev.timeout == -1);

    /* The 100 lines in seq order are the pipe's 100 lines. */
    char piped[4096];
    ssize_t len = read(fds[0], piped, sizeof piped - 1);
    assert_true(len > 0);
    piped[len] = '\0';
    close(fds[0]);
    const struct record *lines[100];
    int n = 0;
    for (int i = 0; i < 100; i++)
        lines[n++] = find(TD_OBS_LINE, NULL, i);
    assert_non_null(lines[99]);
    for (int i = 0; i < 99; i++) /* find() gives them in report order; sort by seq */
        for (int j = i + 1; j < 100; j++)
            if (lines[j]->ev.seq < lines[i]->ev.seq) {
                const struct record *tmp = lines[i];
                lines[i] = lines[j];
                lines[j] = tmp;
            }
    char *p = piped;
    for (int i = 0; i < 100; i++) {
        size_t l = strlen(lines[i]->text);
        assert_memory_equal(p, lines[i]->text, l);
        assert_int_equal(p[l], '\n');
        p += l + 1;
    }
    td_queue_free(h.queue);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reports_what_happens),
        cmocka_unit_test(seq_cause_and_lines),
    };
    return test_run_cases(tests);
}
