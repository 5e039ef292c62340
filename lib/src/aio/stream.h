/* SPDX-License-Identifier: MIT */
/* stream.h - a stream's insides (stream.c), for the server (server.c) that makes its
 * connections with them. All on the loop's thread.
 */
#ifndef THRDEMO_AIO_STREAM_INTERNAL_H
#define THRDEMO_AIO_STREAM_INTERNAL_H

#include <sys/socket.h>

#include "aio.h"
#include "thrdemo/aio_event.h"
#include "thrdemo/aio_stream.h"

/* A slot's deadline, armed lazily (stream_wait.c). */
struct slot_timer {
    td_aio_stream_t *stream;
    struct aio_task **slot;   /* the reader's or the writer's */
    td_loop_handle_t *timer; /* armed at armed_at, or NULL */
    td__ns_t armed_at;
    td__ns_t deadline;       /* the waiting one's; TD__NEVER: nobody waits with one */
    bool expired;
};

struct td_aio_stream {
    uv_poll_t poll;               /* on fd; .data: the stream */
    int fd;                       /* the socket, the stream's own: closed with it */
    int events;                   /* what the poll watches for: UV_READABLE, UV_WRITABLE */
    unsigned refs;                /* the open handle's, and the task's or the user's */
    td_loop_t *loop;
    td_aio_server_t *server;      /* the server serving it, until its task ends */
    td_aio_task_t *task;          /* the server's reference to its task */
    struct td_aio_stream *prev, *next; /* the server's connections */
    bool reading, eof, closing, connecting;
    int error;                    /* sticky: a read or write error */
    char *buf;                    /* what came while nobody read */
    size_t len, cap;
    struct aio_task *reader;      /* the reader parked until bytes come, and where it wants */
    char *want;                   /* the bytes */
    size_t want_size, got;
    struct aio_task *writer;      /* the writer (or connector) parked until libuv calls back */
    int write_status;             /* how the write (or connect) that waited ended */
    const char *out;              /* what waits for room in the socket, or NULL */
    size_t out_len;
    char *write_copy;             /* the rest of a write from the shared stack */
    struct slot_timer read_timer, write_timer;
};

/* A stream on the socket fd, polled by loop, holding the handle's reference: NULL when
 * out of memory (fd is left open). */
td_aio_stream_t *td__stream_new(td_loop_t *loop, int fd);
/* Drop a reference; the last frees the stream. */
void td__stream_unref(td_aio_stream_t *s);
/* Close the socket, once: a write or connect still waiting ends with -ECANCELED, and
 * the poll's close callback closes fd and drops the handle's reference. */
void td__stream_close_handle(td_aio_stream_t *s);
/* Watch the socket for what the stream waits for now: readable while reading,
 * writable while a write or a connect waits. 0 or a libuv error. */
int td__stream_update_poll(td_aio_stream_t *s);
/* The error a socket reports (connect's outcome, or why it failed): -errno, or 0. */
int td__stream_sock_error(int fd);
/* Turn Nagle's algorithm off, as asyncio does: an echo is not held back. */
void td__stream_nodelay(td_aio_stream_t *s);

/* Set the future a task waits on in *slot, if any and pending, and empty the slot. */
void td__stream_wake(td_aio_future_t **slot);
/* Empty the slot and resume the task parked in it, if any: at the loop's next turn,
 * or at once when `now` and nothing else waits to run. */
void td__stream_wake_slot(struct aio_task **slot, bool now);
/* Park the running task in *st->slot, which the stream's callbacks wake, for at most
 * timeout seconds: 0, -ETIMEDOUT or -ECANCELED. The slot is empty afterwards. */
int td__stream_await_slot(struct slot_timer *st, double timeout);
/* Cancel a slot's timer, if armed. */
void td__stream_disarm(struct slot_timer *st);
/* A stream's timeout stands for asyncio.wait_for(..., timeout) around the call: a
 * negative one is 0, it times out unless done at once. 0, -EINVAL (NaN) or
 * -EOVERFLOW. */
int td__stream_check_timeout(double *timeout);
/* host (IPv4 or IPv6 text) and port as an address: 0 or -EINVAL. */
int td__stream_parse_address(const char *host, int port, struct sockaddr_storage *addr);
/* An address as text and port: 0 or a libuv error. */
int td__stream_name_of(const struct sockaddr_storage *addr, char *host, size_t size, int *port);

#endif
