/* SPDX-License-Identifier: MIT */
/* server.c - asyncio's TCP server (aio_stream.h: start_server, serve_forever, close,
 * wait_closed) on the loop's libuv, serving each connection as a stream (stream.c).
 *
 * DESIGN. A server's connection is a task running the program's function; when it
 * returns, the handle is closed, and libuv's close callback unlinks and frees the
 * stream and drops the server's reference to the task. `done` (an Event) is set once the
 * listener is closed and no connection is left: wait_closed waits for it.
 *
 * The server accepts by itself (a uv_poll on its own listening socket) rather than
 * through uv_listen: out of file descriptors, libuv accepts and closes every waiting
 * connection and tells its caller nothing (uv__emfile_trick), so they could be
 * neither counted nor reported. Here each is closed through the server's spare
 * descriptor, counted in `dropped` and reported through on_accept_error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "stream.h"

enum { ACCEPT_BATCH = 128 };

struct td_aio_server {
    uv_poll_t listener;           /* listen_fd readable: connections wait */
    int listen_fd;                /* ours, not libuv's: see on_acceptable */
    int spare_fd;                 /* given up to accept-and-close when out of fds */
    unsigned long long dropped;   /* connections closed so */
    td_loop_t *loop;
    td_aio_client_fn fn;
    void *arg;
    td_aio_server_attr_t attr;
    int port;
    struct td_aio_stream *first;  /* the connections being served */
    size_t clients;
    unsigned long long served;
    bool closed, listener_gone;
    bool orphan;                  /* failed to listen: freed once libuv closed it */
    td_aio_future_t *forever;     /* serve_forever's, set by close */
    td_aio_event_t done;          /* closed, and no connection left */
};

static void check_done(td_aio_server_t *server)
{
    if (server->closed && server->listener_gone && server->clients == 0)
        td_aio_event_set(&server->done);
}

/* A connection's task has ended (or been dropped with its loop): close and forget. */
static void connection_gone(void *arg)
{
    td_aio_stream_t *s = arg;
    td_aio_server_t *server = s->server;
    td__stream_close_handle(s);
    if (s->prev)
        s->prev->next = s->next;
    else
        server->first = s->next;
    if (s->next)
        s->next->prev = s->prev;
    s->server = NULL;
    server->clients--;
    td_aio_future_free(s->task);
    s->task = NULL;
    check_done(server);
    td__stream_unref(s); /* the task's */
}

static void on_task_done(td_aio_future_t *task, void *arg)
{
    (void)task;
    connection_gone(arg);
}

static int serve_connection(void *arg, void **result)
{
    (void)result;
    td_aio_stream_t *s = arg;
    return s->server->fn(s, s->server->arg);
}

/* Accepted at max_clients: say so, close it. */
static void refuse(td_aio_server_t *server, td_aio_stream_t *s)
{
    struct sockaddr_storage peer;
    if (server->attr.on_refused && td_aio_stream_peer_addr(s, &peer) == 0)
        server->attr.on_refused(&peer, server->arg);
    td__stream_close_handle(s);
}

static int start_connection(td_aio_server_t *server, td_aio_stream_t *s)
{
    const td_aio_coro_t coro = { serve_connection, s, "client_connected_cb", NULL, 0,
                                 server->attr.stack_size, false };
    int rc = td_loop_create_task(server->loop, &s->task, coro);
    if (rc != 0)
        return rc;
    s->refs++; /* the task's */
    s->server = server;
    rc = td__afut_add_callback(s->task, on_task_done, s, "_on_connection_done()",
                               connection_gone);
    s->next = server->first;
    if (server->first)
        server->first->prev = s;
    server->first = s;
    server->clients++;
    server->served++;
    return rc;
}

static void accept_error(td_aio_server_t *server, int error)
{
    if (server->attr.on_accept_error)
        server->attr.on_accept_error(error, server->arg);
}

/* A connection accepted as fd: served by a task of its own, or refused at max_clients. */
static void take_connection(td_aio_server_t *server, int fd)
{
    td_aio_stream_t *s = td__stream_new(server->loop, fd);
    if (!s) {
        close(fd);
        accept_error(server, -ENOMEM);
        return;
    }
    if (server->attr.max_clients && server->clients >= server->attr.max_clients) {
        refuse(server, s);
        return;
    }
    td__stream_nodelay(s);
    if (start_connection(server, s) != 0) {
        accept_error(server, -ENOMEM);
        if (!s->task)
            td__stream_close_handle(s);
    }
}

/* Out of descriptors: give up the spare one to accept the connection that waits and
 * close it, so its client learns at once and the backlog cannot spin the loop. 1 when
 * one was closed so (counted), 0 when none was waiting (accept says EMFILE before it
 * looks), -1 when there was nothing to do it with. */
