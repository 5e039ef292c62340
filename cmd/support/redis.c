/* SPDX-License-Identifier: MIT */
/* redis.c - PING and INCR over hiredis, each on a fresh connection.
 *
 * The socket is ours (net_connect: a timeout, every address of the name tried, the
 * stop honoured); hiredis only writes the command and parses the reply. Every wait
 * is a net_wait() on the socket and on the run's stop, so no call here can outlive
 * its timeout or a Ctrl-C.
 */
#include "redis.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "net.h"

/* ---- the address ---------------------------------------------------------------------- */

/* "1".."65535", digits only: the port, or -1. */
static int parse_port(const char *text, size_t len)
{
    if (len == 0 || len > 5 || strspn(text, "0123456789") < len)
        return -1;
    int port = atoi(text);
    return port >= 1 && port <= 65535 ? port : -1;
}

/* Copy len bytes of text into out (size bytes) decoding %XX escapes, as redis-cli
 * and redis-py do for a URL's user and password: 0, or -1 (a bad escape, too long). */
static int percent_decode(const char *text, size_t len, char *out, size_t size)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++, o++) {
        if (o + 1 >= size)
            return -1;
        out[o] = text[i];
        if (text[i] != '%')
            continue;
        if (i + 2 >= len || !isxdigit((unsigned char)text[i + 1]) ||
            !isxdigit((unsigned char)text[i + 2]))
            return -1;
        char hex[3] = { text[i + 1], text[i + 2], '\0' };
        out[o] = (char)strtol(hex, NULL, 16);
        i += 2;
    }
    out[o] = '\0';
    return 0;
}

/* redis://[[USER]:PASSWORD@]...: copy the credentials (the user info ends at the
 * last '@', since no host holds one), return what follows the '@'. */
static const char *credentials(const char *p, redis_server_t *s, const char **why)
{
    const char *at = strrchr(p, '@');
    if (!at)
        return p;
    const char *colon = memchr(p, ':', (size_t)(at - p));
    size_t user_len = colon ? (size_t)(colon - p) : 0;
    const char *pw = colon ? colon + 1 : p;
    size_t pw_len = (size_t)(at - pw);
    if (pw_len == 0) {
        *why = "an empty password";
        return NULL;
    }
    if (percent_decode(p, user_len, s->user, sizeof s->user) != 0 ||
        percent_decode(pw, pw_len, s->password, sizeof s->password) != 0) {
        *why = "a user name or password too long or with a bad %XX escape";
        return NULL;
    }
    return at + 1;
}

/* A URL's path: "/" (database 0) or "/DB", DB 0 to 999999999, digits only, into
 * s->db: 0, or -1. */
static int parse_database(const char *path, redis_server_t *s)
{
    size_t len = strlen(path + 1);
    if (path[0] != '/' || len > 9 || strspn(path + 1, "0123456789") < len)
        return -1;
    s->db = len ? atoi(path + 1) : 0;
    return 0;
}

/* Whether a host name, or an IPv6 address with an optional %zone (bracketed), holds
 * only what one may. */
static bool valid_host(const char *host, size_t len, bool bracketed)
{
    bool zone = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)host[i];
        bool name_char = isalnum(c) || c == '-' || c == '.' || c == '_';
        if (bracketed && !zone && c == '%' && i > 0 && i + 1 < len)
            zone = true;
        else if (bracketed && !zone ? !(isxdigit(c) || c == ':' || c == '.') : !name_char)
            return false;
    }
    return true;
}

