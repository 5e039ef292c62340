/* SPDX-License-Identifier: MIT */
/* redis_gate.c - seed 003: workers t1 and t2 gated by an Event until Redis is ready.
 *
 *   wait  each worker blocks in event.wait() (the seed's first worker).
 *   poll  each worker wakes every 2 s to log that Redis is not ready yet (the seed's
 *         second worker, which also logs it once more as it is released).
 *
 * The check is simulated, as in the seed (main sleeps --check-time), unless --redis
 * names a server (redis.h): then main PINGs it every --retry seconds until PONG,
 * logging each failed attempt; each worker then does INCR on a key named after it.
 * No PONG within --give-up seconds: the workers leave without working, exit 1; an
 * INCR that fails is exit 1 too, its reason on stderr.
 *
 * Trace (wait): "(t1        ) Waiting for redis ready...", t2 the same, "(MainThread)
 * first of all, check redis server, ...", each worker's "redis ready, ... [<ctime>]".
 * Things to try: `redis-gate poll`; `--redis 127.0.0.1:6379`, then start the server.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <thrdemo/event.h>
#include <thrdemo/log.h>
#include <thrdemo/thread.h>

#include "support/redis.h"
#include "support/redis_support.h"
#include "scenarios.h"

/* Its options, one enumerator per row of the table at the end, by which the story
 * reads them: a name mistyped does not compile. */
enum {
    REDIS_GATE_CHECK_TIME,
    REDIS_GATE_REDIS,
    REDIS_GATE_RETRY,
    REDIS_GATE_GIVE_UP,
    REDIS_GATE_TIMEOUT,
};

struct gate {
    td_event_t redis_ready; /* the seed's readis_ready */
    atomic_bool gave_up;    /* set before the event when the check failed */
    atomic_int failures;    /* workers whose work failed */
    char failure[200];      /* the first one's reason: main reads it after the joins */
    bool real;              /* --redis given */
    redis_server_t server;
};

/* A worker's real work: INCR thrdemo:redis-gate:<thread>, logged. */
static void do_some_work(struct gate *g)
{
    char key[160], why[200], name[CLI_NAME_MAX];
    long long value;
    snprintf(key, sizeof key, "thrdemo:redis-gate:%s", cli_thread_name(td_current_thread(), name));
    if (redis_incr(&g->server, key, &value, why, sizeof why) == 0) {
        td_log("INCR %s -> %lld", key, value);
        return;
    }
    td_log("INCR %s failed: %s", key, why);
    if (atomic_fetch_add(&g->failures, 1) == 0)
        snprintf(g->failure, sizeof g->failure, "%s", why);
}

static void released(struct gate *g)
{
    if (runner_stopping())
        return;
    if (atomic_load(&g->gave_up)) {
        td_log("redis never became ready: leaving without doing any work");
        return;
    }
    char when[32];
    td_log("redis ready, and connect to redis server and do some work [%s]",
           py_ctime(td_time(), when)); /* virtual (and UTC) under --schedule */
    if (g->real)
        do_some_work(g);
    runner_sleep(1);
}

static void worker(void *arg)
{
    struct gate *g = arg;
    td_log("Waiting for redis ready...");
    td_event_wait(&g->redis_ready, TD_FOREVER); /* the lesson: gated until set() */
    released(g);
}

static void worker_poll(void *arg)
{
    struct gate *g = arg;
    td_log("Waiting for redis ready...");
    while (!td_event_is_set(&g->redis_ready)) {
        td_event_wait(&g->redis_ready, runner_seconds(2)); /* wake every 2 s */
        if (!runner_stopping())
            td_log("redis is not ready,still waiting.......");
    }
    released(g);
}

/* PING until PONG or --give-up: 0 ready, 1 gave up, -1 stopped. */
static int check_redis(struct gate *g, double retry, double give_up)
{
    double start = td_monotonic();
    char why[200];
    for (long attempt = 1;; attempt++) {
        if (redis_ping(&g->server, why, sizeof why) == 0) {
            td_log("redis at %s answered PONG (attempt %ld)", g->server.where, attempt);
            stats_count("PING attempts", (uint64_t)attempt);
            return 0;
        }
        if (runner_stopping())
            return -1;
        td_log("redis at %s not ready (attempt %ld): %s", g->server.where, attempt, why);
        if (td_monotonic() - start >= runner_seconds(give_up)) {
            cli_error("redis at %s gave no PONG within %g s: %s", g->server.where, give_up, why);
            return 1;
        }
        if (runner_sleep(retry))
            return -1;
    }
}

/* Whether a worker's INCR failed (an ACL user allowed PING only, a server gone since
 * its PONG): said on stderr, as every exit 1 is, after the workers are joined. */
static bool work_failed(struct gate *g)
{
    int failures = atomic_load(&g->failures);
    if (failures == 0)
        return false;
    if (!runner_stopping()) /* a Ctrl-C's "stopped" is no failure to report */
        cli_error("redis at %s: INCR failed for %d of 2 workers: %s", g->server.where, failures,
                  g->failure);
    return true;
}

