/* SPDX-License-Identifier: MIT */
/* stream.c - asyncio's TCP streams (aio_stream.h) on the loop's libuv: reading,
 * writing, a client's connection.
 *
 * DESIGN. A stream is a socket of its own and a uv_poll_t on it, as asyncio's
 * selector loop has a socket and a selector: the loop only says when the socket is
 * ready, and the stream makes the calls itself (recv and send, no libuv stream
 * between: that was a read(2) through libuv's stream machinery per message, 1.5x
 * the user time of a bare epoll server's round trip). Two waiting slots, one reader
 * and one writer, each hold the task parked there (task.c's td__task_park: no future
 * is made per wait). Reading stays on once started (stopping and restarting it
 * would cost an epoll_ctl per read): a readable socket is read straight into the
 * waiting reader's own buffer (the bytes land where they are wanted), or, with
 * nobody waiting, into the stream's buffer, which past BUFFER_LIMIT stops reading
 * until it is drained (backpressure). A write goes straight to the socket; only what
 * the kernel does not take waits, sent as the socket becomes writable, its writer
 * parked meanwhile: drain(). A cancelled read moves what arrived into the stream's
 * buffer; a cancelled or timed-out write closes the connection (its unsent rest is
 * dropped: nothing but the stream held it).
 *
 * The pointer rule (task.h): a caller's buffer on the loop's shared stack is not
 * there while its task waits. Such a reader is not read into (`want` stays NULL):
 * the bytes go to the stream's buffer and the reader copies them out once it runs
 * again; such a writer's unsent rest is copied to the heap (`write_copy`) first.
 * Buffers elsewhere (heap, static, a task with a stack of its own) are used in
 * place. A server (server.c) makes its connections here and serves each from a task
 * of its own; addresses and names are stream_addr.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "stream.h"

enum { BUFFER_LIMIT = 64 * 1024, READ_ROOM = 16 * 1024 };

static td_aio_stream_t *stream_of(const void *handle)
{
    return ((const uv_handle_t *)handle)->data;
}

/* ---- the socket's calls ---------------------------------------------------------------- */

/* recv(2) and send(2) as plain system calls: glibc makes them cancellation points,
 * which in a process with more than one thread costs two atomic operations on the
 * thread's cancel state per call (1.5% of an echo server's time); no thread running
 * a loop is ever cancelled. The bytes moved, or -errno (never -EINTR). */
static ssize_t sock_recv(int fd, void *buf, size_t len)
{
    int saved = errno; /* the library never changes errno */
    long n;
    do
        n = syscall(SYS_recvfrom, fd, buf, len, 0, NULL, NULL);
    while (n < 0 && errno == EINTR);
    n = n < 0 ? -errno : n;
    errno = saved;
    return n;
}

/* MSG_NOSIGNAL: a peer gone away is an EPIPE here, never a SIGPIPE. */
static ssize_t sock_send(int fd, const void *buf, size_t len)
{
    int saved = errno;
    long n;
    do
        n = syscall(SYS_sendto, fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL, NULL, 0);
    while (n < 0 && errno == EINTR);
    n = n < 0 ? -errno : n;
    errno = saved;
    return n;
}

int td__stream_sock_error(int fd)
{
    int saved = errno, error = 0;
    socklen_t len = sizeof error;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0)
        error = errno;
    errno = saved;
    return -error;
}

static void on_poll(uv_poll_t *handle, int status, int events);

int td__stream_update_poll(td_aio_stream_t *s)
{
    if (s->closing)
        return 0;
    int want = (s->reading ? UV_READABLE : 0) | (s->out || s->connecting ? UV_WRITABLE : 0);
    if (want == s->events)
        return 0;
    int rc = want ? uv_poll_start(&s->poll, want, on_poll) : uv_poll_stop(&s->poll);
    if (rc == 0)
        s->events = want;
    return rc;
}

/* ---- life: references, closing ------------------------------------------------------ */

