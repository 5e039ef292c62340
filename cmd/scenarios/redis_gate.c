/* SPDX-License-Identifier: MIT */
/* redis_gate.c - seed 003: worker threads t1 and t2 gated by an Event until the main
 * thread knows Redis is ready.
 *
 *   wait  each worker blocks in event.wait() (the seed's first worker).
 *   poll  each worker wakes every 2 s to log that Redis is not ready yet (the seed's
 *         second worker, which also logs it once more as it is released).
 *
 * By default the check is simulated, as in the seed: main sleeps --check-time. With
 * --redis HOST:PORT (or redis://host:port) the check is real: main sends PING until
 * the server answers PONG, every --retry seconds, logging each failed attempt and
 * why; then it sets the Event, and each worker opens its own connection, does INCR
 * on a key named after the scenario and the thread, logs the reply and closes. After
 * --give-up seconds without PONG main says why, releases the workers (who leave
 * without working) and thrdemo exits 1. Every connection has a connect and reply
 * timeout (--timeout), so a server that accepts and never answers cannot hang it.
 *
 * Trace (wait): "(t1        ) Waiting for redis ready...", t2 the same, "(MainThread)
 * first of all, check redis server, ...", then each worker's "redis ready, and
 * connect to redis server and do some work [<ctime>]".
 * Things to try: `redis-gate poll`; `--redis 127.0.0.1:6379` with and without a
 * server; start redis-server while thrdemo is retrying.
 */
#include <ctype.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#ifdef THRDEMO_HAVE_HIREDIS
#include <hiredis/hiredis.h>
#endif
#include <pthread.h>

#include <thrdemo/event.h>
#include <thrdemo/log.h>
#include <thrdemo/thread.h>

#include "../redis_support.h"
#include "scenarios.h"
#include "stats.h"

struct gate {
    td_event_t redis_ready;  /* the seed's readis_ready */
    char where[300];         /* "host:port" or "[v6]:port", for messages */
    atomic_bool gave_up;     /* set before the event when the check failed */
    atomic_int failures;     /* workers whose work failed */
    bool real;               /* --redis given */
    char host[256];
    int port;
    double timeout;          /* nominal seconds, connect and reply */
};

/* ---- --redis HOST:PORT ------------------------------------------------------------- */

/* Parse "host:port", "[v6]:port" or "redis://host:port[/]": 0, or -1 with *why set. */
static int parse_address(const char *text, struct gate *g, const char **why)
{
    const char *p = text;
    if (strstr(p, "://")) {
        if (strncmp(p, "redis://", 8) != 0) {
            *why = "unknown scheme (only redis:// is understood)";
            return -1;
        }
        p += 8;
    }
    const char *colon;
    size_t host_len;
    if (*p == '[') { /* [::1]:6379 */
        const char *close = strchr(p, ']');
        if (!close || close[1] != ':') {
            *why = "an IPv6 address is written [ADDR]:PORT";
            return -1;
        }
        host_len = (size_t)(close - p - 1);
        colon = close + 1;
        p++; /* the host is what stands between the brackets */
    } else {
        colon = strrchr(p, ':');
        host_len = colon ? (size_t)(colon - p) : strlen(p);
    }
    if (!colon) {
        *why = "no port (HOST:PORT)";
        return -1;
    }
    if (host_len == 0 || host_len >= sizeof g->host) {
        *why = "no host (HOST:PORT)";
        return -1;
    }
    memcpy(g->host, p, host_len);
    g->host[host_len] = '\0';
    char port_text[16];
    snprintf(port_text, sizeof port_text, "%s", colon + 1);
    size_t n = strlen(port_text);
    if (n > 0 && port_text[n - 1] == '/')
        port_text[n - 1] = '\0';
    long long port;
    if (cli_parse_int(port_text, &port) != 0 || strlen(colon + 1) > 6) {
        *why = "the port is not a number";
        return -1;
    }
    if (port < 1 || port > 65535) {
        *why = "the port must be from 1 to 65535";
        return -1;
    }
    g->port = (int)port;
    snprintf(g->where, sizeof g->where, strchr(g->host, ':') ? "[%s]:%d" : "%s:%d", g->host,
             g->port);
    return 0;
}

/* ---- talking to Redis -------------------------------------------------------------- */
#ifdef THRDEMO_HAVE_HIREDIS

static struct timeval to_timeval(double seconds)
{
    struct timeval tv = { .tv_sec = (time_t)seconds };
    tv.tv_usec = (suseconds_t)((seconds - (double)tv.tv_sec) * 1e6);
    if (tv.tv_sec == 0 && tv.tv_usec == 0)
        tv.tv_usec = 1000;
    return tv;
}

