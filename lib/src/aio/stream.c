/* SPDX-License-Identifier: MIT */
/* stream.c - asyncio's TCP streams (aio_stream.h) on the loop's libuv: reading,
 * writing, a client's connection.
 *
 * DESIGN. A stream is a uv_tcp_t and two waiting slots, one reader and one writer,
 * each the task parked there (task.c's td__task_park: no future is made per wait).
 * Reading stays on once started (stopping and restarting it would cost an
 * epoll_ctl per read): libuv asks alloc_cb for room, and gets the waiting reader's
 * own buffer (the bytes land where they are wanted), or, with nobody waiting, room
 * in the stream's buffer, which past BUFFER_LIMIT stops reading until it is drained
 * (backpressure). A write goes straight to the socket with send(2) (try_send); only
 * what the kernel does not take is queued with uv_write, and the writer waits for
 * its callback: drain(). Neither wait can leave libuv holding the caller's buffer: a
 * cancelled read moves what arrived into the stream's buffer, and a cancelled or
 * timed-out write closes the connection and waits for libuv to let go of the buffer
 * before returning.
 *
 * The pointer rule (task.h): a caller's buffer on the loop's shared stack is not
 * there while its task waits. Such a reader is not given to libuv (`want` stays
 * NULL): the bytes go to the stream's buffer and the reader copies them out once it
 * runs again; such a writer's unsent rest is copied to the heap (`write_copy`, freed
 * when libuv is done with it) before uv_write. Buffers elsewhere (heap, static, a
 * task with a stack of its own) are used in place, as before. A server (server.c)
 * makes its connections here and serves each from a task of its own; addresses and
 * names are stream_addr.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "stream.h"

enum { BUFFER_LIMIT = 64 * 1024, READ_ROOM = 16 * 1024 };

static td_aio_stream_t *stream_of(const void *handle)
{
    return ((const uv_handle_t *)handle)->data;
}

/* Set the future a task waits on in *slot, and empty the slot. */
void td__stream_wake(td_aio_future_t **slot)
{
    if (*slot && !td_aio_future_done(*slot))
        td_aio_future_set_result(*slot, NULL);
    *slot = NULL;
}

/* Empty the slot and resume the task parked in it, if any: at the loop's next turn,
 * or at once when `now` and nothing else waits to run. */
static void wake_slot(struct aio_task **slot, bool now)
{
    struct aio_task *t = *slot;
    *slot = NULL;
    td__task_unpark(t, now);
}

/* ---- waiting with a deadline ---------------------------------------------------------- */

static void arm(struct slot_timer *st, td__ns_t at);

static void slot_timer_fired(void *arg)
{
    struct slot_timer *st = arg;
    td_loop_handle_free(st->timer);
    st->timer = NULL;
    if (st->deadline == TD__NEVER)
        return; /* nobody waits any more */
    if (td__now() < st->deadline) {
        arm(st, st->deadline); /* later waits moved it back */
    } else if (*st->slot) { /* not woken by the event itself first */
        st->expired = true;
        wake_slot(st->slot, false);
    }
}

static void arm(struct slot_timer *st, td__ns_t at)
{
    if (st->timer) {
        td_loop_handle_cancel(st->timer);
        td_loop_handle_free(st->timer);
        st->timer = NULL;
    }
    if (td__loop_call_at_ns(st->stream->loop, at, slot_timer_fired, st, &st->timer) == 0)
        st->armed_at = at;
}

static void disarm(struct slot_timer *st)
{
    td_loop_handle_cancel(st->timer);
    td_loop_handle_free(st->timer);
    st->timer = NULL;
}

/* A stream's timeout stands for asyncio.wait_for(..., timeout) around the call: a
 * negative one is 0, it times out unless done at once. 0, -EINVAL (NaN) or
 * -EOVERFLOW. */
static int check_timeout(double *timeout)
{
    return td__check_timeout(timeout, TD__TIMEOUT_JOIN);
}

/* Park the running task in *st->slot, which the stream's callbacks wake, for at most
 * timeout seconds: 0, -ETIMEDOUT or -ECANCELED. The slot is empty afterwards. */
static int await_slot(struct slot_timer *st, double timeout)
{
    struct aio_task *me = td__current_task();
    *st->slot = me;
    st->expired = false;
    st->deadline = timeout == TD_FOREVER ? TD__NEVER : td__deadline_in(timeout).at;
    if (st->deadline != TD__NEVER && (!st->timer || st->armed_at > st->deadline))
        arm(st, st->deadline);
    int rc = td__task_park();
    st->deadline = TD__NEVER;
    if (*st->slot == me) /* cancelled: nobody woke it */
        *st->slot = NULL;
    return rc != 0 ? rc : st->expired ? -ETIMEDOUT : 0;
}

