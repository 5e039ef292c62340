/* SPDX-License-Identifier: MIT */
/* scenarios.h - the stories: one function per variant, which tables.c puts in its
 * command's table, and the tables main.c's commands[] lists. Each story file
 * includes this one header for all it shares: the parsed options (cli.h), the
 * runner (sleeps and waits that Ctrl-C ends), --stats, --lang, Python's formats. */
#ifndef THRDEMO_SCENARIOS_H
#define THRDEMO_SCENARIOS_H

#include <stdbool.h>
#include <stddef.h>

#include <thrdemo/observer.h> /* td_object_set_name: objects named as in Python */
#include <thrdemo/task.h>

#include "cli/cli.h"
#include "cli/lang.h"
#include "support/pylike.h"
#include "run/runner.h"
#include "run/stats.h"

/* The most threads a scenario's option may ask for (arrays are this long). */
enum { MAX_THREADS = 64, MAX_RUNS = 101 };

extern const cli_command_t scenario_event, scenario_monitor, scenario_lock_counter,
    scenario_threads, scenario_timer, scenario_daemon, scenario_join_timeout,
    scenario_enumerate, scenario_prodcons, scenario_redis_gate, scenario_tcp_echo,
    scenario_generator, scenario_async, scenario_condition, scenario_barrier, tool_bench,
    tool_explore;
/* Commands for the tests only: found by name, shown nowhere. */
extern const cli_command_t hidden_lock_order; /* lock_order.c */

int run_event_wait(const cli_args_t *args);           /* event.c */
int run_event_subclass(const cli_args_t *args);
int run_event_timer(const cli_args_t *args);
int run_event_reuse(const cli_args_t *args);          /* event_reuse.c */
int run_monitor_stop(const cli_args_t *args);         /* monitor.c */
int run_monitor_toast(const cli_args_t *args);
int run_lock_counter(const cli_args_t *args);         /* lock_counter.c */
int check_lock_counter(const cli_args_t *args);
int run_threads_basic(const cli_args_t *args);        /* threads.c */
int run_threads_ways(const cli_args_t *args);
int run_timer_once_or_cancel(const cli_args_t *args); /* timer.c */
int run_timer_repeat(const cli_args_t *args);
int run_timer_interval(const cli_args_t *args);       /* timer_interval.c */
int run_daemon(const cli_args_t *args);               /* daemon.c */
int run_join_timeout(const cli_args_t *args);         /* join_timeout.c */
int run_enumerate(const cli_args_t *args);            /* enumerate.c */
int run_prodcons(const cli_args_t *args);             /* prodcons.c */
int check_prodcons(const cli_args_t *args);
struct td_pool;
struct td_queue;
/* --seed-consumer: the seed's loops and a watchdog over executor and queue, which
 * the caller made; frees the executor (not the queue). EXIT_OK or EXIT_RUNTIME. */
int run_prodcons_seed(const cli_args_t *args, struct td_pool *executor,
                      struct td_queue *queue);      /* prodcons_seed.c */
int run_condition(const cli_args_t *args);            /* condition.c */
int run_barrier(const cli_args_t *args);              /* barrier.c */
int run_redis_gate(const cli_args_t *args);           /* redis_gate.c */
int check_redis_gate(const cli_args_t *args);
int run_tcp_echo_demo(const cli_args_t *args);        /* tcp_echo.c */
int run_tcp_echo_server(const cli_args_t *args);
int run_tcp_echo_client(const cli_args_t *args);      /* tcp_echo_client.c */
int run_tcp_echo_async(const cli_args_t *args);       /* tcp_echo_async.c */
/* The client of tcp-echo: connect to host:port, echo each message (n == 0: each line
 * of stdin), print the echoes: EXIT_OK or EXIT_RUNTIME (said on stderr). */
int tcp_echo_client(const cli_args_t *args, const char *host, int port,
                    const char *const *messages, size_t n);
int run_generator_simple(const cli_args_t *args);     /* generator.c */
int run_generator_range(const cli_args_t *args);
int run_generator_comprehension(const cli_args_t *args);
int run_generator_next(const cli_args_t *args);       /* generator_next.c */
int run_generator_send(const cli_args_t *args);
/* A generator was made (rc == 0), or say why on stderr: the scenario ends, exit 1. */
bool generator_made(int rc);
int run_async_gather(const cli_args_t *args);         /* async.c */
int run_async_event_loop(const cli_args_t *args);     /* async_run.c */
int run_async_future(const cli_args_t *args);         /* async_future.c */
int run_async_exception(const cli_args_t *args);
int run_async_create_future(const cli_args_t *args);
int run_async_monitor(const cli_args_t *args);
int run_async_wait(const cli_args_t *args);           /* async_wait.c */
int run_async_event(const cli_args_t *args);
int run_async_queue(const cli_args_t *args);          /* async_queue.c */
int run_async_queue_fixed(const cli_args_t *args);
/* asyncio.run(main) for a story (runner_aio_run), with a failure said on stderr:
 * EXIT_OK or EXIT_RUNTIME. */
int async_run(td_aio_coro_t main);
int run_bench(const cli_args_t *args);                /* bench.c */
int check_bench(const cli_args_t *args);
int run_explore(const cli_args_t *args);              /* explore.c */
int check_explore(const cli_args_t *args);

#endif
