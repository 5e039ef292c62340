/* SPDX-License-Identifier: MIT */
/* names.c - names for objects, kept beside them: a pointer map (core/ptrmap.h) from
 * the object's address to a copy of its name (owned here), under names_mutex. Only
 * code that reports (the scheduler's wait-for report, a trace) looks names up, so
 * the primitives never pay for them. Naming and forgetting are reported to the observer
 * (TD_OBS_NAME), so a trace knows which object an address held when: one that is
 * freed and whose memory another object takes is another object. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/ptrmap.h"
#include "runtime.h"

static pthread_mutex_t names_mutex = TD__MUTEX_INITIALIZER;
static td__ptrmap_t names = TD__PTRMAP_INIT; /* guarded by names_mutex */

/* Issue 21: a fork while another thread named an object left the child's table
 * locked for good, and its first td_timer_new (which names the timer) hung. */
__attribute__((constructor)) static void names_atfork(void)
{
    td__fork_guard(TD__FORK_NAMES, &names_mutex, NULL);
}

/* Tell the observer, if any, that object is called name now (NULL: nothing). */
static void report_name(const void *object, const char *name)
{
    td__report_fn report = atomic_load_explicit(&td__reporter, memory_order_acquire);
    if (TD__UNLIKELY(report != NULL))
        report(&(td__report_t){ .kind = TD_OBS_NAME, .primitive = "name", .object = object,
                                .timeout = -1, .text = name, .len = name ? strlen(name) : 0 });
}

int td_object_set_name(const void *object, const char *name)
{
    if (!object || !name)
        return -EINVAL;
    char *copy = strdup(name);
    if (!copy)
        return -ENOMEM;
    td__mutex_lock(&names_mutex);
    uintptr_t old = 0;
    bool had = td__ptrmap_get(&names, object, &old);
    int rc = td__ptrmap_put(&names, object, (uintptr_t)copy);
    if (rc == 0 && had)
        free((char *)old);
    else if (rc != 0)
        free(copy);
    td__mutex_unlock(&names_mutex);
    if (rc == 0)
        report_name(object, name);
    return rc;
}

size_t td_object_get_name(const void *object, char *buf, size_t size)
{
    td__mutex_lock(&names_mutex);
    uintptr_t found;
    const char *name = td__ptrmap_get(&names, object, &found) ? (const char *)found : "";
    size_t len = strlen(name);
    if (size > 0) {
        size_t n = len < size - 1 ? len : size - 1;
        memcpy(buf, name, n);
        buf[n] = '\0';
    }
    td__mutex_unlock(&names_mutex);
    return len;
}

void td_object_forget(const void *object)
{
    td__mutex_lock(&names_mutex);
    uintptr_t name;
    bool had = td__ptrmap_del(&names, object, &name);
    td__mutex_unlock(&names_mutex);
    if (had) {
        free((char *)name);
        report_name(object, NULL);
    }
}
