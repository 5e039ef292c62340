/* SPDX-License-Identifier: MIT */
/* generator.c - Python's generators (seed 002 "generator"), on libthrdemo's stackful
 * coroutines. Every generator runs on the main thread, inside next()/send(): no
 * thread is created (`--stats` says "threads started: 0"). A coroutine is not a thread.
 *
 *   simple         yield 1, 2, 3 to a for loop, then isgeneratorfunction and the state:
 *                  "1,2,3,True" (print's end="," keeps True on that line), "GEN_CLOSED"
 *   range          stop a 10-million range loop at 50000, then the same loop over the
 *                  seed's generator function: "Found it" twice
 *   comprehension  two generator expressions, printed on one line
 *   next           next() runs the body up to each yield: hello 1 world 2 python a
 *   send           a running total fed by send(): 0 10 30 25
 *
 * Values travel as pointers (NULL is None). A generator yields the address of its own
 * local variable: that frame lives on the generator's stack, kept while it is
 * suspended, which is what "stackful" means.
 *
 * Things to try: `generator send --stats` (no thread was started); compare each
 * variant with examples/python/generator_<variant>.py.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <thrdemo/generator.h>
#include <thrdemo/log.h>

#include "scenarios.h"

/* print(text, end=...): the library writes whole lines, so text not ending a line
 * waits here until a print() ends it; stdout gets the same bytes as Python's. */
static char pending[256];

static void print_end(const char *text, const char *end)
{
    size_t len = strlen(pending);
    if (strcmp(end, "\n") == 0) {
        td_print("%s%s", pending, text);
        pending[0] = '\0';
        return;
    }
    snprintf(pending + len, sizeof pending - len, "%s%s", text, end);
}

static void print_int(int value, const char *end)
{
    char text[16];
    snprintf(text, sizeof text, "%d", value);
    print_end(text, end);
}

/* A generator is made, or the scenario cannot go on (exit 1, said on stderr). */
static bool made(int rc)
{
    if (rc != 0)
        cli_error("cannot create a generator: %s", td_strerror(rc));
    return rc == 0;
}

/* inspect.isgeneratorfunction: in C the type tells, since a generator function is
 * handed the generator it runs in (td_gen_fn). */
#define isgeneratorfunction(fn) _Generic(&(fn), td_gen_fn: "True", default: "False")
/* type(x).__name__, decided by the compiler from x's type. */
#define type_name(x) _Generic((x), td_gen_t *: "generator", default: "object")

/* ---- simple ---------------------------------------------------------------------- */

static void *simple_generator(td_gen_t *gen, void *arg)
{
    (void)arg;
    int one = 1, two = 2, three = 3;
    td_gen_yield(gen, &one, NULL);   /* yield 1 */
    td_gen_yield(gen, &two, NULL);   /* yield 2 */
    td_gen_yield(gen, &three, NULL); /* yield 3 */
    return NULL;
}

static int run_simple(void)
{
    td_gen_t *gen;
    if (!made(td_gen_new(&gen, simple_generator, NULL, NULL)))
        return EXIT_RUNTIME;
    TD_GEN_FOREACH(value, gen)                             /* for value in gen: */
        print_int(*(int *)value, ",");                     /*     print(value, end=",") */
    print_end(isgeneratorfunction(simple_generator), "\n"); /* True */
    print_end(td_gen_state_name(td_gen_state(gen)), "\n"); /* GEN_CLOSED */
    td_gen_close(gen);
    td_gen_free(gen);
    return EXIT_OK;
}

/* ---- range ------------------------------------------------------------------------ */

/* def generator(my_range): for i in range(my_range): yield i */
static void *generator(td_gen_t *gen, void *arg)
{
    int my_range = *(const int *)arg;
    for (int i = 0; i < my_range; i++)
        if (td_gen_yield(gen, &i, NULL) != 0)
            break; /* close(): GeneratorExit ends the loop */
    return NULL;
}

static int run_range(void)
{
    for (int value = 0; value < 10000000; value++) {
        if (value == 50000) {
            print_end("Found it", "\n");
            break;
        }
    }
    int my_range = 10000000;
    td_gen_t *gen;
    if (!made(td_gen_new(&gen, generator, &my_range, NULL)))
        return EXIT_RUNTIME;
    TD_GEN_FOREACH(value, gen) {
        if (*(int *)value == 50000) {
            print_end("Found it", "\n");
            break; /* the other 9,950,000 values are never made */
        }
    }
    td_gen_free(gen); /* closes it, as Python does when the last reference goes */
    return EXIT_OK;
}

