/* SPDX-License-Identifier: MIT */
/* net.c - sockets for tcp-echo and redis-gate. Every wait is a poll() on the socket,
 * on the given stop pipe and on the run's stop, so no blocking call here can outlive
 * a Ctrl-C or a shutdown. What a server keeps beside its sockets (limits, folded
 * messages, slots) is in net_server.c. */
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <thrdemo/aio_stream.h>
#include <thrdemo/common.h>
#include <thrdemo/log.h>

#include "cli/cli.h"
#include "run/runner.h"

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

/* Milliseconds for poll() from seconds left (negative or TD_FOREVER: -1, no limit). */
static int poll_ms(double seconds)
{
    if (seconds < 0 || seconds == TD_FOREVER)
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

/* A name lookup on a thread of its own, so that the one who waits for it can leave
 * when the stop comes (getaddrinfo itself cannot be interrupted, and a DNS server
 * that does not answer holds it for seconds). Whoever of the two is last frees it. */
struct lookup {
    atomic_int refs;
    char host[256], service[16];
    struct addrinfo hints, *ai;
    int rc;
    atomic_bool finished; /* rc and ai written (release); read after it (acquire) */
    int done[2];          /* a pipe, readable once finished: what the waiter polls */
};

static void lookup_release(struct lookup *l)
{
    if (atomic_fetch_sub(&l->refs, 1) != 1)
        return;
    if (l->ai)
        freeaddrinfo(l->ai);
    close(l->done[0]);
    close(l->done[1]);
    free(l);
}

/* A plain pthread, not a library thread: plumbing, as the runner's signal thread. */
static void *lookup_thread(void *arg)
{
    struct lookup *l = arg;
    l->rc = getaddrinfo(l->host, l->service, &l->hints, &l->ai);
    l->rc = l->rc == EAI_SYSTEM ? -errno : l->rc != 0 ? -EADDRNOTAVAIL : 0;
    atomic_store_explicit(&l->finished, true, memory_order_release);
    ssize_t n = write(l->done[1], "x", 1);
    (void)n;
    lookup_release(l);
    return NULL;
}

/* getaddrinfo of a name, waited for stoppably: 0 with *ai, -ECANCELED, -errno. */
static int lookup_name(const char *host, const char *service, const struct addrinfo *hints,
                       struct addrinfo **ai, const net_stop_t *stop)
{
    struct lookup *l = calloc(1, sizeof *l);
    if (!l || pipe2(l->done, O_CLOEXEC) != 0) {
        free(l);
        return -ENOMEM;
    }
    snprintf(l->host, sizeof l->host, "%s", host);
    snprintf(l->service, sizeof l->service, "%s", service);
    l->hints = *hints;
    atomic_init(&l->refs, 2);
    pthread_t tid;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&tid, &attr, lookup_thread, l) != 0)
        lookup_thread(l); /* no thread to spare: look it up here */
    pthread_attr_destroy(&attr);
    int rc = net_wait(l->done[0], POLLIN, -1, stop);
    if (rc == 1)
        rc = atomic_load_explicit(&l->finished, memory_order_acquire) ? l->rc : -EIO;
    if (rc == 0) {
        *ai = l->ai;
        l->ai = NULL;
    }
    lookup_release(l);
    return rc;
}

/* Resolve host:port (passive: for bind) into *ai (free it after): 0 or -errno
 * (-EADDRNOTAVAIL when the name does not resolve, -ECANCELED when stopped). A
 * numeric address needs no lookup. */
static int resolve(const char *host, int port, bool passive, struct addrinfo **ai,
                   const net_stop_t *stop)
{
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = (passive ? AI_PASSIVE : 0) | AI_NUMERICHOST };
    int rc = getaddrinfo(host, service, &hints, ai);
    if (rc == EAI_NONAME) {
        hints.ai_flags &= ~AI_NUMERICHOST;
        return lookup_name(host, service, &hints, ai, stop);
    }
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
    int fd = resolve(host, port, true, &ai, NULL);
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
    int rc = resolve(host, port, false, &ai, stop);
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

