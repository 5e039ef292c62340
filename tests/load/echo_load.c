/* SPDX-License-Identifier: MIT */
/* echo_load.c - a load generator for echo servers, on one thread with epoll, so that
 * on a small machine it takes one core and leaves the rest to the server: N active
 * connections, each doing 64-byte request/response round trips for T seconds (the
 * next request as soon as the echo is back), and optionally IDLE more connections,
 * opened first (each echoing one message, so the server has really taken it) and
 * then held silent while the active ones run: the C10k case. Prints round trips per
 * second and the latency percentiles, and fails if any echo differs from its
 * request. The soft open-files limit is raised to the hard one.
 * Usage: echo_load HOST PORT CONNECTIONS SECONDS [IDLE]
 * Loopback or the project's own test hosts only: it stops at its deadline. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { MESSAGE = 64, MAX_ACTIVE = 4096, MAX_IDLE = 100000 };

struct conn {
    int fd;
    unsigned sent_no;   /* which request is out */
    size_t got;         /* bytes of its echo back so far */
    char req[MESSAGE], resp[MESSAGE];
    double t0;          /* when it went out */
};

static struct {
    unsigned *us; /* one latency per round trip */
    size_t n, cap;
} lat;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int record(double seconds)
{
    if (lat.n == lat.cap) {
        size_t cap = lat.cap ? lat.cap * 2 : 1 << 16;
        unsigned *more = realloc(lat.us, cap * sizeof *more);
        if (!more)
            return -ENOMEM;
        lat.us = more;
        lat.cap = cap;
    }
    lat.us[lat.n++] = (unsigned)(seconds * 1e6 + 0.5);
    return 0;
}

static int connect_to(const struct addrinfo *ai)
{
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        fd = -1;
    }
    if (fd < 0)
        return -errno;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* Send one request on a connection: 0 or -errno. */
static int send_request(struct conn *c)
{
    memset(c->req, 'a' + (int)(c->sent_no++ % 26), sizeof c->req);
    c->got = 0;
    c->t0 = now();
    return send(c->fd, c->req, MESSAGE, MSG_NOSIGNAL) == MESSAGE ? 0 : -EIO;
}

/* An idle connection: opened, one message echoed, then left alone. */
static int open_idle(const struct addrinfo *ai)
{
    int fd = connect_to(ai);
    char back[2];
    if (fd >= 0 && (send(fd, "hi", 2, MSG_NOSIGNAL) != 2 || recv(fd, back, 2, MSG_WAITALL) != 2)) {
        close(fd);
        return -EIO;
    }
    return fd;
}

/* The echo of c's request has (partly) come: 0, or -errno. */
static int on_readable(struct conn *c, double end)
{
    ssize_t n = recv(c->fd, c->resp + c->got, MESSAGE - c->got, 0);
    if (n <= 0)
        return n == 0 ? -ECONNRESET : errno == EAGAIN ? 0 : -errno;
    c->got += (size_t)n;
    if (c->got < MESSAGE)
        return 0;
    if (memcmp(c->req, c->resp, MESSAGE) != 0)
        return -EBADMSG;
    int rc = record(now() - c->t0);
    return rc == 0 && now() < end ? send_request(c) : rc;
}

static int run(struct conn *conns, int n, double seconds)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    for (int i = 0; i < n; i++) {
        struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &conns[i] };
        epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev);
    }
    double end = now() + seconds;
    for (int i = 0; i < n; i++)
        if (send_request(&conns[i]) != 0)
            return -EIO;
    struct epoll_event events[256];
    for (double left; (left = end - now()) > 0;) {
        int k = epoll_wait(ep, events, 256, (int)(left * 1000) + 1);
        for (int i = 0; i < k; i++) {
            int rc = on_readable(events[i].data.ptr, end);
            if (rc != 0)
                return rc;
        }
    }
    close(ep);
    return 0;
}

static int by_value(const void *a, const void *b)
{
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc != 5 && argc != 6) {
        fprintf(stderr, "usage: echo_load HOST PORT CONNECTIONS SECONDS [IDLE]\n");
        return 2;
    }
    int n = atoi(argv[3]), idle = argc == 6 ? atoi(argv[5]) : 0;
    double seconds = atof(argv[4]);
    if (n < 1 || n > MAX_ACTIVE || idle < 0 || idle > MAX_IDLE || !(seconds > 0)) {
        fprintf(stderr, "echo_load: 1..4096 connections, 0..100000 idle, a positive duration\n");
        return 2;
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
    if (getaddrinfo(argv[1], argv[2], &hints, &ai) != 0) {
        fprintf(stderr, "echo_load: no address for %s:%s\n", argv[1], argv[2]);
        return 1;
    }
    int *idle_fds = calloc((size_t)idle + 1, sizeof *idle_fds);
    struct conn *conns = calloc((size_t)n, sizeof *conns);
    int rc = 0, opened = 0;
    for (; opened < idle && rc == 0; opened++)
        rc = (idle_fds[opened] = open_idle(ai)) < 0 ? idle_fds[opened] : 0;
    for (int i = 0; i < n && rc == 0; i++)
        rc = (conns[i].fd = connect_to(ai)) < 0 ? conns[i].fd : 0;
    freeaddrinfo(ai);
    if (rc == 0)
        rc = run(conns, n, seconds);
    if (rc != 0)
        fprintf(stderr, "echo_load: %s (%d idle connections opened)\n", strerror(-rc), opened);
    qsort(lat.us, lat.n, sizeof *lat.us, by_value);
    unsigned p50 = lat.n ? lat.us[lat.n / 2] : 0, p99 = lat.n ? lat.us[lat.n * 99 / 100] : 0;
    printf("connections=%d idle=%d seconds=%g round_trips=%zu rtps=%.0f p50_us=%u p99_us=%u "
           "errors=%d\n", n, idle, seconds, lat.n, (double)lat.n / seconds, p50, p99, rc != 0);
    return rc != 0;
}
