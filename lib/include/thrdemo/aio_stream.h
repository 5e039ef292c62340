/* SPDX-License-Identifier: MIT */
/* aio_stream.h - asyncio's streams over TCP: a server whose every connection is served
 * by a task of its own (asyncio.start_server), a client connection
 * (asyncio.open_connection), and reading and writing as awaits (StreamReader.read,
 * StreamWriter.write followed by drain), each stream a socket of its own that the
 * event loop's libuv polls, as asyncio's selector loop polls its sockets.
 *
 *   Python                                   C
 *   server = await asyncio.start_server(     td_aio_start_server(&server, serve, arg,
 *       serve, host, port)                       &(td_aio_server_attr_t){ host, port })
 *   async def serve(reader, writer):         int serve(td_aio_stream_t *s, void *arg)
 *   data = await reader.read(n)              n = td_aio_stream_read(s, buf, n, timeout)
 *   writer.write(data); await writer.drain() td_aio_stream_write(s, data, n, timeout)
 *   writer.get_extra_info('peername')        td_aio_stream_peer(s, host, size, &port)
 *   await server.serve_forever()             td_aio_server_serve_forever(server)
 *   r, w = await asyncio.open_connection()   td_aio_open_connection(&s, host, port, t)
 *
 * A connection's task is named and counted like every task (Task-N); the stream is
 * closed and freed when its function returns. A connection arriving while
 * max_clients are served is accepted and closed at once, and on_refused says so.
 * Reading goes on in the background while nobody reads, into a buffer of the
 * stream's own, up to 64 KiB; past that the peer is made to wait (backpressure), as
 * asyncio's StreamReader does. Writing tries the socket at once and only waits when
 * the kernel's buffer is full (what drain waits for). Bytes the peer sent before an
 * error (a reset) are read before the error. Everything here is for the loop's
 * thread, inside tasks; results are negative errnos, and errno is left unchanged.
 */
#ifndef THRDEMO_AIO_STREAM_H
#define THRDEMO_AIO_STREAM_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "common.h"
#include "task.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct td_aio_stream td_aio_stream_t;
typedef struct td_aio_server td_aio_server_t;

/* A connection's coroutine: serve the stream, return 0 or an error code. */
typedef int (*td_aio_client_fn)(td_aio_stream_t *stream, void *arg);

typedef struct td_aio_server_attr {
    const char *host;    /* a numeric IPv4 or IPv6 address; NULL: "127.0.0.1" */
    int port;            /* 0: one the kernel picks (td_aio_server_port tells) */
    int backlog;         /* 0: SOMAXCONN */
    size_t max_clients;  /* connections served at once; 0: no limit */
    size_t stack_size;   /* each connection task's stack; 0: TD_CORO_STACK_DEFAULT */
    /* Called (on the loop's thread) for a connection refused at max_clients, with its
     * peer's address; may be NULL. */
    void (*on_refused)(const struct sockaddr_storage *peer, void *arg);
    /* Called when accepting fails (-EMFILE: out of file descriptors, say); the
     * server goes on. Out of descriptors, it is called once per connection that
     * waited, which the server closed at once unserved (td_aio_server_dropped
     * counts them). May be NULL. */
    void (*on_accept_error)(int error, void *arg);
} td_aio_server_attr_t;

/* asyncio.start_server: listen on attr's address in the running loop and run
 * fn(stream, arg) as a task for each connection. 0, -EPERM (no running loop),
 * -EINVAL, -ENOMEM, or the socket's error (-EADDRINUSE, ...). */
TD_API int td_aio_start_server(td_aio_server_t **out, td_aio_client_fn fn, void *arg,
                               const td_aio_server_attr_t *attr);
/* The port the server listens on. */
TD_API int td_aio_server_port(const td_aio_server_t *server);
/* How many connections it serves now, and has served in all. */
TD_API size_t td_aio_server_clients(const td_aio_server_t *server);
TD_API unsigned long long td_aio_server_served(const td_aio_server_t *server);
/* How many connections it closed unserved for lack of file descriptors. */
TD_API unsigned long long td_aio_server_dropped(const td_aio_server_t *server);
/* await server.serve_forever(): until the calling task is cancelled (-ECANCELED) or
 * the server closed (0). On cancellation the server is closed, its connections'
 * tasks cancelled, and all of them waited for. */
