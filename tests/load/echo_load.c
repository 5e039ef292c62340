/* SPDX-License-Identifier: MIT */
/* echo_load.c - a load generator for echo servers: N connections, each doing 64-byte
 * request/response round trips for T seconds; prints round trips per second and
 * the latency percentiles, and fails if any echo differs from its request.
 * Usage: echo_load HOST PORT CONNECTIONS SECONDS
 * Loopback or the project's own test hosts only: every loop ends at its deadline. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thrdemo/thrdemo.h>

enum { MESSAGE = 64 };

struct conn {
    const char *host, *port;
    double seconds;
    td_barrier_t *start;
    unsigned *latency_us; /* one per round trip */
    size_t n, cap;
    int error;            /* 0 or -errno; -EBADMSG for a wrong echo */
};

static int connect_to(const char *host, const char *port)
{
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
    if (getaddrinfo(host, port, &hints, &ai) != 0)
        return -EADDRNOTAVAIL;
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    if (fd < 0)
        return -errno;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* One request out and its echo back: 0 or -errno. */
static int round_trip(int fd, const char *req, char *resp)
{
    if (send(fd, req, MESSAGE, MSG_NOSIGNAL) != MESSAGE)
        return -EIO;
    size_t got = 0;
    while (got < MESSAGE) {
        ssize_t n = recv(fd, resp + got, MESSAGE - got, 0);
        if (n <= 0)
            return n == 0 ? -ECONNRESET : -errno;
        got += (size_t)n;
    }
    return memcmp(req, resp, MESSAGE) == 0 ? 0 : -EBADMSG;
}

static int record(struct conn *c, double seconds)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 4096;
        unsigned *more = realloc(c->latency_us, cap * sizeof *more);
        if (!more)
            return -ENOMEM;
        c->latency_us = more;
        c->cap = cap;
    }
    c->latency_us[c->n++] = (unsigned)(seconds * 1e6 + 0.5);
    return 0;
}

static void run_connection(void *arg)
{
    struct conn *c = arg;
    int fd = connect_to(c->host, c->port);
    td_barrier_wait(c->start, TD_FOREVER); /* everyone starts the clock together */
    if (fd < 0) {
        c->error = fd;
        return;
    }
    char req[MESSAGE], resp[MESSAGE];
    double end = td_monotonic() + c->seconds;
    for (unsigned i = 0; td_monotonic() < end; i++) {
        memset(req, 'a' + (int)(i % 26), sizeof req);
        double t0 = td_monotonic();
        c->error = round_trip(fd, req, resp);
        if (c->error == 0)
            c->error = record(c, td_monotonic() - t0);
        if (c->error != 0)
            break;
    }
    close(fd);
}

static int by_value(const void *a, const void *b)
{
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: echo_load HOST PORT CONNECTIONS SECONDS\n");
        return 2;
    }
    int n = atoi(argv[3]);
    double seconds = atof(argv[4]);
    if (n < 1 || n > 4096 || !(seconds > 0)) {
        fprintf(stderr, "echo_load: 1..4096 connections and a positive duration\n");
        return 2;
    }
    td_barrier_t start;
    td_barrier_init(&start, (size_t)n, NULL, NULL, TD_FOREVER);
    struct conn *conns = calloc((size_t)n, sizeof *conns);
    td_thread_t **threads = calloc((size_t)n, sizeof *threads);
    for (int i = 0; i < n; i++) {
        conns[i] = (struct conn){ .host = argv[1], .port = argv[2], .seconds = seconds,
                                  .start = &start };
        td_thread_new(&threads[i], &(td_thread_attr_t){ TD_TARGET(run_connection), .arg = &conns[i] });
        td_thread_start(threads[i]);
    }
    size_t total = 0;
    int failed = 0;
    for (int i = 0; i < n; i++) {
        td_thread_join(threads[i], TD_FOREVER);
        td_thread_free(threads[i]);
        total += conns[i].n;
        if (conns[i].error != 0 && failed++ == 0)
            fprintf(stderr, "echo_load: connection %d: %s\n", i, strerror(-conns[i].error));
    }
    unsigned *all = malloc((total ? total : 1) * sizeof *all);
    size_t k = 0;
    for (int i = 0; i < n; i++) {
        memcpy(all + k, conns[i].latency_us, conns[i].n * sizeof *all);
        k += conns[i].n;
        free(conns[i].latency_us);
    }
    qsort(all, total, sizeof *all, by_value);
    unsigned p50 = total ? all[total / 2] : 0, p99 = total ? all[total * 99 / 100] : 0;
    printf("connections=%d seconds=%g round_trips=%zu rtps=%.0f p50_us=%u p99_us=%u errors=%d\n",
           n, seconds, total, (double)total / seconds, p50, p99, failed);
    free(all);
    free(conns);
    free(threads);
    return failed ? 1 : 0;
}
