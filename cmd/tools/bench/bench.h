/* SPDX-License-Identifier: MIT */
/* bench.h - `thrdemo bench`: the workloads, one file each, and the driver that
 * measures them and reports (bench_driver.c, bench_machine.c).
 *
 * Each implementation runs one measurement and says whether its result checks out
 * (final counter 0, every message received once, every thread joined). Comparison
 * implementations use pthreads and futexes directly: measuring them against
 * libthrdemo is the point. Every comparison is said in words, with libthrdemo as
 * the subject ("libthrdemo Lock is 1.31x faster than pthread_mutex"), so its
 * direction never depends on whether the unit is a time or a rate. */
#ifndef THRDEMO_BENCH_H
#define THRDEMO_BENCH_H

#include <stdbool.h>
#include <stddef.h>

enum { BENCH_METRICS = 2, BENCH_NOTE = 320 };

/* What a metric measures, which decides which way is better and the words for it. */
typedef enum bench_kind {
    BENCH_TIME,     /* lower is better: "is 1.3x faster than" */
    BENCH_RATE,     /* higher is better: "is 1.3x faster than" */
    BENCH_MEMORY,   /* lower is better: "uses 1.3x less memory than" */
    BENCH_LATENESS, /* lower is better: "is 1.3x more punctual than" */
    BENCH_CPU       /* lower is better: "uses 1.3x less CPU than" */
} bench_kind_t;

typedef struct bench_result {
    long param;                   /* in: the workload's parameter (0 if it has none) */
    long messages;                /* in: how many items the queue workload sends */
    double value[BENCH_METRICS];  /* out */
    bool ok;                      /* out: the self-check passed */
    char note[BENCH_NOTE];        /* out: why the self-check failed */
} bench_result_t;

typedef struct bench_impl {
    const char *workload;
    const char *impl;                  /* "%N" stands for the parameter's value */
    const char *metric[BENCH_METRICS]; /* NULL when unused; "%N" as above, "%S" the
                                          same in short ("100k"), "%M" for
                                          the messages ("1M", "20k") */
    const char *unit[BENCH_METRICS];
    bench_kind_t kind[BENCH_METRICS];
    bool reference;                    /* libthrdemo's own: what the others are compared with */
    void (*run)(bench_result_t *result);
} bench_impl_t;

/* A workload with a parameter runs once per value: the value given on the command
 * line (the option called `param`), else each of its defaults. */
typedef struct bench_workload {
    const char *name;
    const char *param;  /* "count", "capacity", "tasks"; NULL: none */
    long defaults[3];   /* 0-terminated */
    long messages;      /* items it sends unless --messages says; 0: it sends none */
} bench_workload_t;

/* Every workload, in the order `bench all` runs them, and every implementation. */
extern const bench_workload_t bench_workloads[];
extern const size_t bench_n_workloads;
extern const bench_impl_t bench_impls[];
extern const size_t bench_n_impls;

/* BENCH_ROWS is what a workload run for `bench all` in a process of its own writes
 * to its stdout, a pipe to the parent: one line per row, as soon as it is measured
 * (bench_driver.c says the format). The parent asks for it with BENCH_ROWS_ENV=1 in
 * the child's environment, or BENCH_ROWS_ENV=progress when the progress line is
 * wanted too (the child's stderr is a pipe through the parent, not the terminal). */
typedef enum bench_format { BENCH_TABLE, BENCH_JSON, BENCH_CSV, BENCH_ROWS } bench_format_t;
#define BENCH_ROWS_ENV "THRDEMO_BENCH_ROWS"

enum { BENCH_MAX_WORDS = 48 };

typedef struct bench_options {
    const char *only;     /* one workload, NULL: every one */
    const char *workloads; /* with only NULL: the comma-separated ones to run; NULL: all */
    int runs;             /* measured runs per implementation, after one warm-up */
    bench_format_t format;
    long count;           /* threads to start in `threads`; 0: its default */
    long capacity;        /* queue capacity in `queue`; 0: its defaults */
    long tasks;           /* tasks gathered in `async`; 0: its default */
    long messages;        /* items sent through a queue; 0: the workload's default */
    bool progress;        /* one updating progress line on stderr */
    bool (*stopping)(void); /* whether Ctrl-C asked the run to stop */
    int stop_fd;          /* readable for good once it did; -1: none */
    /* Given (bench all), each workload runs in a process of its own: this binary with
     * the words child_words writes into words (at most BENCH_MAX_WORDS - 1, after the
     * program's name: "bench", the workload, its options), returning how many. */
    size_t (*child_words)(void *ctx, const char *workload, const char **words);
    void *child_ctx;
} bench_options_t;

/* Measure and report as asked: 0 when every self-check passed, else 1 (each failed
 * check said on stderr). Stops early, reporting what it has, once o->stopping(). */
