/* SPDX-License-Identifier: MIT */
/* error.c - words for the result codes the library returns, and its version. */
#include <errno.h>

#include "thrdemo/common.h"

const char *td_strerror(int code)
{
    switch (code) {
    case 0: return "success";
    case -ETIMEDOUT: return "timed out";
    case -EBUSY: return "busy: it could not be had without blocking";
    case -EINVAL: return "invalid argument or state";
    case -EPERM: return "not permitted: the lock is not held by the caller";
    case -EDEADLK: return "a thread cannot join itself";
    case -EOVERFLOW: return "timeout larger than TD_TIMEOUT_MAX";
    case -ENOMEM: return "out of memory";
    case -EAGAIN: return "the system cannot start another thread now";
    case -ENOSPC: return "full: the queue has no room";
    case -ENODATA: return "empty: the queue has no item";
    case -ESHUTDOWN: return "shut down";
    case -ECANCELED: return "cancelled";
    case -EPIPE: return "broken barrier";
    default: return "unknown error";
    }
}

const char *td_version(void)
{
    return THRDEMO_VERSION;
}
