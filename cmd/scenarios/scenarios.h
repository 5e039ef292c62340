/* SPDX-License-Identifier: MIT */
/* scenarios.h - each scenario file's one export: its row for main.c's table. */
#ifndef THRDEMO_SCENARIOS_H
#define THRDEMO_SCENARIOS_H

#include "cli.h"

extern const scenario_t scenario_event;
extern const scenario_t scenario_threads;
extern const scenario_t scenario_lock_counter;
extern const scenario_t scenario_monitor;
extern const scenario_t scenario_timer;
extern const scenario_t scenario_daemon;
extern const scenario_t scenario_join_timeout;
extern const scenario_t scenario_enumerate;
extern const scenario_t scenario_prodcons;
extern const scenario_t scenario_redis_gate;
extern const scenario_t scenario_tcp_echo;
extern const scenario_t scenario_generator;
extern const scenario_t scenario_bench;

#endif
