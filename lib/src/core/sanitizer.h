/* SPDX-License-Identifier: MIT */
/* sanitizer.h - whether this translation unit is built with AddressSanitizer or
 * ThreadSanitizer: TD__ASAN and TD__TSAN, each 0 or 1. gcc says so with
 * __SANITIZE_ADDRESS__ / __SANITIZE_THREAD__, clang only through __has_feature; the
 * one place that knows both, for the library and its tests alike (it includes
 * nothing, so a test may include it without the library's internals). */
#ifndef TD_CORE_SANITIZER_H
#define TD_CORE_SANITIZER_H

#if defined(__has_feature)
#define TD__HAS_FEATURE(x) __has_feature(x)
#else
#define TD__HAS_FEATURE(x) 0
#endif

#if defined(__SANITIZE_ADDRESS__) || TD__HAS_FEATURE(address_sanitizer)
#define TD__ASAN 1
#else
#define TD__ASAN 0
#endif

#if defined(__SANITIZE_THREAD__) || TD__HAS_FEATURE(thread_sanitizer)
#define TD__TSAN 1
#else
#define TD__TSAN 0
#endif

#endif
