/* SPDX-License-Identifier: MIT */
/* error.c - words for the result codes the library returns, and its version.
 *
 * Each message is true wherever the code came from (libuv's rule): -ENOSPC may be a
 * full queue or a full disk under td_log, -EPIPE a broken barrier or a closed pipe;
 * the caller says which ("the queue is full: ..."). Codes the library never makes
 * itself are described by the C library's own words.
 */
#include <errno.h>
#include <string.h>

#include "thrdemo/common.h"
#include "thrdemo/task.h"

const char *td_strerror(int code)
{
    switch (code) {
    case 0: return "success";
    case TD_ETASK: return "the task failed (its own error code tells why)";
    case TD_ESTOP: return "stopped: it has returned";
    case TD_EEXCEPTION: return "an exception was raised (its message says what)";
    case -ETIMEDOUT: return "timed out";
    case -EBUSY: return "resource busy (it cannot be had without waiting)";
    case -EINVAL: return "invalid argument";
    case -EPERM: return "operation not permitted";
    case -EDEADLK: return "resource deadlock avoided";
    case -EOVERFLOW: return "value too large";
    case -ENOMEM: return "not enough memory";
    case -EAGAIN: return "resource temporarily unavailable";
    case -ENOSPC: return "no space left (a full queue, or a full device)";
    case -ENODATA: return "no data available (an empty queue)";
    case -ESHUTDOWN: return "shut down";
    case -ECANCELED: return "operation canceled";
    case -EPIPE: return "broken (a broken barrier, or a pipe with no reader)";
    case -EPROTO: return "protocol broken (a coroutine yielded when told to close)";
    default: break;
    }
    const char *text = code < 0 && code > -4096 ? strerrordesc_np(-code) : NULL;
    return text ? text : "unknown error";
}

const char *td_version(void)
{
    return THRDEMO_VERSION;
}
