/* SPDX-License-Identifier: MIT */
/* stats.h - --stats: an observer that counts what the library reports, plus the
 * counts a scenario keeps, printed on stderr when the process exits. */
#ifndef THRDEMO_STATS_H
#define THRDEMO_STATS_H

#include <stdint.h>

/* Start counting (installs the library observer) and print the summary at exit. */
void stats_enable(void);
/* Add n to the scenario counter called name (a no-op without --stats). */
void stats_count(const char *name, uint64_t n);
/* Add one line of the scenario's own to the summary (a no-op without --stats). */
void stats_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Record that something due at a time came late seconds after it: the summary
 * shows "<what> lateness: mean, max over N" (a no-op without --stats). */
void stats_lateness(const char *what, double late);
/* Whether --stats is on (to skip work only the summary needs). */
int stats_enabled(void);

#endif
