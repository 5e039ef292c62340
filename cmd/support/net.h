/* SPDX-License-Identifier: MIT */
/* net.h - the socket plumbing tcp-echo and redis-gate need, kept out of the
 * scenarios so they read like the tutorial: listening and accepting, connecting
 * with a timeout, whole reads and writes that survive short writes and EINTR, a
 * fixed set of connection slots with a handler thread each, and Python's way of
 * printing addresses and undecodable bytes. Every wait also ends when the run's
 * stop comes (runner_stop_fd) or the stop pipe it is given is signalled. What both
 * echo servers (threaded and --async) share is here too: a connection's limits
 * (silence, an unfinished line), messages folded when they repeat fast, the words
 * for a dropped connection and a failing accept. */
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
 * (negative or TD_FOREVER: no limit): 1 ready, 0 timed out, -ECANCELED when stopped,
 * -errno. */
int net_wait(int fd, short events, double timeout, const net_stop_t *stop);
/* Send all len bytes (short writes, EINTR, a full buffer; never SIGPIPE): 0 or
 * -errno (-ECANCELED when stopped, -ETIMEDOUT when the peer reads nothing for
 * timeout seconds). */
int net_send_all(int fd, const void *buf, size_t len, double timeout, const net_stop_t *stop);

/* ---- messages that can repeat fast ------------------------------------------------- */

/* Lines on stderr that a fault can repeat many times a second (accept failing while
 * descriptors run out) are shown at most once a second each: the first at once, the
 * ones that come within the second after it folded into one later line that ends
 * "(repeated N times)", N being how many occurrences that line stands for. A server
 * calls net_repeats_flush() when net_repeats_due() says a folded line is due, and at
 * its end. Thread-safe; nothing here is process-wide (one per server). */
enum { NET_REPEATS = 8, NET_REPEAT_TEXT = 240 };
typedef struct net_repeats {
    td_lock_t lock;
    struct {
        char text[NET_REPEAT_TEXT]; /* "" for a free entry */
        double shown;               /* td_monotonic() when last printed */
        unsigned long folded;       /* occurrences since then, not printed */
    } entry[NET_REPEATS];           /* guarded by lock */
} net_repeats_t;

/* An empty set of repeating messages. */
void net_repeats_init(net_repeats_t *r);
/* Say "thrdemo: <message>" on stderr (as cli_error), or fold it into a later line
 * when the same text was shown less than a second ago. */
