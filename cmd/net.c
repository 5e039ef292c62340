/* SPDX-License-Identifier: MIT */
/* net.c - sockets for tcp-echo and redis-gate. Every wait is a poll() on the socket,
 * on the given stop pipe and on the run's stop, so no blocking call here can outlive
 * a Ctrl-C or a shutdown. */
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <thrdemo/common.h>
#include <thrdemo/log.h>

#include "cli.h"
#include "runner.h"

int net_stop_init(net_stop_t *stop)
{
    int fds[2];
    stop->rd = stop->wr = -1;
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
        struct pollfd p[3] = { { .fd = fd, .events = events },
                               { .fd = stop ? stop->rd : -1, .events = POLLIN },
                               { .fd = runner_stop_fd(), .events = POLLIN } };
        double left = timeout < 0 ? -1 : end - td_monotonic();
        if (timeout >= 0 && left < 0)
            left = 0;
        int n = poll(p, 3, poll_ms(left));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (p[1].revents || p[2].revents)
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

/* Resolve host:port (passive: for bind) into *ai (free it after): 0 or -errno
 * (-EADDRNOTAVAIL when the name does not resolve). */
static int resolve(const char *host, int port, bool passive, struct addrinfo **ai)
{
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = passive ? AI_PASSIVE : 0 };
    int rc = getaddrinfo(host, service, &hints, ai);
    if (rc != 0)
        return rc == EAI_SYSTEM ? -errno : -EADDRNOTAVAIL;
    return 0;
}

static int open_socket(const struct addrinfo *ai)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    return fd < 0 ? -errno : fd;
}

int net_listen(const char *host, int port, int *bound_port)
{
    struct addrinfo *ai;
    int fd = resolve(host, port, true, &ai);
    if (fd < 0)
        return fd;
    fd = open_socket(ai);
    if (fd >= 0) {
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, SOMAXCONN) != 0) {
            int rc = -errno;
            close(fd);
            fd = rc;
        }
    }
    freeaddrinfo(ai);
    if (fd < 0)
        return fd;
    struct sockaddr_storage bound;
    socklen_t len = sizeof bound;
    getsockname(fd, (struct sockaddr *)&bound, &len);
    *bound_port = ntohs(bound.ss_family == AF_INET6
                            ? ((struct sockaddr_in6 *)&bound)->sin6_port
                            : ((struct sockaddr_in *)&bound)->sin_port);
    return fd;
}

/* Connect fd to one address within timeout seconds: 0 or -errno. */
static int connect_one(int fd, const struct addrinfo *ai, double timeout, const net_stop_t *stop)
{
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
        return 0;
    if (errno != EINPROGRESS)
        return -errno;
    int rc = net_wait(fd, POLLOUT, timeout, stop);
    if (rc != 1)
        return rc == 0 ? -ETIMEDOUT : rc;
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    return -err;
}

int net_connect(const char *host, int port, double timeout, const net_stop_t *stop)
{
    struct addrinfo *ai;
    int rc = resolve(host, port, false, &ai);
    if (rc < 0)
        return rc;
    rc = -EADDRNOTAVAIL;
    for (const struct addrinfo *a = ai; a && rc != -ECANCELED; a = a->ai_next) {
        int fd = open_socket(a);
        rc = fd < 0 ? fd : connect_one(fd, a, timeout, stop);
        if (rc == 0) {
            freeaddrinfo(ai);
            return fd;
        }
        if (fd >= 0)
            close(fd);
    }
    freeaddrinfo(ai);
    return rc;
}

int net_accept(int listen_fd, char *peer, size_t size, const net_stop_t *stop)
{
    int rc = net_wait(listen_fd, POLLIN, -1, stop);
    if (rc < 0)
        return rc;
    struct sockaddr_storage addr;
    socklen_t len = sizeof addr;
    int fd = accept4(listen_fd, (struct sockaddr *)&addr, &len, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd >= 0) {
        net_format_peer(&addr, peer, size);
        return fd;
    }
    if (errno == EMFILE || errno == ENFILE) {
        cli_error("cannot accept: %s", strerror(errno));
        if (net_wait(listen_fd, 0, 0.1, stop) < 0) /* back off, stay stoppable */
            return -ECANCELED;
    }
    return -EAGAIN; /* EAGAIN, ECONNABORTED, EINTR: nothing to do */
}

ssize_t net_recv(int fd, void *buf, size_t size, double timeout, const net_stop_t *stop)
{
    for (;;) {
        int rc = net_wait(fd, POLLIN, timeout, stop);
        if (rc <= 0)
            return rc == 0 ? -ETIMEDOUT : rc;
        ssize_t n = recv(fd, buf, size, 0);
        if (n >= 0)
            return n;
        if (errno != EINTR && errno != EAGAIN)
            return -errno;
    }
}

