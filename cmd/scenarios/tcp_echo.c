/* SPDX-License-Identifier: MIT */
/* tcp_echo.c - seed 001 "파이썬의 Tcp 통신": a threaded TCP echo server and its client.
 *
 *   demo    a server thread and one client in one process, on a port the kernel
 *           picks (unless --port): "Server listening on 127.0.0.1:PORT", "Connected
 *           by ('127.0.0.1', 54321)", then "Received from (...): text" and "Client
 *           received: text" for each message, and "Disconnected (...)".
 *   server  one thread per connection until Ctrl-C (exit 130, 143 for SIGTERM), at
 *           most --max-clients at once (others are closed at once, with a line on
 *           stderr); a connection idle for --idle-timeout seconds is dropped.
 *   client  sends each MESSAGE (or each line of stdin, like netcat) and prints the
 *           echo; a server that does not answer within --reply-timeout is exit 1.
 *
 * Every byte comes back unchanged, binary and of any length; a message that is not
 * UTF-8 is logged with \xNN escapes (Python's errors='backslashreplace'). Each
 * blocking call waits on its socket and on one stop pipe, so Ctrl-C always ends
 * the run in order: listener closed, connections closed, handlers joined.
 *
 * Things to try: `tcp-echo server` in one terminal and `nc 127.0.0.1 9999` in
 * another; `tcp-echo client hi there`; `tcp-echo server --quiet --stats` under load.
 */
#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thrdemo/condition.h>
#include <thrdemo/event.h>
#include <thrdemo/lock.h>
#include <thrdemo/log.h>
#include <thrdemo/thread.h>

#include "net.h"
#include "scenarios.h"
#include "stats.h"

enum { CHUNK = 16384 };

struct server;

struct conn {
    struct server *server;
    td_thread_t *thread; /* its handler, until the acceptor joins it */
    bool active;         /* the handler runs: guarded by server->lock */
    int fd;
    char peer[96];
};

struct server {
    const char *host;
    int port;
    int listen_fd;
    net_stop_t stop;
    double idle;          /* scaled seconds; negative: never */
    td_lock_t lock;       /* guards every conn's `active` */
    td_cond_t ended;      /* over lock: notified when a connection ends */
    struct conn *slots;
    size_t max_clients;
    atomic_ulong served, refused, bytes;
    td_event_t ready;     /* set once listening (demo) */
};

/* A line for the trace: the bytes as Python's decode(errors='backslashreplace')
 * shows them, one final newline left out so a netcat line prints as one line. */
static void log_bytes(const char *prefix, const unsigned char *data, size_t len)
{
    if (len > 0 && data[len - 1] == '\n')
        len -= len > 1 && data[len - 2] == '\r' ? 2 : 1;
    char *text = malloc(4 * len + 1);
    if (!text)
        return;
    net_backslashreplace(data, len, text);
    td_print("%s%s", prefix, text);
    free(text);
}

/* ---- the server -------------------------------------------------------------------- */

static void release_slot(struct server *s, struct conn *c)
{
    td_lock_acquire(&s->lock, true, TD_FOREVER);
    c->active = false;
    td_cond_notify_all(&s->ended);
    td_lock_release(&s->lock);
}

/* Block until no connection is open (the demo's client has been seen off). */
static void wait_all_disconnected(struct server *s)
{
    td_lock_acquire(&s->lock, true, TD_FOREVER);
    for (size_t i = 0; i < s->max_clients; i++)
        while (s->slots[i].active)
            td_cond_wait(&s->ended, TD_FOREVER);
    td_lock_release(&s->lock);
}

/* One connection: read, log, echo, until EOF, an error, idleness or the stop. */
static void handle(void *arg)
{
    struct conn *c = arg;
    struct server *s = c->server;
    unsigned char buf[CHUNK];
    char prefix[128];
    snprintf(prefix, sizeof prefix, "Received from %s: ", c->peer);
    for (;;) {
        int rc = net_wait(c->fd, POLLIN, s->idle, &s->stop);
        if (rc == 0) {
            fprintf(stderr, "thrdemo: dropping %s: idle for %g s (--idle-timeout)\n", c->peer,
                    s->idle);
            break;
        }
        if (rc < 0)
            break; /* stopped */
        ssize_t n = recv(c->fd, buf, sizeof buf, 0);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0)
            break; /* EOF (the client is done) or a reset */
        if (!cli_globals.quiet)
            log_bytes(prefix, buf, (size_t)n);
        if (net_send_all(c->fd, buf, (size_t)n, s->idle, &s->stop) != 0)
            break;
        atomic_fetch_add(&s->bytes, (unsigned long)n);
    }
    close(c->fd);
    td_print("Disconnected %s", c->peer);
    release_slot(s, c);
}

