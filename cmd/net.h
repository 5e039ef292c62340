/* SPDX-License-Identifier: MIT */
/* net.h - the socket plumbing tcp-echo and redis-gate need, kept out of the
 * scenarios so they read like the tutorial: listening and accepting, connecting
 * with a timeout, whole reads and writes that survive short writes and EINTR, a
 * fixed set of connection slots with a handler thread each, and Python's way of
 * printing addresses and undecodable bytes. Every wait also ends when the run's
 * stop comes (runner_stop_fd) or the stop pipe it is given is signalled. */
#ifndef THRDEMO_NET_H
#define THRDEMO_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <thrdemo/condition.h>
#include <thrdemo/lock.h>
#include <thrdemo/thread.h>

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
/* Connect to host:port within timeout seconds, trying each of its addresses in turn
 * (as Python's create_connection): a non-blocking socket or -errno (-ETIMEDOUT,
 * -ECONNREFUSED, -EADDRNOTAVAIL for a name that does not resolve, -ECANCELED). */
int net_connect(const char *host, int port, double timeout, const net_stop_t *stop);

/* Wait until fd is ready for events (POLLIN/POLLOUT), at most timeout seconds
 * (negative: no limit): 1 ready, 0 timed out, -ECANCELED when stopped, -errno. */
int net_wait(int fd, short events, double timeout, const net_stop_t *stop);
/* Send all len bytes (short writes, EINTR, a full buffer; never SIGPIPE): 0 or
 * -errno (-ECANCELED when stopped, -ETIMEDOUT when the peer reads nothing for
 * timeout seconds). */
int net_send_all(int fd, const void *buf, size_t len, double timeout, const net_stop_t *stop);

/* Accept a connection on listen_fd, waiting for one: the socket (non-blocking) with
 * the peer's address as Python prints it in peer; -ECANCELED when stopped; -EAGAIN
 * when nothing came after all. Out of descriptors, it says so on stderr and backs off
 * a tenth of a second, still stoppable. */
int net_accept(int listen_fd, char *peer, size_t size, const net_stop_t *stop);
/* Receive what has come, waiting at most timeout seconds (negative: no limit): the
 * byte count, 0 at the end of the stream, or -ETIMEDOUT, -ECANCELED, -errno. */
ssize_t net_recv(int fd, void *buf, size_t size, double timeout, const net_stop_t *stop);
/* Send msg and read its echo back into echo (len bytes each), both at once, so a
 * message larger than the socket buffers cannot deadlock: 0, or -ETIMEDOUT (no
 * progress for timeout seconds), -ECONNRESET (closed before the whole echo came),
 * -ECANCELED, -errno. */
int net_round_trip(int fd, const void *msg, size_t len, void *echo, double timeout,
                   const net_stop_t *stop);
/* Call fn(arg, line, len) for each line read from fd, newline included (the last one
 * may lack it), until the end, a stop, or fn returning non-zero (which it returns). */
int net_each_line(int fd, int (*fn)(void *arg, const unsigned char *line, size_t len),
                  void *arg);
/* td_print(prefix + data), data as Python's decode(errors='backslashreplace') shows
 * it, one final newline (or CRLF) left out so a netcat line prints as one line. */
void net_print_bytes(const char *prefix, const unsigned char *data, size_t len);

/* A fixed number of connection slots, each with the thread that handles it: a
 * server takes one per accepted connection and refuses connections when none is
 * free. */
typedef struct net_slot {
    void *owner;         /* the server, for its handler */
    td_thread_t *thread; /* the handler, until joined */
    bool active;         /* the handler runs: guarded by the slots' lock */
    int fd;
    char peer[96];
} net_slot_t;

typedef struct net_slots {
    td_lock_t lock;
    td_cond_t ended; /* over lock: notified when a connection ends */
    net_slot_t *slot;
    size_t n;
    unsigned long refused; /* connections closed at once, all slots busy */
} net_slots_t;

/* n free slots: 0 or -ENOMEM. */
int net_slots_init(net_slots_t *slots, size_t n);
/* Accept the next connection on listen_fd into a free slot (a finished handler in
 * it joined first), marked active, with its fd and peer: the slot, or NULL when
 * stopped. A connection that finds every slot busy is closed at once, with a line
 * on stderr, and counted in refused. */
net_slot_t *net_slots_accept(net_slots_t *slots, int listen_fd, const net_stop_t *stop);
/* Close the slot's connection and mark it free again: its handler calls this last. */
void net_slots_release(net_slots_t *slots, net_slot_t *slot);
/* Block until no slot is active. */
void net_slots_wait_idle(net_slots_t *slots);
/* Join every handler (they end on the stop) and free the slots. */
void net_slots_free(net_slots_t *slots);

/* Python's repr of a peer address: ('127.0.0.1', 54321) or ('::1', 54321, 0, 0). */
void net_format_peer(const struct sockaddr_storage *addr, char *buf, size_t size);
/* data as Python's data.decode(errors='backslashreplace') shows it: valid UTF-8
 * as is, every other byte as \xNN. Returns the number of bytes written to out
 * (out needs 4 * len + 1 bytes), NUL-terminated. */
size_t net_backslashreplace(const unsigned char *data, size_t len, char *out);

#endif
