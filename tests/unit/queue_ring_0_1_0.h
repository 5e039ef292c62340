/* SPDX-License-Identifier: MIT */
/* queue_ring_0_1_0.h - a test-only copy of thrdemo 0.1.0's bounded queue, the lock-free
 * ring that served td_queue_new(maxsize >= 2) then (git show 4c01212:lib/src/queue.c),
 * kept with its two defects so that test_queue_linearizability can show its checker
 * catches them:
 *   - shutdown is a flag stored apart from the ring: a put reads the flag, then claims
 *     a slot, so a put can land after a shutdown() that returned in between (after an
 *     immediate shutdown's drain, or after a get saw the queue shut down and empty);
 *   - a get finds the head slot claimed by a put that has not written it yet and says
 *     Empty, although a later slot may hold an item whose put has returned.
 * Never use it outside that test.
 */
#ifndef THRDEMO_TEST_QUEUE_RING_0_1_0_H
#define THRDEMO_TEST_QUEUE_RING_0_1_0_H

#include <stdbool.h>
#include <stddef.h>

/* Where the copy offers the controlled scheduler a switch (td_yield_now), so that a
 * schedule can open a defect's window on purpose; without a schedule, nothing. */
enum {
    RING010_WINDOW_SHUTDOWN = 1, /* a put between reading the flag and claiming a slot */
    RING010_WINDOW_CLAIM = 2,    /* a put between claiming its slot and writing it */
};

typedef struct ring010 ring010_t;

/* A ring of capacity >= 2 with the given windows: 0, -EINVAL or -ENOMEM. */
int ring010_new(ring010_t **out, long capacity, unsigned windows);
/* Free it (no thread may use it); the items are the caller's. */
void ring010_free(ring010_t *q);
/* As 0.1.0's td_queue_put: 0, -ENOSPC, -ESHUTDOWN. */
int ring010_put(ring010_t *q, void *item, bool block, double timeout);
/* As 0.1.0's td_queue_get: 0, -ENODATA, -ESHUTDOWN. */
int ring010_get(ring010_t *q, void **item, bool block, double timeout);
/* As 0.1.0's td_queue_shutdown. */
void ring010_shutdown(ring010_t *q, bool immediate);

#endif
