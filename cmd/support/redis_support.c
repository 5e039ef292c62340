/* SPDX-License-Identifier: MIT */
/* redis_support.c - the one answer to "can this build talk to Redis?". */
#include "redis_support.h"

#include "cli/cli.h"

bool redis_support_available(void)
{
#ifdef THRDEMO_HAVE_HIREDIS
    return true;
#else
    return false;
#endif
}

int redis_support_refuse(const char *scenario, const char *option)
{
    return cli_usage_error(scenario, "%s: this build has no Redis client (built without hiredis)",
                           option);
}
