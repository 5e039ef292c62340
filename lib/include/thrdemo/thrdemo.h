/* SPDX-License-Identifier: MIT */
/* thrdemo.h - all of libthrdemo: Python's threading, queue and concurrent.futures
 * in C on POSIX threads, and its generators and asyncio on stackful coroutines. */
#ifndef THRDEMO_THRDEMO_H
#define THRDEMO_THRDEMO_H

#include "aio_event.h"
#include "aio_queue.h"
#include "aio_stream.h"
#include "barrier.h"
#include "common.h"
#include "condition.h"
#include "coro.h"
#include "event.h"
#include "future.h"
#include "local.h"
#include "generator.h"
#include "lock.h"
#include "log.h"
#include "loop.h"
#include "observer.h"
#include "pool.h"
#include "queue.h"
#include "schedule.h"
#include "semaphore.h"
#include "task.h"
#include "thread.h"
#include "timer.h"
#include "trace.h"

#endif
