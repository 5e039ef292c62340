/* SPDX-License-Identifier: MIT */
/* python.h - the Python programs the scenarios re-create: the files of examples/python,
 * embedded in the binary at build time (cmake/embed.cmake), one per variant. */
#ifndef THRDEMO_PYTHON_H
#define THRDEMO_PYTHON_H

#include <stddef.h>

#include "cli.h"

/* One embedded file: its name ("event_wait.py") and its bytes. */
typedef struct python_file {
    const char *name;
    const char *text;
    size_t size;
} python_file_t;

/* Every embedded file, in name order (the generated python_programs.c). */
extern const python_file_t python_files[];
extern const size_t python_n_files;

/* The file a variant's program lives in: "<scenario>[_<variant>].py", dashes as
 * underscores ("lock_counter.py", "tcp_echo_client.py"). Returns buf. */
const char *python_file_name(const cli_command_t *cmd, const cli_variant_t *variant,
                             char *buf, size_t size);
/* The variant's program, or NULL if there is none. */
const python_file_t *python_program(const cli_command_t *cmd, const cli_variant_t *variant);

#endif
