/* SPDX-License-Identifier: MIT */
/* trace_prims.c - the primitive names a recording's reports carry ("lock", "queue"),
 * each kept once and a record holding its index (trace_internal.h).
 *
 * Reports name their primitive with a string literal, so the same name comes as a
 * few distinct pointers (keys). keys[0..n_keys) maps each pointer seen to its
 * name's index: a lookup is a few pointer compares with no lock, since a key and its
 * key_prim are written before n_keys is published (release) and never change after.
 * A key seen for the first time is added under the recorder's mutex, which also
 * guards prim_names and n_prims. A table that is full gives UINT8_MAX ("?").
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "services/trace_internal.h"

const char *td__trace_prim_name(const td_trace_t *trace, unsigned prim)
{
    return prim < TD__TRACE_MAX_PRIMS && trace->prim_names[prim] ? trace->prim_names[prim] : "?";
}

td__trace_role_t td__trace_role_of(const char *primitive)
{
    static const struct {
        const char *name;
        td__trace_role_t role;
    } roles[] = {
        { "lock", TD__ROLE_LOCK },       { "rlock", TD__ROLE_RLOCK },
        { "semaphore", TD__ROLE_SEMAPHORE }, { "event", TD__ROLE_EVENT },
        { "cond", TD__ROLE_COND },       { "queue", TD__ROLE_QUEUE },
        { "thread", TD__ROLE_THREAD },   { "timer", TD__ROLE_TIMER },
        { "future", TD__ROLE_FUTURE },   { "barrier", TD__ROLE_BARRIER },
        { "coro", TD__ROLE_CORO },       { "log", TD__ROLE_LOG },
        { "sleep", TD__ROLE_SLEEP },     { "task", TD__ROLE_TASK },
        { "loop", TD__ROLE_LOOP },
    };
    for (size_t i = 0; primitive && i < sizeof roles / sizeof roles[0]; i++)
        if (strcmp(primitive, roles[i].name) == 0)
            return roles[i].role;
    return TD__ROLE_OTHER;
}

/* Add the name behind key (mutex held): its index, or UINT8_MAX when full. */
static uint8_t add_prim(td_trace_t *trace, const char *key)
{
    unsigned n_keys = atomic_load_explicit(&trace->n_keys, memory_order_relaxed);
    for (unsigned i = 0; i < n_keys; i++)
        if (atomic_load_explicit(&trace->keys[i], memory_order_relaxed) == key)
            return trace->key_prim[i];
    if (n_keys == TD__TRACE_MAX_KEYS)
        return UINT8_MAX;
    unsigned prim = 0;
    while (prim < trace->n_prims && strcmp(trace->prim_names[prim], key) != 0)
        prim++;
    if (prim == trace->n_prims) {
        char *copy = prim < TD__TRACE_MAX_PRIMS ? strdup(key) : NULL;
        if (!copy)
            return UINT8_MAX;
        trace->prim_names[trace->n_prims++] = copy;
    }
    trace->key_prim[n_keys] = (uint8_t)prim;
    atomic_store_explicit(&trace->keys[n_keys], key, memory_order_relaxed);
    atomic_store_explicit(&trace->n_keys, n_keys + 1, memory_order_release);
    return (uint8_t)prim;
}

uint8_t td__trace_prim_index(td_trace_t *trace, const char *key)
{
    unsigned n_keys = atomic_load_explicit(&trace->n_keys, memory_order_acquire);
    for (unsigned i = 0; i < n_keys; i++)
        if (atomic_load_explicit(&trace->keys[i], memory_order_relaxed) == key)
            return trace->key_prim[i];
    td__mutex_lock(&trace->mutex);
    uint8_t prim = add_prim(trace, key);
    td__mutex_unlock(&trace->mutex);
    return prim;
}
