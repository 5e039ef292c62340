/* SPDX-License-Identifier: MIT */
/* net.c - sockets for tcp-echo. Every wait is a poll() on the socket and on the
 * stop pipe, so no blocking call here can outlive a Ctrl-C or a shutdown. */
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <thrdemo/common.h>

int net_stop_init(net_stop_t *stop)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0)
        return -errno;
    stop->rd = fds[0];
    stop->wr = fds[1];
    return 0;
}

void net_stop_signal(net_stop_t *stop)
{
    /* One byte that nobody reads: the read end stays readable from now on. */
    ssize_t n = write(stop->wr, "x", 1);
    (void)n; /* a full pipe already holds a byte: still stopped */
}

bool net_stopped(const net_stop_t *stop)
{
    struct pollfd p = { .fd = stop->rd, .events = POLLIN };
    return poll(&p, 1, 0) > 0;
}

void net_stop_close(net_stop_t *stop)
{
    close(stop->rd);
    close(stop->wr);
}

/* Milliseconds for poll() from seconds left (negative: -1, no limit). */
static int poll_ms(double seconds)
{
    if (seconds < 0)
        return -1;
    double ms = seconds * 1000.0 + 0.999;
    return ms > 2e9 ? 2000000000 : (int)ms;
}

int net_wait(int fd, short events, double timeout, const net_stop_t *stop)
{
    double end = td_monotonic() + timeout;
    for (;;) {
        struct pollfd p[2] = { { .fd = fd, .events = events },
                               { .fd = stop ? stop->rd : -1, .events = POLLIN } };
        double left = timeout < 0 ? -1 : end - td_monotonic();
        if (timeout >= 0 && left < 0)
            left = 0;
        int n = poll(p, 2, poll_ms(left));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (p[1].revents)
            return -ECANCELED;
        if (n == 0)
            return 0;
        return 1; /* ready, or an error/hang-up the next call will report */
    }
}

int net_send_all(int fd, const void *buf, size_t len, double timeout, const net_stop_t *stop)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            return -errno;
        int rc = net_wait(fd, POLLOUT, timeout, stop);
        if (rc == 0)
            return -ETIMEDOUT;
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* A non-blocking socket for host:port and its resolved address (free *ai after):
 * the socket, or -errno (-EADDRNOTAVAIL when the name does not resolve). */
static int open_socket(const char *host, int port, bool passive, struct addrinfo **ai)
{
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = passive ? AI_PASSIVE : 0 };
    int rc = getaddrinfo(host, service, &hints, ai);
    if (rc != 0)
        return rc == EAI_SYSTEM ? -errno : -EADDRNOTAVAIL;
    int fd = socket((*ai)->ai_family, (*ai)->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                    (*ai)->ai_protocol);
    if (fd < 0) {
        rc = -errno;
        freeaddrinfo(*ai);
    }
    return fd < 0 ? rc : fd;
}

int net_listen(const char *host, int port, int *bound_port)
{
    struct addrinfo *ai;
    int fd = open_socket(host, port, true, &ai);
    if (fd < 0)
        return fd;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, SOMAXCONN) != 0) {
        int rc = -errno;
        close(fd);
        freeaddrinfo(ai);
        return rc;
    }
    freeaddrinfo(ai);
    struct sockaddr_storage bound;
    socklen_t len = sizeof bound;
    getsockname(fd, (struct sockaddr *)&bound, &len);
    *bound_port = ntohs(bound.ss_family == AF_INET6
                            ? ((struct sockaddr_in6 *)&bound)->sin6_port
                            : ((struct sockaddr_in *)&bound)->sin_port);
    return fd;
}

int net_connect(const char *host, int port, double timeout, const net_stop_t *stop)
{
    struct addrinfo *ai;
    int fd = open_socket(host, port, false, &ai);
    if (fd < 0)
        return fd;
    int rc;
    rc = connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ? 0 : -errno;
    freeaddrinfo(ai);
    if (rc == -EINPROGRESS) {
        rc = net_wait(fd, POLLOUT, timeout, stop);
        if (rc == 0) {
            rc = -ETIMEDOUT;
        } else if (rc == 1) {
            int err = 0;
            socklen_t len = sizeof err;
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
            rc = -err;
        }
    }
    if (rc != 0) {
        close(fd);
        return rc;
    }
    return fd;
}

void net_format_peer(const struct sockaddr_storage *addr, char *buf, size_t size)
{
    char host[INET6_ADDRSTRLEN];
    if (addr->ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)addr;
        inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
        snprintf(buf, size, "('%s', %u, %u, %u)", host, ntohs(a->sin6_port),
                 ntohl(a->sin6_flowinfo), a->sin6_scope_id);
    } else {
        const struct sockaddr_in *a = (const struct sockaddr_in *)addr;
        inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
        snprintf(buf, size, "('%s', %u)", host, ntohs(a->sin_port));
    }
}

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0 if invalid there. */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
    if (s[0] < 0x80)
        return 1;
    size_t len;
    uint32_t cp;
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        len = 2;
        cp = s[0] & 0x1f;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        len = 3;
        cp = s[0] & 0x0f;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        len = 4;
        cp = s[0] & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    bool overlong = (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    bool surrogate = cp >= 0xd800 && cp <= 0xdfff;
    return overlong || surrogate || cp > 0x10ffff ? 0 : len;
}

size_t net_backslashreplace(const unsigned char *data, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_sequence(data + i, len - i);
        if (n == 0) {
            o += (size_t)sprintf(out + o, "\\x%02x", data[i]);
            i++;
        } else {
            memcpy(out + o, data + i, n);
            o += n;
            i += n;
        }
    }
    out[o] = '\0';
    return o;
}
