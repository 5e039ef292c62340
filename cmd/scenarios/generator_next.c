/* SPDX-License-Identifier: MIT */
/* generator_next.c - seed 002 "generator", driving a generator by hand: next() runs
 * its body up to the next yield, send() resumes it with a value that yield returns.
 * As in generator.c, every generator runs on the main thread, inside next() or
 * send(): no thread is created.
 *
 *   next  <class 'generator'>, then the body's hello / world / python between the
 *         values 1, 2, a that three next() calls get
 *   send  a running total fed by send(): 0, 10, 30, 25
 *
 * Things to try: `generator send --stats` (threads started: 0); `generator next
 * --python` beside the trace.
 */
#include <stdio.h>

#include <thrdemo/generator.h>

#include "generator.h"

/* type(x).__name__, decided by the compiler from x's type. */
#define type_name(x) _Generic((x), td_gen_t *: "generator", default: "object")

bool generator_made(int rc)
{
    if (rc != 0)
        cli_error("cannot create a generator: %s", td_strerror(rc));
    return rc == 0;
}

/* print() shows str(value); C values carry no type, so this generator yields the text
 * that Python would print for 1, 2 and 'a'. */
static void *my_generator(td_gen_t *gen, void *arg)
{
    (void)arg;
    py_print("hello", "\n");
    td_gen_yield(gen, "1", NULL);
    py_print("world", "\n");
    td_gen_yield(gen, "2", NULL);
    py_print("python", "\n");
    td_gen_yield(gen, "a", NULL);
    return NULL;
}

int run_generator_next(const cli_args_t *args)
{
    (void)args;
    td_gen_t *g;
    if (!generator_made(td_gen_new(&g, my_generator, NULL, NULL)))
        return EXIT_RUNTIME;
    char class_line[32];
    snprintf(class_line, sizeof class_line, "<class '%s'>", type_name(g));
    py_print(class_line, "\n");
    for (int i = 0; i < 3; i++) { /* print(next(g)), three times: the body runs */
        void *value;              /* only up to the next yield each time */
        if (td_gen_next(g, &value) == 0)
            py_print(value, "\n");
    }
    td_gen_free(g);
    return EXIT_OK;
}

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

int run_generator_send(const cli_args_t *args)
{
    (void)args;
    td_gen_t *calc_gen;
    if (!generator_made(td_gen_new(&calc_gen, calculator, NULL, NULL)))
        return EXIT_RUNTIME;
    void *total;
    int rc = td_gen_next(calc_gen, &total); /* start it: run to the first yield */
    if (rc == 0)
        py_print_int(*(int *)total, "\n");
    int sent[] = { 10, 20, -5 };
    for (int i = 0; i < 3 && rc == 0; i++) {
        rc = td_gen_send(calc_gen, &sent[i], &total); /* the yield returns sent[i] */
        if (rc == 0)
            py_print_int(*(int *)total, "\n");
    }
    td_gen_close(calc_gen);
    td_gen_free(calc_gen);
    if (rc != 0)
        cli_error("the generator stopped: %s", td_strerror(rc));
    return rc == 0 ? EXIT_OK : EXIT_RUNTIME;
}