TD_API int td_aio_server_serve_forever(td_aio_server_t *server);
/* server.close(): stop listening; connections being served go on. */
TD_API void td_aio_server_close(td_aio_server_t *server);
/* Cancel every connection's task (they see -ECANCELED at their await). */
TD_API void td_aio_server_cancel_clients(td_aio_server_t *server);
/* await server.wait_closed() (as Python 3.12+): until closed and every connection's
 * task has ended. 0, -ECANCELED, -EPERM. */
TD_API int td_aio_server_wait_closed(td_aio_server_t *server);
/* Free a server that is closed and whose connections have ended (after
 * wait_closed). NULL is accepted. */
TD_API void td_aio_server_free(td_aio_server_t *server);

/* await reader.read(size): up to size bytes into buf as soon as some are there: how
 * many (> 0), 0 at end of file, -ETIMEDOUT when none came within timeout seconds
 * (TD_FOREVER: no limit; zero or negative: none but those already there, as
 * asyncio.wait_for around the read), -ECANCELED, -EINVAL (also a NaN timeout),
 * -EOVERFLOW (finite timeout above TD_TIMEOUT_MAX), or the connection's error
 * (-ECONNRESET, ...).
 * buf may be a local of the calling task: on the loop's shared stack it is filled
 * once the task runs again (from the stream's buffer: one copy more), elsewhere the
 * bytes are read straight into it. Likewise data for write may be a local. */
TD_API ssize_t td_aio_stream_read(td_aio_stream_t *stream, void *buf, size_t size,
                                  double timeout);
/* writer.write(data) and await writer.drain(): 0 once all len bytes are handed to the
 * kernel, -ETIMEDOUT when the peer has not taken them within timeout seconds (the
 * connection is then unusable; timeouts as td_aio_stream_read), -ECANCELED, -EINVAL,
 * -EOVERFLOW, or the connection's error (-EPIPE, -ECONNRESET, ...). */
TD_API int td_aio_stream_write(td_aio_stream_t *stream, const void *data, size_t len,
                               double timeout);
/* The peer's numeric address into host (size bytes) and its port: 0 or -errno. */
TD_API int td_aio_stream_peer(const td_aio_stream_t *stream, char *host, size_t size, int *port);
/* The peer's address as the kernel gives it (getpeername): 0 or -errno. */
TD_API int td_aio_stream_peer_addr(const td_aio_stream_t *stream, struct sockaddr_storage *addr);
/* asyncio.open_connection(host, port): connect within timeout seconds (TD_FOREVER:
 * the kernel's own; zero or negative: as wait_for, no wait) from a task: 0,
 * -ETIMEDOUT, -ECONNREFUSED, -ECANCELED, -EPERM, -EINVAL (a bad address, a NaN
 * timeout), -EOVERFLOW (finite timeout above TD_TIMEOUT_MAX). */
TD_API int td_aio_open_connection(td_aio_stream_t **out, const char *host, int port,
                                  double timeout);
/* writer.close() of a stream from td_aio_open_connection, and free it. (A server's
 * streams are closed when their function returns.) NULL is accepted. */
TD_API void td_aio_stream_close(td_aio_stream_t *stream);

#ifndef THRDEMO_BUILDING
#define td_aio_stream_read(stream, buf, size, timeout)                                 \
    (td_aio_where(__FILE__, __LINE__), td_aio_stream_read(stream, buf, size, timeout))
#define td_aio_stream_write(stream, data, len, timeout)                                \
    (td_aio_where(__FILE__, __LINE__), td_aio_stream_write(stream, data, len, timeout))
#define td_aio_server_serve_forever(server)                                            \
    (td_aio_where(__FILE__, __LINE__), td_aio_server_serve_forever(server))
#define td_aio_server_wait_closed(server)                                              \
    (td_aio_where(__FILE__, __LINE__), td_aio_server_wait_closed(server))
#define td_aio_open_connection(out, host, port, timeout)                               \
    (td_aio_where(__FILE__, __LINE__), td_aio_open_connection(out, host, port, timeout))
#endif

#ifdef __cplusplus
}
#endif
#endif
