/* SPDX-License-Identifier: MIT */
/* text.h - what the binary knows of UTF-8: one check of a sequence, shared by the
 * error lines' escaping (cli.c) and the echo of received bytes (net.c), so both call
 * the same bytes valid. The library keeps its own for the trace's JSON. */
#ifndef THRDEMO_TEXT_H
#define THRDEMO_TEXT_H

#include <stddef.h>

/* The length (1 to 4) of the valid UTF-8 sequence at s, of which n bytes may be
 * read, or 0 if none starts there: a stray or missing continuation byte, an
 * overlong form, a surrogate or a code point past U+10FFFF, as Python's decoder
 * refuses them. */
size_t text_utf8_length(const unsigned char *s, size_t n);

#endif
