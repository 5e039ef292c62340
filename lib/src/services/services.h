/* SPDX-License-Identifier: MIT */
/* services.h - the top floor (log, exit, errors) shares this among its files. */
#ifndef THRDEMO_SERVICES_H
#define THRDEMO_SERVICES_H

/* Hold the output lock for good so daemon threads write nothing more (td_exit). */
void td__log_freeze(void);

#endif
