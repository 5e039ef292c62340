/* SPDX-License-Identifier: MIT */
/* names.c - names for objects, kept beside them: an open-addressing hash table from
 * the object's address to a copy of its name, under names_mutex. Only code that
 * reports (the scheduler's wait-for report, a trace) looks names up, so the
 * primitives never pay for them. Naming and forgetting are reported to the observer
 * (TD_OBS_NAME), so a trace knows which object an address held when: one that is
 * freed and whose memory another object takes is another object. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

struct slot {
    const void *object; /* NULL: empty; TOMBSTONE: removed */
    char *name;
};

static pthread_mutex_t names_mutex = TD__MUTEX_INITIALIZER;
static struct slot *slots; /* guarded by names_mutex */
static size_t cap, used;   /* used counts tombstones too */
static char tombstone;
#define TOMBSTONE ((const void *)&tombstone)

/* Issue 21: a fork while another thread named an object left the child's table
 * locked for good, and its first td_timer_new (which names the timer) hung. */
__attribute__((constructor)) static void names_atfork(void)
{
    td__fork_guard(TD__FORK_NAMES, &names_mutex, NULL);
}

static size_t hash(const void *object)
{
    uint64_t x = (uint64_t)(uintptr_t)object;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x;
}

/* The slot holding object, or NULL (names_mutex held). */
static struct slot *find(const void *object)
{
    if (cap == 0)
        return NULL;
    for (size_t i = hash(object) & (cap - 1), n = 0; n < cap; i = (i + 1) & (cap - 1), n++) {
        if (slots[i].object == NULL)
            return NULL;
        if (slots[i].object == object)
            return &slots[i];
    }
    return NULL;
}

static void insert(struct slot *table, size_t size, const void *object, char *name)
{
    size_t i = hash(object) & (size - 1);
    while (table[i].object != NULL && table[i].object != TOMBSTONE)
        i = (i + 1) & (size - 1);
    table[i] = (struct slot){ object, name };
}

/* Room for one more (names_mutex held): 0 or -ENOMEM. */
static int make_room(void)
{
    if ((used + 1) * 2 <= cap)
        return 0;
    size_t size = cap ? cap * 2 : 64;
    struct slot *table = calloc(size, sizeof *table);
    if (!table)
        return -ENOMEM;
    size_t live = 0;
    for (size_t i = 0; i < cap; i++) {
        if (slots[i].object != NULL && slots[i].object != TOMBSTONE) {
            insert(table, size, slots[i].object, slots[i].name);
            live++;
        }
    }
    free(slots);
    slots = table;
    cap = size;
    used = live;
    return 0;
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
    struct slot *s = find(object);
    int rc = 0;
    if (s) {
        free(s->name);
        s->name = copy;
    } else if ((rc = make_room()) == 0) {
        insert(slots, cap, object, copy);
        used++;
    } else {
        free(copy);
    }
    td__mutex_unlock(&names_mutex);
    if (rc == 0)
        report_name(object, name);
    return rc;
}

size_t td_object_get_name(const void *object, char *buf, size_t size)
{
    td__mutex_lock(&names_mutex);
    struct slot *s = find(object);
    const char *name = s ? s->name : "";
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
    struct slot *s = find(object);
    if (s) {
        free(s->name);
        s->object = TOMBSTONE;
        s->name = NULL;
    }
    td__mutex_unlock(&names_mutex);
    if (s)
        report_name(object, NULL);
}
