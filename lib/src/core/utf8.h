/* SPDX-License-Identifier: MIT */
/* utf8.h - the project's one UTF-8 check, so every place calls the same bytes valid:
 * the library's JSON trace (invalid sequences replaced), and the binary's error lines
 * (escaped) and echo of received bytes. The library exports no text helpers, so the
 * binary compiles this one source file too (CMakeLists.txt); it includes nothing of
 * the library's. */
#ifndef TD_CORE_UTF8_H
#define TD_CORE_UTF8_H

#include <stddef.h>

/* The length (1 to 4) of the valid UTF-8 sequence at s, of which n bytes may be
 * read, or 0 if none starts there: a stray or missing continuation byte, an
 * overlong form, a surrogate or a code point past U+10FFFF, as Python's decoder
 * refuses them. */
size_t td__utf8_length(const unsigned char *s, size_t n);

#endif
