/* SPDX-License-Identifier: MIT */
/* test_aio_stream.c - asyncio's TCP streams (aio_stream.h) on loopback, server and
 * clients as tasks of one loop: an echo of messages from 1 byte to 4 MiB, binary,
 * byte for byte (partial writes and the reader's backpressure on the way); EOF;
 * max_clients refusing the next connection with a report; a read that times out; a
 * cancelled read that loses no byte; a waiting reader's repr and its cancel, from
 * outside or by itself; bytes sent before a reset read before its error; serve_forever cancelled closing everything and
 * cancelling its connections; a refused connect; a read into a buffer on the loop's
 * shared stack while other tasks' frames use it. Checks in coroutines use CHECK. */
#include "helpers.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void run_ok(td_aio_fn body, void *arg)
{
    assert_int_equal(td_aio_run((td_aio_coro_t){ body, arg, "main", NULL, 0, 0, false }, NULL, NULL), 0);
    test_assert_checks();
}

/* The echo server's connection: read, write back, until EOF. */
static int echo(td_aio_stream_t *s, void *arg)
{
    (void)arg;
    char buf[4096];
    for (;;) {
        ssize_t n = td_aio_stream_read(s, buf, sizeof buf, TD_FOREVER);
        if (n <= 0)
            return n < 0 ? (int)n : 0;
        int rc = td_aio_stream_write(s, buf, (size_t)n, 10);
        if (rc != 0)
            return rc;
    }
}

static td_aio_server_t *start(td_aio_client_fn fn, void *arg, size_t max_clients,
                              void (*on_refused)(const struct sockaddr_storage *, void *))
{
    td_aio_server_t *server = NULL;
    const td_aio_server_attr_t attr = { .host = "127.0.0.1", .max_clients = max_clients,
                                        .on_refused = on_refused };
    CHECK_INT(td_aio_start_server(&server, fn, arg, &attr), 0);
    CHECK(server && td_aio_server_port(server) > 0);
    return server;
}

static void stop(td_aio_server_t *server)
{
    td_aio_server_close(server);
    CHECK_INT(td_aio_server_wait_closed(server), 0);
    td_aio_server_free(server);
}

/* Read exactly len bytes. */
static int read_all(td_aio_stream_t *s, unsigned char *buf, size_t len)
{
    for (size_t got = 0; got < len;) {
        ssize_t n = td_aio_stream_read(s, buf + got, len - got, 10);
        if (n <= 0)
            return n < 0 ? (int)n : -EPIPE;
        got += (size_t)n;
    }
    return 0;
}

/* ---- echo ------------------------------------------------------------------------------ */

struct sending {
    td_aio_stream_t *stream;
    const unsigned char *data;
    size_t len;
};

static int sends(void *arg, void **result)
{
    (void)result;
    const struct sending *w = arg;
    return td_aio_stream_write(w->stream, w->data, w->len, 10);
}

static int echo_body(void *arg, void **result)
{
    (void)arg, (void)result;
    td_aio_server_t *server = start(echo, NULL, 0, NULL);
    td_aio_stream_t *c;
    CHECK_INT(td_aio_open_connection(&c, "127.0.0.1", td_aio_server_port(server), 5), 0);
    static const size_t sizes[] = { 1, 100, 4096, 65537, 4 << 20 };
    unsigned char *out = malloc(4 << 20), *back = malloc(4 << 20);
    for (size_t i = 0; i < (4u << 20); i++)
        out[i] = (unsigned char)(i * 7 + (i >> 8)); /* every byte value, NULs included */
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        /* megabytes cannot all go out before the echo comes back: while a task of its
         * own writes, this one reads, as a client of an echo must */
        static struct sending w; /* static: the writer uses it while this task reads */
        w = (struct sending){ c, out, sizes[k] };
        td_aio_task_t *writer;
        CHECK_INT(td_aio_create_task(&writer, TD_AIO_CORO(sends, &w)), 0);
        CHECK_INT(read_all(c, back, sizes[k]), 0);
        CHECK_INT(td_aio_await(writer, NULL), 0);
        td_aio_future_free(writer);
        CHECK(memcmp(out, back, sizes[k]) == 0);
    }
    char host[64];
    int port = 0;
    CHECK_INT(td_aio_stream_peer(c, host, sizeof host, &port), 0);
    CHECK_STR(host, "127.0.0.1");
    CHECK_INT(port, td_aio_server_port(server));
    CHECK_INT(td_aio_server_clients(server), 1);
    td_aio_stream_close(c); /* the server reads EOF: its task ends */
    stop(server);
    free(out);
    free(back);
    return 0;
}

static void echo_of_every_size_byte_for_byte(void **state)
{
    (void)state;
    errno = ERANGE; /* the library never changes errno, however much libuv does inside */
    run_ok(echo_body, NULL);
    assert_int_equal(errno, ERANGE);
}

