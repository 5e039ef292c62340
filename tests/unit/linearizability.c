/* SPDX-License-Identifier: MIT */
/* linearizability.c - Wing and Gong's search with Lowe's memoisation over a history of
 * queue calls (linearizability.h says what is checked).
 *
 * The history becomes a doubly linked list of its 2n call and return entries in time
 * order (a call before a return at equal times, so touching intervals overlap). A
 * call that stands before every return still in the list is one no unplaced call
 * must precede: it may go next. The search walks the list from its head; at a call it
 * asks the model whether the call fits; if so, and the pair (calls placed, new model
 * state) has not been met before, it places the call: pushes it with the state before
 * it, lifts the call and its return out of the list, and starts again from the head.
 * Reaching a return means no call before it can go next: it backs up (pops the last
 * call placed, restores the state, puts its entries back) and goes on after it. An
 * empty list is a complete legal order; backing up with nothing placed proves there
 * is none. This is Porcupine's checkSingle, without its partitioning (a queue's calls
 * do not split by key).
 *
 * The model state is (shut down, the items in the queue, front first), each item as
 * the index of its put. They sit in one array with a head and a tail index: a put
 * writes at the tail, a get moves the head, an immediate shutdown moves the head to
 * the tail. Forward steps never write below the tail, so restoring the three scalars
 * undoes any step.
 * The memo remembers each (placed set as a bitset, state) pair in an arena of 64-bit
 * words, found through an open-addressing table of offsets.
 * Two refinements keep the search small without changing its answer. A put is refused
 * where its item would have to come out before one queued ahead of it (an item nobody
 * gets, or one whose get began after this item's get returned): every order from
 * there fails, only later. And the memo sees all items nobody gets as one mark: they
 * are never seen again but as a count, so states that differ only in how those are
 * ordered among themselves have the same futures.
 */
#include "linearizability.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <thrdemo/common.h>
#include <thrdemo/schedule.h>

static void *checked(void *p)
{
    if (!p) {
        fputs("linearizability: out of memory\n", stderr);
        abort();
    }
    return p;
}

/* ---- the history --------------------------------------------------------------------- */

void lin_history_init(lin_history_t *h, long maxsize)
{
    *h = (lin_history_t){ .maxsize = maxsize };
}

void lin_history_free(lin_history_t *h)
{
    free(h->ops);
    *h = (lin_history_t){ 0 };
}

void lin_history_add(lin_history_t *h, const lin_op_t *op)
{
    if (h->n == h->cap) {
        h->cap = h->cap ? 2 * h->cap : 64;
        h->ops = checked(realloc(h->ops, h->cap * sizeof *h->ops));
    }
    h->ops[h->n++] = *op;
}

