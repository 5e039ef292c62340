/* SPDX-License-Identifier: MIT */
/* lang.c - the translation table. The traces keep the seeds' words (a trace must
 * match its tutorial); a reader who does not read Korean or Chinese asks for
 * --lang en. Every string a scenario passes to tr() has a row here, and
 * tests/cli/test_lang.sh checks that --lang en leaves no such string behind. */
#include "lang.h"

#include <string.h>

#include "cli.h"

static const struct {
    const char *seed, *en;
} table[] = {
    { "주기적으로 실행", "running periodically" },            /* seed 000, monitor */
    { "---Toast Error monitor 종료---", "---Toast Error monitor ended---" },
    { "안녕하세요", "Hello" },                                /* seed 001, tcp-echo */
};

const char *tr(const char *text)
{
    if (cli_globals.lang != LANG_EN)
        return text;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(table[i].seed, text) == 0)
            return table[i].en;
    return text;
}