/* ---- a reader's buffer on the shared stack ------------------------------------------- */

/* While the reader waits, this task's deep frames use the shared stack. */
static __attribute__((noinline)) int scribble(int depth)
{
    volatile char frame[512];
    memset((char *)frame, 0x5a, sizeof frame);
    return depth == 0 ? frame[1] : scribble(depth - 1) + frame[depth];
}

struct local_read {
    td_aio_stream_t *stream;
    char got[32];
    ssize_t n, cancelled;
};

static int reads_into_a_local(void *arg, void **result)
{
    (void)result;
    struct local_read *r = arg;
    char buf[32]; /* on the shared stack: copied away while this task waits */
    memset(buf, 0, sizeof buf);
    CHECK(td_coro_stack_holds(td_coro_shared_stack(td_coro_current()), buf));
    r->cancelled = td_aio_stream_read(r->stream, buf, sizeof buf, TD_FOREVER);
    r->n = td_aio_stream_read(r->stream, buf, sizeof buf, TD_FOREVER);
    if (r->n > 0)
        memcpy(r->got, buf, (size_t)r->n);
    return 0;
}

static int scribbles(void *arg, void **result)
{
    (void)arg, (void)result;
    CHECK(scribble(40) != 0);
    return 0;
}

static int local_read_body(void *arg, void **result)
{
    (void)arg, (void)result;
    td_aio_server_t *server = start(echo, NULL, 0, NULL);
    static struct local_read r; /* static: the reader fills it while this task waits */
    r = (struct local_read){ 0 };
    CHECK_INT(td_aio_open_connection(&r.stream, "127.0.0.1", td_aio_server_port(server), 5), 0);
    td_aio_task_t *reader, *other;
    CHECK_INT(td_aio_create_task(&reader, TD_AIO_CORO(reads_into_a_local, &r)), 0);
    CHECK_INT(td_aio_sleep(0.01), 0); /* the reader waits in its first read */
    td_aio_future_cancel(reader, NULL); /* its first read gives -ECANCELED */
    CHECK_INT(td_aio_stream_write(r.stream, "copied stacks", 13, 5), 0); /* echoed */
    CHECK_INT(td_aio_create_task(&other, TD_AIO_CORO(scribbles, NULL)), 0);
    CHECK_INT(td_aio_await(reader, NULL), 0);
    CHECK_INT(td_aio_await(other, NULL), 0);
    CHECK_INT(r.cancelled, -ECANCELED);
    CHECK_INT(r.n, 13);
    CHECK(memcmp(r.got, "copied stacks", 13) == 0);
    td_aio_future_free(reader);
    td_aio_future_free(other);
    td_aio_stream_close(r.stream);
    stop(server);
    return 0;
}

static void a_read_into_a_local_buffer(void **state)
{
    (void)state;
    run_ok(local_read_body, NULL);
}

/* ---- max_clients, timeouts ----------------------------------------------------------- */

static int refused;

static void count_refused(const struct sockaddr_storage *peer, void *arg)
{
    (void)arg;
    const struct sockaddr_in *in = (const struct sockaddr_in *)peer;
    refused += peer->ss_family == AF_INET && in->sin_addr.s_addr == htonl(INADDR_LOOPBACK) &&
               in->sin_port != 0;
}

static int idle_reader(td_aio_stream_t *s, void *arg)
{
    char buf[16];
    ssize_t n = td_aio_stream_read(s, buf, sizeof buf, 0.05); /* an idle client */
    *(ssize_t *)arg = n;
    return 0;
}

static int limits_body(void *arg, void **result)
{
    (void)arg, (void)result;
    static ssize_t idle_rc; /* static: the server's task writes it while this one waits */
    idle_rc = 1;
    refused = 0;
    td_aio_server_t *server = start(idle_reader, &idle_rc, 1, count_refused);
    int port = td_aio_server_port(server);
    td_aio_stream_t *first, *second;
    CHECK_INT(td_aio_open_connection(&first, "127.0.0.1", port, 5), 0);
    CHECK_INT(td_aio_sleep(0.01), 0); /* the server has taken it */
    CHECK_INT(td_aio_open_connection(&second, "127.0.0.1", port, 5), 0);
    char buf[8];
    ssize_t n = td_aio_stream_read(second, buf, sizeof buf, 5); /* closed at once */
    CHECK(n == 0 || n == -ECONNRESET);
    CHECK_INT(refused, 1);
    n = td_aio_stream_read(first, buf, sizeof buf, 5); /* closed after its timeout */
    CHECK(n == 0 || n == -ECONNRESET);
    CHECK_INT(idle_rc, -ETIMEDOUT);
    CHECK_INT(td_aio_server_served(server), 1);
    td_aio_stream_close(first);
    td_aio_stream_close(second);
    stop(server);
    td_aio_stream_t *none;
    CHECK_INT(td_aio_open_connection(&none, "127.0.0.1", port, 5), -ECONNREFUSED);
    CHECK_INT(td_aio_open_connection(&none, "not an address", port, 5), -EINVAL);
    return 0;
}

