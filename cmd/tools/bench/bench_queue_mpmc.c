/* SPDX-License-Identifier: MIT */
/* bench_queue_mpmc.c - 4 producers and 4 consumers on one queue, 5,000,000 integers in
 * all (--messages), capacity 1 and 1024 unless --capacity says: the shape of
 * crossbeam-channel's mpmc benchmark (benchmarks/crossbeam-channel.rs), where each
 * producer sends and each consumer receives a quarter of the messages. Messages per
 * second, from the first thread's start to the last one's join; the Queue beside the
 * mutex and two condition variables of bench queue (bench_channel.h).
 *
 * Each message carries its producer (the low 2 bits) and that producer's sequence
 * number, from 1. The checks: every message received exactly once (for each
 * producer, the count, sum and sum of squares of the numbers its consumers got equal
 * what it sent, modulo 2^64 on both sides) and in order (the queue is FIFO, so a
 * consumer sees each producer's numbers rise).
 *
 * The threads are not pinned. Eight threads share the cores whatever is done on a
 * 2-core machine, and a fixed placement would only choose for the scheduler which
 * producer waits behind which consumer; every wait here blocks (futex or condition
 * variable), so the run ends however many cores there are, one included. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "bench_channel.h"

enum { PRODUCERS = 4, CONSUMERS = 4, PRODUCER_BITS = 2 };

typedef struct tally {
    uint64_t count, sum, squares;
} tally_t;

typedef struct mpmc {
    bench_channel_t channel;
    long share[PRODUCERS]; /* messages producer k sends, and consumer k receives */
    tally_t sent[PRODUCERS];
    tally_t got[CONSUMERS][PRODUCERS];
    char disorder[CONSUMERS][120]; /* the first message a consumer got out of order */
} mpmc_t;

typedef struct worker {
    mpmc_t *m;
    int index;
} worker_t;

static void count(tally_t *t, uint64_t seq)
{
    t->count++;
    t->sum += seq;
    t->squares += seq * seq;
}

static void producer(void *arg)
{
    const worker_t *w = arg;
    mpmc_t *m = w->m;
    tally_t sent = { 0 };
    for (uint64_t seq = 1; seq <= (uint64_t)m->share[w->index]; seq++) {
        if (!bench_channel_put(&m->channel, (uintptr_t)(seq << PRODUCER_BITS | (uint64_t)w->index)))
            break;
        count(&sent, seq);
    }
    m->sent[w->index] = sent;
}

static void consumer(void *arg)
{
    const worker_t *w = arg;
    mpmc_t *m = w->m;
    tally_t got[PRODUCERS] = { { 0 } };
    uint64_t last[PRODUCERS] = { 0 };
    uintptr_t v;
    for (long i = 0; i < m->share[w->index] && bench_channel_get(&m->channel, &v); i++) {
        unsigned from = (unsigned)(v & (PRODUCERS - 1));
        uint64_t seq = (uint64_t)v >> PRODUCER_BITS;
        if (seq <= last[from] && !m->disorder[w->index][0])
            snprintf(m->disorder[w->index], sizeof m->disorder[w->index],
                     "consumer %d got producer %u's message %" PRIu64 " after its %" PRIu64,
                     w->index + 1, from + 1, seq, last[from]);
        last[from] = seq;
        count(&got[from], seq);
    }
    memcpy(m->got[w->index], got, sizeof got);
}

/* Start the consumers, then the producers; if one cannot start, shut the channel so
 * the others end. */
static void start_all(mpmc_t *m, worker_t workers[], void *threads[], bench_result_t *r)
{
    int n = 0;
    for (; n < CONSUMERS + PRODUCERS; n++) {
        workers[n] = (worker_t){ .m = m, .index = n % CONSUMERS };
        if (!bench_start(&threads[n], n < CONSUMERS ? consumer : producer, &workers[n], r))
            break;
    }
    for (int k = n; k < CONSUMERS + PRODUCERS; k++)
        threads[k] = NULL;
    if (n < CONSUMERS + PRODUCERS)
        bench_channel_shutdown(&m->channel);
}

/* Whether every message came once and in order; if not, why in r. */
static void check(const mpmc_t *m, long messages, bench_result_t *r)
{
    for (int c = 0; c < CONSUMERS && r->ok; c++) {
        if (m->disorder[c][0]) {
            r->ok = false;
            snprintf(r->note, sizeof r->note, "%s", m->disorder[c]);
        }
    }
    for (int p = 0; p < PRODUCERS && r->ok; p++) {
        tally_t got = { 0 };
        for (int c = 0; c < CONSUMERS; c++) {
            got.count += m->got[c][p].count;
            got.sum += m->got[c][p].sum;
            got.squares += m->got[c][p].squares;
        }
        if (m->sent[p].count != (uint64_t)m->share[p] || got.count != m->sent[p].count ||
            got.sum != m->sent[p].sum || got.squares != m->sent[p].squares) {
            r->ok = false;
            snprintf(r->note, sizeof r->note,
                     "producer %d sent %" PRIu64 " of its %ld messages, %" PRIu64
                     " received, sums %s (%ld messages in all)", p + 1, m->sent[p].count,
                     m->share[p], got.count, got.sum == m->sent[p].sum &&
                     got.squares == m->sent[p].squares ? "equal" : "differ", messages);
        }
    }
}

static void run(bool td, bench_result_t *r)
{
    static mpmc_t m;
    memset(&m, 0, sizeof m);
    for (int k = 0; k < PRODUCERS; k++)
        m.share[k] = r->messages / PRODUCERS + (k < r->messages % PRODUCERS);
    if (!bench_channel_open(&m.channel, td, (size_t)r->param, r))
        return;
    worker_t workers[CONSUMERS + PRODUCERS];
    void *threads[CONSUMERS + PRODUCERS];
    double start = bench_now();
    start_all(&m, workers, threads, r);
    for (int k = 0; k < CONSUMERS + PRODUCERS; k++)
        bench_join(threads[k]);
    r->value[0] = (double)r->messages / (bench_now() - start);
    if (r->ok)
        check(&m, r->messages, r);
    bench_channel_close(&m.channel);
}

void bench_queue_mpmc_td(bench_result_t *r)
{
    run(true, r);
}

void bench_queue_mpmc_ring(bench_result_t *r)
{
    run(false, r);
}