/* Why a context failed, in words: a reply timeout reads as EAGAIN in hiredis. */
static void describe_error(const redisContext *c, char *why, size_t size, double timeout)
{
    if (!c) {
        snprintf(why, size, "out of memory");
    } else if (c->err == REDIS_ERR_IO && strstr(c->errstr, "temporarily unavailable")) {
        snprintf(why, size, "no reply within %g s (reply timeout)", timeout);
    } else if (c->err == REDIS_ERR_EOF) {
        snprintf(why, size, "the server closed the connection");
    } else {
        snprintf(why, size, "%s", c->errstr);
    }
}

/* Connect with the connect and reply timeouts: the context, or NULL with *why. */
static redisContext *connect_redis(const struct gate *g, char *why, size_t size)
{
    double timeout = cli_seconds(g->timeout);
    redisContext *c = redisConnectWithTimeout(g->host, g->port, to_timeval(timeout));
    if (c && !c->err && redisSetTimeout(c, to_timeval(timeout)) == 0)
        return c;
    describe_error(c, why, size, g->timeout);
    if (c)
        redisFree(c);
    return NULL;
}

/* One command with one argument; returns the reply or NULL with *why. */
static redisReply *command(redisContext *c, const struct gate *g, const char *cmd,
                           const char *arg, char *why, size_t size)
{
    redisReply *reply = arg ? redisCommand(c, "%s %s", cmd, arg) : redisCommand(c, "%s", cmd);
    if (!reply)
        describe_error(c, why, size, g->timeout);
    return reply;
}