/* A free slot for a new connection (its finished handler joined), or NULL. */
static struct conn *take_slot(struct server *s)
{
    struct conn *found = NULL;
    td_lock_acquire(&s->lock, true, TD_FOREVER);
    for (size_t i = 0; i < s->max_clients && !found; i++)
        if (!s->slots[i].active)
            found = &s->slots[i];
    if (found)
        found->active = true;
    td_lock_release(&s->lock);
    if (found && found->thread) {
        td_thread_join(found->thread, TD_FOREVER); /* finished: returns at once */
        td_thread_free(found->thread);
        found->thread = NULL;
    }
    return found;
}

static void accept_one(struct server *s)
{
    struct sockaddr_storage addr;
    socklen_t len = sizeof addr;
    int fd = accept4(s->listen_fd, (struct sockaddr *)&addr, &len, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
        if (errno == EMFILE || errno == ENFILE) {
            fprintf(stderr, "thrdemo: cannot accept: %s\n", strerror(errno));
            net_wait(s->listen_fd, 0, 0.1, &s->stop); /* back off, stay stoppable */
        }
        return; /* EAGAIN, ECONNABORTED, EINTR: nothing to do */
    }
    char peer[96];
    net_format_peer(&addr, peer, sizeof peer);
    struct conn *c = take_slot(s);
    if (!c) {
        fprintf(stderr, "thrdemo: refusing %s: %zu clients connected (--max-clients)\n", peer,
                s->max_clients);
        close(fd);
        atomic_fetch_add(&s->refused, 1);
        return;
    }
    c->server = s;
    c->fd = fd;
    snprintf(c->peer, sizeof c->peer, "%s", peer);
    td_print("Connected by %s", peer);
    /* threading.Thread(target=handle, args=(conn, addr), daemon=True).start() */
    int rc = td_thread_new(&c->thread, &(td_thread_attr_t){ TD_TARGET(handle), .arg = c,
                                                            .daemon = TD_DAEMON_YES });
    if (rc == 0 && (rc = td_thread_start(c->thread)) != 0) {
        td_thread_free(c->thread);
        c->thread = NULL;
    }
    if (rc != 0) {
        fprintf(stderr, "thrdemo: cannot start a handler for %s: %s\n", peer, td_strerror(rc));
        close(fd);
        release_slot(s, c);
        return;
    }
    atomic_fetch_add(&s->served, 1);
}

/* Accept until the stop; then close the listener and join every handler. */
static void serve(void *arg)
{
    struct server *s = arg;
    td_print("Server listening on %s:%d", s->host, s->port);
    td_event_set(&s->ready);
    while (net_wait(s->listen_fd, POLLIN, -1, &s->stop) >= 0)
        accept_one(s);
    close(s->listen_fd);
    for (size_t i = 0; i < s->max_clients; i++) {
        if (s->slots[i].thread) {
            td_thread_join(s->slots[i].thread, TD_FOREVER); /* they see the stop too */
            td_thread_free(s->slots[i].thread);
            s->slots[i].thread = NULL;
        }
    }
}

static void stop_server(void *arg)
{
    net_stop_signal(arg);
}

/* Listen as --host/--port say: 0, or EXIT_RUNTIME after saying why. */
static int server_open(struct server *s, const cli_args_t *args, int port)
{
    s->host = cli_text(args, "host");
    s->max_clients = (size_t)cli_int(args, "max-clients");
    double idle = cli_number(args, "idle-timeout");
    s->idle = idle > 0 ? cli_seconds(idle) : -1;
    td_lock_init(&s->lock);
    td_cond_init(&s->ended, &s->lock);
    td_event_init(&s->ready);
    s->slots = calloc(s->max_clients, sizeof *s->slots);
    int rc = s->slots ? net_stop_init(&s->stop) : -ENOMEM;
    if (rc == 0)
        rc = s->listen_fd = net_listen(s->host, port, &s->port);
    if (rc < 0) {
        cli_error("cannot listen on %s:%d: %s", s->host, port,
                  rc == -EADDRNOTAVAIL ? "no such address" : strerror(-rc));
        free(s->slots);
        return EXIT_RUNTIME;
    }
    cli_on_stop(stop_server, &s->stop);
    return 0;
}

