/* SPDX-License-Identifier: MIT */
/* services.h - the top floor (log, exit, trace export, schedules) shares this among its files. */
#ifndef THRDEMO_SERVICES_H
#define THRDEMO_SERVICES_H

/* Hold the output lock for good so daemon threads write nothing more (td_exit). */
void td__log_freeze(void);
/* Under a schedule, when the thread that began it exits the process (td_exit): from
 * now on only it runs; the threads left (daemon threads) are frozen where they stand,
 * as CPython's are at finalization, and never take the token again. */
void td__sched_exiting(void);

#endif