int redis_parse_address(const char *text, redis_server_t *s, const char **why)
{
    memset(s, 0, sizeof *s);
    const char *p = text, *host = text, *rest;
    bool url = strncmp(p, "redis://", 8) == 0;
    if (!url && strstr(p, "://")) {
        *why = "unknown scheme (only redis:// is understood)";
        return -1;
    }
    if (url && !(p = host = credentials(p + 8, s, why)))
        return -1;
    size_t host_len;
    if (*p == '[') { /* [::1]:6379 */
        const char *close = strchr(p, ']');
        host = p + 1;
        host_len = close ? (size_t)(close - host) : 0;
        rest = close ? close + 1 : "";
        if (!close || (*rest && *rest != ':' && *rest != '/')) {
            *why = "an IPv6 address is written [ADDR]:PORT";
            return -1;
        }
    } else {
        host_len = strcspn(p, ":/");
        rest = p + host_len;
        if (*rest == ':' && strchr(rest + 1, ':')) {
            *why = "an IPv6 address is written [ADDR]:PORT";
            return -1;
        }
    }
    if (host_len == 0 || host_len >= sizeof s->host) {
        *why = host_len == 0 ? "no host (HOST:PORT)" : "the host name is too long";
        return -1;
    }
    if (!valid_host(host, host_len, *p == '[')) {
        *why = *p == '[' ? "not an IPv6 address between the brackets"
                         : "a host name holds only letters, digits, '-', '.' and '_'";
        return -1;
    }
    snprintf(s->host, sizeof s->host, "%.*s", (int)host_len, host);
    size_t port_len = *rest == ':' ? strcspn(rest + 1, "/") : 0;
    s->port = *rest == ':' ? parse_port(rest + 1, port_len) : url ? 6379 : 0;
    const char *tail = *rest == ':' ? rest + 1 + port_len : rest;
    if (s->port == 0 || s->port < 0) {
        *why = s->port == 0 ? "no port (HOST:PORT)" : "the port must be a number from 1 to 65535";
        return -1;
    }
    if (*tail && !(url && parse_database(tail, s) == 0)) {
        *why = url ? "after the host and port only /DB, a database number"
                   : "unexpected text after the port";
        return -1;
    }
    snprintf(s->where, sizeof s->where, strchr(s->host, ':') ? "[%s]:%d" : "%s:%d", s->host,
             s->port);
    return 0;
}

/* ---- talking to the server ------------------------------------------------------------ */
#ifdef THRDEMO_HAVE_HIREDIS
#include <hiredis/hiredis.h>

/* Send one command (format as redisCommand) and read its reply on c: the reply, or
 * NULL with why. */
static redisReply *exchange(redisContext *c, const redis_server_t *s, char *why, size_t size,
                            const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = redisvAppendCommand(c, fmt, ap);
    va_end(ap);
    for (int done = 0; rc == REDIS_OK && !done;) {
        int ready = net_wait(c->fd, POLLOUT, s->timeout, NULL);
        rc = ready == 1 ? redisBufferWrite(c, &done) : REDIS_ERR;
        if (ready == 0)
            snprintf(why, size, "cannot send within %g s", s->timeout_shown);
        else if (ready < 0)
            snprintf(why, size, "stopped");
        else if (rc != REDIS_OK)
            snprintf(why, size, "%s", c->errstr);
    }
    void *reply = NULL;
    while (rc == REDIS_OK) {
        if (redisGetReplyFromReader(c, &reply) != REDIS_OK) { /* an HTTP server, say */
            snprintf(why, size, "no Redis reply (%s)", c->errstr);
            return NULL;
        }
        if (reply)
            break;
        int ready = net_wait(c->fd, POLLIN, s->timeout, NULL);
        rc = ready == 1 ? redisBufferRead(c) : REDIS_ERR;
        if (ready == 0)
            snprintf(why, size, "no reply within %g s (reply timeout)", s->timeout_shown);
        else if (ready < 0)
            snprintf(why, size, "stopped");
        else if (rc != REDIS_OK)
            snprintf(why, size, "%s", c->err == REDIS_ERR_EOF ? "the server closed the connection"
                                                              : c->errstr);
    }
    return reply;
}

/* The reply r (may be NULL: why is said) to a command that answers +OK, such as AUTH
 * or SELECT: true if so, else false with why naming the command. Frees r. */