/* PING: 0 on PONG, else -1 with the reason (refused, timeout, LOADING, ...). */
static int ping(const struct gate *g, char *why, size_t size)
{
    redisContext *c = connect_redis(g, why, size);
    if (!c)
        return -1;
    redisReply *reply = command(c, g, "PING", NULL, why, size);
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

/* A worker's real work: INCR thrdemo:redis-gate:<thread>, logged. 0 or -1. */
static int do_some_work(const struct gate *g, const char *name)
{
    char why[200], key[128];
    snprintf(key, sizeof key, "thrdemo:redis-gate:%s", name);
    redisContext *c = connect_redis(g, why, sizeof why);
    if (!c) {
        td_log("cannot connect to redis at %s: %s", g->where, why);
        return -1;
    }
    redisReply *reply = command(c, g, "INCR", key, why, sizeof why);
    int rc = -1;
    if (reply && reply->type == REDIS_REPLY_INTEGER) {
        td_log("INCR %s -> %lld", key, reply->integer);
        rc = 0;
    } else {
        td_log("INCR %s failed: %s", key, reply ? (reply->str ? reply->str : "?") : why);
    }
    if (reply)
        freeReplyObject(reply);
    redisFree(c);
    return rc;
}

#else
/* Built without hiredis: run() refuses --redis (redis_support_refuse) before any
 * talking could start, so these only keep the story below in one piece. */
static int ping(const struct gate *g, char *why, size_t size)
{
    (void)g;
    snprintf(why, size, "this build has no Redis client (built without hiredis)");
    return -1;
}

static int do_some_work(const struct gate *g, const char *name)
{
    (void)g;
    (void)name;
    return -1;
}
#endif

/* A socket write to a server that has gone must return EPIPE, not kill the process:
 * SIGPIPE is sent to the writing thread, so each thread that talks to Redis blocks it. */
static void block_sigpipe(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
}

/* ---- the workers ------------------------------------------------------------------- */

static void released(struct gate *g)
{
    if (cli_stopping())
        return;
    char name[CLI_NAME_MAX];
    cli_thread_name(td_current_thread(), name);
    if (atomic_load(&g->gave_up)) {
        td_log("redis never became ready: leaving without doing any work");
        return;
    }
    char when[32];
    time_t now = (time_t)td_time(); /* the library's clock: virtual under a schedule */
    ctime_r(&now, when);
    when[strcspn(when, "\n")] = '\0';
    td_log("redis ready, and connect to redis server and do some work [%s]", when);
    if (g->real && do_some_work(g, name) != 0)
        atomic_fetch_add(&g->failures, 1);
    cli_sleep(1);
}

static void worker(void *arg)
{
    struct gate *g = arg;
    block_sigpipe();
    td_log("Waiting for redis ready...");
    td_event_wait(&g->redis_ready, TD_FOREVER); /* the lesson: gated until set() */
    released(g);
}

static void worker_poll(void *arg)
{
    struct gate *g = arg;
    block_sigpipe();
    td_log("Waiting for redis ready...");
    while (!td_event_is_set(&g->redis_ready)) {
        td_event_wait(&g->redis_ready, cli_seconds(2)); /* wake every 2 s */
        if (!cli_stopping())
            td_log("redis is not ready,still waiting.......");
    }
    released(g);
}

/* ---- main: the check --------------------------------------------------------------- */

/* PING until PONG or --give-up: 0 ready, 1 gave up, -1 interrupted. */
static int check_redis(struct gate *g, double retry, double give_up)
{
    double start = td_monotonic();
    char why[200];
    for (long attempt = 1;; attempt++) {
        if (ping(g, why, sizeof why) == 0) {
            td_log("redis at %s answered PONG (attempt %ld)", g->where, attempt);
            stats_count("PING attempts", (uint64_t)attempt);
            return 0;
        }
        td_log("redis at %s not ready (attempt %ld): %s", g->where, attempt, why);
        if (td_monotonic() - start >= cli_seconds(give_up)) {
            char secs[32];
            cli_error("redis at %s gave no PONG within %s s: %s", g->where,
                      cli_pynum(give_up, secs), why);
            return 1;
        }
        if (cli_sleep(retry))
            return -1;
    }
}

static int run(const cli_args_t *args)
{
    static struct gate g; /* the workers use it until they are joined */
    td_event_init(&g.redis_ready);
    g.timeout = cli_number(args, "timeout");
    const char *address = cli_flag(args, "redis") ? cli_text(args, "redis") : NULL;
    const char *why = NULL;
    if (address && !redis_support_available())
        return redis_support_refuse("redis-gate", "--redis");
    if (address && parse_address(address, &g, &why) != 0)
        return cli_usage_error("redis-gate", "--redis '%s': %s", address, why);
    g.real = address != NULL;
    td_log_set_format(TD_LOG_THREADNAME);
    block_sigpipe();
    cli_wake_on_stop(&g.redis_ready);

    td_thread_fn target = cli_variant_is(args, "poll") ? worker_poll : worker;
    td_thread_t *t[2] = { NULL, NULL };
    const char *names[2] = { "t1", "t2" };
    int rc = 0;
    for (int i = 0; i < 2 && rc == 0; i++) {
        rc = td_thread_new(&t[i], &(td_thread_attr_t){ .target = target, .arg = &g,
                                                       .name = names[i] });
        if (rc == 0 && (rc = td_thread_start(t[i])) != 0) {
            td_thread_free(t[i]);
            t[i] = NULL;
        }
    }
    int status = EXIT_OK;
    if (rc != 0) {
        cli_error("cannot start a worker: %s", td_strerror(rc));
        atomic_store(&g.gave_up, true);
        status = EXIT_RUNTIME;
    } else {
        td_log("first of all, check redis server, make sure it is OK, and then trigger "
               "the redis ready event");
        int checked = g.real ? check_redis(&g, cli_number(args, "retry"),
                                           cli_number(args, "give-up"))
                             : (cli_sleep(cli_number(args, "check-time")) ? -1 : 0);
        if (checked == 1) {
            atomic_store(&g.gave_up, true);
            status = EXIT_RUNTIME;
        }
    }
    td_event_set(&g.redis_ready); /* released: to work, or to leave */
    for (int i = 0; i < 2; i++) {
        if (t[i])
            td_thread_join(t[i], TD_FOREVER);
        td_thread_free(t[i]);
    }
    cli_forget_wake(&g.redis_ready);
    if (atomic_load(&g.failures) > 0 && status == EXIT_OK)
        status = EXIT_RUNTIME;
    return status;
}

static const cli_variant_t variants[] = {
    { "wait", "workers block on the Event until main has checked Redis" },
    { "poll", "workers wake every 2 s to log that Redis is not ready yet" },
    { 0 },
};

static const cli_option_t options[] = {
    { "check-time", OPT_NUMBER, "3", "seconds the simulated check takes", NULL, 0, 1e9, false, 0 },
    { "redis", OPT_STRING, NULL, "check a real server: HOST:PORT or redis://host:port", NULL, 0, 0, false, 0 },
    { "retry", OPT_NUMBER, "0.5", "seconds between PINGs [--redis]", NULL, 0, 1e9, true, 0 },
    { "give-up", OPT_NUMBER, "30", "seconds without PONG before exit 1 [--redis]", NULL, 0, 1e9, false, 0 },
    { "timeout", OPT_NUMBER, "2", "connect and reply timeout of each connection [--redis]", NULL, 0, 1e6, true, 0 },
    { 0 },
};

const scenario_t scenario_redis_gate = {
    .name = "redis-gate",
    .seed = "003",
    .variants = variants,
    .options = options,
    .run = run,
    .help = "Seed 003: worker threads gated by an Event until Redis is ready. The check is\n"
            "simulated unless --redis names a real server: then main PINGs it until PONG\n"
            "and each worker does INCR thrdemo:redis-gate:<thread> on its own connection.\n"
            "Exit 1 when the server gave no PONG within --give-up seconds.\n"
            "Things to try: 'redis-gate poll'; --redis 127.0.0.1:6379 with and without a\n"
            "server running; start redis-server while thrdemo retries.\n",
};