int net_round_trip(int fd, const void *msg, size_t len, void *echo, double timeout,
                   const net_stop_t *stop)
{
    size_t sent = 0, got = 0;
    while (got < len) {
        int rc = net_wait(fd, (short)(POLLIN | (sent < len ? POLLOUT : 0)), timeout, stop);
        if (rc <= 0)
            return rc == 0 ? -ETIMEDOUT : rc;
        if (sent < len) {
            ssize_t n = send(fd, (const char *)msg + sent, len - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n > 0)
                sent += (size_t)n;
            else if (n < 0 && errno != EAGAIN && errno != EINTR)
                return -errno;
        }
        ssize_t n = recv(fd, (char *)echo + got, len - got, MSG_DONTWAIT);
        if (n == 0)
            return -ECONNRESET;
        if (n > 0)
            got += (size_t)n;
        else if (errno != EAGAIN && errno != EINTR)
            return -errno;
    }
    return 0;
}

int net_each_line(int fd, int (*fn)(void *arg, const unsigned char *line, size_t len),
                  void *arg)
{
    size_t cap = 16384, len = 0;
    unsigned char *buf = malloc(cap);
    int rc = buf ? 0 : -ENOMEM;
    for (bool eof = false; rc == 0 && !eof;) {
        if (net_wait(fd, POLLIN, -1, NULL) < 0)
            break;
        if (len == cap) {
            unsigned char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                rc = -ENOMEM;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        eof = n <= 0;
        len += n > 0 ? (size_t)n : 0;
        size_t start = 0;
        for (size_t i = 0; i < len && rc == 0; i++) {
            if (buf[i] == '\n' || (eof && i == len - 1)) {
                rc = fn(arg, buf + start, i + 1 - start);
                start = i + 1;
            }
        }
        memmove(buf, buf + start, len - start);
        len -= start;
    }
    free(buf);
    return rc;
}

void net_print_bytes(const char *prefix, const unsigned char *data, size_t len)
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

/* ---- connection slots ----------------------------------------------------------------- */

int net_slots_init(net_slots_t *slots, size_t n)
{
    td_lock_init(&slots->lock);
    td_cond_init(&slots->ended, &slots->lock);
    slots->slot = calloc(n, sizeof *slots->slot);
    slots->n = slots->slot ? n : 0;
    slots->refused = 0;
    return slots->slot ? 0 : -ENOMEM;
}

/* A free slot marked active, its finished handler joined, or NULL. */
static net_slot_t *take(net_slots_t *slots)
{
    net_slot_t *found = NULL;
    td_lock_acquire(&slots->lock, true, TD_FOREVER);
    for (size_t i = 0; i < slots->n && !found; i++)
        if (!slots->slot[i].active)
            found = &slots->slot[i];
    if (found)
        found->active = true;
    td_lock_release(&slots->lock);
    if (found && found->thread) {
        td_thread_join(found->thread, TD_FOREVER); /* finished: returns at once */
        td_thread_free(found->thread);
        found->thread = NULL;
    }
    return found;
}

net_slot_t *net_slots_accept(net_slots_t *slots, int listen_fd, const net_stop_t *stop)
{
    for (;;) {
        char peer[96];
        int fd = net_accept(listen_fd, peer, sizeof peer, stop);
        if (fd == -ECANCELED)
            return NULL;
        net_slot_t *slot = fd < 0 ? NULL : take(slots);
        if (slot) {
            slot->fd = fd;
            snprintf(slot->peer, sizeof slot->peer, "%s", peer);
            return slot;
        }
        if (fd >= 0) {
            cli_error("refusing %s: %zu clients connected (--max-clients)", peer, slots->n);
            close(fd);
            slots->refused++;
        }
    }
}

void net_slots_release(net_slots_t *slots, net_slot_t *slot)
{
    close(slot->fd);
    td_lock_acquire(&slots->lock, true, TD_FOREVER);
    slot->active = false;
    td_cond_notify_all(&slots->ended);
    td_lock_release(&slots->lock);
}

void net_slots_wait_idle(net_slots_t *slots)
{
    td_lock_acquire(&slots->lock, true, TD_FOREVER);
    for (size_t i = 0; i < slots->n; i++)
        while (slots->slot[i].active)
            td_cond_wait(&slots->ended, TD_FOREVER);
    td_lock_release(&slots->lock);
}

void net_slots_free(net_slots_t *slots)
{
    for (size_t i = 0; i < slots->n; i++) {
        if (slots->slot[i].thread) {
            td_thread_join(slots->slot[i].thread, TD_FOREVER);
            td_thread_free(slots->slot[i].thread);
        }
    }
    free(slots->slot);
    slots->slot = NULL;
    slots->n = 0;
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
