/* SPDX-License-Identifier: MIT */
/* python.c - finding a variant's embedded Python program by its file name. */
#include "python.h"

#include <stdio.h>
#include <string.h>

const char *python_file_name(const cli_command_t *cmd, const cli_variant_t *variant,
                             char *buf, size_t size)
{
    if (variant && variant->name)
        snprintf(buf, size, "%s_%s.py", cmd->name, variant->name);
    else
        snprintf(buf, size, "%s.py", cmd->name);
    for (char *p = buf; *p; p++)
        if (*p == '-')
            *p = '_';
    return buf;
}

const python_file_t *python_program(const cli_command_t *cmd, const cli_variant_t *variant)
{
    char name[96];
    python_file_name(cmd, variant, name, sizeof name);
    for (size_t i = 0; i < python_n_files; i++)
        if (strcmp(python_files[i].name, name) == 0)
            return &python_files[i];
    return NULL;
}
