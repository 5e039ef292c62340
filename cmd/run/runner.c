/* SPDX-License-Identifier: MIT */
/* runner.c - signals to one stop, the run, the orderly end.
 *
 * SIGINT and SIGTERM are blocked in every thread and taken by one plain pthread
 * (sigwait), which sets the stop event, makes the stop pipe readable and calls what
 * is registered to be woken: the events a runner_wait() is blocked on, the timers
 * runner_timer() started, the asyncio task runner_aio_run() runs (cancelled on its
 * loop, through call_soon_threadsafe). Registrations last exactly as long as the call that made
 * them, and removing one waits for a stop call under way (both hold on_stop_lock),
 * so the stop never touches an object that has gone.
 * Under --schedule the signal thread, which the schedule does not control, only
 * raises the scheduler's flag; the stop then runs on a controlled thread at its next
 * scheduling point, maybe one inside remember() or forget(): on_stop_lock is an
 * RLock so that thread can take it again.
 */
#include "runner.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <unistd.h>

#include <thrdemo/lock.h>
#include <thrdemo/observer.h>

#include "predict.h"
#include "schedrun.h"
#include "stats.h"
#include "tracing.h"

static double started_at; /* the wall clock when the run began */
static td_event_t stop_event;
static atomic_int stop_signal;
static int stop_pipe[2] = { -1, -1 };

typedef void (*stop_fn)(void *arg);
enum { MAX_ON_STOP = 16 };
static td_rlock_t on_stop_lock;
static struct {
    stop_fn fn;
    void *arg;
} on_stop[MAX_ON_STOP]; /* guarded by on_stop_lock */

double runner_seconds(double nominal)
{
    return nominal < 0 || nominal == TD_FOREVER ? nominal : nominal * cli_globals.scale;
}

double runner_clock(double nominal)
{
    return started_at + nominal;
}

bool runner_stopping(void)
{
    return td_event_is_set(&stop_event);
}

bool runner_sleep(double nominal)
{
    return runner_sleep_on(&stop_event, nominal);
}

bool runner_sleep_on(td_event_t *wake, double nominal)
{
    double seconds = runner_seconds(nominal);
    /* Reported as Python's time.sleep(nominal), which a trace shows as "sleep 1.0 s":
     * the wait on the event inside it is how it is done, not what it is. */
    bool sleeps = seconds > 0 && !td_event_is_set(wake);
    if (sleeps)
        td_observe(TD_OBS_WAIT_BEGIN, "sleep", wake, 0, nominal);
    bool woken = td_event_wait(wake, seconds);
    if (sleeps)
        td_observe(TD_OBS_WAIT_END, "sleep", wake, woken ? 0 : -ETIMEDOUT, -1);
    return woken;
}

int runner_stop_fd(void)
{
    return stop_pipe[0];
}

/* Have the stop call fn(arg) (at once if it already came), until forgotten. */
static void remember(stop_fn fn, void *arg)
{
    td_rlock_acquire(&on_stop_lock, true, TD_FOREVER);
    for (size_t i = 0; i < MAX_ON_STOP; i++) {
        if (!on_stop[i].fn) {
            on_stop[i].fn = fn;
            on_stop[i].arg = arg;
            break;
        }
    }
    td_rlock_release(&on_stop_lock);
    if (runner_stopping())
        fn(arg);
}

static void forget(stop_fn fn, void *arg)
{
    td_rlock_acquire(&on_stop_lock, true, TD_FOREVER);
    for (size_t i = 0; i < MAX_ON_STOP; i++)
        if (on_stop[i].fn == fn && on_stop[i].arg == arg)
            on_stop[i].fn = NULL;
    td_rlock_release(&on_stop_lock);
}

static void set_event(void *event)
{
    td_event_set(event);
}

bool runner_wait(td_event_t *event, double nominal)
{
    remember(set_event, event);
    bool set = td_event_wait(event, runner_seconds(nominal));
    forget(set_event, event);
    return set;
}

/* ---- asyncio: the stop cancels the task, on its loop's thread ---------------------------- */

struct aio_stop {
    td_loop_t *loop;
    td_aio_task_t *task;
};

static void cancel_task(void *task)
{
    td_aio_future_cancel(task, NULL);
}

/* On the signal thread: only the loop's thread may touch the task. */
static void cancel_on_its_loop(void *arg)
{
    struct aio_stop *stop = arg;
    td_loop_call_soon_threadsafe(stop->loop, cancel_task, stop->task);
}

int runner_aio_run_until_complete(td_loop_t *loop, td_aio_task_t *task, void **result)
{
    struct aio_stop stop = { loop, task };
    remember(cancel_on_its_loop, &stop);
    int rc = td_loop_run_until_complete(loop, task, result);
    forget(cancel_on_its_loop, &stop);
    return rc;
}

/* The main coroutine, wrapped: it knows its loop and task, and forgets them before
 * asyncio.run frees the loop. */