void net_say(net_repeats_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Seconds until a folded line is due (0: now), or -1 when none is pending. */
double net_repeats_due(net_repeats_t *r);
/* Print the folded lines that are due; all of them when all is true (at the end). */
void net_repeats_flush(net_repeats_t *r, bool all);

/* ---- what a connection may take: silence and unfinished lines ----------------------- */

/* The two limits a server puts on a connection: how long it may stay silent, and
 * how long a line may take from its first byte to its newline. The second stops a
 * client that sends a byte a second, each byte resetting the silence, from holding
 * a slot for ever. Times are td_monotonic() seconds; TD_FOREVER limits mean none. */
typedef struct net_limits {
    double idle;       /* seconds of silence allowed */
    double line;       /* seconds a started line may take to end */
    double line_began; /* when the unfinished line's first byte came; negative: none */
} net_limits_t;

/* Limits for a new connection (no line started). */
void net_limits_init(net_limits_t *l, double idle, double line);
/* A limit as the user gives it (seconds, nominal; 0: none) as net_limits takes it:
 * scaled by --scale, or TD_FOREVER for none. */
double net_limit(double given);
/* Account for n bytes received just now: a newline ends the open line; bytes after
 * the last newline start one (or continue the one already open). The clock is read
 * only when a line opens: an echo server's round trip should not pay for it. */
void net_limits_received(net_limits_t *l, const void *data, size_t n);
/* How long, from now, the next byte may take: the nearer of the two limits, in
 * seconds (negative: no limit). *which gets the limit that is nearer: -ETIMEDOUT
 * silence, -ETIME the open line (what a wait that runs out should report). The
 * clock is read only while a line is open. */
double net_limits_wait(const net_limits_t *l, int *which);

/* Accept a connection on listen_fd, waiting for one: the socket (non-blocking) with
 * the peer's address as Python prints it in peer; -ECANCELED when stopped; -EAGAIN
 * when nothing came after all. Out of descriptors (EMFILE, ENFILE) it closes the spare
 * descriptor *spare_fd (from net_spare_fd), accepts the connection and closes it at once (so
 * the client learns at once and the backlog cannot spin the loop: libuv's trick),
 * says so through repeats, and without a spare backs off a tenth of a second, still
 * stoppable. While folded messages wait, it wakes to print them when due. */
int net_accept(int listen_fd, char *peer, size_t size, const net_stop_t *stop, int *spare_fd,
               net_repeats_t *repeats);
/* A spare descriptor for net_accept (on /dev/null): the descriptor, or -1. */
int net_spare_fd(void);
/* Say through repeats why accept failed (err a positive errno): "cannot accept: Too
 * many open files; ulimit -n is N" for EMFILE. Both servers say it so. */
void net_say_accept_error(net_repeats_t *repeats, int err);
/* Say through repeats that a connection was closed at once, all max_clients slots
 * busy: "refusing connections: N clients connected (--max-clients)", folded as any
 * repeating line. Both servers say it so. */
void net_say_refused(net_repeats_t *repeats, size_t max_clients);
/* Receive what has come, waiting at most timeout seconds (negative: no limit): the
 * byte count, 0 at the end of the stream, or -ETIMEDOUT, -ECANCELED, -errno. */
ssize_t net_recv(int fd, void *buf, size_t size, double timeout, const net_stop_t *stop);
/* Receive within a connection's limits (accounting for what came): the byte count, 0
 * at the end of the stream, -ETIMEDOUT (silent too long), -ETIME (a line unfinished
 * too long), -ECANCELED, -errno. */
ssize_t net_recv_limited(int fd, void *buf, size_t size, net_limits_t *limits,
                         const net_stop_t *stop);
struct td_aio_stream;
/* await reader.read(n) on an asyncio stream within the connection's limits: as
 * net_recv_limited (-ETIMEDOUT silence, -ETIME a line unfinished too long). */
ssize_t net_aio_read_limited(struct td_aio_stream *stream, void *buf, size_t size,
                             net_limits_t *limits);
/* Let the process open a socket for each of clients connections: the soft limit of
 * open files raised as far as the hard one allows; said on stderr when that is short. */
void net_raise_open_files(size_t clients);
/* Say on stderr why a connection is dropped when a limit ended its receive (rc from
 * net_recv_limited: -ETIMEDOUT, -ETIME); nothing for any other rc. idle and line are
 * the limits as the user gave them (--idle-timeout, --line-timeout). */
void net_say_dropped(const char *peer, ssize_t rc, double idle, double line);
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

/* A fixed number of connection slots, each used by the thread that handles it: a
 * server takes one per accepted connection and refuses connections when none is
 * free. The handler threads are not kept (each is reaped as it ends): the slots
 * say when they are done, a handler releasing its slot last. */
typedef struct net_slot {
    void *owner;         /* the server, for its handler */
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
    int spare_fd;          /* kept open to accept-and-close when out of descriptors */
    net_repeats_t repeats; /* the server's messages that can repeat fast */
} net_slots_t;

/* n free slots: 0 or -ENOMEM. */
int net_slots_init(net_slots_t *slots, size_t n);
/* Accept the next connection on listen_fd into a free slot, marked active, with its fd and peer: the slot, or NULL when
 * stopped. A connection that finds every slot busy is closed at once, said on
 * stderr (net_say_refused: folded when they come fast), and counted in refused. */
net_slot_t *net_slots_accept(net_slots_t *slots, int listen_fd, const net_stop_t *stop);
/* Close the slot's connection and mark it free again: its handler calls this last. */
void net_slots_release(net_slots_t *slots, net_slot_t *slot);
/* Block until no slot is active. */
void net_slots_wait_idle(net_slots_t *slots);
/* Wait until every handler has released its slot (they end on the stop), print the
 * folded messages left and free the slots. */
void net_slots_free(net_slots_t *slots);

/* Python's repr of a peer address: ('127.0.0.1', 54321) or ('::1', 54321, 0, 0). */
void net_format_peer(const struct sockaddr_storage *addr, char *buf, size_t size);
/* data as Python's data.decode(errors='backslashreplace') shows it: valid UTF-8
 * as is, every other byte as \xNN. Returns the number of bytes written to out
 * (out needs 4 * len + 1 bytes), NUL-terminated. */
size_t net_backslashreplace(const unsigned char *data, size_t len, char *out);

#endif
