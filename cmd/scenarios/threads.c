/* SPDX-License-Identifier: MIT */
/* threads.c - creating and joining threads.
 *
 *   basic  seed 002 "threading.Thread": two threads print numbers and letters at the
 *          same time; main joins both. Which line comes first is up to the scheduler.
 *   ways   seed 001 "스레드 생성": the three ways to make a thread: a target function,
 *          a Thread subclass overriding run(), several named threads with arguments.
 *
 * Trace (ways): "Thread-1 (mythread): running the target function",
 * "Thread-2: running the overridden run()", the workers' start lines, their end lines
 * in reverse (worker-2 sleeps least), "All threads have finished."
 * Things to try: run `threads basic` several times and watch the interleaving change;
 * `threads ways --scale 10` to see the workers overlap slowly.
 */
#include <stdio.h>

#include <thrdemo/log.h>
#include <thrdemo/thread.h>

#include "scenarios.h"

static void print_numbers(void *arg)
{
    (void)arg;
    for (int i = 1; i <= 5; i++)
        td_print("Number: %d", i);
}

static void print_letters(void *arg)
{
    (void)arg;
    for (const char *letter = "ABCDE"; *letter; letter++)
        td_print("Letter: %c", *letter);
}

static int run_threads_basic(const cli_args_t *args)
{
    (void)args;
    td_thread_t *thread1, *thread2 = NULL;
    int rc = runner_start(&thread1, &(td_thread_attr_t){ TD_TARGET(print_numbers) });
    if (rc == 0)
        rc = runner_start(&thread2, &(td_thread_attr_t){ TD_TARGET(print_letters) });
    runner_join(thread1);
    runner_join(thread2);
    if (rc == 0)
        td_print("All threads have finished.");
    return rc;
}

/* Way 1: Thread(target=mythread). */
static void mythread(void *arg)
{
    (void)arg;
    char name[CLI_NAME_MAX];
    td_print("%s: running the target function", cli_thread_name(td_current_thread(), name));
}

/* Way 2: a subclass's run(); no target, so CPython names it plain "Thread-N". */
static void my_thread_run(void *arg)
{
    (void)arg;
    char name[CLI_NAME_MAX];
    td_print("%s: running the overridden run()", cli_thread_name(td_current_thread(), name));
}

/* Way 3: Thread(target=worker, name=f"worker-{i}", args=(i, delay)). */
struct worker_args {
    int num;
    double delay;
};

static void worker(void *arg)
{
    const struct worker_args *w = arg;
    char name[CLI_NAME_MAX];
    cli_thread_name(td_current_thread(), name);
    td_print("%s: start, num=%d", name, w->num);
    runner_sleep(w->delay);
    td_print("%s: end, num=%d", name, w->num);
}

enum { WORKERS = 3 };

static int run_threads_ways(const cli_args_t *options)
{
    (void)options;
    td_thread_t *t;
    if (runner_start(&t, &(td_thread_attr_t){ TD_TARGET(mythread) }) != 0)
        return EXIT_RUNTIME;
    runner_join(t);
    if (runner_start(&t, &(td_thread_attr_t){ .target = my_thread_run }) != 0)
        return EXIT_RUNTIME;
    runner_join(t);

    struct worker_args args[WORKERS];
    td_thread_t *workers[WORKERS] = { 0 };
    int rc = 0;
    for (int i = 0; i < WORKERS && rc == 0; i++) {
        char name[16];
        snprintf(name, sizeof name, "worker-%d", i);
        args[i] = (struct worker_args){ .num = i, .delay = 0.1 * (3 - i) };
        rc = runner_start(&workers[i], &(td_thread_attr_t){ TD_TARGET(worker), .arg = &args[i],
                                                            .name = name });
    }
    for (int i = 0; i < WORKERS; i++)
        runner_join(workers[i]);
    if (rc == 0 && !runner_stopping())
        td_print("All threads have finished.");
    return rc;
}

/* `thrdemo threads`: its variants, options, lesson and Python calls, which the parser,
 * the help and `list` read (cli.h). */
const cli_command_t scenario_threads = {
    .name = "threads", .kind = CMD_SCENARIO, .seed = "002",
    .summary = "start threads three ways, let them run at once, join them",
    .about = "\"threading.Thread\" (seed 002) and \"creating threads\" (seed 001): "
             "starting and joining threads.",
    .lesson = "start() returns at once and the new thread runs beside the old one, in an "
              "order the scheduler picks; join() waits for it to end. A thread runs a "
              "target function or a subclass's run(), and has a name.",
    .variants = (const cli_variant_t[]){
        { "basic", "two threads print numbers and letters concurrently",
          .example = "threads basic", .run = run_threads_basic },
        { "ways", "three ways to create a thread: target, subclass, named with args", "001",
          .example = "threads ways --scale 10", .run = run_threads_ways },
        { 0 } },
    .python = (const cli_pycall_t[]){
        { "threading.Thread(target=f)", "td_thread_new (TD_TARGET(f))" },
        { "class MyThread(Thread): run()", "td_thread_new (.target, no target name)" },
        { "Thread(name=..., args=(...))", "td_thread_attr_t .name and .arg" },
        { "threading.Thread.start", "td_thread_start" },
        { "threading.Thread.join", "td_thread_join" },
        { "threading.current_thread().name", "td_thread_get_name(td_current_thread(), ...)" },
        { 0 } },
};
