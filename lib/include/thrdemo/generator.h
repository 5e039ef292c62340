/* SPDX-License-Identifier: MIT */
/* generator.h - Python's generators: a function that produces values one at a time,
 * stopping at each `yield` until the caller asks for the next one. Built on the
 * stackful coroutines of coro.h: the generator's body runs on its own stack, on the
 * thread that calls next()/send(), and nowhere else. A generator is not a thread.
 *
 *   Python                          C
 *   def gen(arg): ... yield v       void *gen(td_gen_t *g, void *arg) {
 *                                       td_gen_yield(g, v, NULL); ... return r; }
 *   g = gen(arg)                    td_gen_new(&g, gen, arg, NULL)
 *   for v in g: ...                 TD_GEN_FOREACH(v, g) { ... }
 *   v = next(g)                     rc = td_gen_next(g, &v)
 *   v = g.send(x)                   rc = td_gen_send(g, x, &v)
 *   x = yield v                     td_gen_yield(g, v, &x)
 *   StopIteration (e.value)         rc == TD_ESTOP (v = the return value)
 *   g.close(); GeneratorExit        td_gen_close(g); td_gen_yield returns -ECANCELED
 *   inspect.getgeneratorstate(g)    td_gen_state_name(td_gen_state(g)): "GEN_CLOSED"
 *
 * Values are pointers (void *), NULL playing None. A value a body yields may point into
 * its own stack: it stays valid while the generator is suspended, since the frame is
 * kept (this is what "stackful" means), and until the generator is resumed.
 *
 * StopIteration is a result code: next() and send() return 0 when the body yielded,
 * TD_ESTOP when it returned (the first time with *value = its return value, which
 * td_gen_return_value keeps; afterwards, like Python, TD_ESTOP with NULL). Errors:
 * -EBUSY when the generator is running (Python's ValueError "generator already
 * executing": a body calling next() on itself), -EINVAL for send() of a non-NULL value
 * to a just-created generator (Python's TypeError "can't send non-None value to a
 * just-started generator"), -ENOMEM as for td_coro_resume.
 *
 * close() of a suspended generator makes its pending td_gen_yield return -ECANCELED:
 * the body runs its cleanup and returns (Python's try/finally around the yield).
 * A body that yields again instead makes close() return -EPROTO (Python's
 * RuntimeError "generator ignored GeneratorExit"). Thread-safety as in coro.h: any
 * thread, one at a time; td_gen_free must not race with other calls.
 */
#ifndef THRDEMO_GENERATOR_H
#define THRDEMO_GENERATOR_H

#include "common.h"
#include "coro.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct td_gen td_gen_t;

/* A generator function's body: yields with td_gen_yield(gen, ...); its return value
 * is StopIteration's value. */
typedef void *(*td_gen_fn)(td_gen_t *gen, void *arg);

/* Make a generator that will run fn(gen, arg) (Python: calling a generator function
 * runs none of its body). attr (stack size) may be NULL. Returns 0, -EINVAL or
 * -ENOMEM, as td_coro_new. */
TD_API int td_gen_new(td_gen_t **gen, td_gen_fn fn, void *arg, const td_coro_attr_t *attr);

/* next(gen): run the body to its next yield. Returns 0 with *value (if value is not
 * NULL) the yielded value, TD_ESTOP when the body returned or had, -EBUSY. */
TD_API int td_gen_next(td_gen_t *gen, void **value);

/* gen.send(sent): the pending yield returns sent; then as td_gen_next. -EINVAL for a
 * non-NULL sent to a generator that has not started. */
TD_API int td_gen_send(td_gen_t *gen, void *sent, void **value);

/* Inside the body: hand value to the caller of next()/send() and stop until the next
 * call, whose sent value is stored in *sent (if not NULL; NULL after next()). Returns
 * 0, -ECANCELED when the generator is being closed (the body must clean up and
 * return), or -EINVAL when gen is not the generator running on this thread. */
TD_API int td_gen_yield(td_gen_t *gen, void *value, void **sent);

/* gen.close(): returns 0 (it is closed; a suspended body has run its cleanup),
 * -EBUSY (it is running), or -EPROTO (its body yielded when told to close). */
TD_API int td_gen_close(td_gen_t *gen);

/* Close (if suspended) and free the generator; NULL is accepted. */
TD_API void td_gen_free(td_gen_t *gen);

/* inspect.getgeneratorstate(gen), as a td_coro_state_t. */
TD_API td_coro_state_t td_gen_state(const td_gen_t *gen);

/* The state's name as inspect prints it: "GEN_CREATED", "GEN_RUNNING",
 * "GEN_SUSPENDED", "GEN_CLOSED" ("?" if unknown). */
TD_API const char *td_gen_state_name(td_coro_state_t state);

/* What the body returned (StopIteration.value), NULL until it has returned. */
TD_API void *td_gen_return_value(const td_gen_t *gen);

/* The coroutine the generator runs on (for its stack size and what it touched). */
TD_API td_coro_t *td_gen_coro(const td_gen_t *gen);

/* `for (value in gen) statement`: value is a void * declared by the macro. The loop
 * ends when td_gen_next returns anything but 0: TD_ESTOP when the generator is
 * exhausted (td_gen_state is then TD_CORO_CLOSED), or an error. */
#define TD_GEN_FOREACH(value, gen) for (void *value; td_gen_next((gen), &value) == 0;)

#ifdef __cplusplus
}
#endif
#endif
