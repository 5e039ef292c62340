/* SPDX-License-Identifier: MIT */
/* pylike.h - what a Python tutorial gets for free and a C re-creation must spell
 * out: the way Python prints a number, print(end=...), random.randint. */
#ifndef THRDEMO_PYLIKE_H
#define THRDEMO_PYLIKE_H

#include <stdint.h>
#include <time.h>

#include "cli/cli.h"

/* Python's repr of a float ("5.0", "0.1", "1e-05") into buf: returns buf. */
const char *py_float(double value, char buf[32]);
/* An option's value as a Python program prints the number it parses from the same
 * text: an int when written without '.' or an exponent ("1", "007" -> "7"), else a
 * float ("1.0", "5e-1" -> "0.5"). Returns buf. */
const char *py_number(const cli_args_t *args, cli_opt_t option, char buf[32]);

/* Python's print(text, end=end): the library writes whole lines, so text that does
 * not end one waits here until a print that does; stdout gets the bytes Python's
 * print would write. Main thread only (the generator and async scenarios). */
void py_print(const char *text, const char *end);
/* print(value, end=end) of an int. */
void py_print_int(int value, const char *end);

/* time.localtime(when) into *tm, returning tm; under --schedule UTC instead, since
 * the virtual clock must print the same on every machine. */
struct tm *py_localtime(double when, struct tm *tm);
/* time.ctime(when) ("Sat Jan  1 00:00:03 2000", local time as py_localtime) into
 * buf: returns buf. */
const char *py_ctime(double when, char buf[32]);

/* A random number, from --seed when given (same seed, same numbers in the same
 * order of calls), else from the clock. Thread-safe. */
uint64_t py_random(void);
/* A random whole number from lo to hi inclusive: Python's random.randint. */
long long py_randint(long long lo, long long hi);

#endif
