/* SPDX-License-Identifier: MIT */
/* net.h - the socket plumbing tcp-echo needs, kept out of the scenario so it reads
 * like the tutorial: listening, connecting with a timeout, whole writes that
 * survive short writes and EINTR, waits that a stop pipe can interrupt, and
 * Python's way of printing addresses and undecodable bytes. */
#ifndef THRDEMO_NET_H
#define THRDEMO_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* A pipe whose read end becomes readable, for good, when the stop is signalled. */
typedef struct net_stop {
    int rd, wr;
} net_stop_t;

/* Make the stop pipe: 0 or -errno. */
int net_stop_init(net_stop_t *stop);
/* Signal the stop (async-signal-safe, idempotent). */
void net_stop_signal(net_stop_t *stop);
/* Whether the stop was signalled. */
bool net_stopped(const net_stop_t *stop);
/* Close both ends. */
void net_stop_close(net_stop_t *stop);

/* Listen on host:port (port 0: the kernel picks) with SO_REUSEADDR: the socket, or
 * -errno. The chosen port is stored in *bound_port. */
int net_listen(const char *host, int port, int *bound_port);
/* Connect to host:port within timeout seconds: the socket or -errno
 * (-ETIMEDOUT, -ECONNREFUSED, -ECANCELED when stopped, ...). */
int net_connect(const char *host, int port, double timeout, const net_stop_t *stop);

/* Wait until fd is ready for events (POLLIN/POLLOUT), at most timeout seconds
 * (negative: no limit): 1 ready, 0 timed out, -ECANCELED when stopped, -errno. */
int net_wait(int fd, short events, double timeout, const net_stop_t *stop);
/* Send all len bytes (short writes, EINTR, a full buffer; never SIGPIPE): 0 or
 * -errno (-ECANCELED when stopped, -ETIMEDOUT when the peer reads nothing for
 * timeout seconds). */
int net_send_all(int fd, const void *buf, size_t len, double timeout, const net_stop_t *stop);

/* Python's repr of a peer address: ('127.0.0.1', 54321) or ('::1', 54321, 0, 0). */
void net_format_peer(const struct sockaddr_storage *addr, char *buf, size_t size);
/* data as Python's data.decode(errors='backslashreplace') shows it: valid UTF-8
 * as is, every other byte as \xNN. Returns the number of bytes written to out
 * (out needs 4 * len + 1 bytes), NUL-terminated. */
size_t net_backslashreplace(const unsigned char *data, size_t len, char *out);

#endif