int64_t lin_now_ns(void)
{
    if (td_sched_active())
        return (int64_t)llround(td_monotonic() * 1e9);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A call's response time, never before its invocation. */
static int64_t response_of(const lin_op_t *op)
{
    return op->responded < op->invoked ? op->invoked : op->responded;
}

/* ---- the sequential model -------------------------------------------------------------- */

typedef struct model {
    const lin_op_t *ops; /* the history's */
    const size_t *got_by; /* a put's index: the get that returned its item, or NOBODY */
    long maxsize;
    bool shut;
    size_t head, tail;   /* the queue is items[head..tail), as the puts' indexes */
    size_t *items;       /* room for every put of the history */
} model_t;

#define NOBODY SIZE_MAX

/* What restores a model to an earlier state (see the top of the file). */
typedef struct snapshot {
    bool shut;
    size_t head, tail;
} snapshot_t;

/* Why the model refuses a call where it was tried. */
typedef enum refusal {
    FITS,
    IS_SHUT,          /* a put that did not say ShutDown, a get that said Empty */
    IS_OPEN,          /* a call that said ShutDown */
    IS_FULL,          /* a put that succeeded */
    HAS_ROOM,         /* a put that said Full */
    NEVER_FULL,       /* Full from an unbounded queue */
    COMES_OUT_LATER,  /* a put whose item would be got before one queued ahead */
    IS_EMPTY,         /* a get that returned an item */
    HAS_ITEMS,        /* a get that said Empty or ShutDown */
    NOT_AT_FRONT,     /* a get that returned another item than the front one */
    WRONG_REMAINING,  /* a get that said a wrong number was left */
    FOREVER_GAVE_UP,  /* Full or Empty from a call without timeout */
    NOT_A_RESULT,     /* a result the call cannot have */
} refusal_t;

static snapshot_t model_save(const model_t *m)
{
    return (snapshot_t){ m->shut, m->head, m->tail };
}

static void model_restore(model_t *m, snapshot_t s)
{
    m->shut = s.shut;
    m->head = s.head;
    m->tail = s.tail;
}

static size_t model_size(const model_t *m)
{
    return m->tail - m->head;
}

static bool model_full(const model_t *m)
{
    return m->maxsize > 0 && model_size(m) >= (size_t)m->maxsize;
}

static bool is_get(const lin_op_t *op)
{
    return op->kind == LIN_GET || op->kind == LIN_GET_NOWAIT;
}

static bool waits_forever(const lin_op_t *op)
{
    return (op->kind == LIN_PUT || op->kind == LIN_GET) && op->timeout == TD_FOREVER;
}

/* Whether the item of put p, queued now, could still come out after every item
 * queued ahead of it: an item ahead that nobody gets blocks it for ever (an immediate
 * shutdown would drop both), and one whose get began after p's get returned would
 * come out after it. Refusing p here only prunes orders that must fail later. */
static bool can_come_out(const model_t *m, size_t p)
{
    size_t mine = m->got_by[p];
    if (mine == NOBODY)
        return true;
    for (size_t i = m->head; i < m->tail; i++) {
        size_t ahead = m->got_by[m->items[i]];
        if (ahead == NOBODY || response_of(&m->ops[mine]) < m->ops[ahead].invoked)
            return false;
    }
    return true;
}

static refusal_t put_step(model_t *m, size_t p)
{
    const lin_op_t *op = &m->ops[p];
    switch (op->rc) {
    case 0:
        if (m->shut)
            return IS_SHUT;
        if (model_full(m))
            return IS_FULL;
        if (!can_come_out(m, p))
            return COMES_OUT_LATER;
        m->items[m->tail++] = p;
        return FITS;
    case -ENOSPC:
        if (m->shut)
            return IS_SHUT; /* CPython's put looks at is_shutdown first */
        if (m->maxsize <= 0)
            return NEVER_FULL;
        if (!model_full(m))
            return HAS_ROOM;
        return waits_forever(op) ? FOREVER_GAVE_UP : FITS;
    case -ESHUTDOWN:
        return m->shut ? FITS : IS_OPEN;
    default:
        return NOT_A_RESULT;
    }
}

static refusal_t get_step(model_t *m, const lin_op_t *op)
{
    switch (op->rc) {
    case 0:
        if (model_size(m) == 0)
            return IS_EMPTY;
        if (m->ops[m->items[m->head]].item != op->item)
            return NOT_AT_FRONT;
        if (op->remaining != LIN_NOT_ASKED && (size_t)op->remaining != model_size(m) - 1)
            return WRONG_REMAINING;
        m->head++;
        return FITS;
    case -ENODATA:
        if (m->shut)
            return IS_SHUT; /* shut down and empty is ShutDown, not Empty */
        if (model_size(m) > 0)
            return HAS_ITEMS;
        return waits_forever(op) ? FOREVER_GAVE_UP : FITS;
    case -ESHUTDOWN:
        if (!m->shut)
            return IS_OPEN;
        return model_size(m) > 0 ? HAS_ITEMS : FITS;
    default:
        return NOT_A_RESULT;
    }
}

/* Apply call i to m if it fits there: FITS (m changed), else why not (m unchanged). */
static refusal_t model_step(model_t *m, size_t i)
{
    const lin_op_t *op = &m->ops[i];
    switch (op->kind) {
    case LIN_PUT:
    case LIN_PUT_NOWAIT:
        return put_step(m, i);
    case LIN_GET:
    case LIN_GET_NOWAIT:
        return get_step(m, op);
    case LIN_SHUTDOWN:
    case LIN_SHUTDOWN_IMMEDIATE:
        if (op->rc != 0)
            return NOT_A_RESULT;
        m->shut = true;
        if (op->kind == LIN_SHUTDOWN_IMMEDIATE)
            m->head = m->tail;
        return FITS;
    }
    return NOT_A_RESULT;
}

/* For each put that succeeded, the get that returned its item (NOBODY: none). */
static size_t *gets_of_puts(const lin_history_t *h)
{
    size_t *got_by = checked(malloc((h->n ? h->n : 1) * sizeof *got_by));
    for (size_t p = 0; p < h->n; p++) {
        got_by[p] = NOBODY;
        const lin_op_t *put = &h->ops[p];
        if ((put->kind != LIN_PUT && put->kind != LIN_PUT_NOWAIT) || put->rc != 0)
            continue;
        for (size_t g = 0; g < h->n && got_by[p] == NOBODY; g++)
            if (is_get(&h->ops[g]) && h->ops[g].rc == 0 && h->ops[g].item == put->item)
                got_by[p] = g;
    }
    return got_by;
}

static model_t model_new(const lin_history_t *h, const size_t *got_by)
{
    return (model_t){ .ops = h->ops, .got_by = got_by, .maxsize = h->maxsize,
                      .items = checked(malloc((h->n ? h->n : 1) * sizeof(size_t))) };
}

/* ---- the memo ----------------------------------------------------------------------- */

/* Each entry in words: hash, shut | length << 1, the placed bitset, the items. */
typedef struct memo {
    uint64_t *words;
    size_t used, cap;
    size_t *slots; /* offset + 1 of an entry, 0: free */
    size_t nslots, count;
    size_t bitset_words;
} memo_t;

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ULL;
    return h ^ (h >> 29);
}

