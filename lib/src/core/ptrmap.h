/* SPDX-License-Identifier: MIT */
/* ptrmap.h - a map from pointers to words, for the library's bookkeeping beside
 * objects it does not own (a name per object, a track per thread, a holder per lock).
 *
 * Open addressing with linear probing over a power-of-two table, at most half full
 * (removed slots count until the next growth), so a probe ends at an empty slot. A
 * removal leaves a tombstone, so the probes of other keys are not cut; a growth drops
 * the tombstones. Keys are compared by address and never dereferenced; NULL is never
 * a key. The map takes no lock: its owner guards it (a mutex, or one thread's use),
 * and owns what its values point to. A map of zeroes (TD__PTRMAP_INIT) is empty and
 * allocates nothing until its first put.
 */
#ifndef THRDEMO_PTRMAP_H
#define THRDEMO_PTRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct td__ptrmap_slot {
    const void *key; /* NULL: empty; td__ptrmap's tombstone: removed */
    uintptr_t value;
} td__ptrmap_slot_t;

typedef struct td__ptrmap {
    td__ptrmap_slot_t *slots;
    size_t cap;  /* a power of two, or 0 before the first put */
    size_t used; /* slots not empty: live keys and tombstones */
} td__ptrmap_t;

#define TD__PTRMAP_INIT { NULL, 0, 0 }

/* A 64-bit mix of an address (MurmurHash3's finalizer): every bit of the pointer
 * reaches the low bits a table indexes by and the high bits a tag may use. */
static inline uint64_t td__ptr_hash(const void *p)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    return x ^ (x >> 33);
}

/* Whether key is in the map; if so and value is not NULL, *value is its value. */
bool td__ptrmap_get(const td__ptrmap_t *map, const void *key, uintptr_t *value);
/* Make room for `more` new keys, so that as many puts cannot fail: 0 or -ENOMEM. */
int td__ptrmap_reserve(td__ptrmap_t *map, size_t more);
/* Set key's value (adding key, or replacing its value): 0, or -ENOMEM (map
 * unchanged). A NULL key is not stored (0). */
int td__ptrmap_put(td__ptrmap_t *map, const void *key, uintptr_t value);
/* Remove key: whether it was there; if so and old is not NULL, *old is its value. */
bool td__ptrmap_del(td__ptrmap_t *map, const void *key, uintptr_t *old);
/* Free the table (not what values point to); the map is empty again. */
void td__ptrmap_free(td__ptrmap_t *map);

#endif