int bench_main(const bench_options_t *options);

/* Run words (words[0] the program, NULL-terminated) with the environment env in a
 * process of its own (its own process group: the parent forwards one SIGINT once
 * stop_fd, if >= 0, becomes readable; it is killed if the parent dies), calling
 * on_line for each line it writes to its stdout (without the newline). Returns 0
 * with its waitpid() status in *status, or a negative errno when it could not be
 * started. */
int bench_run_child(char *const words[], char *const env[], int stop_fd,
                    void (*on_line)(char *line, void *arg), void *arg, int *status);
/* How a child ended, from its waitpid() status: "exited with status 2", "was killed
 * by signal 11 (Segmentation fault)". */
void bench_child_ended(int status, char *buf, size_t size);

/* The machine and the build, for the report. */
typedef struct bench_machine {
    char date[32];       /* UTC, ISO 8601: 2026-11-22T01:55:03Z */
    char cpu[128];       /* the CPU's model name */
    long cores;          /* online */
    long cores_allowed;  /* in this process's affinity mask */
    char kernel[200];    /* "Linux 6.1.0-18-amd64 x86_64" */
    char libc[64];       /* "glibc 2.36" */
    char compiler[96];   /* "gcc 12.2.0" */
    char build_type[64]; /* "Release", with the sanitizer if any */
    char version[32];    /* thrdemo's */
} bench_machine_t;

/* Describe this machine and build, now. */
void bench_machine(bench_machine_t *machine);

/* Seconds on CLOCK_MONOTONIC. */
double bench_now(void);
/* Remember the CPUs the process may use (call once, before any pinning). */
void bench_init(void);
/* Pin the calling thread to the n-th allowed CPU, so two threads really overlap. */
void bench_pin(int n);
/* Let the calling thread run on every allowed CPU again. */
void bench_unpin(void);
/* Start VmHWM again from the current RSS (Linux 4.0+), so a run's peak is its own. */
void bench_reset_peak_rss(void);
/* A number from /proc/self/status, such as "VmHWM:" or "VmRSS:" (kB) or "Threads:". */
long bench_status_value(const char *key);
/* Start fn(arg) on a libthrdemo thread; false (and a note) if it could not start. */
bool bench_start(void **thread, void (*fn)(void *), void *arg, bench_result_t *r);
/* Join and free a thread from bench_start. */
void bench_join(void *thread);
/* Fail r with why thread `index` (from 1) of `total` could not start: the error
 * (a positive errno) and the limit that most likely stopped it (ulimit -u, the
 * cgroup's pids.max, kernel.threads-max, memory). */
void bench_thread_failed(bench_result_t *r, long index, long total, int error);

/* How many tasks `async` gathers (--tasks; 0 or less: its default, 100,000). */

/* The workloads, one file each. */
void bench_lock_td(bench_result_t *r);
void bench_lock_rlock(bench_result_t *r);
void bench_lock_mutex(bench_result_t *r);
void bench_lock_spin(bench_result_t *r);
void bench_lock_atomic(bench_result_t *r);
void bench_lock_floor(bench_result_t *r);
void bench_event_td(bench_result_t *r);
void bench_event_condvar(bench_result_t *r);
void bench_event_futex(bench_result_t *r);
void bench_event_sleep_td(bench_result_t *r);
void bench_event_sleep_futex(bench_result_t *r);
void bench_queue_td(bench_result_t *r);
void bench_queue_ring(bench_result_t *r);
void bench_queue_idle(bench_result_t *r);
void bench_queue_mpmc_td(bench_result_t *r);
void bench_queue_mpmc_ring(bench_result_t *r);
void bench_timer_td(bench_result_t *r);
void bench_timer_nanosleep(bench_result_t *r);
void bench_timer_spin(bench_result_t *r);
void bench_threads_td(bench_result_t *r);
void bench_threads_pthread(bench_result_t *r);
void bench_coro_td(bench_result_t *r);
void bench_coro_gen(bench_result_t *r);
void bench_coro_swapcontext(bench_result_t *r);
void bench_coro_sleepers(bench_result_t *r);
void bench_switch_copied(bench_result_t *r);
void bench_switch_own(bench_result_t *r);
void bench_async_gather(bench_result_t *r);
void bench_async_per_task(bench_result_t *r);
void bench_async_sleepers(bench_result_t *r);
void bench_schedule_point(bench_result_t *r);
void bench_schedule_switch(bench_result_t *r);
void bench_schedule_futex(bench_result_t *r);
void bench_schedule_counter(bench_result_t *r);
void bench_trace_on(bench_result_t *r);
void bench_trace_off(bench_result_t *r);
void bench_trace_full(bench_result_t *r);

#endif