static void server_close(struct server *s)
{
    cli_forget_on_stop(stop_server, &s->stop);
    net_stop_close(&s->stop);
    stats_count("connections served", atomic_load(&s->served));
    stats_count("connections refused", atomic_load(&s->refused));
    stats_count("bytes echoed", atomic_load(&s->bytes));
    free(s->slots);
}

static int run_server(const cli_args_t *args)
{
    static struct server s; /* handlers use it until they are joined */
    if (args->n_positional > 0)
        return cli_usage_error("tcp-echo", "the server takes no MESSAGE ('%s')", args->positional[0]);
    if (server_open(&s, args, (int)cli_int(args, "port")) != 0)
        return EXIT_RUNTIME;
    serve(&s); /* until Ctrl-C or SIGTERM */
    td_print("Served %lu connections", atomic_load(&s.served));
    server_close(&s);
    return EXIT_OK;
}

/* ---- the client -------------------------------------------------------------------- */

/* Send msg and read its echo back, both at once, so that a message larger than the
 * socket buffers cannot deadlock. 0, or -ETIMEDOUT (no progress for timeout s),
 * -ECONNRESET (closed early), -ECANCELED, -errno. */
static int round_trip(int fd, const unsigned char *msg, size_t len, unsigned char *echo,
                      double timeout, const net_stop_t *stop)
{
    size_t sent = 0, got = 0;
    while (got < len) {
        int rc = net_wait(fd, (short)(POLLIN | (sent < len ? POLLOUT : 0)), timeout, stop);
        if (rc <= 0)
            return rc == 0 ? -ETIMEDOUT : rc;
        if (sent < len) {
            ssize_t n = send(fd, msg + sent, len - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n > 0)
                sent += (size_t)n;
            else if (n < 0 && errno != EAGAIN && errno != EINTR)
                return -errno;
        }
        ssize_t n = recv(fd, echo + got, len - got, MSG_DONTWAIT);
        if (n == 0)
            return -ECONNRESET;
        if (n > 0)
            got += (size_t)n;
        else if (errno != EAGAIN && errno != EINTR)
            return -errno;
    }
    return 0;
}

struct client {
    const char *host;
    int port;
    int fd;
    double reply_timeout; /* scaled */
    const net_stop_t *stop;
};

/* One message there and back, printed: 0 or EXIT_RUNTIME after saying why. */
static int echo_message(struct client *c, const unsigned char *msg, size_t len)
{
    unsigned char *echo = malloc(len ? len : 1);
    if (!echo)
        return EXIT_RUNTIME;
    int rc = round_trip(c->fd, msg, len, echo, c->reply_timeout, c->stop);
    if (rc == 0)
        log_bytes("Client received: ", echo, len);
    free(echo);
    if (rc == -ETIMEDOUT)
        cli_error("no echo from %s:%d within %g s (--reply-timeout)", c->host, c->port,
                  c->reply_timeout);
    else if (rc == -ECONNRESET)
        cli_error("%s:%d closed the connection before the whole echo came back", c->host, c->port);
    else if (rc != 0 && rc != -ECANCELED)
        cli_error("talking to %s:%d: %s", c->host, c->port, strerror(-rc));
    return rc == 0 || rc == -ECANCELED ? 0 : EXIT_RUNTIME;
}