void net_say_accept_error(net_repeats_t *repeats, int err)
{
    struct rlimit limit;
    if (err == EMFILE && getrlimit(RLIMIT_NOFILE, &limit) == 0)
        net_say(repeats, "cannot accept: %s; ulimit -n is %llu", strerror(err),
                (unsigned long long)limit.rlim_cur);
    else
        net_say(repeats, "cannot accept: %s", strerror(err));
}

void net_say_refused(net_repeats_t *repeats, size_t max_clients)
{
    /* No peer in it: a flood of refusals must fold into one line, as accept errors do. */
    net_say(repeats, "refusing connections: %zu clients connected (--max-clients)", max_clients);
}

int net_spare_fd(void)
{
    return open("/dev/null", O_RDONLY | O_CLOEXEC);
}

/* Out of descriptors: say so, and use the spare one to accept the connection that
 * waits and close it, so that its client learns at once and the backlog empties. 0
 * when one was closed so, -1 when there was no spare to do it with. */
static int refuse_for_lack_of_fds(int listen_fd, int err, int *spare_fd, net_repeats_t *r)
{
    net_say_accept_error(r, err);
    if (*spare_fd < 0 && (*spare_fd = net_spare_fd()) < 0)
        return -1;
    close(*spare_fd);
    int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd >= 0)
        close(fd);
    *spare_fd = net_spare_fd(); /* -1 if a thread took the descriptor meanwhile */
    return fd >= 0 ? 0 : -1;
}

int net_accept(int listen_fd, char *peer, size_t size, const net_stop_t *stop, int *spare_fd,
               net_repeats_t *repeats)
{
    int rc;
    /* Wake when a folded message is due, so it shows even if no client comes. */
    while ((rc = net_wait(listen_fd, POLLIN, net_repeats_due(repeats), stop)) == 0)
        net_repeats_flush(repeats, false);
    if (rc < 0)
        return rc;
    struct sockaddr_storage addr;
    socklen_t len = sizeof addr;
    int fd = accept4(listen_fd, (struct sockaddr *)&addr, &len, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd >= 0) {
        net_format_peer(&addr, peer, size);
        return fd;
    }
    if (errno != EMFILE && errno != ENFILE)
        return -EAGAIN; /* EAGAIN, ECONNABORTED, EINTR: nothing to do */
    if (refuse_for_lack_of_fds(listen_fd, errno, spare_fd, repeats) == 0)
        return -EMFILE;
    if (net_wait(listen_fd, 0, 0.1, stop) < 0) /* no spare: back off, stay stoppable */
        return -ECANCELED;
    return -EAGAIN;
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

ssize_t net_recv_limited(int fd, void *buf, size_t size, net_limits_t *limits,
                         const net_stop_t *stop)
{
    int which;
    ssize_t n = net_recv(fd, buf, size, net_limits_wait(limits, &which), stop);
    if (n > 0)
        net_limits_received(limits, buf, (size_t)n);
    return n == -ETIMEDOUT ? which : n;
}

void net_say_dropped(const char *peer, ssize_t rc, double idle, double line)
{
    if (rc == -ETIMEDOUT)
        cli_error("dropping %s: idle for %g s (--idle-timeout)", peer, idle);
    else if (rc == -ETIME)
        cli_error("dropping %s: a line unfinished after %g s (--line-timeout)", peer, line);
}

ssize_t net_aio_read_limited(td_aio_stream_t *stream, void *buf, size_t size,
                             net_limits_t *limits)
{
    int which;
    double timeout = net_limits_wait(limits, &which);
    ssize_t n = td_aio_stream_read(stream, buf, size, timeout);
    if (n > 0)
        net_limits_received(limits, buf, (size_t)n);
    return n == -ETIMEDOUT ? which : n;
}

void net_raise_open_files(size_t clients)
{
    struct rlimit rl;
    rlim_t want = (rlim_t)clients + 32; /* the listener, the loop's own, stdio */
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
        return;
    rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want ? rl.rlim_max : want;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur < want)
        cli_error("the open-files limit (%llu, hard limit %llu) holds about %llu connections, "
                  "fewer than --max-clients %zu: raise the hard limit (ulimit -Hn)",
                  (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max,
                  (unsigned long long)(rl.rlim_cur > 32 ? rl.rlim_cur - 32 : 0), clients);
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