/* The queue's i-th slot as the memo sees it: the put's index, or one mark for every
 * item nobody gets. Such items are never seen again but as a count, so two states
 * that differ only in how they are ordered among themselves have the same futures. */
static uint64_t canonical(const model_t *m, size_t i)
{
    size_t p = m->items[i];
    return m->got_by[p] == NOBODY ? UINT64_MAX : (uint64_t)p;
}

static uint64_t state_hash(const uint64_t *placed, size_t nwords, const model_t *m)
{
    uint64_t h = mix(0, m->shut);
    for (size_t i = 0; i < nwords; i++)
        h = mix(h, placed[i]);
    for (size_t i = m->head; i < m->tail; i++)
        h = mix(h, canonical(m, i));
    return h;
}

static bool entry_equals(const memo_t *memo, size_t at, uint64_t hash, const uint64_t *placed,
                         const model_t *m)
{
    const uint64_t *e = memo->words + at;
    size_t len = model_size(m);
    if (e[0] != hash || e[1] != ((uint64_t)m->shut | (uint64_t)len << 1))
        return false;
    if (memcmp(e + 2, placed, memo->bitset_words * sizeof *placed) != 0)
        return false;
    const uint64_t *items = e + 2 + memo->bitset_words;
    for (size_t i = 0; i < len; i++)
        if (items[i] != canonical(m, m->head + i))
            return false;
    return true;
}

static void memo_grow_slots(memo_t *memo)
{
    size_t n = memo->nslots ? 2 * memo->nslots : 1024;
    size_t *slots = checked(calloc(n, sizeof *slots));
    for (size_t i = 0; i < memo->nslots; i++) {
        size_t at = memo->slots[i];
        if (!at)
            continue;
        size_t j = memo->words[at - 1] & (n - 1);
        while (slots[j])
            j = (j + 1) & (n - 1);
        slots[j] = at;
    }
    free(memo->slots);
    memo->slots = slots;
    memo->nslots = n;
}