static int drop_for_lack_of_fds(td_aio_server_t *server)
{
    if (server->spare_fd < 0 && (server->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
        return -1;
    close(server->spare_fd);
    int fd = accept4(server->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    int error = errno;
    if (fd >= 0)
        close(fd);
    server->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return error == EAGAIN || error == EWOULDBLOCK ? 0 : -1;
    server->dropped++;
    return 1;
}

/* The listening socket is readable: accept what waits, a batch at a time so that the
 * connections already served get their turn under a flood. */
static void on_acceptable(uv_poll_t *listener, int status, int events)
{
    (void)events;
    td_aio_server_t *server = listener->data;
    if (status != 0) {
        accept_error(server, status);
        return;
    }
    for (int i = 0; i < ACCEPT_BATCH && !server->closed; i++) {
        int fd = accept4(server->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            take_connection(server, fd);
            continue;
        }
        int error = errno;
        if (error == EAGAIN || error == EWOULDBLOCK)
            return;
        if (error == EINTR || error == ECONNABORTED)
            continue;
        int dropped = error == EMFILE || error == ENFILE ? drop_for_lack_of_fds(server) : -1;
        if (dropped == 0)
            return; /* nobody was refused: nothing to say */
        accept_error(server, -error);
        if (dropped < 0)
            return; /* nothing more to do now: the next turn tries again */
    }
}

/* Listen on attr's address with a socket of our own: 0 with listen_fd and port set, or
 * -errno. */
static int listen_on(td_aio_server_t *server)
{
    struct sockaddr_storage addr;
    const char *host = server->attr.host ? server->attr.host : "127.0.0.1";
    int rc = td__stream_parse_address(host, server->attr.port, &addr);
    if (rc != 0)
        return rc;
    int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    int one = 1;
    socklen_t len = addr.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                               : sizeof(struct sockaddr_in);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one); /* as libuv does */
    if (bind(fd, (const struct sockaddr *)&addr, len) != 0 ||
        listen(fd, server->attr.backlog > 0 ? server->attr.backlog : SOMAXCONN) != 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &(socklen_t){ sizeof addr }) != 0) {
        rc = -errno;
        close(fd);
        return rc;
    }
    char name[64];
    if ((rc = td__stream_name_of(&addr, name, sizeof name, &server->port)) != 0) {
        close(fd);
        return rc;
    }
    server->listen_fd = fd;
    return 0;
}

static void on_listener_closed(uv_handle_t *handle)
{
    td_aio_server_t *server = handle->data;
    close(server->listen_fd); /* the poll has let go of it */
    server->listen_fd = -1;
    if (server->orphan) {
        if (server->spare_fd >= 0)
            close(server->spare_fd);
        free(server);
        return;
    }
    server->listener_gone = true;
    check_done(server);
}

int td_aio_start_server(td_aio_server_t **out, td_aio_client_fn fn, void *arg,
                        const td_aio_server_attr_t *attr)
{
    td_loop_t *loop = td__running_loop();
    if (!loop)
        return -EPERM;
    if (!out || !fn || !attr)
        return -EINVAL;
    TD__AIO_CHECK_POINTER(loop, arg, "td_aio_start_server", "the argument");
    td_aio_server_t *server = calloc(1, sizeof *server);
    if (!server)
        return -ENOMEM;
    server->loop = loop;
    server->fn = fn;
    server->arg = arg;
    server->attr = *attr;
    td_aio_event_init(&server->done);
    int rc = listen_on(server);
    if (rc == 0 && (rc = uv_poll_init_socket(&loop->uv, &server->listener, server->listen_fd)) != 0)
        close(server->listen_fd);
    if (rc != 0) {
        td_aio_event_destroy(&server->done);
        free(server);
        return rc;
    }
    server->listener.data = server;
    server->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC); /* -1: tried again when needed */
    rc = uv_poll_start(&server->listener, UV_READABLE, on_acceptable);
    if (rc != 0) {
        server->orphan = true;
        uv_close((uv_handle_t *)&server->listener, on_listener_closed);
        return rc;
    }
    *out = server;
    return 0;
}

int td_aio_server_port(const td_aio_server_t *server)
{
    return server->port;
}

size_t td_aio_server_clients(const td_aio_server_t *server)
{
    return server->clients;
}

unsigned long long td_aio_server_served(const td_aio_server_t *server)
{
    return server->served;
}

unsigned long long td_aio_server_dropped(const td_aio_server_t *server)
{
    return server->dropped;
}

void td_aio_server_close(td_aio_server_t *server)
{
    if (server->closed)
        return;
    server->closed = true;
    uv_close((uv_handle_t *)&server->listener, on_listener_closed);
    td__stream_wake(&server->forever);
    check_done(server);
}

void td_aio_server_cancel_clients(td_aio_server_t *server)
{
    for (td_aio_stream_t *s = server->first; s; s = s->next)
        td_aio_future_cancel(s->task, NULL);
}

int td_aio_server_wait_closed(td_aio_server_t *server)
{
    return td_aio_event_wait(&server->done);
}

int td_aio_server_serve_forever(td_aio_server_t *server)
{
    struct aio_task *t = td__current_task();
    if (!t)
        return -EPERM;
    if (server->forever)
        return -EBUSY; /* RuntimeError: already being served */
    if (server->closed)
        return 0;
    td_aio_future_t *forever;
    int rc = td_aio_future_new(&forever, server->loop);
    if (rc != 0)
        return rc;
    server->forever = forever;
    rc = td__await(forever, NULL);
    if (server->forever == forever)
        server->forever = NULL;
    td_aio_future_free(forever);
    if (rc == -ECANCELED) { /* as serve_forever: close, then wait for everything */
        td_aio_server_close(server);
        td_aio_server_cancel_clients(server);
        while (td_aio_event_wait(&server->done) != 0 && !server->loop->closing)
            td_aio_server_cancel_clients(server);
    }
    return rc;
}

void td_aio_server_free(td_aio_server_t *server)
{
    if (!server)
        return;
    if (!server->listener_gone || server->clients > 0)
        td__misuse("td_aio_server_free of a server not closed (wait_closed first)");
    td_aio_event_destroy(&server->done);
    if (server->spare_fd >= 0)
        close(server->spare_fd);
    free(server);
}