/* ---- life: references, closing ------------------------------------------------------ */

td_aio_stream_t *td__stream_new(td_loop_t *loop)
{
    td_aio_stream_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    if (uv_tcp_init(&loop->uv, &s->tcp) != 0) {
        free(s);
        return NULL;
    }
    s->tcp.data = s;
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
    disarm(&s->read_timer); /* they point at the stream */
    disarm(&s->write_timer);
    free(s->write_copy);
    free(s->buf);
    free(s);
}

static void on_handle_closed(uv_handle_t *handle)
{
    td__stream_unref(stream_of(handle));
}

static void stop_reading(td_aio_stream_t *s)
{
    if (s->reading)
        uv_read_stop((uv_stream_t *)&s->tcp);
    s->reading = false;
}

/* Close the socket; libuv calls back (pending writes first, with UV_ECANCELED). */
void td__stream_close_handle(td_aio_stream_t *s)
{
    if (s->closing)
        return;
    s->closing = true;
    stop_reading(s);
    uv_close((uv_handle_t *)&s->tcp, on_handle_closed);
}

/* ---- reading -------------------------------------------------------------------------- */

/* Wake the waiting reader; when nothing else is waiting to run, resume it right away,
 * inside libuv's I/O step: its echo goes out before the other sockets of the batch are
 * read, so a peer on another core works meanwhile (measured: 1.5x the round trips of
 * a wake-up at the next turn, 64 connections on loopback). */
static void wake_reader(td_aio_stream_t *s)
{
    wake_slot(&s->reader, true);
}

/* Hand the waiting reader what the buffer holds (one whose buffer is on the shared
 * stack takes it itself once woken). */
static void feed_reader(td_aio_stream_t *s)
{
    if (!s->reader || s->len == 0)
        return;
    if (!s->want) {
        wake_reader(s);
        return;
    }
    size_t n = s->len < s->want_size ? s->len : s->want_size;
    memcpy(s->want, s->buf, n);
    memmove(s->buf, s->buf + n, s->len - n);
    s->len -= n;
    s->got = n;
    wake_reader(s);
}

static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *out)
{
    (void)suggested;
    td_aio_stream_t *s = stream_of(handle);
    if (s->reader && s->want && s->len == 0) { /* straight where it is wanted */
        *out = uv_buf_init(s->want, (unsigned)s->want_size);
        return;
    }
    if (s->cap - s->len < READ_ROOM) {
        char *grown = realloc(s->buf, s->len + READ_ROOM);
        if (!grown) {
            *out = uv_buf_init(NULL, 0); /* libuv reports UV_ENOBUFS */
            return;
        }
        s->buf = grown;
        s->cap = s->len + READ_ROOM;
    }
    *out = uv_buf_init(s->buf + s->len, (unsigned)(s->cap - s->len));
}

static void on_read(uv_stream_t *handle, ssize_t n, const uv_buf_t *b)
{
    td_aio_stream_t *s = stream_of(handle);
    if (n == 0)
        return; /* EAGAIN */
    if (n < 0) {
        if (n == UV_EOF)
            s->eof = true;
        else if (!s->error)
            s->error = (int)n;
        stop_reading(s);
        wake_reader(s);
        return;
    }
    if (s->reader && s->want && b->base == s->want) {
        s->got = (size_t)n;
        wake_reader(s);
        return;
    }
    s->len += (size_t)n;
    feed_reader(s);
    if (s->len >= BUFFER_LIMIT)
        stop_reading(s); /* the peer waits until the program reads */
}

