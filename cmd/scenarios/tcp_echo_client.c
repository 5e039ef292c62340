/* SPDX-License-Identifier: MIT */
/* tcp_echo_client.c - seed 001 "파이썬의 Tcp 통신", the client: `tcp-echo client`, and
 * the client half of `tcp-echo demo`.
 *
 * socket.create_connection, then for each MESSAGE (or each line of stdin, like
 * netcat) sendall and recv, printing "Client received: text". The echo is read
 * while the message is still being sent, so a message larger than the socket
 * buffers cannot deadlock; a server that does not answer within --reply-timeout is
 * exit 1, one that is not there too.
 *
 * Trace: "Client received: hi", "Client received: there".
 * Things to try: `tcp-echo client hi there` against `tcp-echo server`; `printf
 * 'a\nb\n' | thrdemo tcp-echo client`; `tcp-echo client -- -n` sends "-n".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support/net.h"
#include "tcp_echo.h"

struct client {
    const char *host;
    int port, fd;
    double reply_timeout;
};

/* c.sendall(m); print(c.recv(...)): 0, or EXIT_RUNTIME after saying why. */
static int echo_message(void *arg, const unsigned char *msg, size_t len)
{
    struct client *c = arg;
    unsigned char *echo = malloc(len ? len : 1);
    int rc = echo ? net_round_trip(c->fd, msg, len, echo, c->reply_timeout, NULL) : -ENOMEM;
    if (rc == 0)
        net_print_bytes("Client received: ", echo, len);
    free(echo);
    if (rc == -ETIMEDOUT)
        cli_error("no echo from %s:%d within %g s (--reply-timeout)", c->host, c->port,
                  c->reply_timeout);
    else if (rc == -ECONNRESET)
        cli_error("%s:%d closed the connection before the whole echo came back", c->host, c->port);
    else if (rc != 0 && rc != -ECANCELED)
        cli_error("talking to %s:%d: %s", c->host, c->port, strerror(-rc));
    return rc == 0 || rc == -ECANCELED ? 0 : EXIT_RUNTIME;
}

int tcp_echo_client(const cli_args_t *args, const char *host, int port,
                    const char *const *messages, size_t n)
{
    double connect_timeout = runner_seconds(cli_number(args, TCP_ECHO_CONNECT_TIMEOUT));
    struct client c = { host, port, -1, runner_seconds(cli_number(args, TCP_ECHO_REPLY_TIMEOUT)) };
    c.fd = net_connect(host, port, connect_timeout, NULL);
    if (c.fd < 0 && c.fd != -ECANCELED)
        cli_error("cannot connect to %s:%d: %s", host, port,
                  c.fd == -EADDRNOTAVAIL ? "no such address" : strerror(-c.fd));
    if (c.fd < 0)
        return c.fd == -ECANCELED ? EXIT_OK : EXIT_RUNTIME;
    int rc = EXIT_OK;
    for (size_t i = 0; i < n && rc == EXIT_OK; i++)
        rc = echo_message(&c, (const unsigned char *)messages[i], strlen(messages[i]));
    if (n == 0)
        rc = net_each_line(0, echo_message, &c) == 0 ? rc : EXIT_RUNTIME;
    close(c.fd);
    return rc;
}

int run_tcp_echo_client(const cli_args_t *args)
{
    return tcp_echo_client(args, cli_text(args, TCP_ECHO_HOST),
                           (int)cli_int(args, TCP_ECHO_PORT),
                           args->positional, args->n_positional);
}