static void max_clients_idle_timeout_and_refusals(void **state)
{
    (void)state;
    run_ok(limits_body, NULL);
}

/* ---- cancellation -------------------------------------------------------------------- */

struct cancelled_read {
    td_aio_stream_t *stream;
    td_aio_future_t *gate, *written;
    ssize_t first, second;
    char data[16];
};

static int reads_twice(void *arg, void **result)
{
    (void)result;
    struct cancelled_read *r = arg;
    r->first = td_aio_stream_read(r->stream, r->data, sizeof r->data, TD_FOREVER);
    r->second = td_aio_stream_read(r->stream, r->data, sizeof r->data, TD_FOREVER);
    return 0;
}

/* The server's side: on the gate, write "after", say so, then read until cancelled. */
static int talks(td_aio_stream_t *s, void *arg)
{
    struct cancelled_read *r = arg;
    int rc = td_aio_await(r->gate, NULL);
    if (rc == 0)
        rc = td_aio_stream_write(s, "after", 5, 5);
    td_aio_future_set_result(r->written, NULL);
    char buf[16];
    return rc != 0 ? rc : (int)td_aio_stream_read(s, buf, sizeof buf, TD_FOREVER);
}

static int serves(void *server, void **result)
{
    (void)result;
    return td_aio_server_serve_forever(server);
}

static int cancel_body(void *arg, void **result)
{
    (void)arg, (void)result;
    static struct cancelled_read r; /* static: the tasks use it while this one waits */
    r = (struct cancelled_read){ 0 };
    td_aio_future_new(&r.gate, NULL);
    td_aio_future_new(&r.written, NULL);
    td_aio_server_t *server = start(talks, &r, 0, NULL);
    CHECK_INT(td_aio_open_connection(&r.stream, "127.0.0.1", td_aio_server_port(server), 5), 0);
    td_aio_task_t *reader;
    CHECK_INT(td_aio_create_task(&reader, TD_AIO_CORO(reads_twice, &r)), 0);
    CHECK_INT(td_aio_sleep(0.01), 0); /* the reader waits in its read */
    td_aio_future_set_result(r.gate, NULL);
    CHECK_INT(td_aio_await(r.written, NULL), 0);
    /* This turn polled the socket first: "after" is in the reader's buffer and its
     * wake-up queued behind this task. Cancelled now, its read gives -ECANCELED and
     * puts the bytes back for the next read. */
    td_aio_future_cancel(reader, NULL);
    CHECK_INT(td_aio_await(reader, NULL), 0);
    CHECK_INT(r.first, -ECANCELED);
    CHECK_INT(r.second, 5);
    CHECK(memcmp(r.data, "after", 5) == 0);
    td_aio_future_free(reader);
    /* serve_forever, cancelled: closes, cancels the connection's task, waits */
    td_aio_task_t *serving;
    CHECK_INT(td_aio_create_task(&serving, TD_AIO_CORO(serves, server)), 0);
    CHECK_INT(td_aio_sleep(0.01), 0);
    CHECK_INT(td_aio_server_clients(server), 1);
    td_aio_future_cancel(serving, NULL);
    CHECK_INT(td_aio_await(serving, NULL), -ECANCELED);
    CHECK_INT(td_aio_server_clients(server), 0);
    td_aio_future_free(serving);
    td_aio_stream_close(r.stream);
    CHECK_INT(td_aio_server_wait_closed(server), 0);
    td_aio_server_free(server);
    td_aio_future_free(r.gate);
    td_aio_future_free(r.written);
    return 0;
}

static void cancellation_loses_nothing_and_stops_everything(void **state)
{
    (void)state;
    run_ok(cancel_body, NULL);
}

/* ---- a reader waiting with no future ------------------------------------------------- */

struct parked {
    td_aio_stream_t *stream;
    ssize_t got;
    bool cancel_self;
    char data[16];
};

static int reads_once(void *arg, void **result)
{
    (void)result;
    struct parked *p = arg;
    if (p->cancel_self) /* cancel() of the running task: thrown in at its next await */
        td_aio_future_cancel(td_aio_current_task(), NULL);
    p->got = td_aio_stream_read(p->stream, p->data, sizeof p->data, TD_FOREVER);
    return p->got == -ECANCELED ? -ECANCELED : 0;
}

