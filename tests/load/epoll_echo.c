/* SPDX-License-Identifier: MIT */
/* epoll_echo.c - the limit scripts/bench-echo.sh measures the echo servers against: a
 * plain C echo server on one thread, with epoll, nonblocking sockets and nothing else
 * (no library, no coroutines, no log line). Level-triggered: a readable connection is
 * read once, and what it sent goes straight back; what the kernel does not take is
 * kept and sent when the socket is writable again (EPOLLOUT), and the connection is
 * not read meanwhile. The soft open-files limit is raised to the hard one.
 * Usage: epoll_echo PORT   (127.0.0.1; prints "listening on PORT" once it is)
 * It runs until killed. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

enum { CHUNK = 16384, EVENTS = 256 };

struct conn {
    int fd;
    char *pending; /* what the kernel did not take yet */
    size_t len;
};

static int epfd;

static void watch(struct conn *c, int op, unsigned events)
{
    struct epoll_event ev = { .events = events, .data.ptr = c };
    epoll_ctl(epfd, op, c->fd, &ev);
}

static void drop(struct conn *c)
{
    close(c->fd); /* also leaves the epoll set */
    free(c->pending);
    free(c);
}

/* Send len bytes from data: how many went (the kernel's buffer may be full), or -1
 * when the peer is gone. */
static ssize_t send_some(int fd, const char *data, size_t len)
{
    size_t sent = 0;
    while (sent < len) {
        ssize_t n = send(fd, data + sent, len - sent, MSG_NOSIGNAL);
        if (n < 0)
            return errno == EAGAIN ? (ssize_t)sent : -1;
        sent += (size_t)n;
    }
    return (ssize_t)sent;
}

/* Send what is pending: 0 (all of it, or the rest kept), -1 (the peer is gone). */
static int flush(struct conn *c)
{
    ssize_t sent = send_some(c->fd, c->pending, c->len);
    if (sent < 0)
        return -1;
    memmove(c->pending, c->pending + sent, c->len - (size_t)sent);
    c->len -= (size_t)sent;
    return 0;
}

/* Read once and send it straight back; keep what the kernel does not take. */
static void on_readable(struct conn *c, char *buf)
{
    ssize_t n = recv(c->fd, buf, CHUNK, 0);
    if (n <= 0) {
        if (n == 0 || errno != EAGAIN)
            drop(c);
        return;
    }
    ssize_t sent = send_some(c->fd, buf, (size_t)n);
    if (sent < 0) {
        drop(c);
        return;
    }
    if (sent == n)
        return;
    c->len = (size_t)(n - sent);
    c->pending = malloc(c->len);
    if (!c->pending) {
        drop(c);
        return;
    }
    memcpy(c->pending, buf + sent, c->len);
    watch(c, EPOLL_CTL_MOD, EPOLLOUT); /* stop reading until it is sent */
}

static void on_writable(struct conn *c)
{
    if (flush(c) != 0) {
        drop(c);
    } else if (c->len == 0) {
        free(c->pending);
        c->pending = NULL;
        watch(c, EPOLL_CTL_MOD, EPOLLIN);
    }
}

static void accept_all(int listener)
{
    for (;;) {
        int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return; /* EAGAIN, or EMFILE: the next turn tries again */
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct conn *c = calloc(1, sizeof *c);
        if (!c) {
            close(fd);
            continue;
        }
        c->fd = fd;
        watch(c, EPOLL_CTL_ADD, EPOLLIN);
    }
}

static int listen_on(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        listen(fd, SOMAXCONN) != 0) {
        perror("epoll_echo");
        exit(1);
    }
    return fd;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: epoll_echo PORT\n");
        return 2;
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    int listener = listen_on(atoi(argv[1]));
    epfd = epoll_create1(EPOLL_CLOEXEC);
    struct conn lc = { .fd = listener };
    watch(&lc, EPOLL_CTL_ADD, EPOLLIN);
    printf("listening on %s\n", argv[1]);
    fflush(stdout);
    static char buf[CHUNK];
    struct epoll_event events[EVENTS];
    for (;;) {
        int n = epoll_wait(epfd, events, EVENTS, -1);
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            if (c == &lc)
                accept_all(listener);
            else if (events[i].events & EPOLLOUT)
                on_writable(c);
            else
                on_readable(c, buf);
        }
    }
}