td_aio_stream_t *td__stream_new(td_loop_t *loop, int fd)
{
    td_aio_stream_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    if (uv_poll_init_socket(&loop->uv, &s->poll, fd) != 0) {
        free(s);
        return NULL;
    }
    s->poll.data = s;
    s->fd = fd;
    s->loop = loop;
    s->refs = 1; /* the handle's, until its close callback */
    s->read_timer = (struct slot_timer){ s, &s->reader, NULL, 0, TD__NEVER, false };
    s->write_timer = (struct slot_timer){ s, &s->writer, NULL, 0, TD__NEVER, false };
    return s;
}

void td__stream_unref(td_aio_stream_t *s)
{
    if (--s->refs > 0)
        return;
    td__stream_disarm(&s->read_timer); /* they point at the stream */
    td__stream_disarm(&s->write_timer);
    free(s->write_copy);
    free(s->buf);
    free(s);
}

static void on_handle_closed(uv_handle_t *handle)
{
    td_aio_stream_t *s = stream_of(handle);
    close(s->fd); /* the poll has let go of it */
    td__stream_unref(s);
}

/* Nothing waits to be sent any more: let go of the rest and its copy, if any. */
static void drop_rest(td_aio_stream_t *s)
{
    s->out = NULL;
    s->out_len = 0;
    free(s->write_copy);
    s->write_copy = NULL;
}

/* The write waiting for room is over (sent, failed or dropped): wake its writer. */
static void end_write(td_aio_stream_t *s, int status)
{
    s->write_status = status;
    drop_rest(s);
    td__stream_update_poll(s);
    td__stream_wake_slot(&s->writer, false);
}

/* Close the socket, once, when the poll lets go of it. A write or a connect still
 * waiting ends with -ECANCELED, as libuv ends a closed stream's writes. */
void td__stream_close_handle(td_aio_stream_t *s)
{
    if (s->closing)
        return;
    s->closing = true;
    s->reading = false;
    if (s->out || s->connecting) {
        s->connecting = false;
        end_write(s, -ECANCELED);
    }
    uv_close((uv_handle_t *)&s->poll, on_handle_closed);
}

/* ---- reading -------------------------------------------------------------------------- */

/* Wake the waiting reader; when nothing else is waiting to run, resume it right away,
 * inside libuv's I/O step: its echo goes out before the other sockets of the batch are
 * read, so a peer on another core works meanwhile (measured: 1.5x the round trips of
 * a wake-up at the next turn, 64 connections on loopback). */
static void wake_reader(td_aio_stream_t *s)
{
    td__stream_wake_slot(&s->reader, true);
}

static void stop_reading(td_aio_stream_t *s)
{
    s->reading = false;
    td__stream_update_poll(s);
}

static int start_reading(td_aio_stream_t *s)
{
    if (s->reading || s->eof || s->error || s->closing || s->len >= BUFFER_LIMIT)
        return 0;
    s->reading = true;
    int rc = td__stream_update_poll(s);
    if (rc != 0)
        s->reading = false;
    return rc;
}

/* Hand the waiting reader what the buffer holds (one whose buffer is on the shared
 * stack takes it itself once woken). */
static void feed_reader(td_aio_stream_t *s)
{
    if (!s->reader || s->len == 0)
        return;
    if (s->want) {
        size_t n = s->len < s->want_size ? s->len : s->want_size;
        memcpy(s->want, s->buf, n);
        memmove(s->buf, s->buf + n, s->len - n);
        s->len -= n;
        s->got = n;
    }
    wake_reader(s);
}

/* Reading failed, or the peer finished: no more reads; the reader learns it. */
static void read_ended(td_aio_stream_t *s, int error)
{
    if (error == 0)
        s->eof = true;
    else if (!s->error)
        s->error = error;
    stop_reading(s);
    wake_reader(s);
}

