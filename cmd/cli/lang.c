/* SPDX-License-Identifier: MIT */
/* lang.c - the translation table. The traces keep the seeds' words (a trace must
 * match its tutorial); a reader who does not read Korean or Chinese asks for
 * --lang en. Every string a scenario passes to tr() has a row here, and so has every
 * Korean or Chinese comment of examples/python, for `--python --lang en`:
 * tests/cli/test_lang.sh checks that --lang en leaves no such word behind. */
#include "lang.h"

#include <stdbool.h>
#include <string.h>

#include "cli.h"

static const struct {
    const char *seed, *en;
} table[] = {
    { "주기적으로 실행", "running periodically" },            /* seed 000, monitor */
    { "---Toast Error monitor 종료---", "---Toast Error monitor ended---" },
    { "안녕하세요", "Hello" },                                /* seed 001, tcp-echo */
};

/* The seeds' comments in the Python programs (examples/python), for --python. */
static const struct {
    const char *seed, *en;
} comments[] = {
    { "두 비동기 함수를 동시에 실행", "run the two async functions at once" },  /* examples/python/async_gather.py */
    { "Future 객체 생성", "create a Future object" },  /* examples/python/async_monitor.py */
    { "Future 를 사용한 내부 비동기 프로세스 정의", "define the inner async process that uses the Future" },
    { "Future 모니터링", "watch the Future" },
    { "모든 태스크가 완료될 때까지 기다림", "wait until every task is done" },
    { "5초 동안 작업을 수행", "work for 5 seconds" },  /* examples/python/async_wait.py */
    { "create_task를 사용하여 Task 생성 및 실행", "create and run Tasks with create_task" },
    { "첫 번째 태스크가 완료될 때까지 기다림", "wait until the first task is done" },
    { "pending 은 set[Future] 형태의 객체", "pending are set[Future] objects" },
    { "완료된 태스크 결과 출력", "print the results of the finished tasks" },
    { "미완 태스크 결과 출력", "print the unfinished tasks" },
    { "long_task가 3초 내에 완료되도록 기다림", "wait for long_task to finish within 3 seconds" },
    { "generator 컴프리헨션", "generator comprehension" },  /* examples/python/generator_comprehension.py */
    { "표현식", "expression" },
    { "항목1", "item1" },
    { "리스트", "list" },
    { "조건문", "condition" },
    { "StopIteration 발생", "StopIteration is raised" },  /* examples/python/generator_next.py */
    { "제너레이터를 초기화", "start the generator" },  /* examples/python/generator_send.py */
    { "값을 보내고 총합 출력", "send a value and print the total" },
    { "제너레이터 종료", "close the generator" },
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

/* The English of the phrase text starts with (n bytes left), from either table, with
 * its length in *len; NULL when none starts there. */
static const char *phrase_at(const char *text, size_t n, size_t *len)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if ((*len = strlen(table[i].seed)) <= n && memcmp(text, table[i].seed, *len) == 0)
            return table[i].en;
    for (size_t i = 0; i < sizeof comments / sizeof comments[0]; i++)
        if ((*len = strlen(comments[i].seed)) <= n && memcmp(text, comments[i].seed, *len) == 0)
            return comments[i].en;
    return NULL;
}

size_t lang_write(const char *text, size_t size, FILE *out)
{
    if (cli_globals.lang != LANG_EN)
        return fwrite(text, 1, size, out);
    size_t done = 0, plain = 0; /* text[done - plain, done) waits to be written as it is */
    bool ok = true;
    while (done < size) {
        size_t len;
        const char *en = phrase_at(text + done, size - done, &len);
        if (!en) {
            done++, plain++;
            continue;
        }
        ok = ok && fwrite(text + done - plain, 1, plain, out) == plain && fputs(en, out) >= 0;
        done += len;
        plain = 0;
    }
    ok = ok && fwrite(text + done - plain, 1, plain, out) == plain;
    return ok ? size : 0;
}
