/* SPDX-License-Identifier: MIT */
/* local.c - threading.local: per-thread values found in O(1) without a lock.
 *
 * Each local has a slot number; each thread has a table of entries indexed by slot
 * (reached through a thread-local pointer, and registered with a pthread key whose
 * destructor destroys the thread's values when it ends). An entry also sits in its
 * local's list, so td_local_free can reach every thread's value.
 * locals_mutex guards the slot allocator, every local's entry list, and every write
 * to a table (a slot set or cleared, the table grown). A thread reads its own table
 * without the mutex: only it grows its table, and another thread clears a slot only
 * in td_local_free, when that local may no longer be used. User callbacks (init,
 * destroy) never run under the mutex.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "thrdemo/local.h"

struct entry {
    struct td_local *local;
    td_local_destroy_fn destroy; /* the local's, kept so a thread's end needs no local */
    void *value;
    struct table *table;
    struct entry *prev, *next; /* the local's list */
};

struct table {
    size_t cap;
    struct entry **slots;
};

struct td_local {
    size_t size;
    td_local_init_fn init;
    void *arg;
    td_local_destroy_fn destroy;
    size_t slot;
    struct entry *entries;
};

static pthread_mutex_t locals_mutex = TD__MUTEX_INITIALIZER;
static bool *slot_used; /* guarded by locals_mutex */
static size_t n_slots;
static pthread_key_t table_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static TD__TLS struct table *my_table;

static void unlink_entry(struct entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        e->local->entries = e->next;
    if (e->next)
        e->next->prev = e->prev;
    e->table->slots[e->local->slot] = NULL;
}

static void destroy_entry(struct entry *e)
{
    if (e->destroy)
        e->destroy(e->value);
    free(e->value);
    free(e);
}

/* The thread ends: take its entries out under the mutex, destroy them outside. */
static void table_exit(void *arg)
{
    struct table *t = arg;
    struct entry *gone = NULL;
    td__mutex_lock(&locals_mutex);
    for (size_t i = 0; i < t->cap; i++) {
        struct entry *e = t->slots[i];
        if (!e)
            continue;
        unlink_entry(e);
        e->table = NULL;
        e->next = gone;
        gone = e;
    }
    td__mutex_unlock(&locals_mutex);
    while (gone) {
        struct entry *next = gone->next;
        destroy_entry(gone);
        gone = next;
    }
    free(t->slots);
    free(t);
    my_table = NULL;
}

static void make_key(void)
{
    pthread_key_create(&table_key, table_exit);
}

/* A fork while another thread files a value must not leave the child's slots
 * locked by a thread that does not exist there. */
__attribute__((constructor)) static void locals_atfork(void)
{
    td__fork_guard(TD__FORK_LOCALS, &locals_mutex, NULL);
}

int td_local_new(td_local_t **out, size_t size, td_local_init_fn init, void *arg,
                 td_local_destroy_fn destroy)
{
    if (!out || size == 0)
        return -EINVAL;
    pthread_once(&key_once, make_key);
    struct td_local *local = calloc(1, sizeof *local);
    if (!local)
        return -ENOMEM;
    *local = (struct td_local){ .size = size, .init = init, .arg = arg, .destroy = destroy };
    td__mutex_lock(&locals_mutex);
    size_t slot = 0;
    while (slot < n_slots && slot_used[slot])
        slot++;
    if (slot == n_slots) {
        bool *grown = realloc(slot_used, (n_slots * 2 + 8) * sizeof *grown);
        if (!grown) {
            td__mutex_unlock(&locals_mutex);
            free(local);
            return -ENOMEM;
        }
        memset(grown + n_slots, 0, (n_slots + 8) * sizeof *grown);
        slot_used = grown;
        n_slots = n_slots * 2 + 8;
    }
    slot_used[slot] = true;
    local->slot = slot;
    td__mutex_unlock(&locals_mutex);
    *out = local;
    return 0;
}

/* The calling thread's table with room for slot (mutex held), or NULL. */
static struct table *table_with(size_t slot)
{
    struct table *t = my_table;
    if (!t) {
        t = calloc(1, sizeof *t);
        if (!t)
            return NULL;
        my_table = t;
        pthread_setspecific(table_key, t);
    }
    if (slot >= t->cap) {
        size_t cap = slot * 2 + 8;
        struct entry **slots = realloc(t->slots, cap * sizeof *slots);
        if (!slots)
            return NULL;
        memset(slots + t->cap, 0, (cap - t->cap) * sizeof *slots);
        t->slots = slots;
        t->cap = cap;
    }
    return t;
}

/* First use in this thread: make the value, then file it. */
static void *first_use(struct td_local *local)
{
    struct entry *e = calloc(1, sizeof *e);
    void *value = calloc(1, local->size);
    if (!e || !value) {
        free(e);
        free(value);
        return NULL;
    }
    if (local->init)
        local->init(value, local->arg);
    e->local = local;
    e->destroy = local->destroy;
    e->value = value;
    td__mutex_lock(&locals_mutex);
    struct table *t = table_with(local->slot);
    if (t) {
        e->table = t;
        e->next = local->entries;
        if (local->entries)
            local->entries->prev = e;
        local->entries = e;
        t->slots[local->slot] = e;
    }
    td__mutex_unlock(&locals_mutex);
    if (!t) {
        destroy_entry(e);
        return NULL;
    }
    return value;
}

void *td_local_get(td_local_t *local)
{
    struct table *t = my_table;
    if (TD__LIKELY(t && local->slot < t->cap && t->slots[local->slot]))
        return t->slots[local->slot]->value;
    return first_use(local);
}

void td_local_free(td_local_t *local)
{
    if (!local)
        return;
    td__mutex_lock(&locals_mutex);
    struct entry *gone = local->entries;
    for (struct entry *e = gone; e; e = e->next)
        e->table->slots[local->slot] = NULL;
    local->entries = NULL;
    slot_used[local->slot] = false;
    td__mutex_unlock(&locals_mutex);
    while (gone) {
        struct entry *next = gone->next;
        destroy_entry(gone);
        gone = next;
    }
    free(local);
}
