/* SPDX-License-Identifier: MIT */
/* redis_support.h - whether this build can talk to a Redis server.
 *
 * hiredis is optional (CMake's THRDEMO_WITH_HIREDIS, AUTO by default): when it was
 * found the build defines THRDEMO_HAVE_HIREDIS and links it; when not, everything
 * else builds and an option that needs a real server is refused here, in one
 * place, with one usage error that says why. */
#ifndef THRDEMO_REDIS_SUPPORT_H
#define THRDEMO_REDIS_SUPPORT_H

#include <stdbool.h>

/* Whether this build has a Redis client (hiredis was found when it was built). */
bool redis_support_available(void);
/* Refuse an option that needs a Redis client: print "thrdemo: OPTION: this build
 * has no Redis client (built without hiredis)" with the --help hint on stderr and
 * return EXIT_USAGE. */
int redis_support_refuse(const char *scenario, const char *option);

#endif
