/* SPDX-License-Identifier: MIT */
/* tcp_echo.h - what the files of the tcp-echo scenario share (tcp_echo.c,
 * tcp_echo_client.c and tcp_echo_async.c): the variants told outside tcp_echo.c, for
 * its table, and the enumerators of its options. */
#ifndef THRDEMO_SCENARIOS_TCP_ECHO_H
#define THRDEMO_SCENARIOS_TCP_ECHO_H

#include "scenarios.h"

/* The options of tcp-echo, one enumerator per row of its table in tcp_echo.c, by which
 * the stories read them: a name mistyped does not compile. */
enum {
    TCP_ECHO_HOST,
    TCP_ECHO_PORT,
    TCP_ECHO_MAX_CLIENTS,
    TCP_ECHO_IDLE_TIMEOUT,
    TCP_ECHO_LINE_TIMEOUT,
    TCP_ECHO_CONNECT_TIMEOUT,
    TCP_ECHO_REPLY_TIMEOUT,
    TCP_ECHO_ASYNC,
};

/* tcp-echo client (tcp_echo_client.c): connect, send, print the echoes. */
int run_tcp_echo_client(const cli_args_t *args);
/* tcp-echo server --async (tcp_echo_async.c): asyncio.start_server on one thread. */
int run_tcp_echo_async(const cli_args_t *args);
/* The client of tcp-echo: connect to host:port, echo each message (n == 0: each line
 * of stdin), print the echoes: EXIT_OK or EXIT_RUNTIME (said on stderr). */
int tcp_echo_client(const cli_args_t *args, const char *host, int port,
                    const char *const *messages, size_t n);

#endif
