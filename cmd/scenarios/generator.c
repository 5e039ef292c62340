/* SPDX-License-Identifier: MIT */
/* generator.c - Python's generators (seed 002 "generator") in for loops, on
 * libthrdemo's stackful coroutines. Every generator runs on the main thread, inside
 * next(): no thread is created (`--stats` says "threads started: 0"). A coroutine is
 * not a thread.
 *
 *   simple         yield 1, 2, 3 to a for loop, then isgeneratorfunction and the state:
 *                  "1,2,3,True" (print's end="," keeps True on that line), "GEN_CLOSED"
 *   range          stop a 10-million range loop at 50000, then the same loop over the
 *                  seed's generator function: "Found it" twice
 *   comprehension  two generator expressions, printed on one line
 *   (next and send, driving a generator by hand: generator_next.c)
 *
 * Values travel as pointers (NULL is None). A generator yields the address of its own
 * local variable: that frame lives on the generator's stack, kept while it is
 * suspended, which is what "stackful" means.
 * Things to try: `generator simple --stats` (no thread was started); compare each
 * variant with its --python.
 */
#include <stdbool.h>

#include <thrdemo/generator.h>

#include "generator.h"

/* inspect.isgeneratorfunction: in C the type tells, since a generator function is
 * handed the generator it runs in (td_gen_fn). */
#define isgeneratorfunction(fn) _Generic(&(fn), td_gen_fn: "True", default: "False")

static void *simple_generator(td_gen_t *gen, void *arg)
{
    (void)arg;
    int one = 1, two = 2, three = 3;
    td_gen_yield(gen, &one, NULL);   /* yield 1 */
    td_gen_yield(gen, &two, NULL);   /* yield 2 */
    td_gen_yield(gen, &three, NULL); /* yield 3 */
    return NULL;
}

static int run_generator_simple(const cli_args_t *args)
{
    (void)args;
    td_gen_t *gen;
    if (!generator_made(td_gen_new(&gen, simple_generator, NULL, NULL)))
        return EXIT_RUNTIME;
    TD_GEN_FOREACH(value, gen)                           /* for value in gen: */
        py_print_int(*(int *)value, ",");                /*     print(value, end=",") */
    py_print(isgeneratorfunction(simple_generator), "\n"); /* True */
    py_print(td_gen_state_name(td_gen_state(gen)), "\n");  /* GEN_CLOSED */
    td_gen_close(gen);
    td_gen_free(gen);
    return EXIT_OK;
}

/* def generator(my_range): for i in range(my_range): yield i */
static void *generator(td_gen_t *gen, void *arg)
{
    int my_range = *(const int *)arg;
    for (int i = 0; i < my_range; i++)
        if (td_gen_yield(gen, &i, NULL) != 0)
            break; /* close(): GeneratorExit ends the loop */
    return NULL;
}

static int run_generator_range(const cli_args_t *args)
{
    (void)args;
    for (int value = 0; value < 10000000; value++) {
        if (value == 50000) {
            py_print("Found it", "\n");
            break;
        }
    }
    int my_range = 10000000;
    td_gen_t *gen;
    if (!generator_made(td_gen_new(&gen, generator, &my_range, NULL)))
        return EXIT_RUNTIME;
    TD_GEN_FOREACH(value, gen) {
        if (*(int *)value == 50000) {
            py_print("Found it", "\n");
            break; /* the other 9,950,000 values are never made */
        }
    }
    td_gen_free(gen); /* closes it, as Python does when the last reference goes */
    return EXIT_OK;
}

/* ( (expr) for (item) in range(start, stop) if (cond) ): a generator whose body is
 * the loop; expr and cond may be NULL (the item itself, no condition). */
struct genexpr {
    int start, stop;
    int (*expr)(int item);
    bool (*cond)(int item);
};

static void *genexpr(td_gen_t *gen, void *arg)
{
    const struct genexpr *g = arg;
    for (int item = g->start; item < g->stop; item++) {
        if (g->cond && !g->cond(item))
            continue;
        int value = g->expr ? g->expr(item) : item;
        if (td_gen_yield(gen, &value, NULL) != 0)
            break;
    }
    return NULL;
}

static int times_two(int i)
{
    return i * 2;
}

static bool is_even(int i)
{
    return i % 2 == 0;
}

static int print_all(const struct genexpr *expr)
{
    td_gen_t *gen;
    if (!generator_made(td_gen_new(&gen, genexpr, (void *)expr, NULL)))
        return EXIT_RUNTIME;
    TD_GEN_FOREACH(value, gen)
        py_print_int(*(int *)value, ",");
    td_gen_free(gen);
    return EXIT_OK;
}

static int run_generator_comprehension(const cli_args_t *args)
{
    (void)args;
    const struct genexpr all = { 0, 10, NULL, NULL };          /* (i for i in range(0, 10)) */
    const struct genexpr evens = { 0, 9, times_two, is_even }; /* (i * 2 for i in range(0, 9)
                                                                   if i % 2 == 0) */
    if (print_all(&all) != EXIT_OK || print_all(&evens) != EXIT_OK)
        return EXIT_RUNTIME;
    py_print("", "\n"); /* print() */
    return EXIT_OK;
}

/* `thrdemo generator`: its variants, options, lesson and Python calls, which the
 * parser, the help and `list` read (cli.h). */
const cli_command_t scenario_generator = {
    .name = "generator", .kind = CMD_SCENARIO, .seed = "002",
    .summary = "generators: yield, next, send, close, on the main thread",
    .about = "\"generator\": yield, next, send, close and the generator states. Each "
             "generator runs on a stack of its own but on the main thread, only while "
             "next() or send() runs it: no thread is started ('--stats' says 0). Nothing "
             "here waits, so --scale changes nothing.",
    .lesson = "A coroutine is not a thread: it runs when asked, up to its next yield, and "
              "nothing runs beside it. Its frame survives between the calls on a stack of "
              "its own.",
    .variants = (const cli_variant_t[]){
        { "simple", "yield 1, 2, 3 to a for loop; isgeneratorfunction, getgeneratorstate",
          .example = "generator simple --stats", .run = run_generator_simple },
        { "range", "stop a 10-million range at 50000, then the same over a generator",
          .example = "generator range", .run = run_generator_range },
        { "comprehension", "two generator expressions: (i for i in ...), (i * 2 ... if ...)",
          .example = "generator comprehension", .run = run_generator_comprehension },
        { "next", "next() runs the body up to each yield",
          .example = "generator next", .run = run_generator_next },
        { "send", "a running total fed by send(): 0, 10, 30, 25",
          .example = "generator send --stats", .run = run_generator_send },
        { 0 } },
    .python = (const cli_pycall_t[]){
        { "def f(): ... yield x", "td_gen_new(&gen, f, arg, NULL); td_gen_yield" },
        { "for value in gen:", "TD_GEN_FOREACH(value, gen)" },
        { "next(gen)", "td_gen_next" },
        { "gen.send(x)", "td_gen_send" },
        { "gen.close()", "td_gen_close" },
        { "inspect.getgeneratorstate", "td_gen_state, td_gen_state_name" },
        { 0 } },
};
