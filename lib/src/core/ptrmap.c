/* SPDX-License-Identifier: MIT */
/* ptrmap.c - the pointer map (ptrmap.h): open addressing, linear probing, tombstones.
 *
 * Invariants: cap is 0 or a power of two; used (live keys and tombstones) is at most
 * cap / 2 after every put, so every probe meets an empty slot and ends; a key is in
 * at most one slot, on the probe path from its hash to the first empty slot.
 */
#include "core/ptrmap.h"

#include <errno.h>
#include <stdlib.h>

static const char tombstone;
#define TOMBSTONE ((const void *)&tombstone)

enum { FIRST_CAP = 64 };

static size_t home_of(const void *key, size_t cap)
{
    return (size_t)td__ptr_hash(key) & (cap - 1);
}

/* The slot holding key, or NULL. */
static td__ptrmap_slot_t *find(const td__ptrmap_t *map, const void *key)
{
    if (!key || map->cap == 0)
        return NULL;
    size_t mask = map->cap - 1;
    for (size_t i = home_of(key, map->cap), n = 0; n < map->cap; i = (i + 1) & mask, n++) {
        if (map->slots[i].key == NULL)
            return NULL;
        if (map->slots[i].key == key)
            return &map->slots[i];
    }
    return NULL;
}

/* The first empty or removed slot on key's probe path (the table is never full). */
static td__ptrmap_slot_t *free_slot(const td__ptrmap_t *map, const void *key)
{
    size_t mask = map->cap - 1, i = home_of(key, map->cap);
    while (map->slots[i].key != NULL && map->slots[i].key != TOMBSTONE)
        i = (i + 1) & mask;
    return &map->slots[i];
}

/* Rebuild the table with cap slots, without tombstones: 0 or -ENOMEM. */
static int rebuild(td__ptrmap_t *map, size_t cap)
{
    td__ptrmap_t grown = { calloc(cap, sizeof *grown.slots), cap, 0 };
    if (!grown.slots)
        return -ENOMEM;
    for (size_t i = 0; i < map->cap; i++) {
        const td__ptrmap_slot_t *s = &map->slots[i];
        if (s->key != NULL && s->key != TOMBSTONE) {
            *free_slot(&grown, s->key) = *s;
            grown.used++;
        }
    }
    free(map->slots);
    *map = grown;
    return 0;
}

bool td__ptrmap_get(const td__ptrmap_t *map, const void *key, uintptr_t *value)
{
    const td__ptrmap_slot_t *s = find(map, key);
    if (s && value)
        *value = s->value;
    return s != NULL;
}

int td__ptrmap_reserve(td__ptrmap_t *map, size_t more)
{
    if (more > SIZE_MAX / 8 - map->used)
        return -ENOMEM;
    if ((map->used + more) * 2 <= map->cap)
        return 0;
    /* Rebuilt at most a quarter full: as many puts again before the next rebuild,
     * and a map whose keys come and go stays the size its live keys need. */
    size_t live = 0;
    for (size_t i = 0; i < map->cap; i++)
        live += map->slots[i].key != NULL && map->slots[i].key != TOMBSTONE;
    size_t cap = FIRST_CAP;
    while ((live + more) * 4 > cap)
        cap *= 2;
    return rebuild(map, cap);
}

int td__ptrmap_put(td__ptrmap_t *map, const void *key, uintptr_t value)
{
    if (!key)
        return 0;
    td__ptrmap_slot_t *s = find(map, key);
    if (s) {
        s->value = value;
        return 0;
    }
    if (td__ptrmap_reserve(map, 1) != 0)
        return -ENOMEM;
    s = free_slot(map, key);
    if (s->key == NULL)
        map->used++;
    *s = (td__ptrmap_slot_t){ key, value };
    return 0;
}

bool td__ptrmap_del(td__ptrmap_t *map, const void *key, uintptr_t *old)
{
    td__ptrmap_slot_t *s = find(map, key);
    if (!s)
        return false;
    if (old)
        *old = s->value;
    *s = (td__ptrmap_slot_t){ TOMBSTONE, 0 };
    return true;
}

void td__ptrmap_free(td__ptrmap_t *map)
{
    free(map->slots);
    *map = (td__ptrmap_t)TD__PTRMAP_INIT;
}
