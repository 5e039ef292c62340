/* SPDX-License-Identifier: MIT */
/* queue_locked.h - the mutex-and-conditions queue behind unbounded td_queue_t. Each
 * function has the contract of its td_queue_ namesake in thrdemo/queue.h. */
#ifndef THRDEMO_QUEUE_LOCKED_H
#define THRDEMO_QUEUE_LOCKED_H

#include <stdbool.h>
#include <stddef.h>

#include "thrdemo/queue.h"

struct td__lqueue;

int td__lqueue_new(struct td__lqueue **out, long maxsize, td_queue_drop_fn drop);
void td__lqueue_free(struct td__lqueue *q);
int td__lqueue_put(struct td__lqueue *q, void *item, bool block, double timeout);
int td__lqueue_get(struct td__lqueue *q, void **item, bool block, double timeout,
                   size_t *remaining);
size_t td__lqueue_qsize(struct td__lqueue *q);
bool td__lqueue_empty(struct td__lqueue *q);
bool td__lqueue_full(struct td__lqueue *q);
int td__lqueue_task_done(struct td__lqueue *q);
int td__lqueue_join(struct td__lqueue *q, double timeout);
void td__lqueue_shutdown(struct td__lqueue *q, bool immediate);
bool td__lqueue_is_shutdown(struct td__lqueue *q);

#endif