static int start_reading(td_aio_stream_t *s)
{
    if (s->reading || s->eof || s->error || s->closing || s->len >= BUFFER_LIMIT)
        return 0;
    int rc = uv_read_start((uv_stream_t *)&s->tcp, on_alloc, on_read);
    s->reading = rc == 0;
    return rc;
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
    int bad = check_timeout(&timeout);
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
    rc = await_slot(&s->read_timer, timeout);
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

static void on_written(uv_write_t *req, int status)
{
    td_aio_stream_t *s = stream_of(req->handle);
    s->write_pending = false;
    free(s->write_copy); /* libuv is done with it */
    s->write_copy = NULL;
    s->write_status = status;
    if (status != 0 && !s->error)
        s->error = status;
    wake_slot(&s->writer, false);
}

/* The write cannot finish (cancelled, timed out): close the connection and wait until
 * libuv lets go of the caller's bytes. */
static void abandon_write(td_aio_stream_t *s, int why)
{
    if (!s->error)
        s->error = why;
    td__stream_close_handle(s);
    while (s->write_pending && !s->loop->closing)
        await_slot(&s->write_timer, TD_FOREVER);
}

/* What uv_try_write does, as send(2): nothing of this stream is queued in libuv
 * (one writer at a time, and it waits for its queued rest), so the bytes may go
 * straight to the socket. send with MSG_NOSIGNAL rather than libuv's write(2): a
 * socket's own call is the shorter path through the kernel (no file position to
 * lock), and a peer gone away is an EPIPE here, never a SIGPIPE. The number of bytes
 * the kernel took, or a libuv error (UV_EAGAIN when it took none). */
static int try_send(td_aio_stream_t *s, uv_buf_t b)
{
    uv_os_fd_t fd;
    if (uv_fileno((const uv_handle_t *)&s->tcp, &fd) != 0)
        return uv_try_write((uv_stream_t *)&s->tcp, &b, 1);
    ssize_t n;
    do
        n = send(fd, b.base, b.len, MSG_DONTWAIT | MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n >= 0)
        return (int)n;
    return errno == EAGAIN || errno == EWOULDBLOCK ? UV_EAGAIN : -errno;
}

/* Queue what the kernel did not take, and wait for it to go: 0 or an error. */
static int write_rest(td_aio_stream_t *s, uv_buf_t b, double timeout)
{
    if (td__aio_on_shared_stack(s->loop, b.base)) { /* gone while this task waits */
        if (!(s->write_copy = malloc(b.len)))
            return -ENOMEM;
        memcpy(s->write_copy, b.base, b.len);
        b.base = s->write_copy;
    }
    int rc = uv_write(&s->write_req, (uv_stream_t *)&s->tcp, &b, 1, on_written);
    if (rc != 0) {
        free(s->write_copy);
        s->write_copy = NULL;
        s->error = rc;
        return rc;
    }
    s->write_pending = true;
    rc = await_slot(&s->write_timer, timeout);
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
    int bad = check_timeout(&timeout);
    if (bad != 0)
        return bad;
    if (s->writer || s->write_pending)
        return -EBUSY; /* one writer at a time */
    const char *p = data;
    while (len > 0) {
        if (s->error || s->closing)
            return s->error ? s->error : -EPIPE;
        uv_buf_t b = uv_buf_init((char *)p, len > (1u << 30) ? 1u << 30 : (unsigned)len);
        int n = try_send(s, b);
        if (n < 0 && n != UV_EAGAIN) {
            s->error = n;
            return n;
        }
        size_t sent = n > 0 ? (size_t)n : 0;
        if (sent < b.len) { /* the kernel's buffer is full: drain() */
            int rc = write_rest(s, uv_buf_init(b.base + sent, b.len - (unsigned)sent), timeout);
            if (rc != 0)
                return rc;
        }
        p += b.len;
        len -= b.len;
    }
    return 0;
}

/* ---- a client's connection ------------------------------------------------------------ */

static void on_connected(uv_connect_t *req, int status)
{
    td_aio_stream_t *s = stream_of(req->handle);
    s->write_status = status;
    wake_slot(&s->writer, false);
}

int td_aio_open_connection(td_aio_stream_t **out, const char *host, int port, double timeout)
{
    struct aio_task *t = td__current_task();
    if (!t)
        return -EPERM;
    struct sockaddr_storage addr;
    if (!out || !host || td__stream_parse_address(host, port, &addr) != 0)
        return -EINVAL;
    int bad = check_timeout(&timeout);
    if (bad != 0)
        return bad;
    td_aio_stream_t *s = td__stream_new(t->base.loop);
    if (!s)
        return -ENOMEM;
    s->refs++; /* the caller's, from here on */
    int rc = uv_tcp_connect(&s->connect_req, &s->tcp, (const struct sockaddr *)&addr,
                            on_connected);
    if (rc == 0)
        rc = await_slot(&s->write_timer, timeout);
    if (rc == 0)
        rc = s->write_status;
    if (rc != 0) { /* closing calls on_connected (UV_ECANCELED) before freeing */
        td__stream_close_handle(s);
        td__stream_unref(s);
        return rc;
    }
    uv_tcp_nodelay(&s->tcp, 1);
    *out = s;
    return 0;
}

void td_aio_stream_close(td_aio_stream_t *s)
{
    if (!s)
        return;
    if (s->server)
        td__misuse("td_aio_stream_close of a server's stream (it closes itself)");
    td__stream_close_handle(s);
    td__stream_unref(s);
}