static bool status_reply(redisReply *r, const char *command, char *why, size_t size)
{
    bool ok = r && r->type == REDIS_REPLY_STATUS;
    if (r && !ok)
        snprintf(why, size, "%s: the server answered: %s", command, r->str ? r->str : "?");
    if (r)
        freeReplyObject(r);
    return ok;
}

/* A connection (AUTH done when the address holds a password, SELECT when it names a
 * database), or NULL with why. */
static redisContext *open_connection(const redis_server_t *s, char *why, size_t size)
{
    /* hiredis writes with write(): to a server that has gone, that must give EPIPE,
     * not kill the process, and SIGPIPE goes to the writing thread. */
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, NULL);
    int fd = net_connect(s->host, s->port, s->timeout, NULL);
    if (fd < 0) {
        snprintf(why, size, "%s", fd == -ETIMEDOUT ? "no connection within the timeout"
                                  : fd == -ECANCELED ? "stopped"
                                  : fd == -EADDRNOTAVAIL ? "no such host" : strerror(-fd));
        return NULL;
    }
    redisContext *c = redisConnectFd(fd);
    if (!c || c->err) {
        snprintf(why, size, "out of memory");
        if (c)
            redisFree(c);
        else
            close(fd);
        return NULL;
    }
    c->flags &= ~REDIS_BLOCK; /* our socket is non-blocking: net_wait says when to go */
    bool ok = true;
    if (*s->password)
        ok = status_reply(*s->user ? exchange(c, s, why, size, "AUTH %s %s", s->user, s->password)
                                   : exchange(c, s, why, size, "AUTH %s", s->password),
                          "AUTH", why, size);
    if (ok && s->db > 0) { /* 0 is where every connection starts */
        char command[32];
        snprintf(command, sizeof command, "SELECT %d", s->db);
        ok = status_reply(exchange(c, s, why, size, "SELECT %d", s->db), command, why, size);
    }
    if (!ok)
        redisFree(c);
    return ok ? c : NULL;
}

int redis_ping(const redis_server_t *s, char *why, size_t size)
{
    redisContext *c = open_connection(s, why, size);
    if (!c)
        return -1;
    redisReply *reply = exchange(c, s, why, size, "PING");
    int rc = -1;
    if (reply && reply->type == REDIS_REPLY_STATUS && strcmp(reply->str, "PONG") == 0)
        rc = 0;
    else if (reply && reply->type == REDIS_REPLY_ERROR)
        snprintf(why, size, "the server answered: %s", reply->str);
    else if (reply)
        snprintf(why, size, "an unexpected reply to PING");
    if (reply)
        freeReplyObject(reply);
    redisFree(c);
    return rc;
}

int redis_incr(const redis_server_t *s, const char *key, long long *value, char *why,
               size_t size)
{
    redisContext *c = open_connection(s, why, size);
    if (!c)
        return -1;
    redisReply *reply = exchange(c, s, why, size, "INCR %s", key);
    int rc = -1;
    if (reply && reply->type == REDIS_REPLY_INTEGER) {
        *value = reply->integer;
        rc = 0;
    } else if (reply) {
        snprintf(why, size, "%s", reply->str ? reply->str : "an unexpected reply");
    }
    if (reply)
        freeReplyObject(reply);
    redisFree(c);
    return rc;
}

#else
/* Built without hiredis: redis-gate's table check refuses --redis (redis_support.h)
 * before anything runs, so these are never reached; they say why all the same. */
static int no_client(char *why, size_t size)
{
    snprintf(why, size, "this build has no Redis client (built without hiredis)");
    return -1;
}

int redis_ping(const redis_server_t *s, char *why, size_t size)
{
    (void)s;
    return no_client(why, size);
}

int redis_incr(const redis_server_t *s, const char *key, long long *value, char *why,
               size_t size)
{
    (void)s, (void)key, (void)value;
    return no_client(why, size);
}
#endif