static int check_redis_gate(const cli_args_t *args)
{
    const char *address = cli_text(args, REDIS_GATE_REDIS), *why;
    redis_server_t server;
    char q[CLI_QUOTE_SIZE];
    if (address && !redis_support_available())
        return redis_support_refuse("redis-gate", "--redis");
    if (address && redis_parse_address(address, &server, &why) != 0)
        return cli_usage_error("redis-gate", "--redis '%s': %s", cli_quote(address, q), why);
    return 0;
}

static int run_redis_gate(const cli_args_t *args)
{
    static struct gate g; /* the workers use it until they are joined */
    td_event_init(&g.redis_ready);
    td_object_set_name(&g.redis_ready, "readis_ready"); /* the seed's spelling */
    const char *address = cli_text(args, REDIS_GATE_REDIS), *why;
    g.real = address && redis_parse_address(address, &g.server, &why) == 0; /* checked */
    g.server.timeout_shown = cli_number(args, REDIS_GATE_TIMEOUT);
    g.server.timeout = runner_seconds(g.server.timeout_shown);
    td_log_set_format(TD_LOG_THREADNAME);
    td_thread_fn target = cli_variant_is(args, "poll") ? worker_poll : worker;
    td_thread_t *t1 = NULL, *t2 = NULL;
    int rc = runner_start(&t1, &(td_thread_attr_t){ .target = target, .arg = &g, .name = "t1" });
    if (rc == 0)
        rc = runner_start(&t2, &(td_thread_attr_t){ .target = target, .arg = &g, .name = "t2" });
    int checked = 1;
    if (rc == 0) {
        td_log("first of all, check redis server, make sure it is OK, and then trigger "
               "the redis ready event");
        checked = g.real ? check_redis(&g, cli_number(args, REDIS_GATE_RETRY),
                                       cli_number(args, REDIS_GATE_GIVE_UP))
                         : (runner_sleep(cli_number(args, REDIS_GATE_CHECK_TIME)) ? -1 : 0);
    }
    atomic_store(&g.gave_up, checked == 1);
    td_event_set(&g.redis_ready); /* released: to work, or to leave */
    runner_join(t1);
    runner_join(t2);
    return checked == 1 || work_failed(&g) ? EXIT_RUNTIME : EXIT_OK;
}

/* `thrdemo redis-gate`: its variants, options, lesson and Python calls, which the
 * parser, the help and `list` read (cli.h). */
const cli_command_t scenario_redis_gate = {
    .name = "redis-gate", .kind = CMD_SCENARIO, .seed = "003", .check = check_redis_gate,
    .summary = "worker threads gated by an Event until Redis is ready",
    .about = "Worker threads gated by an Event until Redis is ready. The check is simulated "
             "unless --redis names a real server: then main PINGs it until PONG and each "
             "worker does INCR thrdemo:redis-gate:<thread> on its own connection. Exit 1 "
             "when the server gave no PONG within --give-up seconds.",
    .lesson = "One Event lets any number of threads wait for one condition that only the "
              "main thread can check; wait(timeout) lets a waiter report that it is still "
              "waiting.",
    .variants = (const cli_variant_t[]){
        { "wait", "workers block on the Event until main has checked Redis",
          .example = "redis-gate wait --scale 0.3", .run = run_redis_gate },
        { "poll", "workers wake every 2 s to log that Redis is not ready yet",
          .example = "redis-gate poll --check-time 5 --scale 0.5", .run = run_redis_gate },
        { 0 } },
    .options = (const cli_option_t[]){
        [REDIS_GATE_CHECK_TIME] = { "check-time", OPT_NUMBER, "3", .max = 1e9,
          .help = "seconds the simulated check takes" },
        [REDIS_GATE_REDIS] = { "redis", OPT_STRING, .metavar = "ADDRESS",
          .help = "check a real server: HOST:PORT, [IPV6]:PORT or "
                  "redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]",
          .no_schedule = "talks to a real server, which no schedule controls" },
        [REDIS_GATE_RETRY] = { "retry", OPT_NUMBER, "0.5", .min_open = true, .max = 1e9,
          .help = "seconds between PINGs (with --redis)" },
        [REDIS_GATE_GIVE_UP] = { "give-up", OPT_NUMBER, "30", .max = 1e9,
          .help = "seconds without PONG before exit 1 (with --redis)" },
        [REDIS_GATE_TIMEOUT] = { "timeout", OPT_NUMBER, "2", .min_open = true, .max = 1e6,
          .help = "connect and reply timeout of each connection (with --redis)" },
        { 0 } },
    .python = (const cli_pycall_t[]){
        { "threading.Event()", "td_event_init" },
        { "threading.Event.wait / wait(2)", "td_event_wait" },
        { "threading.Event.set", "td_event_set" },
        { "threading.Thread(name='t1')", "td_thread_attr_t .name" },
        { "logging '(%(threadName)-10s) ...'", "td_log_set_format(TD_LOG_THREADNAME), td_log" },
        { 0 } },
};