static size_t memo_append(memo_t *memo, uint64_t hash, const uint64_t *placed, const model_t *m)
{
    size_t len = model_size(m), need = 2 + memo->bitset_words + len;
    if (memo->used + need > memo->cap) {
        memo->cap = (memo->used + need) * 2;
        memo->words = checked(realloc(memo->words, memo->cap * sizeof *memo->words));
    }
    size_t at = memo->used;
    uint64_t *e = memo->words + at;
    e[0] = hash;
    e[1] = (uint64_t)m->shut | (uint64_t)len << 1;
    memcpy(e + 2, placed, memo->bitset_words * sizeof *placed);
    for (size_t i = 0; i < len; i++)
        e[2 + memo->bitset_words + i] = canonical(m, m->head + i);
    memo->used += need;
    return at;
}

/* Whether (placed, m) was met before; if not, remember it. */
static bool memo_seen(memo_t *memo, const uint64_t *placed, const model_t *m)
{
    if (2 * (memo->count + 1) > memo->nslots)
        memo_grow_slots(memo);
    uint64_t hash = state_hash(placed, memo->bitset_words, m);
    size_t j = hash & (memo->nslots - 1);
    for (; memo->slots[j]; j = (j + 1) & (memo->nslots - 1))
        if (entry_equals(memo, memo->slots[j] - 1, hash, placed, m))
            return true;
    memo->slots[j] = memo_append(memo, hash, placed, m) + 1;
    memo->count++;
    return false;
}

static void memo_free(memo_t *memo)
{
    free(memo->words);
    free(memo->slots);
}

/* ---- the entry list -------------------------------------------------------------------- */

typedef struct node {
    struct node *prev, *next;
    struct node *match; /* a call's return entry; NULL for a return */
    size_t op;
} node_t;

typedef struct event {
    int64_t time;
    bool is_return;
    size_t op;
} event_t;

static int event_order(const void *a, const void *b)
{
    const event_t *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    if (x->is_return != y->is_return)
        return x->is_return ? 1 : -1; /* calls first: touching intervals overlap */
    return x->op < y->op ? -1 : x->op > y->op;
}

/* The 2n entries in time order after a head sentinel (nodes[0]), linked. */
static node_t *make_list(const lin_history_t *h)
{
    event_t *events = checked(malloc((2 * h->n + 1) * sizeof *events));
    for (size_t i = 0; i < h->n; i++) {
        events[2 * i] = (event_t){ h->ops[i].invoked, false, i };
        events[2 * i + 1] = (event_t){ response_of(&h->ops[i]), true, i };
    }
    qsort(events, 2 * h->n, sizeof *events, event_order);
    node_t *nodes = checked(calloc(2 * h->n + 1, sizeof *nodes));
    node_t **return_of = checked(calloc(h->n ? h->n : 1, sizeof *return_of));
    for (size_t i = 2 * h->n; i >= 1; i--) { /* backwards: returns before their calls */
        node_t *n = &nodes[i];
        n->op = events[i - 1].op;
        if (events[i - 1].is_return)
            return_of[n->op] = n;
        else
            n->match = return_of[n->op];
    }
    for (size_t i = 0; i <= 2 * h->n; i++) {
        nodes[i].prev = i ? &nodes[i - 1] : NULL;
        nodes[i].next = i < 2 * h->n ? &nodes[i + 1] : NULL;
    }
    free(return_of);
    free(events);
    return nodes;
}

/* Take a call and its return out of the list (a call is never last). */
static void lift(node_t *call)
{
    call->prev->next = call->next;
    call->next->prev = call->prev;
    node_t *ret = call->match;
    ret->prev->next = ret->next;
    if (ret->next)
        ret->next->prev = ret->prev;
}

