/* SPDX-License-Identifier: MIT */
/* generator.c - Python's generator protocol (generator.h) on a coroutine (coro.c).
 *
 * DESIGN. A generator is a coroutine whose body is the generator function, plus the
 * value the body returned. The coroutine layer already has Python's rules for states,
 * send of a first value, nested resume and close; this file adds what is the
 * generator's own: StopIteration (TD_ESTOP) every time an exhausted generator is asked
 * again, and the return value kept for td_gen_return_value. `returned` is written on
 * the generator's stack as the body returns, before the coroutine is CLOSED (whose
 * state then publishes it).
 */
#include <errno.h>
#include <stdlib.h>

#include "thrdemo/generator.h"

struct td_gen {
    td_coro_t *coro;
    td_gen_fn fn;
    void *arg;
    void *returned; /* StopIteration.value */
};

/* Runs on the generator's stack; stores the return value before the coroutine is
 * CLOSED, so whoever sees it closed sees the value. */
static void *run_body(td_coro_t *co, void *arg)
{
    (void)co;
    td_gen_t *gen = arg;
    gen->returned = gen->fn(gen, gen->arg);
    return gen->returned;
}

int td_gen_new(td_gen_t **gen, td_gen_fn fn, void *arg, const td_coro_attr_t *attr)
{
    if (!gen || !fn)
        return -EINVAL;
    td_gen_t *g = calloc(1, sizeof *g);
    if (!g)
        return -ENOMEM;
    g->fn = fn;
    g->arg = arg;
    int rc = td_coro_new(&g->coro, run_body, g, attr);
    if (rc != 0) {
        free(g);
        return rc;
    }
    *gen = g;
    return 0;
}

int td_gen_send(td_gen_t *gen, void *sent, void **value)
{
    void *got = NULL;
    if (!gen)
        return -EINVAL;
    int rc = td_coro_resume(gen->coro, sent, &got);
    if (rc == -EINVAL && td_coro_state(gen->coro) == TD_CORO_CLOSED)
        rc = TD_ESTOP; /* exhausted before: StopIteration again, with None */
    if (value && (rc == 0 || rc == TD_ESTOP))
        *value = got;
    return rc;
}

int td_gen_next(td_gen_t *gen, void **value)
{
    return td_gen_send(gen, NULL, value);
}

int td_gen_yield(td_gen_t *gen, void *value, void **sent)
{
    return gen ? td_coro_yield(gen->coro, value, sent) : -EINVAL;
}

int td_gen_close(td_gen_t *gen)
{
    return gen ? td_coro_close(gen->coro) : -EINVAL;
}

void td_gen_free(td_gen_t *gen)
{
    if (!gen)
        return;
    td_coro_free(gen->coro);
    free(gen);
}

td_coro_state_t td_gen_state(const td_gen_t *gen)
{
    return td_coro_state(gen->coro);
}

const char *td_gen_state_name(td_coro_state_t state)
{
    switch (state) {
    case TD_CORO_CREATED: return "GEN_CREATED";
    case TD_CORO_RUNNING: return "GEN_RUNNING";
    case TD_CORO_SUSPENDED: return "GEN_SUSPENDED";
    case TD_CORO_CLOSED: return "GEN_CLOSED";
    }
    return "?";
}

void *td_gen_return_value(const td_gen_t *gen)
{
    return gen->returned;
}

td_coro_t *td_gen_coro(const td_gen_t *gen)
{
    return gen->coro;
}
