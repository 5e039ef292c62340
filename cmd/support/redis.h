/* SPDX-License-Identifier: MIT */
/* redis.h - the Redis client redis-gate needs: a strictly parsed address, PING and
 * INCR, each on a connection of its own with a connect and reply timeout, and each
 * wait cut short by the run's stop (Ctrl-C). Built on hiredis; nothing of it shows
 * here, so a scenario needs no hiredis header. */
#ifndef THRDEMO_REDIS_H
#define THRDEMO_REDIS_H

#include <stddef.h>

typedef struct redis_server {
    char host[256];
    int port;
    char user[128], password[256]; /* from redis://user:password@...; "": none */
    int db;                        /* from redis://.../DB: SELECTed after connecting */
    char where[300];               /* "host:port" or "[v6]:port", for messages */
    double timeout;                /* connect and reply timeout, in real seconds */
    double timeout_shown;          /* the same as the user wrote it, for messages */
} redis_server_t;

/* Parse HOST:PORT, [IPV6]:PORT or redis://[[USER]:PASSWORD@]HOST[:PORT][/[DB]] (port
 * 6379 and database 0 by default there) into *server: 0, or -1 with *why saying what
 * is wrong. A port is 1 to 65535, a database number 0 to 999999999, digits only; an
 * IPv6 address needs its brackets. */
int redis_parse_address(const char *text, redis_server_t *server, const char **why);

/* Connect and PING: 0 on PONG; -1 with the reason in why (refused, no reply within
 * the timeout, an error reply such as LOADING, bytes that are no Redis reply, stopped
 * by Ctrl-C). Each connection sends AUTH and SELECT first when the address asks. */
int redis_ping(const redis_server_t *server, char *why, size_t size);
/* Connect and INCR key: 0 with the new value in *value, else -1 with why. */
int redis_incr(const redis_server_t *server, const char *key, long long *value, char *why,
               size_t size);

#endif