static void unlift(node_t *call)
{
    node_t *ret = call->match;
    ret->prev->next = ret;
    if (ret->next)
        ret->next->prev = ret;
    call->prev->next = call;
    call->next->prev = call;
}

/* ---- the search -------------------------------------------------------------------------- */

typedef struct placed_call {
    node_t *call;
    snapshot_t before;
} placed_call_t;

typedef struct search {
    const lin_history_t *h;
    model_t model;
    node_t *nodes;
    size_t *got_by;   /* see model_t */
    uint64_t *placed; /* bitset of the calls placed */
    placed_call_t *stack;
    size_t depth;
    size_t *longest; /* the longest legal prefix found, as op indexes */
    size_t longest_len;
    memo_t memo;
    uint64_t steps;
} search_t;

static void search_init(search_t *s, const lin_history_t *h)
{
    *s = (search_t){ .h = h };
    s->got_by = gets_of_puts(h);
    s->model = model_new(h, s->got_by);
    s->nodes = make_list(h);
    s->memo.bitset_words = (h->n + 63) / 64;
    s->placed = checked(calloc(s->memo.bitset_words ? s->memo.bitset_words : 1, sizeof *s->placed));
    s->stack = checked(malloc((h->n ? h->n : 1) * sizeof *s->stack));
    s->longest = checked(malloc((h->n ? h->n : 1) * sizeof *s->longest));
}

static void search_free(search_t *s)
{
    free(s->model.items);
    free(s->got_by);
    free(s->nodes);
    free(s->placed);
    free(s->stack);
    free(s->longest);
    memo_free(&s->memo);
}

static void flip(uint64_t *bits, size_t i)
{
    bits[i / 64] ^= 1ULL << (i % 64);
}

/* Try to place call next: whether it was (the model accepted it in a new state). */
static bool try_place(search_t *s, node_t *call)
{
    snapshot_t before = model_save(&s->model);
    if (model_step(&s->model, call->op) != FITS)
        return false;
    flip(s->placed, call->op);
    if (memo_seen(&s->memo, s->placed, &s->model)) {
        flip(s->placed, call->op);
        model_restore(&s->model, before);
        return false;
    }
    s->stack[s->depth++] = (placed_call_t){ call, before };
    lift(call);
    if (s->depth > s->longest_len) {
        for (size_t i = 0; i < s->depth; i++)
            s->longest[i] = s->stack[i].call->op;
        s->longest_len = s->depth;
    }
    return true;
}

/* Undo the last placement: the call it placed (the walk goes on after it). */
static node_t *back_up(search_t *s)
{
    placed_call_t top = s->stack[--s->depth];
    model_restore(&s->model, top.before);
    flip(s->placed, top.call->op);
    unlift(top.call);
    return top.call;
}

static lin_verdict_t run_search(search_t *s)
{
    node_t *head = &s->nodes[0];
    node_t *entry = head->next;
    while (head->next) {
        if (++s->steps > LIN_MAX_STEPS)
            return LIN_UNKNOWN;
        if (entry->match) {
            entry = try_place(s, entry) ? head->next : entry->next;
        } else {
            if (s->depth == 0)
                return LIN_ILLEGAL;
            entry = back_up(s)->next;
        }
    }
    return LIN_OK;
}

/* ---- printing -------------------------------------------------------------------------- */

const char *lin_describe(const lin_op_t *op, char *buf, size_t size)
{
    bool timed = (op->kind == LIN_PUT || op->kind == LIN_GET) && op->timeout != TD_FOREVER;
    char timeout[48] = "";
    if (timed)
        snprintf(timeout, sizeof timeout, "%stimeout=%g", op->kind == LIN_PUT ? ", " : "",
                 op->timeout);
    switch (op->kind) {
    case LIN_PUT:
        snprintf(buf, size, "put(%" PRIdPTR "%s)", op->item, timeout);
        break;
    case LIN_PUT_NOWAIT:
        snprintf(buf, size, "put_nowait(%" PRIdPTR ")", op->item);
        break;
    case LIN_GET:
        snprintf(buf, size, "get(%s)", timeout);
        break;
    case LIN_GET_NOWAIT:
        snprintf(buf, size, "get_nowait()");
        break;
    case LIN_SHUTDOWN:
        snprintf(buf, size, "shutdown()");
        break;
    case LIN_SHUTDOWN_IMMEDIATE:
        snprintf(buf, size, "shutdown(immediate=True)");
        break;
    }
    return buf;
}

