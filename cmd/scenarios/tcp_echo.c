/* SPDX-License-Identifier: MIT */
/* tcp_echo.c - seed 001 "파이썬의 Tcp 통신": a threaded TCP echo server.
 *
 *   demo    a server thread and one client in one process, on a port the kernel
 *           picks (unless --port): "Server listening on 127.0.0.1:PORT", "Connected
 *           by ('127.0.0.1', 54321)", then "Received from (...): text" and "Client
 *           received: text" for each message, and "Disconnected (...)".
 *   server  one thread per connection until Ctrl-C (exit 130, 143 for SIGTERM), at
 *           most --max-clients at once (others are closed at once, with a line on
 *           stderr); one idle for --idle-timeout seconds is dropped, and so is one
 *           slower than --line-timeout to end a line it began (a byte a second).
 *           --async: the same server as coroutines on one thread (tcp_echo_async.c).
 *   client  in tcp_echo_client.c.
 *
 * Every byte comes back unchanged, binary and of any length; a message that is not
 * UTF-8 is logged with \xNN escapes (Python's errors='backslashreplace'). The socket
 * work lives in net.h; every wait there also ends on Ctrl-C.
 * Things to try: `tcp-echo server` in one terminal and `nc 127.0.0.1 9999` in
 * another; `tcp-echo client hi there`; `tcp-echo server --quiet --stats` under load.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <thrdemo/event.h>
#include <thrdemo/log.h>
#include <thrdemo/thread.h>

#include "support/net.h"
#include "scenarios.h"

struct server {
    const char *host;
    int port, listen_fd;
    net_stop_t stop;             /* the demo's end of its server thread */
    net_limits_t limits;         /* --idle-timeout and --line-timeout, scaled */
    double args_idle, args_line; /* the same as given, for messages */
    net_slots_t slots;           /* --max-clients connections, a handler thread each */
    unsigned long served;        /* written by serve() only */
    atomic_ulong bytes;
    td_event_t ready;            /* set once listening (demo) */
};

/* handle(conn, addr): recv, log, sendall, until EOF, an error, a limit or the stop. */
static void handle(void *arg)
{
    net_slot_t *c = arg;
    struct server *s = c->owner;
    unsigned char data[16384];
    char prefix[128];
    snprintf(prefix, sizeof prefix, "Received from %s: ", c->peer);
    net_limits_t limits = s->limits; /* no line begun yet */
    ssize_t n;
    while ((n = net_recv_limited(c->fd, data, sizeof data, &limits, &s->stop)) > 0) { /* recv */
        if (!cli_globals.quiet)
            net_print_bytes(prefix, data, (size_t)n);
        if (net_send_all(c->fd, data, (size_t)n, limits.idle, &s->stop) != 0) /* sendall */
            break;
        atomic_fetch_add(&s->bytes, (unsigned long)n);
    }
    net_say_dropped(c->peer, n, s->args_idle, s->args_line);
    td_print("Disconnected %s", c->peer);
    net_slots_release(&s->slots, c); /* closes conn */
}

/* serve(): accept until the stop, a daemon handler thread per connection. */
static void serve(void *arg)
{
    struct server *s = arg;
    td_print("Server listening on %s:%d", s->host, s->port);
    td_event_set(&s->ready);
    net_slot_t *c;
    while ((c = net_slots_accept(&s->slots, s->listen_fd, &s->stop))) { /* s.accept() */
        c->owner = s;
        td_print("Connected by %s", c->peer);
        td_thread_t *t;
        if (runner_start(&t, &(td_thread_attr_t){ TD_TARGET(handle), .arg = c,
                                                  .daemon = TD_DAEMON_YES }) == 0) {
            /* Let go at once: the thread is reaped as it ends, not kept until the stop
             * (1000 finished handlers made the stop take 100 ms). The stop waits for
             * the slots instead, which each handler releases last. */
            td_thread_free(t);
            s->served++;
        } else {
            net_slots_release(&s->slots, c);
        }
    }
    close(s->listen_fd);
}

static void server_close(struct server *s)
{
    net_slots_free(&s->slots); /* waits for the handlers: they have seen the stop */
    net_stop_close(&s->stop);
    stats_count("connections served", s->served);
    stats_count("connections refused", s->slots.refused);
    stats_count("bytes echoed", atomic_load(&s->bytes));
}

/* Listen as --host, --port and --max-clients say: 0, or EXIT_RUNTIME after saying why. */
static int server_open(struct server *s, const cli_args_t *args, int port)
{
    s->host = cli_text(args, "host");
    s->args_idle = cli_number(args, "idle-timeout");
    s->args_line = cli_number(args, "line-timeout");
    net_limits_init(&s->limits, net_limit(s->args_idle), net_limit(s->args_line));
    td_event_init(&s->ready);
    td_object_set_name(&s->ready, "ready");
    s->stop.rd = s->stop.wr = -1;
    int rc = net_slots_init(&s->slots, (size_t)cli_int(args, "max-clients"));
    if (rc == 0 && (rc = net_stop_init(&s->stop)) == 0 &&
        (rc = s->listen_fd = net_listen(s->host, port, &s->port)) >= 0)
        return 0;
    cli_error("cannot listen on %s:%d: %s", s->host, port,
              rc == -EADDRNOTAVAIL ? "no such address" : strerror(-rc));
    net_slots_free(&s->slots);
    if (s->stop.rd >= 0)
        net_stop_close(&s->stop);
    return EXIT_RUNTIME;
}

int run_tcp_echo_server(const cli_args_t *args)
{
    if (cli_flag(args, "async"))
        return run_tcp_echo_async(args); /* tcp_echo_async.c */
    static struct server s; /* handlers use it until they are joined */
    if (server_open(&s, args, (int)cli_int(args, "port")) != 0)
        return EXIT_RUNTIME;
    serve(&s); /* until Ctrl-C or SIGTERM */
    server_close(&s);
    td_print("Served %lu connections", s.served);
    return EXIT_OK;
}

int run_tcp_echo_demo(const cli_args_t *args)
{
    static struct server s;
    if (server_open(&s, args, cli_given(args, "port") ? (int)cli_int(args, "port") : 0) != 0)
        return EXIT_RUNTIME;
    td_thread_t *t; /* threading.Thread(target=serve, daemon=True).start() */
    int status = runner_start(&t, &(td_thread_attr_t){ TD_TARGET(serve), .arg = &s,
                                                       .daemon = TD_DAEMON_YES });
    if (status == 0 && runner_wait(&s.ready, TD_FOREVER) && !runner_stopping()) {
        const char *const messages[] = { "Hello, world", tr("안녕하세요") };
        status = tcp_echo_client(args, s.host, s.port, messages, 2); /* tcp_echo_client.c */
        net_slots_wait_idle(&s.slots); /* the client has closed: its "Disconnected" */
    }
    net_stop_signal(&s.stop);
    if (t)
        runner_join(t);
    else
        close(s.listen_fd);
    server_close(&s);
    return status;
}
