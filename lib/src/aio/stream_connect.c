/* SPDX-License-Identifier: MIT */
/* stream_connect.c - asyncio.open_connection (aio_stream.h): a client's stream, its
 * socket connected without blocking the loop (connect, then writable says done), and
 * closing a stream.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include "stream.h"

void td__stream_nodelay(td_aio_stream_t *s)
{
    int one = 1;
    setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* ---- a client's connection ------------------------------------------------------------ */

/* Start connecting a new stream's socket: 0 when connected already, -EINPROGRESS
 * when the socket will say (writable), or -errno. */
static int start_connect(td_aio_stream_t *s, const struct sockaddr_storage *addr)
{
    socklen_t len = addr->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                : sizeof(struct sockaddr_in);
    int saved = errno; /* the library never changes errno */
    int error = connect(s->fd, (const struct sockaddr *)addr, len) == 0 ? 0 : errno;
    errno = saved;
    if (error == 0)
        return 0;
    if (error != EINPROGRESS && error != EINTR) /* EINTR: it goes on in the background */
        return -error;
    s->connecting = true;
    int rc = td__stream_update_poll(s);
    return rc != 0 ? rc : -EINPROGRESS;
}

int td_aio_open_connection(td_aio_stream_t **out, const char *host, int port, double timeout)
{
    struct aio_task *t = td__current_task();
    if (!t)
        return -EPERM;
    struct sockaddr_storage addr;
    if (!out || !host || td__stream_parse_address(host, port, &addr) != 0)
        return -EINVAL;
    int bad = td__stream_check_timeout(&timeout);
    if (bad != 0)
        return bad;
    int saved = errno;
    int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int error = errno;
    errno = saved;
    if (fd < 0)
        return -error;
    td_aio_stream_t *s = td__stream_new(t->base.loop, fd);
    if (!s) {
        close(fd);
        return -ENOMEM;
    }
    s->refs++; /* the caller's, from here on */
    int rc = start_connect(s, &addr);
    if (rc == -EINPROGRESS) {
        rc = td__stream_await_slot(&s->write_timer, timeout);
        if (rc == 0)
            rc = s->write_status;
    }
    if (rc != 0) {
        td__stream_close_handle(s);
        td__stream_unref(s);
        return rc;
    }
    td__stream_nodelay(s);
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
