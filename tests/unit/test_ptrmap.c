/* SPDX-License-Identifier: MIT */
/* test_ptrmap.c - the core's pointer map (core/ptrmap.h), which the names, the
 * trace recorder and the trace view keep their bookkeeping in: values found after
 * growth, removal that leaves the other keys reachable (tombstones), and a map whose
 * keys come and go that stays the size its live keys need. The map's functions are
 * internal (hidden in the library), so this file is built with core/ptrmap.c. */
#include "helpers.h"

#include <errno.h>
#include <stdint.h>

#include "core/ptrmap.h"

enum { MANY = 20000 };

static char pool[MANY]; /* distinct addresses to use as keys */

static const void *key(size_t i)
{
    return &pool[i];
}

static uintptr_t value_of(const td__ptrmap_t *map, size_t i)
{
    uintptr_t v = UINTPTR_MAX;
    assert_true(td__ptrmap_get(map, key(i), &v));
    return v;
}

static void test_empty(void **state)
{
    (void)state;
    td__ptrmap_t map = TD__PTRMAP_INIT;
    uintptr_t v = 7;
    assert_false(td__ptrmap_get(&map, key(0), &v));
    assert_int_equal(v, 7); /* untouched when absent */
    assert_false(td__ptrmap_del(&map, key(0), NULL));
    assert_false(td__ptrmap_get(&map, NULL, NULL));
    td__ptrmap_free(&map); /* nothing allocated: still fine */
    assert_null(map.slots);
}

static void test_put_get_replace(void **state)
{
    (void)state;
    td__ptrmap_t map = TD__PTRMAP_INIT;
    assert_int_equal(td__ptrmap_put(&map, key(1), 10), 0);
    assert_int_equal(td__ptrmap_put(&map, key(2), 20), 0);
    assert_int_equal(value_of(&map, 1), 10);
    assert_int_equal(value_of(&map, 2), 20);
    assert_int_equal(td__ptrmap_put(&map, key(1), 11), 0); /* replaces */
    assert_int_equal(value_of(&map, 1), 11);
    assert_true(td__ptrmap_get(&map, key(2), NULL));
    assert_false(td__ptrmap_get(&map, key(3), NULL));
    td__ptrmap_free(&map);
}

static void test_null_key_is_not_stored(void **state)
{
    (void)state;
    td__ptrmap_t map = TD__PTRMAP_INIT;
    assert_int_equal(td__ptrmap_put(&map, NULL, 5), 0);
    assert_false(td__ptrmap_get(&map, NULL, NULL));
    assert_false(td__ptrmap_del(&map, NULL, NULL));
    td__ptrmap_free(&map);
}

static void test_grow_keeps_every_value(void **state)
{
    (void)state;
    td__ptrmap_t map = TD__PTRMAP_INIT;
    for (size_t i = 0; i < MANY; i++)
        assert_int_equal(td__ptrmap_put(&map, key(i), i * 3), 0);
    for (size_t i = 0; i < MANY; i++)
        assert_int_equal(value_of(&map, i), i * 3);
    assert_true(map.used * 2 <= map.cap); /* at most half full */
    td__ptrmap_free(&map);
    assert_int_equal(map.cap, 0);
}

/* Removing keys must not cut the probe paths of the keys placed after them. */
static void test_del_keeps_others_reachable(void **state)
{
    (void)state;
    td__ptrmap_t map = TD__PTRMAP_INIT;
    for (size_t i = 0; i < MANY; i++)
        assert_int_equal(td__ptrmap_put(&map, key(i), i), 0);
    for (size_t i = 0; i < MANY; i += 2) {
        uintptr_t old = 0;
        assert_true(td__ptrmap_del(&map, key(i), &old));
        assert_int_equal(old, i);
    }
    for (size_t i = 0; i < MANY; i++) {
        if (i % 2)
            assert_int_equal(value_of(&map, i), i);
        else
            assert_false(td__ptrmap_get(&map, key(i), NULL));
    }
    for (size_t i = 0; i < MANY; i += 2) /* back, into tombstones or fresh slots */
        assert_int_equal(td__ptrmap_put(&map, key(i), i + 1), 0);
    for (size_t i = 0; i < MANY; i++)
        assert_int_equal(value_of(&map, i), i % 2 ? i : i + 1);
    td__ptrmap_free(&map);
}

/* Objects named and forgotten, threads that come and go: the table is rebuilt from
 * its live keys, not doubled for ever by tombstones. */
static void test_churn_stays_small(void **state)
{
    (void)state;
    td__ptrmap_t map = TD__PTRMAP_INIT;
    for (size_t round = 0; round < 50; round++) {
        for (size_t i = 0; i < MANY; i++) {
            assert_int_equal(td__ptrmap_put(&map, key(i), round), 0);
            assert_true(td__ptrmap_del(&map, key(i), NULL));
        }
    }
    assert_true(map.cap <= 128);
    assert_int_equal(td__ptrmap_put(&map, key(5), 55), 0);
    assert_int_equal(value_of(&map, 5), 55);
    td__ptrmap_free(&map);
}

static void test_reserve_makes_room(void **state)
{
    (void)state;
    td__ptrmap_t map = TD__PTRMAP_INIT;
    assert_int_equal(td__ptrmap_reserve(&map, 1000), 0);
    size_t cap = map.cap;
    assert_true(cap >= 2000);
    for (size_t i = 0; i < 1000; i++)
        assert_int_equal(td__ptrmap_put(&map, key(i), i), 0);
    assert_int_equal(map.cap, cap); /* the puts reserved for did not grow it */
    assert_int_equal(td__ptrmap_reserve(&map, SIZE_MAX), -ENOMEM);
    assert_int_equal(value_of(&map, 999), 999);
    td__ptrmap_free(&map);
}

/* Neighbouring addresses (objects a few bytes apart) spread over the table. */
static void test_hash_spreads_neighbours(void **state)
{
    (void)state;
    enum { SLOTS = 1024 };
    static bool hit[SLOTS];
    size_t distinct = 0;
    for (size_t i = 0; i < SLOTS / 2; i++) {
        size_t slot = (size_t)td__ptr_hash(&pool[i * 16]) & (SLOTS - 1);
        distinct += !hit[slot];
        hit[slot] = true;
    }
    assert_true(distinct > SLOTS / 2 * 2 / 3); /* a fair hash gives about 79% */
}

int main(void)
{
    const struct CMUnitTest cases[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_put_get_replace),
        cmocka_unit_test(test_null_key_is_not_stored),
        cmocka_unit_test(test_grow_keeps_every_value),
        cmocka_unit_test(test_del_keeps_others_reachable),
        cmocka_unit_test(test_churn_stays_small),
        cmocka_unit_test(test_reserve_makes_room),
        cmocka_unit_test(test_hash_spreads_neighbours),
    };
    return test_run_cases(cases);
}
