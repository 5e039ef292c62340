/* SPDX-License-Identifier: MIT */
/* stream_addr.c - a stream's addresses (aio_stream.h, stream.h): parsing a host and
 * port, naming an address, the peer of a connection. No waiting, no loop: libuv's
 * address helpers, so that IPv4 and IPv6 read and print as asyncio's do.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "stream.h"

int td__stream_parse_address(const char *host, int port, struct sockaddr_storage *addr)
{
    if (port < 0 || port > 65535)
        return -EINVAL;
    if (uv_ip4_addr(host, port, (struct sockaddr_in *)addr) == 0)
        return 0;
    return uv_ip6_addr(host, port, (struct sockaddr_in6 *)addr) == 0 ? 0 : -EINVAL;
}

int td__stream_name_of(const struct sockaddr_storage *addr, char *host, size_t size, int *port)
{
    if (addr->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)addr;
        *port = ntohs(in->sin_port);
        return uv_ip4_name(in, host, size);
    }
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)addr;
    *port = ntohs(in6->sin6_port);
    return uv_ip6_name(in6, host, size);
}

int td_aio_stream_peer_addr(const td_aio_stream_t *s, struct sockaddr_storage *addr)
{
    socklen_t len = sizeof *addr;
    memset(addr, 0, sizeof *addr);
    return getpeername(s->fd, (struct sockaddr *)addr, &len) == 0 ? 0 : -errno;
}

int td_aio_stream_peer(const td_aio_stream_t *s, char *host, size_t size, int *port)
{
    struct sockaddr_storage addr;
    int rc = td_aio_stream_peer_addr(s, &addr);
    return rc != 0 ? rc : td__stream_name_of(&addr, host, size, port);
}
