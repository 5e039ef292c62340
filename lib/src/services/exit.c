/* SPDX-License-Identifier: MIT */
/* exit.c - td_exit: the interpreter's exit rule in one call. It sits above the
 * runtime and the log (it uses both), so neither of them calls the other. */
#include <stdlib.h>

#include "runtime/runtime.h"
#include "services.h"

void td_exit(int status)
{
    td_shutdown();
    td__sched_exiting();
    td__log_freeze();
    exit(status);
}