/* Room at the end of the stream's buffer for one read: false when out of memory. */
static bool make_room(td_aio_stream_t *s)
{
    if (s->cap - s->len >= READ_ROOM)
        return true;
    char *grown = realloc(s->buf, s->len + READ_ROOM);
    if (!grown)
        return false;
    s->buf = grown;
    s->cap = s->len + READ_ROOM;
    return true;
}

/* The socket is readable: one recv, as libuv reads once per readiness (the loop's
 * epoll is level-triggered, so what is left is reported again). */
static void on_readable(td_aio_stream_t *s)
{
    if (s->reader && s->want && s->len == 0) { /* straight where it is wanted */
        ssize_t n = sock_recv(s->fd, s->want, s->want_size);
        if (n > 0) {
            s->got = (size_t)n;
            wake_reader(s);
        } else if (n != -EAGAIN) {
            read_ended(s, (int)n);
        }
        return;
    }
    if (!make_room(s)) {
        read_ended(s, -ENOBUFS); /* as libuv says a failed allocation */
        return;
    }
    ssize_t n = sock_recv(s->fd, s->buf + s->len, s->cap - s->len);
    if (n <= 0) {
        if (n != -EAGAIN)
            read_ended(s, (int)n);
        return;
    }
    s->len += (size_t)n;
    feed_reader(s);
    if (s->len >= BUFFER_LIMIT)
        stop_reading(s); /* the peer waits until the program reads */
}

static size_t take_buffered(td_aio_stream_t *s, void *buf, size_t size)
{
    size_t n = s->len < size ? s->len : size;
    memcpy(buf, s->buf, n);
    memmove(s->buf, s->buf + n, s->len - n);
    s->len -= n;
    return n;
}

/* What a cancelled reader had been given goes back in front of the buffer. */
static void give_back(td_aio_stream_t *s, const char *data, size_t n)
{
    if (s->cap - s->len < n) {
        char *grown = realloc(s->buf, s->len + n);
        if (!grown) {
            s->error = -ENOMEM;
            return;
        }
        s->buf = grown;
        s->cap = s->len + n;
    }
    memmove(s->buf + n, s->buf, s->len);
    memcpy(s->buf, data, n);
    s->len += n;
}

ssize_t td_aio_stream_read(td_aio_stream_t *s, void *buf, size_t size, double timeout)
{
    if (!td__current_task())
        return -EPERM;
    if (!s || (!buf && size))
        return -EINVAL;
    int bad = td__stream_check_timeout(&timeout);
    if (bad != 0)
        return bad;
    if (s->reader)
        return -EBUSY; /* one reader at a time */
    if (size == 0)
        return 0;
    if (s->len > 0) {
        size_t n = take_buffered(s, buf, size);
        int rc = start_reading(s); /* it may have stopped at the limit */
        return rc == 0 ? (ssize_t)n : rc;
    }
    if (s->eof || s->error || s->closing)
        return s->error ? s->error : 0;
    int rc = start_reading(s);
    if (rc != 0)
        return rc;
    s->want = td__aio_on_shared_stack(s->loop, buf) ? NULL : buf; /* see the design */
    s->want_size = size;
    s->got = 0;
    rc = td__stream_await_slot(&s->read_timer, timeout);
    size_t got = s->got;
    s->got = 0;
    s->want = NULL;
    if (rc != 0) {
        if (got > 0)
            give_back(s, buf, got); /* no byte is lost to a cancelled read */
        return rc;
    }
    if (got == 0 && s->len > 0) { /* it came into the stream's buffer: take it now */
        got = take_buffered(s, buf, size);
        rc = start_reading(s);
        if (rc != 0)
            return rc;
    }
    return got > 0 ? (ssize_t)got : s->error ? s->error : 0;
}

/* ---- writing -------------------------------------------------------------------------- */

