/* SPDX-License-Identifier: MIT */
/* lang.h - the seeds' own trace strings in English, for --lang en. */
#ifndef THRDEMO_LANG_H
#define THRDEMO_LANG_H

/* text as --lang asks: as the seed prints it (the default), or its English
 * translation under --lang en. A string the table lacks comes back as it is. */
const char *tr(const char *text);

#endif
