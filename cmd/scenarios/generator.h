/* SPDX-License-Identifier: MIT */
/* generator.h - what the files of the generator scenario share (generator.c and
 * generator_next.c): the variants told outside generator.c, for its table, and the
 * check both use. */
#ifndef THRDEMO_SCENARIOS_GENERATOR_H
#define THRDEMO_SCENARIOS_GENERATOR_H

#include "scenarios.h"

/* generator next and send (generator_next.c): next() and send() step by step. */
int run_generator_next(const cli_args_t *args);
int run_generator_send(const cli_args_t *args);
/* A generator was made (rc == 0), or say why on stderr: the scenario ends, exit 1. */
bool generator_made(int rc);

#endif