/* The socket has room: send what waits; the writer is woken when all went, or failed. */
static void on_writable(td_aio_stream_t *s)
{
    if (s->connecting) { /* a non-blocking connect has finished, one way or the other */
        s->connecting = false;
        s->write_status = td__stream_sock_error(s->fd);
        td__stream_update_poll(s);
        td__stream_wake_slot(&s->writer, false);
        return;
    }
    if (!s->out)
        return;
    ssize_t n = sock_send(s->fd, s->out, s->out_len);
    if (n == -EAGAIN)
        return;
    if (n < 0) {
        if (!s->error)
            s->error = (int)n;
        end_write(s, (int)n);
        return;
    }
    s->out += n;
    s->out_len -= (size_t)n;
    if (s->out_len == 0)
        end_write(s, 0);
}

/* The write cannot finish (cancelled, timed out): close the connection. Its unsent
 * rest goes with it: nothing else holds the caller's bytes. */
static void abandon_write(td_aio_stream_t *s, int why)
{
    if (!s->error)
        s->error = why;
    drop_rest(s);
    td__stream_close_handle(s);
}

/* Send what the kernel did not take as the socket has room, and wait for it to go:
 * 0 or an error. */
static int write_rest(td_aio_stream_t *s, const char *rest, size_t len, double timeout)
{
    if (td__aio_on_shared_stack(s->loop, rest)) { /* gone while this task waits */
        if (!(s->write_copy = malloc(len)))
            return -ENOMEM;
        memcpy(s->write_copy, rest, len);
        rest = s->write_copy;
    }
    s->out = rest;
    s->out_len = len;
    int rc = td__stream_update_poll(s);
    if (rc == 0)
        rc = td__stream_await_slot(&s->write_timer, timeout);
    if (rc != 0) {
        abandon_write(s, rc);
        return rc;
    }
    return s->write_status;
}

int td_aio_stream_write(td_aio_stream_t *s, const void *data, size_t len, double timeout)
{
    if (!td__current_task())
        return -EPERM;
    if (!s || (!data && len))
        return -EINVAL;
    int bad = td__stream_check_timeout(&timeout);
    if (bad != 0)
        return bad;
    if (s->writer || s->out)
        return -EBUSY; /* one writer at a time */
    if (len == 0)
        return 0;
    if (s->error || s->closing)
        return s->error ? s->error : -EPIPE;
    ssize_t n = sock_send(s->fd, data, len);
    if (n < 0 && n != -EAGAIN) {
        s->error = (int)n;
        return (int)n;
    }
    size_t sent = n > 0 ? (size_t)n : 0;
    if (sent == len)
        return 0;
    return write_rest(s, (const char *)data + sent, len - sent, timeout); /* drain() */
}

/* ---- the socket's events ---------------------------------------------------------------- */

/* What the peer sent before the error is the reader's still, as a read(2) loop would
 * give it before the error: read all the kernel holds into the stream's buffer. */
static void salvage(td_aio_stream_t *s)
{
    while (make_room(s)) {
        ssize_t n = sock_recv(s->fd, s->buf + s->len, s->cap - s->len);
        if (n <= 0)
            break;
        s->len += (size_t)n;
    }
}

/* libuv stops the poll itself on an error (saying UV_EBADF, whatever it was): the
 * socket's own error says what it was. */
static void on_poll_error(td_aio_stream_t *s, int status)
{
    s->events = 0;
    int error = td__stream_sock_error(s->fd);
    if (error == 0)
        error = status;
    if (s->connecting) {
        s->connecting = false;
        s->write_status = error;
        td__stream_wake_slot(&s->writer, false);
        return;
    }
    if (s->reading)
        salvage(s);
    if (!s->error)
        s->error = error;
    if (s->out)
        end_write(s, error);
    s->reading = false;
    if (s->len > 0)
        feed_reader(s);
    else
        wake_reader(s);
}

static void on_poll(uv_poll_t *handle, int status, int events)
{
    td_aio_stream_t *s = stream_of(handle);
    if (status < 0) {
        on_poll_error(s, status);
        return;
    }
    if (events & UV_WRITABLE)
        on_writable(s);
    if ((events & UV_READABLE) && s->reading && !s->closing)
        on_readable(s);
}
