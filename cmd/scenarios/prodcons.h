/* SPDX-License-Identifier: MIT */
/* prodcons.h - what the files of the prodcons scenario share (prodcons.c and
 * prodcons_seed.c): the variants told outside prodcons.c, for its table, and the
 * enumerators of its options. */
#ifndef THRDEMO_SCENARIOS_PRODCONS_H
#define THRDEMO_SCENARIOS_PRODCONS_H

#include "scenarios.h"

/* The options of prodcons, one enumerator per row of its table in prodcons.c, by which
 * the stories read them: a name mistyped does not compile. */
enum {
    PRODCONS_DURATION,
    PRODCONS_MAXSIZE,
    PRODCONS_WORKERS,
    PRODCONS_RATE,
    PRODCONS_SEED_CONSUMER,
    PRODCONS_HANG_AFTER,
};

struct td_pool;
struct td_queue;
/* --seed-consumer (prodcons_seed.c): the seed's loops and a watchdog over executor and
 * queue, which the caller made; frees the executor (not the queue). EXIT_OK or
 * EXIT_RUNTIME. */
int run_prodcons_seed(const cli_args_t *args, struct td_pool *executor,
                      struct td_queue *queue);

#endif