/* The server's side: wait for the client to go. */
static int waits_for_eof(td_aio_stream_t *s, void *arg)
{
    (void)arg;
    char buf[16];
    return (int)td_aio_stream_read(s, buf, sizeof buf, TD_FOREVER);
}

static int parked_body(void *arg, void **result)
{
    (void)arg, (void)result;
    td_aio_server_t *server = start(waits_for_eof, NULL, 0, NULL);
    static struct parked p; /* static: the reader uses it while this task waits */
    for (int self = 0; self <= 1; self++) {
        p = (struct parked){ .got = 1, .cancel_self = self };
        CHECK_INT(td_aio_open_connection(&p.stream, "127.0.0.1", td_aio_server_port(server), 5), 0);
        td_aio_task_t *reader;
        CHECK_INT(td_aio_create_task(&reader, TD_AIO_CORO(reads_once, &p)), 0);
        CHECK_INT(td_aio_sleep(0), 0); /* one turn: the reader's first step ran */
        char repr[512];
        td_aio_future_repr(reader, repr, sizeof repr);
        if (!self) { /* nothing to read: it waits in the read, as Python shows it */
            CHECK(td_aio_future_done(reader) == false);
            CHECK(strstr(repr, " wait_for=<Future pending cb=[Task.task_wakeup()]>") != NULL);
            CHECK(td_aio_future_cancel(reader, "enough"));
        }
        CHECK_INT(td_aio_await(reader, NULL), -ECANCELED);
        CHECK(td_aio_future_cancelled(reader));
        CHECK_INT((int)p.got, -ECANCELED);
        td_aio_future_free(reader);
        td_aio_stream_close(p.stream);
    }
    stop(server);
    return 0;
}

/* A read waits with no future of its own (task.c's park): the task's repr still says
 * it waits, and cancel(), from outside or of itself before the read, still throws
 * CancelledError into the read. */
static void a_parked_reader_shows_its_wait_and_takes_cancel(void **state)
{
    (void)state;
    run_ok(parked_body, NULL);
}

/* ---- a reset after data ---------------------------------------------------------------- */

struct reset {
    td_aio_future_t *gate, *done;
    ssize_t first, second;
    char data[16];
};

/* The server's side: once the client has sent and reset, read twice. */
static int reads_after_reset(td_aio_stream_t *s, void *arg)
{
    struct reset *r = arg;
    CHECK_INT(td_aio_await(r->gate, NULL), 0);
    r->first = td_aio_stream_read(s, r->data, sizeof r->data, 5);
    r->second = td_aio_stream_read(s, r->data + 8, 8, 5);
    td_aio_future_set_result(r->done, NULL);
    return 0;
}

/* A client of plain sockets: connect, send, then close with a reset (SO_LINGER 0). */
static void send_then_reset(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    CHECK_INT(connect(fd, (struct sockaddr *)&addr, sizeof addr), 0);
    CHECK_INT((int)send(fd, "hello", 5, 0), 5);
    struct linger hard = { 1, 0 };
    CHECK_INT(setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard), 0);
    close(fd);
}

static int reset_body(void *arg, void **result)
{
    (void)arg, (void)result;
    static struct reset r; /* static: the server's task uses it while this one waits */
    r = (struct reset){ 0 };
    td_aio_future_new(&r.gate, NULL);
    td_aio_future_new(&r.done, NULL);
    td_aio_server_t *server = start(reads_after_reset, &r, 0, NULL);
    send_then_reset(td_aio_server_port(server));
    /* the loop accepts it at one of its next turns; the reset is there by then */
    for (int turns = 0; td_aio_server_served(server) == 0 && turns < 100000; turns++)
        CHECK_INT(td_aio_sleep(0), 0);
    CHECK_INT((int)td_aio_server_served(server), 1);
    td_aio_future_set_result(r.gate, NULL);
    CHECK_INT(td_aio_await(r.done, NULL), 0);
    CHECK_INT((int)r.first, 5);
    CHECK(memcmp(r.data, "hello", 5) == 0);
    CHECK_INT((int)r.second, -ECONNRESET);
    stop(server);
    td_aio_future_free(r.gate);
    td_aio_future_free(r.done);
    return 0;
}

/* Bytes the peer sent before resetting the connection are read first, then the reset
 * is the error: nothing is lost to the socket's error event. */
static void a_reset_after_data_gives_the_data_then_the_error(void **state)
{
    (void)state;
    run_ok(reset_body, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_read_into_a_local_buffer),
        cmocka_unit_test(echo_of_every_size_byte_for_byte),
        cmocka_unit_test(max_clients_idle_timeout_and_refusals),
        cmocka_unit_test(cancellation_loses_nothing_and_stops_everything),
        cmocka_unit_test(a_parked_reader_shows_its_wait_and_takes_cancel),
        cmocka_unit_test(a_reset_after_data_gives_the_data_then_the_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