/* ---- comprehension ------------------------------------------------------------------ */

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
    if (!made(td_gen_new(&gen, genexpr, (void *)expr, NULL)))
        return EXIT_RUNTIME;
    TD_GEN_FOREACH(value, gen)
        print_int(*(int *)value, ",");
    td_gen_free(gen);
    return EXIT_OK;
}

static int run_comprehension(void)
{
    const struct genexpr all = { 0, 10, NULL, NULL };            /* (i for i in range(0, 10)) */
    const struct genexpr evens = { 0, 9, times_two, is_even };   /* (i * 2 for i in range(0, 9)
                                                                     if i % 2 == 0) */
    if (print_all(&all) != EXIT_OK || print_all(&evens) != EXIT_OK)
        return EXIT_RUNTIME;
    print_end("", "\n"); /* print() */
    return EXIT_OK;
}

/* ---- next ----------------------------------------------------------------------------- */

/* print() shows str(value); C values carry no type, so this generator yields the text
 * that Python would print for 1, 2 and 'a'. */
static void *my_generator(td_gen_t *gen, void *arg)
{
    (void)arg;
    print_end("hello", "\n");
    td_gen_yield(gen, "1", NULL);
    print_end("world", "\n");
    td_gen_yield(gen, "2", NULL);
    print_end("python", "\n");
    td_gen_yield(gen, "a", NULL);
    return NULL;
}

static int run_next(void)
{
    td_gen_t *g;
    if (!made(td_gen_new(&g, my_generator, NULL, NULL)))
        return EXIT_RUNTIME;
    char class_line[32];
    snprintf(class_line, sizeof class_line, "<class '%s'>", type_name(g));
    print_end(class_line, "\n");
    for (int i = 0; i < 3; i++) { /* print(next(g)), three times: the body runs */
        void *value;              /* only up to the next yield each time */
        if (td_gen_next(g, &value) == 0)
            print_end(value, "\n");
    }
    td_gen_free(g);
    return EXIT_OK;
}

/* ---- send ------------------------------------------------------------------------------ */

static void *calculator(td_gen_t *gen, void *arg)
{
    (void)arg;
    int total = 0;
    for (;;) {
        void *x;
        if (td_gen_yield(gen, &total, &x) != 0) /* x = yield total (or close()) */
            break;
        if (x == NULL) /* if x is None: break */
            break;
        total += *(const int *)x;
    }
    return NULL;
}

static int run_send(void)
{
    td_gen_t *calc_gen;
    if (!made(td_gen_new(&calc_gen, calculator, NULL, NULL)))
        return EXIT_RUNTIME;
    void *total;
    int rc = td_gen_next(calc_gen, &total); /* start it: run to the first yield */
    if (rc == 0)
        print_int(*(int *)total, "\n");
    int sent[] = { 10, 20, -5 };
    for (int i = 0; i < 3 && rc == 0; i++) {
        rc = td_gen_send(calc_gen, &sent[i], &total); /* the yield returns sent[i] */
        if (rc == 0)
            print_int(*(int *)total, "\n");
    }
    td_gen_close(calc_gen);
    td_gen_free(calc_gen);
    if (rc != 0)
        cli_error("the generator stopped: %s", td_strerror(rc));
    return rc == 0 ? EXIT_OK : EXIT_RUNTIME;
}

static int run(const cli_args_t *args)
{
    if (cli_variant_is(args, "range"))
        return run_range();
    if (cli_variant_is(args, "comprehension"))
        return run_comprehension();
    if (cli_variant_is(args, "next"))
        return run_next();
    if (cli_variant_is(args, "send"))
        return run_send();
    return run_simple();
}

static const cli_variant_t variants[] = {
    { "simple", "yield 1, 2, 3 to a for loop; isgeneratorfunction, getgeneratorstate" },
    { "range", "stop a 10-million range at 50000, then the same over a generator" },
    { "comprehension", "two generator expressions: (i for i in ...), (i * 2 ... if ...)" },
    { "next", "next() runs the body up to each yield" },
    { "send", "a running total fed by send(): 0, 10, 30, 25" },
    { 0 },
};

static const cli_option_t options[] = { { 0 } };

const scenario_t scenario_generator = {
    .name = "generator",
    .seed = "002",
    .variants = variants,
    .options = options,
    .run = run,
    .help = "Seed 002 \"generator\": yield, next, send, close and the generator states.\n"
            "Each generator runs on a stack of its own but on the main thread, only while\n"
            "next() or send() runs it: no thread is started ('--stats' says 0). That is the\n"
            "lesson: a coroutine is not a thread; it runs when asked, and nothing runs\n"
            "beside it. Nothing here waits, so --scale changes nothing.\n"
            "Things to try: 'generator send --stats'; compare each variant with\n"
            "examples/python/generator_<variant>.py.\n",
};
