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
#include "tcp_echo.h"

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
    s->host = cli_text(args, TCP_ECHO_HOST);
    s->args_idle = cli_number(args, TCP_ECHO_IDLE_TIMEOUT);
    s->args_line = cli_number(args, TCP_ECHO_LINE_TIMEOUT);
    net_limits_init(&s->limits, net_limit(s->args_idle), net_limit(s->args_line));
    td_event_init(&s->ready);
    td_object_set_name(&s->ready, "ready");
    s->stop.rd = s->stop.wr = -1;
    int rc = net_slots_init(&s->slots, (size_t)cli_int(args, TCP_ECHO_MAX_CLIENTS));
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

static int run_tcp_echo_server(const cli_args_t *args)
{
    if (cli_flag(args, TCP_ECHO_ASYNC))
        return run_tcp_echo_async(args); /* tcp_echo_async.c */
    static struct server s; /* handlers use it until they are joined */
    if (server_open(&s, args, (int)cli_int(args, TCP_ECHO_PORT)) != 0)
        return EXIT_RUNTIME;
    serve(&s); /* until Ctrl-C or SIGTERM */
    server_close(&s);
    td_print("Served %lu connections", s.served);
    return EXIT_OK;
}

static int run_tcp_echo_demo(const cli_args_t *args)
{
    static struct server s;
    int port = cli_given(args, TCP_ECHO_PORT) ? (int)cli_int(args, TCP_ECHO_PORT) : 0;
    if (server_open(&s, args, port) != 0)
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

/* `thrdemo tcp-echo`: its variants, options, lesson and Python calls, which the parser,
 * the help and `list` read (cli.h). */
const cli_command_t scenario_tcp_echo = {
    .name = "tcp-echo", .kind = CMD_SCENARIO, .seed = "001",
    .no_schedule = "does real network I/O, which no schedule controls",
    .summary = "a TCP echo server with a thread per connection, and its client",
    .about = "\"TCP communication in Python\": a TCP echo server with one thread per "
             "connection, and its client. Binds 127.0.0.1 unless --host says otherwise "
             "(--host ::1 for IPv6). Every byte comes back unchanged. Ctrl-C stops the "
             "server in order.",
    .lesson = "A thread per connection lets one slow client wait in recv() without "
              "holding up the others; the server caps how many it serves at once and "
              "drops idle ones and ones too slow to end a line, or a few clients could "
              "hold every thread.",
    .variants = (const cli_variant_t[]){
        { "demo", "a server thread and a client in one process",
          .example = "tcp-echo demo", .run = run_tcp_echo_demo },
        { "server", "a threaded echo server, one thread per connection, until Ctrl-C",
          .example = "tcp-echo server --port 9999 --max-clients 8", .run = run_tcp_echo_server },
        { "client", "send each MESSAGE (or stdin's lines) and print the echo",
          .positional = "[MESSAGE...]", .example = "tcp-echo client hi there",
          .run = run_tcp_echo_client },
        { 0 } },
    .options = (const cli_option_t[]){
        [TCP_ECHO_HOST] = { "host", OPT_STRING, "127.0.0.1", .metavar = "HOST",
          .help = "address to listen on or connect to" },
        [TCP_ECHO_PORT] = { "port", OPT_INT, "9999", 0, 65535,
          .help = "port (demo: one the kernel picks unless given; server: 0 = any)" },
        [TCP_ECHO_MAX_CLIENTS] = { "max-clients", OPT_INT, "64", 1, 100000,
          .variants = "server demo",
          .help = "connections served at once; more are refused (--async: 10000)" },
        [TCP_ECHO_IDLE_TIMEOUT] = { "idle-timeout", OPT_NUMBER, "60", .max = 1e9,
          .variants = "server demo",
          .help = "seconds before an idle connection is dropped (0: never)" },
        [TCP_ECHO_LINE_TIMEOUT] = { "line-timeout", OPT_NUMBER, "10", .max = 1e9,
          .variants = "server demo",
          .help = "seconds a line may take from its first byte to its newline; a slower "
                  "sender is dropped (0: never)" },
        [TCP_ECHO_CONNECT_TIMEOUT] = { "connect-timeout", OPT_NUMBER, "5", .min_open = true,
          .max = 1e6,
          .variants = "client demo", .help = "seconds to connect" },
        [TCP_ECHO_REPLY_TIMEOUT] = { "reply-timeout", OPT_NUMBER, "5", .min_open = true,
          .max = 1e6,
          .variants = "client demo", .help = "seconds to wait for the echo" },
        [TCP_ECHO_ASYNC] = { "async", OPT_FLAG, .variants = "server",
          .help = "serve with coroutines on one thread (asyncio.start_server), not a thread "
                  "per connection" },
        { 0 } },
    .python = (const cli_pycall_t[]){
        { "socket.socket, bind, listen", "socket, bind, listen (net_listen)" },
        { "socket.accept", "accept4 (net_accept)" },
        { "threading.Thread(target=handle, daemon=True)", "td_thread_new, td_thread_start" },
        { "conn.recv / conn.sendall", "recv, send (net_recv, net_send_all)" },
        { "socket.create_connection", "getaddrinfo, connect (net_connect)" },
        { "asyncio.start_server(handle, host, port) (--async)", "td_aio_start_server" },
        { "await reader.read(n) / writer.write; drain (--async)",
          "td_aio_stream_read / td_aio_stream_write" },
        { 0 } },
};