static int run_main(void *arg, void **result)
{
    const td_aio_coro_t *main = arg;
    /* Not a local: the signal thread reads it while this task waits, when its frames
     * are not where they were (task.h's pointer rule). One asyncio.run at a time. */
    static struct aio_stop stop;
    stop = (struct aio_stop){ td_aio_get_running_loop(), td_aio_current_task() };
    remember(cancel_on_its_loop, &stop);
    int rc = main->fn(main->arg, result);
    forget(cancel_on_its_loop, &stop);
    return rc;
}

int runner_aio_run(td_aio_coro_t main, int *error)
{
    td_aio_coro_t wrapped = main;
    wrapped.fn = run_main;
    wrapped.arg = &main;
    return td_aio_run(wrapped, NULL, error);
}

int runner_start(td_thread_t **thread, const td_thread_attr_t *attr)
{
    int rc = td_thread_new(thread, attr);
    if (rc == 0 && (rc = td_thread_start(*thread)) != 0)
        td_thread_free(*thread);
    if (rc == 0)
        return 0;
    *thread = NULL;
    cli_error("cannot start a thread: %s", td_strerror(rc));
    return EXIT_RUNTIME;
}

void runner_join(td_thread_t *thread)
{
    if (!thread)
        return;
    td_thread_join(thread, TD_FOREVER);
    td_thread_free(thread);
}

static void cancel_timer(void *timer)
{
    td_timer_cancel(timer);
}

td_timer_t *runner_timer(double nominal, td_thread_fn fn, void *arg)
{
    td_timer_t *timer;
    int rc = td_timer_new(&timer, runner_seconds(nominal), fn, arg);
    if (rc == 0 && (rc = td_timer_start(timer)) != 0)
        td_timer_free(timer);
    if (rc != 0) {
        cli_error("cannot start a timer: %s", td_strerror(rc));
        return NULL;
    }
    remember(cancel_timer, timer);
    return timer;
}

void runner_timer_finish(td_timer_t *timer)
{
    td_timer_join(timer, TD_FOREVER);
    forget(cancel_timer, timer);
    td_timer_free(timer);
}

/* ---- signals -------------------------------------------------------------------------- */

/* The stop itself: on the signal thread, or on a controlled one under --schedule. */
static void stop_now(void)
{
    td_event_set(&stop_event);
    ssize_t n = write(stop_pipe[1], "x", 1); /* never read: readable from now on */
    (void)n;
    td_rlock_acquire(&on_stop_lock, true, TD_FOREVER);
    for (size_t i = 0; i < MAX_ON_STOP; i++)
        if (on_stop[i].fn)
            on_stop[i].fn(on_stop[i].arg);
    td_rlock_release(&on_stop_lock);
}

/* A plain pthread, not a library thread: it is plumbing, not part of any scenario,
 * so it stays out of enumerate() as Python's own signal handling does. */
static void *signal_thread(void *set)
{
    for (;;) {
        int signo = 0;
        if (sigwait(set, &signo) != 0)
            continue;
        if (atomic_load(&stop_signal) != 0)
            _exit(128 + signo); /* a second Ctrl-C: the user insists */
        atomic_store(&stop_signal, signo);
        if (schedrun_active())
            td_sched_interrupt(); /* stop_now() at the next scheduling point */
        else
            stop_now();
    }
    return NULL;
}

static void install_signals(void)
{
    static sigset_t set;
    td_event_init(&stop_event);
    td_rlock_init(&on_stop_lock);
    td_object_set_name(&stop_event, "stop");
    td_object_set_name(&on_stop_lock, "on_stop_lock");
    if (pipe2(stop_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        stop_pipe[0] = stop_pipe[1] = -1;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* inherited by every thread started later */
    pthread_t tid;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&tid, &attr, signal_thread, &set) != 0)
        pthread_sigmask(SIG_UNBLOCK, &set, NULL); /* then Ctrl-C simply kills us */
    pthread_attr_destroy(&attr);
}

int runner_run(const cli_args_t *args)
{
    if (cli_globals.predict) /* the run happens in a child, after the guess */
        return predict_run(args);
    int rc = schedrun_begin(stop_now); /* before any thread starts: all controlled */
    if (rc != 0)
        return rc;
    started_at = td_time(); /* the library's clock: virtual under a schedule */
    if (cli_globals.stats)
        stats_enable();
    install_signals();
    rc = tracing_begin(args); /* after stats and the schedule: its observer goes on
                                 hearing all, its clock is the schedule's */
    if (rc != 0)
        return rc;
    rc = args->variant->run ? args->variant->run(args) : args->command->run(args);
    /* Python's threading._shutdown: wait for the non-daemon threads the scenario
     * left running (daemon --no-daemon), so that a Ctrl-C meanwhile still counts. */
    td_shutdown();
    rc = tracing_end(rc); /* the file is complete after Ctrl-C too */
    int signo = atomic_load(&stop_signal);
    if (signo != 0) {
        cli_error("interrupted by %s", signo == SIGINT ? "Ctrl-C" : "SIGTERM");
        rc = 128 + signo;
    }
    return rc;
}
