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
 * destroy) never run under the mutex. A destroy callback may use locals, so a
 * thread's end (and td_local_free) destroys its values in rounds: each takes out
 * what the last one's callbacks made; the table is freed only after the last.
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

/* A destroy callback may use locals, and so make values in the thread whose values
 * are being destroyed: those are destroyed in a further round, as POSIX does for
 * thread-specific data; after the last round what is left is only freed, so a
 * callback that makes a value each time cannot keep a thread's end going forever. */
enum { DESTROY_ROUNDS = 4 }; /* POSIX's PTHREAD_DESTRUCTOR_ITERATIONS */

static void destroy_entry(struct entry *e, bool call_destroy)
{
    if (e->destroy && call_destroy)
        e->destroy(e->value);
    free(e->value);
    free(e);
}

/* Destroy (or only free) a list of entries taken out of every table and list. */
static void destroy_list(struct entry *gone, bool call_destroy)
{
    while (gone) {
        struct entry *next = gone->next;
        destroy_entry(gone, call_destroy);
        gone = next;
    }
}

/* Take every entry out of the table (a thread ends) and out of its local's list:
 * the entries, linked by next. */
static struct entry *take_table_entries(void *arg)
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
    return gone;
}

/* Take every thread's entry of the local (it is freed) out of its table: the
 * local's list. */
static struct entry *take_local_entries(void *arg)
{
    struct td_local *local = arg;
    td__mutex_lock(&locals_mutex);
    struct entry *gone = local->entries;
    for (struct entry *e = gone; e; e = e->next) {
        e->table->slots[local->slot] = NULL;
        e->table = NULL;
    }
    local->entries = NULL;
    td__mutex_unlock(&locals_mutex);
    return gone;
}

/* Destroy what take() finds, outside the mutex, round after round while the destroy
 * callbacks make new values; whatever the last round made is only freed. */
static void destroy_in_rounds(struct entry *(*take)(void *), void *from)
{
    struct entry *gone = take(from);
    for (int round = 0; gone && round < DESTROY_ROUNDS; round++) {
        destroy_list(gone, true);
        gone = take(from);
    }
    destroy_list(gone, false);
}

/* The thread ends: destroy its values; the table stays until no callback can
 * make a value in it any more. */
static void table_exit(void *arg)
{
    struct table *t = arg;
    destroy_in_rounds(take_table_entries, t);
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
        destroy_entry(e, true);
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
    /* The slot stays the local's until its values are gone: a destroy callback
     * that uses it files its value there, not in another local's slot. */
    destroy_in_rounds(take_local_entries, local);
    td__mutex_lock(&locals_mutex);
    slot_used[local->slot] = false;
    td__mutex_unlock(&locals_mutex);
    free(local);
}
