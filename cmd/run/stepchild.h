/* SPDX-License-Identifier: MIT */
/* stepchild.h - the run that `thrdemo step` drives (tools/step/): the schedule's
 * on_decide hook tells, at every decision where two or more threads can go on, each
 * live thread and its next step on the descriptor THRDEMO_STEP_FD names, and runs the
 * thread step answers with. The protocol, one line each way:
 *
 *   run -> step   decision D CHOSEN ASKING\n
 *                 thread N can|held|blocked NAME\tWHAT\n   (one per live thread)
 *                 ask\n
 *   step -> run   N\n | run\n        (N: the thread to run; run: the plain order on)
 *                 either followed by " show" to end a quiet start
 *
 * With THRDEMO_STEP_QUIET=1 the run's stdout goes to /dev/null until an answer says
 * "show": step replays the choices of an undo so, without printing again what the
 * user has seen. */
#ifndef THRDEMO_STEPCHILD_H
#define THRDEMO_STEPCHILD_H

#include <stdbool.h>

#include <thrdemo/schedule.h>

/* Under THRDEMO_STEP_FD, hook config's decisions to step: true when this run is
 * step's (its replay line is step's to print, not the run's). */
bool stepchild_begin(td_sched_config_t *config);

#endif