/* No MESSAGE: each line of stdin is a message, newline included (like netcat). */
static int echo_stdin(struct client *c)
{
    size_t cap = CHUNK, len = 0;
    unsigned char *buf = malloc(cap);
    int rc = buf ? 0 : EXIT_RUNTIME;
    bool eof = false;
    while (rc == 0 && !eof) {
        if (net_wait(STDIN_FILENO, POLLIN, -1, c->stop) < 0)
            break;
        if (len == cap) {
            unsigned char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                rc = EXIT_RUNTIME;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
        ssize_t n = read(STDIN_FILENO, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        eof = n <= 0;
        len += n > 0 ? (size_t)n : 0;
        size_t start = 0;
        for (size_t i = 0; i < len && rc == 0; i++) {
            if (buf[i] == '\n' || (eof && i == len - 1)) {
                rc = echo_message(c, buf + start, i + 1 - start);
                start = i + 1;
            }
        }
        memmove(buf, buf + start, len - start);
        len -= start;
    }
    free(buf);
    return rc;
}

/* Connect, echo the messages (or stdin), close: EXIT_OK or EXIT_RUNTIME. */
static int client(const cli_args_t *args, const char *host, int port, const net_stop_t *stop,
                  const char *const *messages, size_t n)
{
    struct client c = { .host = host, .port = port, .stop = stop,
                        .reply_timeout = cli_seconds(cli_number(args, "reply-timeout")) };
    c.fd = net_connect(host, port, cli_seconds(cli_number(args, "connect-timeout")), stop);
    if (c.fd < 0) {
        if (c.fd != -ECANCELED)
            cli_error("cannot connect to %s:%d: %s", host, port,
                      c.fd == -EADDRNOTAVAIL ? "no such address" : strerror(-c.fd));
        return c.fd == -ECANCELED ? EXIT_OK : EXIT_RUNTIME;
    }
    int rc = EXIT_OK;
    for (size_t i = 0; i < n && rc == EXIT_OK; i++)
        rc = echo_message(&c, (const unsigned char *)messages[i], strlen(messages[i]));
    if (n == 0)
        rc = echo_stdin(&c);
    close(c.fd);
    return rc;
}

static int run_client(const cli_args_t *args)
{
    net_stop_t stop;
    if (net_stop_init(&stop) != 0)
        return EXIT_RUNTIME;
    cli_on_stop(stop_server, &stop);
    int rc = client(args, cli_text(args, "host"), (int)cli_int(args, "port"), &stop,
                    args->positional, args->n_positional);
    cli_forget_on_stop(stop_server, &stop);
    net_stop_close(&stop);
    return rc;
}

/* ---- the demo: both in one process ------------------------------------------------- */

static int run_demo(const cli_args_t *args)
{
    static struct server s;
    int port = cli_flag(args, "port") ? (int)cli_int(args, "port") : 0;
    if (server_open(&s, args, port) != 0)
        return EXIT_RUNTIME;
    td_thread_t *t;
    if (cli_start_thread(&t, &(td_thread_attr_t){ TD_TARGET(serve), .arg = &s,
                                                  .daemon = TD_DAEMON_YES }) != 0) {
        close(s.listen_fd);
        server_close(&s);
        return EXIT_RUNTIME;
    }
    td_event_wait(&s.ready, TD_FOREVER);
    static const char *const demo[] = { "Hello, world", "안녕하세요" };
    const char *const *messages = args->n_positional ? args->positional : demo;
    size_t n = args->n_positional ? args->n_positional : 2;
    int status = client(args, s.host, s.port, &s.stop, messages, n);
    wait_all_disconnected(&s); /* the client has closed: its "Disconnected" line */
    net_stop_signal(&s.stop);
    td_thread_join(t, TD_FOREVER);
    td_thread_free(t);
    server_close(&s);
    return status;
}

static int run(const cli_args_t *args)
{
    if (cli_variant_is(args, "server"))
        return run_server(args);
    if (cli_variant_is(args, "client"))
        return run_client(args);
    return run_demo(args);
}

static const cli_variant_t variants[] = {
    { "demo", "a server thread and a client in one process" },
    { "server", "a threaded echo server, one thread per connection, until Ctrl-C" },
    { "client", "send each MESSAGE (or stdin's lines) and print the echo" },
    { 0 },
};

static const cli_option_t options[] = {
    { "host", OPT_STRING, "127.0.0.1", "address to listen on or connect to", NULL, 0, 0, false, 0 },
    { "port", OPT_INT, "9999", "port (demo: one the kernel picks unless given; server: 0 = any)", NULL, 0, 65535, false, 0 },
    { "max-clients", OPT_INT, "64", "connections served at once; more are refused", "server demo", 1, 100000, false, 0 },
    { "idle-timeout", OPT_NUMBER, "60", "seconds before an idle connection is dropped (0: never)", "server demo", 0, 1e9, false, 0 },
    { "connect-timeout", OPT_NUMBER, "5", "seconds to connect", "client demo", 0, 1e6, true, 0 },
    { "reply-timeout", OPT_NUMBER, "5", "seconds to wait for the echo", "client demo", 0, 1e6, true, 0 },
    { 0 },
};

const scenario_t scenario_tcp_echo = {
    .name = "tcp-echo",
    .seed = "001",
    .variants = variants,
    .options = options,
    .positional = "[MESSAGE...]",
    .run = run,
    .help = "Seed 001 \"파이썬의 Tcp 통신\": a TCP echo server with one thread per connection,\n"
            "and its client. Binds 127.0.0.1 unless --host says otherwise (--host ::1 for\n"
            "IPv6). Every byte comes back unchanged. Ctrl-C stops the server in order.\n"
            "Things to try: 'tcp-echo server' with 'nc 127.0.0.1 9999' in another terminal;\n"
            "'tcp-echo client hi there'; 'tcp-echo server --quiet --stats' under load.\n",
};