static const char *result_text(const lin_op_t *op, char *buf, size_t size)
{
    switch (op->rc) {
    case 0:
        if (!is_get(op))
            snprintf(buf, size, op->kind == LIN_SHUTDOWN || op->kind == LIN_SHUTDOWN_IMMEDIATE
                                    ? "-" : "ok");
        else if (op->remaining != LIN_NOT_ASKED)
            snprintf(buf, size, "%" PRIdPTR " (%ld left)", op->item, op->remaining);
        else
            snprintf(buf, size, "%" PRIdPTR, op->item);
        break;
    case -ENOSPC:
        snprintf(buf, size, "Full");
        break;
    case -ENODATA:
        snprintf(buf, size, "Empty");
        break;
    case -ESHUTDOWN:
        snprintf(buf, size, "ShutDown");
        break;
    default:
        snprintf(buf, size, "rc %d", op->rc);
    }
    return buf;
}

enum { TIMELINE = 40 };

static size_t *by_invocation(const lin_history_t *h)
{
    size_t *order = checked(malloc((h->n ? h->n : 1) * sizeof *order));
    for (size_t i = 0; i < h->n; i++)
        order[i] = i;
    for (size_t i = 1; i < h->n; i++) /* insertion sort: stable, and n is small */
        for (size_t j = i; j > 0 && h->ops[order[j - 1]].invoked > h->ops[order[j]].invoked; j--) {
            size_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    return order;
}

static void timeline_bar(char *bar, int64_t from, int64_t to, int64_t t0, int64_t span)
{
    memset(bar, ' ', TIMELINE);
    bar[TIMELINE] = '\0';
    size_t a = (size_t)((double)(from - t0) * (TIMELINE - 1) / (double)span);
    size_t b = (size_t)((double)(to - t0) * (TIMELINE - 1) / (double)span);
    for (size_t i = a; i <= b && i < TIMELINE; i++)
        bar[i] = '=';
}

void lin_print(FILE *out, const lin_history_t *h)
{
    int64_t t0 = h->n ? h->ops[0].invoked : 0, t1 = t0;
    for (size_t i = 0; i < h->n; i++) {
        t0 = h->ops[i].invoked < t0 ? h->ops[i].invoked : t0;
        t1 = response_of(&h->ops[i]) > t1 ? response_of(&h->ops[i]) : t1;
    }
    int64_t span = t1 > t0 ? t1 - t0 : 1;
    fprintf(out, "Queue(maxsize=%ld): %zu calls; times in ns from the first call\n",
            h->maxsize > 0 ? h->maxsize : 0, h->n);
    fprintf(out, "%5s %4s  %-32s %-14s %10s %10s  |%-*s|\n", "call", "thr", "", "result",
            "invoked", "returned", TIMELINE, "timeline");
    size_t *order = by_invocation(h);
    for (size_t k = 0; k < h->n; k++) {
        const lin_op_t *op = &h->ops[order[k]];
        char call[64], result[48], bar[TIMELINE + 1];
        timeline_bar(bar, op->invoked, response_of(op), t0, span);
        fprintf(out, "%5zu  T%-2d  %-32s %-14s %10lld %10lld  |%s|\n", order[k], op->thread,
                lin_describe(op, call, sizeof call), result_text(op, result, sizeof result),
                (long long)(op->invoked - t0), (long long)(response_of(op) - t0), bar);
    }
    free(order);
}

/* Why a call does not fit, in words; three say more with the state (print_refusal). */
static const char *const REFUSAL_TEXT[] = {
    [FITS] = "fits, but every order from there was tried already",
    [IS_SHUT] = "the queue is shut down",
    [IS_OPEN] = "the queue is not shut down",
    [IS_FULL] = "the queue is full",
    [HAS_ROOM] = "the queue has room",
    [NEVER_FULL] = "an unbounded queue is never full",
    [COMES_OUT_LATER] = "its item would come out before one queued ahead of it",
    [IS_EMPTY] = "the queue is empty",
    [HAS_ITEMS] = "the queue holds items",
    [NOT_AT_FRONT] = "another item is at the front",
    [WRONG_REMAINING] = "another count would be left",
    [FOREVER_GAVE_UP] = "a call without timeout never gives up",
    [NOT_A_RESULT] = "no such call can return that",
};

static void print_refusal(FILE *out, refusal_t why, const model_t *m)
{
    if (why == HAS_ITEMS)
        fprintf(out, "the queue holds %zu item(s)", model_size(m));
    else if (why == NOT_AT_FRONT)
        fprintf(out, "%" PRIdPTR " is at the front", m->ops[m->items[m->head]].item);
    else if (why == WRONG_REMAINING)
        fprintf(out, "%zu would be left", model_size(m) - 1);
    else
        fputs(REFUSAL_TEXT[why], out);
}

static void print_state(FILE *out, const model_t *m)
{
    fprintf(out, "[");
    for (size_t i = m->head; i < m->tail; i++)
        fprintf(out, "%s%" PRIdPTR, i > m->head ? ", " : "", m->ops[m->items[i]].item);
    fprintf(out, "]%s", m->shut ? ", shut down" : "");
}

/* The longest legal prefix, the state after it, and why each call that could go next
 * does not. */
static void print_dead_end(FILE *out, const search_t *s)
{
    const lin_history_t *h = s->h;
    model_t m = model_new(h, s->got_by);
    bool *placed = checked(calloc(h->n ? h->n : 1, sizeof *placed));
    fprintf(out, "longest legal order found (%zu of %zu calls):", s->longest_len, h->n);
    for (size_t i = 0; i < s->longest_len; i++) {
        fprintf(out, " %zu", s->longest[i]);
        model_step(&m, s->longest[i]);
        placed[s->longest[i]] = true;
    }
    fprintf(out, "\nthe queue after it: ");
    print_state(out, &m);
    fprintf(out, "\nnone of the calls that may go next fits:\n");
    int64_t first_return = INT64_MAX;
    for (size_t i = 0; i < h->n; i++)
        if (!placed[i] && response_of(&h->ops[i]) < first_return)
            first_return = response_of(&h->ops[i]);
    for (size_t i = 0; i < h->n; i++) {
        if (placed[i] || h->ops[i].invoked > first_return)
            continue;
        char call[64], result[48];
        fprintf(out, "  %zu T%d %s -> %s: ", i, h->ops[i].thread,
                lin_describe(&h->ops[i], call, sizeof call),
                result_text(&h->ops[i], result, sizeof result));
        snapshot_t before = model_save(&m);
        print_refusal(out, model_step(&m, i), &m);
        model_restore(&m, before);
        fprintf(out, "\n");
    }
    free(placed);
    free(m.items);
}

lin_verdict_t lin_check(const lin_history_t *h, FILE *out, lin_stats_t *stats)
{
    search_t s;
    search_init(&s, h);
    lin_verdict_t verdict = run_search(&s);
    if (verdict != LIN_OK && out) {
        fprintf(out, "%s history:\n",
                verdict == LIN_ILLEGAL ? "NOT LINEARIZABLE" : "UNDECIDED (step budget spent)");
        lin_print(out, h);
        print_dead_end(out, &s);
    }
    if (stats)
        *stats = (lin_stats_t){ s.steps, s.memo.count, s.longest_len };
    search_free(&s);
    return verdict;
}
