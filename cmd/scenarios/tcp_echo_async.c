/* SPDX-License-Identifier: MIT */
/* tcp_echo_async.c - `tcp-echo server --async`: the echo server of tcp_echo.c as
 * coroutines on one event loop (asyncio.start_server): a task per connection, every
 * one on the main thread. An idle connection costs a task, a socket and a few pages
 * of stack, not a thread, so the --max-clients default here is 10,000, and the soft
 * limit of open files is raised as far as the hard limit allows (said on stderr when
 * that is short of the cap). Output, caps and faults as the threaded server's:
 * "Server listening on ...", "Connected by (...)", "Received from (...): text",
 * "Disconnected (...)"; a connection past --max-clients is closed at once and
 * reported; one idle for --idle-timeout seconds, or slower than --line-timeout to
 * end a line it began, is dropped (net_limits, as the threaded server); refusals and
 * failing accepts are said at most once a second (net_repeats), and out of
 * descriptors each waiting connection is closed at once and counted as refused, as
 * the threaded server does; Ctrl-C cancels the main
 * task, which closes the server, cancels every connection and waits for them.
 * Things to try: `tcp-echo server --async --stats`, then many `nc 127.0.0.1 9999`;
 * scripts/bench-echo.sh, whose C10k row holds 10,000 connections open.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <thrdemo/aio_stream.h>
#include <thrdemo/loop.h>
#include <thrdemo/log.h>

#include "support/net.h"
#include "tcp_echo.h"

struct async_server {
    const char *host;
    int port;
    size_t max_clients;
    net_limits_t limits;  /* --idle-timeout and --line-timeout, scaled */
    double args_idle, args_line; /* the same as given, for messages */
    unsigned long long served, refused, bytes;
    int listen_error;
    net_repeats_t repeats; /* accept errors, at most once a second */
    bool flush_armed;      /* a loop callback will print the folded ones */
};

/* What a connection keeps while it waits: on the heap, not in handle's frame. The
 * task's stack is copied out at every await and back in when it resumes, so a 4 KiB
 * buffer there would cost two 4 KiB copies per round trip (and the bytes could not
 * be read into it in place: the pointer rule of task.h); the names too are copied
 * only once. */
struct connection {
    char peer[96];
    char prefix[128];
    unsigned char data[4096];
};

/* async def handle(reader, writer): read, log, write back, until EOF, an error,
 * idleness or cancellation. */
static int handle(td_aio_stream_t *stream, void *arg)
{
    struct async_server *s = arg;
    struct connection *c = malloc(sizeof *c);
    if (!c) {
        cli_error("dropping a connection: %s", strerror(ENOMEM)); /* closed on return */
        return 0;
    }
    struct sockaddr_storage addr;
    snprintf(c->peer, sizeof c->peer, "(?)");
    if (td_aio_stream_peer_addr(stream, &addr) == 0)
        net_format_peer(&addr, c->peer, sizeof c->peer);
    td_print("Connected by %s", c->peer);
    snprintf(c->prefix, sizeof c->prefix, "Received from %s: ", c->peer);
    net_limits_t limits = s->limits; /* no line begun yet */
    ssize_t n;
    while ((n = net_aio_read_limited(stream, c->data, sizeof c->data, &limits)) > 0) {
        if (!cli_globals.quiet)
            net_print_bytes(c->prefix, c->data, (size_t)n);
        if (td_aio_stream_write(stream, c->data, (size_t)n, limits.idle) != 0) /* drain */
            break;
        s->bytes += (unsigned long long)n;
    }
    net_say_dropped(c->peer, n, s->args_idle, s->args_line);
    td_print("Disconnected %s", c->peer);
    free(c);
    return 0;
}

static void flush_repeats(void *arg)
{
    struct async_server *s = arg;
    s->flush_armed = false;
    net_repeats_flush(&s->repeats, false);
    double due = net_repeats_due(&s->repeats);
    if (due >= 0 && td_loop_call_later(td_aio_get_running_loop(), due, flush_repeats, s,
                                       NULL) == 0)
        s->flush_armed = true;
}

/* A line was folded: have the loop print it when due, even if nothing else comes. */
static void arm_flush(struct async_server *s)
{
    double due = net_repeats_due(&s->repeats);
    if (due >= 0 && !s->flush_armed &&
        td_loop_call_later(td_aio_get_running_loop(), due, flush_repeats, s, NULL) == 0)
        s->flush_armed = true;
}

/* A connection past --max-clients: said as the threaded server says it, folded. */
static void on_refused(const struct sockaddr_storage *addr, void *arg)
{
    struct async_server *s = arg;
    (void)addr;
    net_say_refused(&s->repeats, s->max_clients);
    arm_flush(s);
    s->refused++;
}

/* Out of file descriptors, say: each waiting connection is closed at once (counted by
 * td_aio_server_dropped); said once a second at most, the rest folded. */
static void on_accept_error(int error, void *arg)
{
    struct async_server *s = arg;
    net_say_accept_error(&s->repeats, -error);
    arm_flush(s);
}

/* async def main(): start_server(handle, host, port), then serve_forever. */
static int serve(void *arg, void **result)
{
    (void)result;
    struct async_server *s = arg;
    td_aio_server_t *server;
    const td_aio_server_attr_t attr = { .host = s->host, .port = s->port,
                                        .max_clients = s->max_clients,
                                        .on_refused = on_refused,
                                        .on_accept_error = on_accept_error };
    int rc = td_aio_start_server(&server, handle, s, &attr);
    if (rc != 0) {
        s->listen_error = rc;
        return rc;
    }
    td_print("Server listening on %s:%d", s->host, td_aio_server_port(server));
    rc = td_aio_server_serve_forever(server); /* until Ctrl-C: then closed and waited for */
    net_repeats_flush(&s->repeats, true);
    s->served = td_aio_server_served(server);
    s->refused += td_aio_server_dropped(server);
    td_aio_server_free(server);
    return rc;
}

int run_tcp_echo_async(const cli_args_t *args)
{
    static struct async_server s; /* the tasks use it until the loop is gone */
    s.host = cli_text(args, TCP_ECHO_HOST);
    s.port = (int)cli_int(args, TCP_ECHO_PORT);
    s.max_clients = cli_given(args, TCP_ECHO_MAX_CLIENTS)
                        ? (size_t)cli_int(args, TCP_ECHO_MAX_CLIENTS)
                        : 10000;
    s.args_idle = cli_number(args, TCP_ECHO_IDLE_TIMEOUT);
    s.args_line = cli_number(args, TCP_ECHO_LINE_TIMEOUT);
    net_limits_init(&s.limits, net_limit(s.args_idle), net_limit(s.args_line));
    net_repeats_init(&s.repeats);
    net_raise_open_files(s.max_clients);
    int error = 0;
    int rc = runner_aio_run((td_aio_coro_t){ serve, &s, "main", NULL, 0, 0, false }, &error);
    if (s.listen_error) {
        cli_error("cannot listen on %s:%d: %s", s.host, s.port,
                  s.listen_error == -EADDRNOTAVAIL || s.listen_error == -EINVAL
                      ? "no such address" : strerror(-s.listen_error));
        return EXIT_RUNTIME;
    }
    if (rc != 0 && !(rc == -ECANCELED && runner_stopping())) {
        cli_error("the event loop: %s", td_strerror(rc == TD_ETASK ? error : rc));
        return EXIT_RUNTIME;
    }
    stats_count("connections served", s.served);
    stats_count("connections refused", s.refused);
    stats_count("bytes echoed", s.bytes);
    td_print("Served %llu connections", s.served);
    return EXIT_OK;
}
