/* SPDX-License-Identifier: MIT */
/* mutex.c - the library's own pthread mutexes, the observer hook's slot, and the
 * one way the library reports its own bugs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

_Atomic(td__report_fn) td__reporter;

static _Noreturn void mutex_failed(const char *what, int rc)
{
    td__fatal("pthread_mutex_%s: %s", what, strerror(rc));
}

void td__mutex_lock(pthread_mutex_t *mutex)
{
    int rc = pthread_mutex_lock(mutex);
    if (rc != 0)
        mutex_failed("lock", rc);
}

void td__mutex_unlock(pthread_mutex_t *mutex)
{
    int rc = pthread_mutex_unlock(mutex);
    if (rc != 0)
        mutex_failed("unlock", rc);
}

void td__mutex_reset_in_child(pthread_mutex_t *mutex)
{
    /* A plain mutex unlocks (and a sanitizer that watches mutexes sees it); an
     * error-checking one refuses, its owner's thread id being the parent's, so it
     * is made anew. */
    if (pthread_mutex_unlock(mutex) != 0)
        *mutex = (pthread_mutex_t)TD__MUTEX_INITIALIZER;
}
