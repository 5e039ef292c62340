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

/* A slot's deadline, armed lazily: a timer once armed stays while later waits only
 * push the deadline back (each read of a busy connection would otherwise arm and
 * cancel a timer); when it fires early it re-arms itself for what is left. */
struct slot_timer {
    td_aio_stream_t *stream;
    struct aio_task **slot;   /* the reader's or the writer's */
    td_loop_handle_t *timer; /* armed at armed_at, or NULL */
    td__ns_t armed_at;
    td__ns_t deadline;       /* the waiting one's; TD__NEVER: nobody waits with one */
    bool expired;
};

struct td_aio_stream {
    uv_tcp_t tcp;                 /* .data: the stream */
    unsigned refs;                /* the open handle's, and the task's or the user's */
    td_loop_t *loop;
    td_aio_server_t *server;      /* the server serving it, until its task ends */
    td_aio_task_t *task;          /* the server's reference to its task */
    struct td_aio_stream *prev, *next; /* the server's connections */
    bool reading, eof, closing, write_pending;
    int error;                    /* sticky: a read or write error */
    char *buf;                    /* what came while nobody read */
    size_t len, cap;
    struct aio_task *reader;      /* the reader parked until bytes come, and where it wants */
    char *want;                   /* the bytes */
    size_t want_size, got;
    struct aio_task *writer;      /* the writer (or connector) parked until libuv calls back */
    int write_status;
    char *write_copy;             /* the rest of a write from the shared stack */
    uv_write_t write_req;
    uv_connect_t connect_req;
    struct slot_timer read_timer, write_timer;
};

/* A stream on a new uv_tcp_t of loop's, holding the handle's reference: NULL when out
 * of memory. */
td_aio_stream_t *td__stream_new(td_loop_t *loop);
/* Drop a reference; the last frees the stream. */
void td__stream_unref(td_aio_stream_t *s);
/* Close the socket, once; libuv calls back (pending writes first, with UV_ECANCELED)
 * and the close callback drops the handle's reference. */
void td__stream_close_handle(td_aio_stream_t *s);
/* Set the future a task waits on in *slot, if any and pending, and empty the slot. */
void td__stream_wake(td_aio_future_t **slot);
/* host (IPv4 or IPv6 text) and port as an address: 0 or -EINVAL. */
int td__stream_parse_address(const char *host, int port, struct sockaddr_storage *addr);
/* An address as text and port: 0 or a libuv error. */
int td__stream_name_of(const struct sockaddr_storage *addr, char *host, size_t size, int *port);

#endif
