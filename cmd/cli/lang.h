/* SPDX-License-Identifier: MIT */
/* lang.h - the seeds' own trace strings in English, for --lang en. */
#ifndef THRDEMO_LANG_H
#define THRDEMO_LANG_H

#include <stddef.h>
#include <stdio.h>

/* text as --lang asks: as the seed prints it (the default), or its English
 * translation under --lang en. A string the table lacks comes back as it is. */
const char *tr(const char *text);
/* Write text (size bytes, a Python program) to out as --lang asks: as it is, or with
 * every phrase of the seeds' the tables know in English. Returns size, or 0 when a
 * write failed. */
size_t lang_write(const char *text, size_t size, FILE *out);

#endif
