/* SPDX-License-Identifier: MIT */
/* tables.c - the shape of every scenario's command line, as data: its variants (each
 * with the function that tells its story, in cmd/scenarios/), its options with type,
 * range, default and help, its lesson, and the Python calls it re-creates with the
 * libthrdemo functions behind them. The parser, --help, `list`, the man page and the
 * completions all read these tables (cli.h); cli_check_table() checks them when the
 * build writes the man page. A new scenario is a story file, a table here, a row in
 * main.c's commands[] and its programs in examples/python/.
 */
#include "scenarios/scenarios.h"
#include "support/race.h"

const cli_command_t scenario_event = {
    .name = "event", .kind = CMD_SCENARIO, .seed = "002",
    .summary = "threading.Event: threads wait until another thread sets it",
    .about = "\"Event\": threading.Event releases the threads that wait on it.",
    .lesson = "A thread blocked in wait() uses no CPU and resumes the moment another "
              "thread calls set(). wait(timeout) returns False when the time runs out, "
              "so a thread can do something else and check again. The flag stays set "
              "until clear(): only then does wait() block again.",
    .variants = (const cli_variant_t[]){
        { "wait", "one thread waits forever, one polls with wait(timeout)",
          .example = "event wait --scale 0.1 --wait-timeout 0.3", .run = run_event_wait },
        { "subclass", "Thread subclasses gated by one Event",
          .example = "event subclass --threads 4 --scale 0.2", .run = run_event_subclass },
        { "timer", "a Timer sets the Event main waits on",
          .example = "event timer --delay 1", .run = run_event_timer },
        { "reuse", "clear() and a second round of waiters; wait() on a set event returns at once",
          "001", .example = "event reuse --waiters 4 --scale 0.2", .run = run_event_reuse },
        { 0 } },
    .options = (const cli_option_t[]){
        { "wait-timeout", OPT_NUMBER, "1", .min_open = true, .max = 1e9, .variants = "wait",
          .help = "seconds thread2 waits per check" },
        { "first-delay", OPT_NUMBER, "5", .max = 1e9, .variants = "wait",
          .help = "seconds before main sets event1" },
        { "second-delay", OPT_NUMBER, "5", .max = 1e9, .variants = "wait",
          .help = "seconds before main sets event2" },
        { "threads", OPT_INT, "2", 1, MAX_THREADS, .variants = "subclass",
          .help = "how many Thread subclasses wait" },
        { "count", OPT_INT, "5", .max = 1e6, .variants = "subclass",
          .help = "numbers each thread prints, one a second" },
        { "delay", OPT_NUMBER, "5.0", .max = 1e9, .variants = "timer",
          .help = "seconds before the Timer sets the event" },
        { "waiters", OPT_INT, "2", 1, MAX_THREADS, .variants = "reuse",
          .help = "threads that wait in each round" },
        { "delay", OPT_NUMBER, "1", .max = 1e9, .variants = "reuse",
          .help = "seconds before main sets the event, in each round" },
        { "wait-timeout", OPT_NUMBER, "1", .max = 1e9, .variants = "reuse",
          .help = "seconds main's wait() blocks after clear()" },
        { 0 } },
    .python = (const cli_pycall_t[]){
        { "threading.Event()", "td_event_init" },
        { "threading.Event.wait", "td_event_wait (timeout None: TD_FOREVER)" },
        { "threading.Event.set", "td_event_set" },
        { "threading.Event.is_set", "td_event_is_set" },
        { "threading.Event.clear", "td_event_clear" },
        { "threading.Thread(target=...).start", "td_thread_new, td_thread_start" },
        { "threading.Thread.name = ...", "td_thread_set_name" },
        { "threading.Thread.join", "td_thread_join" },
        { "threading.Timer(5.0, f, [event])", "td_timer_new, td_timer_start" },
        { 0 } },
};


const cli_command_t scenario_monitor = {
    .name = "monitor", .kind = CMD_SCENARIO, .seed = "000",
    .summary = "a monitor thread stopped through an Event, or terminated and joined",
    .about = "TossMonitorThread, a periodic monitor thread stopped through an Event, and "
             "ToastErrorMonitor, which terminates and joins it when its check finds an error.",
    .lesson = "Python cannot kill a thread: you ask it to stop, through an Event or a "
              "flag it checks, and join() it. Waiting on the Event instead of sleeping "
              "makes the request take effect at once.",
    .variants = (const cli_variant_t[]){
        { "stop", "a periodic monitor thread stopped through its Event",
          .example = "monitor stop --interval 1 --stop-after 3.5", .run = run_monitor_stop },
        { "toast", "an error check that terminates and joins the monitor thread",
          .example = "monitor toast --error-after 5 --scale 0.3", .run = run_monitor_toast },
        { 0 } },
    .options = (const cli_option_t[]){
        { "interval", OPT_NUMBER, "3", .min_open = true, .max = 1e9,
          .help = "seconds between the monitor's runs" },
        { "stop-after", OPT_NUMBER, "10", .max = 1e9, .variants = "stop",
          .help = "seconds before main calls stop()" },
        { "error-after", OPT_INT, "3", 1, 1e9, .variants = "toast",
          .help = "the check that finds the error" },
        { "check-interval", OPT_NUMBER, "3", .max = 1e9, .variants = "toast",
          .help = "seconds between checks" },
        { 0 } },
    .python = (const cli_pycall_t[]){
        { "class TossMonitorThread(Thread)", "td_thread_new (.target = its run)" },
        { "threading.Event.set (stop)", "td_event_set" },
        { "threading.Event.is_set (stopped)", "td_event_is_set" },
        { "time.sleep(interval)", "td_event_wait(&wake, interval)" },
        { "threading.Thread.join", "td_thread_join" },
        { 0 } },
};


const cli_command_t scenario_lock_counter = {
    .name = "lock-counter", .kind = CMD_SCENARIO, .seed = "002", .check = check_lock_counter,
    .outcome = "Final value of shared_resource: ",
    .summary = "+1 and -1 a million times each under a Lock; the result is 0",
    .about = "\"threading.Lock\": two threads update one counter, each step under a lock. "
             "--lock none shows lost updates on a multi-core machine.",
    .lesson = "shared_resource += 1 is a read, an add and a write: two threads can both "
              "read 5 and both write their result, and one update is lost. A lock makes "
              "the three one step that no other thread can interleave.",
    .variants = (const cli_variant_t[]){
        { NULL, "+1 and -1 a million times each under a Lock; the result is 0",
          .example = "lock-counter --lock none", .run = run_lock_counter },
        { 0 } },
    .options = (const cli_option_t[]){
        { "iterations", OPT_INT, "1000000", .max = 1e12,
          .help = "increments (or decrements) per thread" },
        { "threads", OPT_INT, "2", 2, MAX_THREADS,
          .help = "threads, half adding and half subtracting (even)" },
        { "lock", OPT_CHOICE, "mutex", .choices = GUARD_NAMES,
          .help = "the guard: Lock, RLock, Semaphore(1), a spinlock, an atomic add, or none" },
        { "explain", OPT_FLAG,
          .help = "after the trace, the steps that lost the first update (exact under "
                  "--schedule, where an unguarded += has a scheduling point between its "
                  "load, add and store)" },
        { 0 } },
    .python = (const cli_pycall_t[]){
        { "threading.Lock()", "td_lock_init" },
        { "with lock: (acquire)", "td_lock_acquire(&lock, true, TD_FOREVER)" },
        { "with lock: (release)", "td_lock_release" },
        { "threading.RLock()", "td_rlock_init, td_rlock_acquire, td_rlock_release" },
        { "threading.Semaphore(1)", "td_sem_init, td_sem_acquire, td_sem_release" },
        { "threading.Thread(target=...).start", "td_thread_new, td_thread_start" },
        { "threading.Thread.join", "td_thread_join" },
        { 0 } },
};


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


const cli_command_t scenario_timer = {
    .name = "timer", .kind = CMD_SCENARIO, .seed = "001",
    .summary = "threading.Timer: run a function later, cancel it, repeat it",
    .about = "\"threading.Timer\" (seed 001) and set_interval (seed 002): run a function "
             "later, cancel it, repeat it without drift. 'timer repeat --count 0' never ends: "
             "under --schedule it runs until --max-steps and exits 4, as in 'thrdemo timer "
             "repeat --count 0 --schedule fifo --max-steps 1000'.",
    .lesson = "A Timer is a thread that waits, then calls the function, unless cancel() "
              "comes first. To repeat, arm the next timer for a due time, not for a full "
              "interval after the last run, or the runs drift later and later.",
    .variants = (const cli_variant_t[]){
        { "once", "Timer(5, Thread_Test) runs it after 5 seconds",
          .example = "timer once --delay 1", .run = run_timer_once_or_cancel },
        { "cancel", "the timer is cancelled after 2 seconds: Thread_Test never runs",
          .example = "timer cancel", .run = run_timer_once_or_cancel },
        { "repeat", "Thread_Test re-arms a 1 s Timer for itself, without drift",
          .example = "timer repeat --every 0.01 --count 500 --stats", .run = run_timer_repeat },
        { "interval", "set_interval: a daemon loop on Event.wait, stopped by a Timer", "002",
          .example = "timer interval --every 0.5", .run = run_timer_interval },
        { 0 } },
    .options = (const cli_option_t[]){
        { "delay", OPT_NUMBER, "5", .max = 1e9, .variants = "once cancel",
          .help = "seconds before Thread_Test runs" },
        { "cancel-after", OPT_NUMBER, "2", .max = 1e9, .variants = "cancel",
          .help = "seconds before cancel()" },
        { "every", OPT_NUMBER, "1", .min_open = true, .max = 1e9, .variants = "repeat",
          .help = "seconds between runs" },
        { "every", OPT_NUMBER, "2", .min_open = true, .max = 1e9, .variants = "interval",
          .help = "seconds between runs" },
        { "count", OPT_INT, "0", .max = 1e12, .variants = "repeat",
          .help = "runs before stopping (0: until Ctrl-C)" },
        { "stop-after", OPT_NUMBER, "11", .max = 1e9, .variants = "interval",
          .help = "seconds before the Timer stops the loop" },
        { 0 } },
    .python = (const cli_pycall_t[]){
        { "threading.Timer(5, f)", "td_timer_new" },
        { "threading.Timer.start", "td_timer_start" },
        { "threading.Timer.cancel", "td_timer_cancel" },
        { "threading.Timer.join", "td_timer_join" },
        { "threading.Event.wait(sec)", "td_event_wait" },
        { "threading.Thread(daemon=True)", "td_thread_attr_t .daemon = TD_DAEMON_YES" },
        { 0 } },
};


const cli_command_t scenario_daemon = {
    .name = "daemon", .kind = CMD_SCENARIO, .seed = "001",
    .summary = "a daemon thread's count stops when the main thread ends",
    .about = "\"Daemon threads\" and \"join\": daemon threads die with the main thread; "
             "non-daemon threads keep the process alive; join() waits first.",
    .lesson = "When the main thread ends, Python waits for every non-daemon thread and "
              "then exits, killing the daemon threads wherever they are. A daemon thread "
              "is for work nobody needs to see finished.",
    .variants = (const cli_variant_t[]){
        { NULL, "a daemon thread's count stops when the main thread ends",
          .example = "daemon --no-daemon", .run = run_daemon },
        { 0 } },
    .options = (const cli_option_t[]){
        { "no-daemon", OPT_FLAG, .help = "make the thread non-daemon: the process waits for it" },
        { "join", OPT_FLAG, .help = "main joins the thread before its own last line" },
        { "count", OPT_INT, "100", .max = 1e9, .help = "numbers the thread prints" },
        { "step", OPT_NUMBER, "0.01", .max = 1e6, .help = "seconds between numbers" },
        { "main-sleep", OPT_NUMBER, "0.05", .max = 1e6,
          .help = "seconds main sleeps before it ends" },
        { 0 } },
    .python = (const cli_pycall_t[]){
        { "threading.Thread(daemon=True)", "td_thread_attr_t .daemon = TD_DAEMON_YES" },
        { "threading.Thread.join", "td_thread_join" },
        { "the interpreter's exit", "td_exit: joins non-daemon threads, then exits" },
        { 0 } },
};


const cli_command_t scenario_join_timeout = {
    .name = "join-timeout", .kind = CMD_SCENARIO, .seed = "001",
    .summary = "join(timeout) returns while the thread still runs; is_alive() says so",
    .about = "\"join(timeout)\": join with a timeout, then is_alive().",
    .lesson = "join(timeout) gives up after the timeout without telling you whether the "
              "thread ended: it returns None either way. Ask is_alive() afterwards.",
    .variants = (const cli_variant_t[]){
        { NULL, "join(timeout) returns while the thread still runs; is_alive() says so",
          .example = "join-timeout --count 100 --timeout 5", .run = run_join_timeout },
        { 0 } },
    .options = (const cli_option_t[]){
        { "timeout", OPT_NUMBER, "0.25", .max = 1e9, .help = "seconds join() waits" },
        { "count", OPT_INT, "10000", .max = 1e9, .help = "numbers the thread prints" },
        { "step", OPT_NUMBER, "0.001", .max = 1e6, .help = "seconds between numbers" },
        { 0 } },
    .python = (const cli_pycall_t[]){
        { "threading.Thread.join(timeout)", "td_thread_join (-ETIMEDOUT: still running)" },
        { "threading.Thread.is_alive", "td_thread_is_alive" },
        { "threading.Thread(daemon=True)", "td_thread_attr_t .daemon = TD_DAEMON_YES" },
        { 0 } },
};


const cli_command_t scenario_enumerate = {
    .name = "enumerate", .kind = CMD_SCENARIO, .seed = "001",
    .summary = "walk threading.enumerate(), skip the main thread, join the rest",
    .about = "\"threading.enumerate()\": list the live threads and join each.",
    .lesson = "enumerate() lists the threads alive right now, the main thread among "
              "them; a thread cannot join itself, so the loop skips main_thread(). Each "
              "join waits for that thread, whatever order the others end in.",
    .variants = (const cli_variant_t[]){
        { NULL, "walk threading.enumerate(), skip the main thread, join the rest",
          .example = "enumerate --seed 7 --info", .run = run_enumerate },
        { 0 } },
    .options = (const cli_option_t[]){
        { "workers", OPT_INT, "3", 1, MAX_THREADS,
          .help = "worker threads, each sleeping 0.1-0.5 s" },
        { "info", OPT_FLAG,
          .help = "while the workers sleep, print what the module functions return" },
        { 0 } },
    .python = (const cli_pycall_t[]){
        { "threading.enumerate", "td_enumerate" },
        { "threading.main_thread", "td_main_thread" },
        { "threading.active_count", "td_active_count" },
        { "threading.current_thread", "td_current_thread" },
        { "threading.get_ident, get_native_id", "td_get_ident, td_get_native_id" },
        { "threading.stack_size", "td_get_stack_size" },
        { "logging '(%(threadName)-10s) ...'", "td_log_set_format(TD_LOG_THREADNAME), td_log" },
        { 0 } },
};

const cli_command_t scenario_condition = {
    .name = "condition", .kind = CMD_SCENARIO, .seed = "001",
    .summary = "a producer and consumers on a Condition: wait_for(), notify(), notify_all()",
    .about = "threading.Condition, which seed 001 lists among the threading module's "
             "objects, doing seed 004's producer/consumer: the consumers wait_for() an "
             "item or the end, the producer notify()s one per item and notify_all()s "
             "at the end.",
    .lesson = "Wait for a state, not for a notify: with the Condition's lock held, "
              "wait_for(predicate) checks the shared state first and again after every "
              "wake-up, so an item made before anyone waited is not missed and a "
              "wake-up with nothing to take just waits again. notify() wakes one "
              "waiter, notify_all() every one.",
    .variants = (const cli_variant_t[]){
        { NULL, "a producer and consumers on a Condition: wait_for(), notify(), notify_all()",
          .example = "condition --consumers 3 --items 9 --scale 0.2", .run = run_condition },
        { 0 } },
    .options = (const cli_option_t[]){
        { "items", OPT_INT, "5", .max = 1e6, .help = "items the producer makes" },
        { "consumers", OPT_INT, "2", 1, MAX_THREADS, .help = "consumer threads" },
        { "delay", OPT_NUMBER, "1", .max = 1e9,
          .help = "seconds the producer takes to make the next item" },
        { 0 } },
    .python = (const cli_pycall_t[]){
        { "threading.Condition()", "td_cond_init (over a td_lock_t)" },
        { "with cond:", "td_cond_acquire, td_cond_release" },
        { "cond.wait_for(predicate)", "td_cond_wait_for(&cond, pred, ctx, TD_FOREVER, &ok)" },
        { "cond.notify()", "td_cond_notify(&cond, 1)" },
        { "cond.notify_all()", "td_cond_notify_all" },
        { "threading.Thread(target=...).start", "td_thread_new, td_thread_start" },
        { "threading.Thread.join", "td_thread_join" },
        { 0 } },
};

const cli_command_t scenario_barrier = {
    .name = "barrier", .kind = CMD_SCENARIO, .seed = "001",
    .summary = "runners start together at a Barrier; a late one and a timeout break it",
    .about = "threading.Barrier, beside seed 001's tour of the threading module (not "
             "in the seeds: teachers asked for it). Runners get ready one by one and "
             "wait at a Barrier; the last runs the action and all start at once. In "
             "a second race one runner is late and the others' timeout breaks the "
             "barrier.",
    .lesson = "A Barrier holds every thread until the last one arrives, then releases "
              "them together; the action runs once, in the last thread, before any goes "
              "on. One wait that times out breaks the barrier for every thread, the "
              "ones still to come included: BrokenBarrierError, not a hang.",
    .variants = (const cli_variant_t[]){
        { NULL, "runners start together at a Barrier; a late one and a timeout break it",
          .example = "barrier --runners 5 --scale 0.2", .run = run_barrier },
        { 0 } },
    .options = (const cli_option_t[]){
        { "runners", OPT_INT, "3", 2, MAX_THREADS, .help = "the barrier's parties" },
        { "step", OPT_NUMBER, "1", .max = 1e6,
          .help = "seconds between one runner being ready and the next" },
        { "timeout", OPT_NUMBER, "2", .max = 1e6,
          .help = "the second barrier's timeout for each wait, in seconds" },
        { "late", OPT_NUMBER, "5", .max = 1e6,
          .help = "seconds the late runner of the second race takes to get ready" },
        { 0 } },
    .python = (const cli_pycall_t[]){
        { "threading.Barrier(n, action=go)", "td_barrier_init(&b, n, go, arg, TD_FOREVER)" },
        { "threading.Barrier(n, timeout=t)", "td_barrier_init(&b, n, go, arg, t)" },
        { "barrier.wait()", "td_barrier_wait: the arrival index, or -EPIPE" },
        { "threading.BrokenBarrierError", "-EPIPE from td_barrier_wait" },
        { "barrier.broken", "td_barrier_broken" },
        { "barrier.abort()", "td_barrier_abort (on Ctrl-C)" },
        { 0 } },
};

const cli_command_t scenario_prodcons = {
    .name = "prodcons", .kind = CMD_SCENARIO, .seed = "004", .check = check_prodcons,
    .summary = "producer/consumer over a bounded queue in a thread pool, stopped by an Event",
    .about = "A producer and a consumer over queue.Queue(maxsize=10) in a "
             "ThreadPoolExecutor, stopped by an Event; no message is lost, nothing hangs.",
    .lesson = "A bounded queue hands work from one thread to another and makes a fast "
              "producer wait for a slow consumer. The seed's consumer can hang in get() "
              "once the producer is gone (see it with --seed-consumer --rate 5); shutting "
              "the queue down ends it cleanly.",
    .variants = (const cli_variant_t[]){
        { NULL, "producer/consumer over a bounded queue in a thread pool, stopped by an Event",
          .example = "prodcons --seed-consumer --rate 5 --duration 2", .run = run_prodcons },
        { 0 } },
    .options = (const cli_option_t[]){
        { "duration", OPT_NUMBER, "0.1", .max = 1e9, .help = "seconds before main sets the event" },
        { "maxsize", OPT_INT, "10", .max = 1e7, .help = "the queue's maxsize (0: unbounded)" },
        { "workers", OPT_INT, "2", 2, 64,
          .help = "the executor's max_workers (producer and consumer run at once: 2 or more)" },
        { "rate", OPT_NUMBER, "0", .max = 1e9,
          .help = "messages the producer makes a second, slow enough to read (0: as fast as "
                  "it can)" },
        { "seed-consumer", OPT_FLAG,
          .help = "the seed's own producer and consumer, which can hang; a watchdog says so "
                  "and ends the run (exit 0), or counts the messages they left behind" },
        { "hang-after", OPT_NUMBER, "2", .min_open = true, .max = 1e9,
          .help = "with --seed-consumer: seconds without progress, the queue empty and the "
                  "producer gone, before the watchdog calls it a hang" },
        { 0 } },
    .python = (const cli_pycall_t[]){
        { "queue.Queue(maxsize=10)", "td_queue_new" },
        { "queue.Queue.put / get", "td_queue_put, td_queue_get" },
        { "queue.Queue.task_done / join", "td_queue_task_done, td_queue_join" },
        { "queue.Queue.shutdown (3.13)", "td_queue_shutdown" },
        { "queue.Queue.empty / qsize", "td_queue_empty, td_queue_qsize" },
        { "event.wait(1 / rate)", "td_event_wait (--rate)" },
        { "ThreadPoolExecutor(max_workers=2)", "td_pool_new" },
        { "executor.submit(f, ...)", "td_pool_submit" },
        { "leaving `with executor:`", "td_pool_free (shutdown(wait=True))" },
        { "threading.Event set / is_set", "td_event_set, td_event_is_set" },
        { "logging '%(asctime)s: %(message)s'", "td_log_set_format(TD_LOG_ASCTIME), td_log" },
        { 0 } },
};

const cli_command_t scenario_redis_gate = {
    .name = "redis-gate", .kind = CMD_SCENARIO, .seed = "003", .check = check_redis_gate,
    .summary = "worker threads gated by an Event until Redis is ready",
    .about = "Worker threads gated by an Event until Redis is ready. The check is simulated "
             "unless --redis names a real server: then main PINGs it until PONG and each "
             "worker does INCR thrdemo:redis-gate:<thread> on its own connection. Exit 1 "
             "when the server gave no PONG within --give-up seconds.",
    .lesson = "One Event lets any number of threads wait for one condition that only the "
              "main thread can check; wait(timeout) lets a waiter report that it is still "
              "waiting.",
    .variants = (const cli_variant_t[]){
        { "wait", "workers block on the Event until main has checked Redis",
          .example = "redis-gate wait --scale 0.3", .run = run_redis_gate },
        { "poll", "workers wake every 2 s to log that Redis is not ready yet",
          .example = "redis-gate poll --check-time 5 --scale 0.5", .run = run_redis_gate },
        { 0 } },
    .options = (const cli_option_t[]){
        { "check-time", OPT_NUMBER, "3", .max = 1e9, .help = "seconds the simulated check takes" },
        { "redis", OPT_STRING, .metavar = "ADDRESS",
          .help = "check a real server: HOST:PORT, [IPV6]:PORT or "
                  "redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]",
          .no_schedule = "talks to a real server, which no schedule controls" },
        { "retry", OPT_NUMBER, "0.5", .min_open = true, .max = 1e9,
          .help = "seconds between PINGs (with --redis)" },
        { "give-up", OPT_NUMBER, "30", .max = 1e9,
          .help = "seconds without PONG before exit 1 (with --redis)" },
        { "timeout", OPT_NUMBER, "2", .min_open = true, .max = 1e6,
          .help = "connect and reply timeout of each connection (with --redis)" },
        { 0 } },
    .python = (const cli_pycall_t[]){
        { "threading.Event()", "td_event_init" },
        { "threading.Event.wait / wait(2)", "td_event_wait" },
        { "threading.Event.set", "td_event_set" },
        { "threading.Thread(name='t1')", "td_thread_attr_t .name" },
        { "logging '(%(threadName)-10s) ...'", "td_log_set_format(TD_LOG_THREADNAME), td_log" },
        { 0 } },
};

const cli_command_t scenario_tcp_echo = {
    .name = "tcp-echo", .kind = CMD_SCENARIO, .seed = "001",
    .no_schedule = "does real network I/O, which no schedule controls",
    .summary = "a TCP echo server with a thread per connection, and its client",
    .about = "\"TCP communication in Python\": a TCP echo server with one thread per "
             "connection, and its client. Binds 127.0.0.1 unless --host says otherwise "
             "(--host ::1 for IPv6). Every byte comes back unchanged. Ctrl-C stops the "
             "server in order.",
    .lesson = "A thread per connection lets one slow client wait in recv() without "
              "holding up the others; the server caps how many it serves at once and "
              "drops idle ones and ones too slow to end a line, or a few clients could "
              "hold every thread.",
    .variants = (const cli_variant_t[]){
        { "demo", "a server thread and a client in one process",
          .example = "tcp-echo demo", .run = run_tcp_echo_demo },
        { "server", "a threaded echo server, one thread per connection, until Ctrl-C",
          .example = "tcp-echo server --port 9999 --max-clients 8", .run = run_tcp_echo_server },
        { "client", "send each MESSAGE (or stdin's lines) and print the echo",
          .positional = "[MESSAGE...]", .example = "tcp-echo client hi there",
          .run = run_tcp_echo_client },
        { 0 } },
    .options = (const cli_option_t[]){
        { "host", OPT_STRING, "127.0.0.1", .metavar = "HOST",
          .help = "address to listen on or connect to" },
        { "port", OPT_INT, "9999", 0, 65535,
          .help = "port (demo: one the kernel picks unless given; server: 0 = any)" },
        { "max-clients", OPT_INT, "64", 1, 100000, .variants = "server demo",
          .help = "connections served at once; more are refused (--async: 10000)" },
        { "idle-timeout", OPT_NUMBER, "60", .max = 1e9, .variants = "server demo",
          .help = "seconds before an idle connection is dropped (0: never)" },
        { "line-timeout", OPT_NUMBER, "10", .max = 1e9, .variants = "server demo",
          .help = "seconds a line may take from its first byte to its newline; a slower "
                  "sender is dropped (0: never)" },
        { "connect-timeout", OPT_NUMBER, "5", .min_open = true, .max = 1e6,
          .variants = "client demo", .help = "seconds to connect" },
        { "reply-timeout", OPT_NUMBER, "5", .min_open = true, .max = 1e6,
          .variants = "client demo", .help = "seconds to wait for the echo" },
        { "async", OPT_FLAG, .variants = "server",
          .help = "serve with coroutines on one thread (asyncio.start_server), not a thread "
                  "per connection" },
        { 0 } },
    .python = (const cli_pycall_t[]){
        { "socket.socket, bind, listen", "socket, bind, listen (net_listen)" },
        { "socket.accept", "accept4 (net_accept)" },
        { "threading.Thread(target=handle, daemon=True)", "td_thread_new, td_thread_start" },
        { "conn.recv / conn.sendall", "recv, send (net_recv, net_send_all)" },
        { "socket.create_connection", "getaddrinfo, connect (net_connect)" },
        { "asyncio.start_server(handle, host, port) (--async)", "td_aio_start_server" },
        { "await reader.read(n) / writer.write; drain (--async)",
          "td_aio_stream_read / td_aio_stream_write" },
        { 0 } },
};

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


const cli_command_t scenario_async = {
    .name = "async", .kind = CMD_SCENARIO, .seed = "002",
    .summary = "asyncio: coroutines as tasks on one event loop, on the main thread",
    .about = "\"asyncio\": run, gather, sleep, Future, create_future, get_event_loop, "
             "create_task, wait, wait_for, Event and Queue, on one event loop (libuv). "
             "Every coroutine is a task on the main thread: no thread is started "
             "('--stats' says 0). Callbacks run first in, first out, timers by deadline, "
             "so each trace is the same on every run. --scale scales every sleep and "
             "timeout.",
    .lesson = "A coroutine runs only until it awaits something not yet done; then the "
              "loop runs another. Nothing runs beside it, so nothing needs a lock, and a "
              "task that never awaits holds up all the others. A sleeping task costs a "
              "timer and the few hundred bytes of its frames, copied off the loop's one "
              "shared stack, not a thread.",
    .variants = (const cli_variant_t[]){
        { "gather", "run, gather, sleep: two tasks, the shorter ends first",
          .example = "async gather --stats", .run = run_async_gather },
        { "future", "asyncio.Future() given a result by another coroutine",
          .example = "async future --scale 0.1", .run = run_async_future },
        { "exception", "the same Future given set_exception()",
          .example = "async exception --scale 0.1", .run = run_async_exception },
        { "create-future", "get_running_loop().create_future()",
          .example = "async create-future --scale 0.1", .run = run_async_create_future },
        { "monitor", "a task polls future.done() every 0.5 s until it is set",
          .example = "async monitor", .run = run_async_monitor },
        { "event-loop", "get_event_loop() and run_until_complete() in a plain function",
          .example = "async event-loop", .run = run_async_event_loop },
        { "wait", "create_task, wait(FIRST_COMPLETED), wait_for with a timeout",
          .example = "async wait --scale 0.2", .run = run_async_wait },
        { "event", "asyncio.Event: one coroutine waits until another sets it",
          .example = "async event --scale 0.5", .run = run_async_event },
        { "queue", "asyncio.Queue producer/consumer: the seed's hang, shown and stopped",
          .example = "async queue --hang-after 5", .run = run_async_queue },
        { "queue-fixed", "the same, and the producer puts the None the consumer waits for",
          .example = "async queue-fixed", .run = run_async_queue_fixed },
        { 0 } },
    .options = (const cli_option_t[]){
        { "hang-after", OPT_NUMBER, "2", .max = 1e9, .variants = "queue",
          .help = "seconds the hang is shown after the producer is done" },
        { 0 } },
    .python = (const cli_pycall_t[]){
        { "asyncio.run(main())", "td_aio_run(TD_AIO_CORO(main, arg), &result, &error)" },
        { "async def f(): ... return r", "int f(void *arg, void **result)" },
        { "await asyncio.sleep(s)", "td_aio_sleep" },
        { "await asyncio.gather(a(), b())", "td_aio_gather_coros; td_aio_gather" },
        { "asyncio.Future(), loop.create_future()", "td_aio_future_new" },
        { "future.set_result / set_exception", "td_aio_future_set_result / _set_exception" },
        { "await future", "td_aio_await" },
        { "asyncio.create_task", "td_aio_create_task" },
        { "asyncio.wait(fs, return_when=...)", "td_aio_wait" },
        { "asyncio.wait_for(f, timeout)", "td_aio_wait_for" },
        { "print(task)", "td_aio_future_repr" },
        { "asyncio.get_event_loop, run_until_complete", "td_aio_get_event_loop, "
                                                          "td_loop_run_until_complete" },
        { "asyncio.Event", "td_aio_event_init, td_aio_event_wait, td_aio_event_set" },
        { "asyncio.Queue", "td_aio_queue_new, td_aio_queue_put, td_aio_queue_get" },
        { 0 } },
};

const cli_command_t tool_bench = {
    .name = "bench", .kind = CMD_TOOL, .run = run_bench, .check = check_bench,
    .no_schedule = "measures real time ('bench schedule' measures the scheduler)",
    .no_trace = "measures what the library costs, which recording every event would change",
    .summary = "what a lock, a wake-up, a queue hand-off, a timer, a thread, a switch cost",
    .about = "What a lock, a wake-up, a queue hand-off, a timer, a thread and a coroutine "
             "switch cost: libthrdemo beside pthreads, futexes, atomics and swapcontext. "
             "Each implementation runs once to warm up, then --runs times; the table shows "
             "the median, min and max, each comparison said in words. Exit 1 if a "
             "self-check fails (the reason on stderr). 'bench WORKLOAD' measures in one "
             "process; 'bench all' runs each workload in a process of its own, so none "
             "inherits another's memory, threads or caches, and a crash is a FAILED row. "
             "scripts/bench.sh adds the same work done by CPython and judges the targets; "
             "scripts/bench.sh --plot draws the scaling curves.",
    .variants = (const cli_variant_t[]){
        { "all", "every workload below, one after the other, each in a process of its own",
          .example = "bench all --workloads lock,queue --runs 3" },
        { "lock", "2 threads, 1M increments and 1M decrements under a lock",
          .example = "bench lock" },
        { "event", "a token passed back and forth through two Events, 100,000 times",
          .example = "bench event --json" },
        { "event-sleep", "the same with 50 us of work per hand-off: the waiter sleeps",
          .example = "bench event-sleep" },
        { "queue", "1M integers from a producer to a consumer, capacity 10 and 1024",
          .example = "bench queue --capacity 1 --messages 20000" },
        { "queue-mpmc", "4 producers and 4 consumers, 5M integers in all, capacity 1 and 1024",
          .example = "bench queue-mpmc --capacity 16 --messages 200000" },
        { "queue-idle", "CPU time of a consumer waiting 1 s on an empty queue",
          .example = "bench queue-idle --runs 1" },
        { "timer", "200 one-shot 10 ms timers, 1 ms apart: lateness p50 and p99",
          .example = "bench timer" },
        { "threads", "10,000 threads wait on one Event, are released and joined",
          .example = "bench threads --count 1000 --json" },
        { "coro", "1M coroutine switches (resume + yield) and generator next() calls",
          .example = "bench coro --runs 3" },
        { "coro-sleep", "10,000 coroutines suspended at once: RSS and stack bytes touched",
          .example = "bench coro-sleep" },
        { "async-switch", "a task's resume+suspend on the loop's shared (copied) stack",
          .example = "bench async-switch" },
        { "async", "asyncio.run: 100,000 tasks (--tasks) gathered, each sleep(0): time, RSS "
                   "and memory per task",
          .example = "bench async --tasks 1000000 --runs 1" },
        { "async-sleep", "10,000 asyncio tasks asleep at once: peak RSS and stack bytes saved",
          .example = "bench async-sleep" },
        { "schedule", "--schedule's cost: a scheduling point, a switch, a futex hand-off",
          .example = "bench schedule --runs 3" },
        { "schedule-lock", "lock-counter's 2 x 1M Lock steps under --schedule random:1",
          .example = "bench schedule-lock --runs 1" },
        { "trace", "what recording costs (--trace): 2x200k Lock inc/dec with a recorder or not",
          .example = "bench trace --runs 3" },
        { 0 } },
    .options = (const cli_option_t[]){
        { "runs", OPT_INT, "5", 1, MAX_RUNS,
          .help = "measured runs per implementation (after one warm-up)" },
        { "json", OPT_FLAG, .help = "one JSON document (machine, date, results) instead of "
                                    "the table" },
        { "csv", OPT_FLAG, .help = "CSV, one row per figure, machine and date in every row" },
        { "count", OPT_INT, "10000", 1, 100000, .variants = "all threads",
          .help = "threads to start" },
        { "capacity", OPT_INT, NULL, 1, 1048576, .variants = "all",
          .help = "the capacity of every queue (default: each workload's own)" },
        { "capacity", OPT_INT, NULL, 1, 1048576, .variants = "queue",
          .help = "queue capacity (default: 10, then 1024)" },
        { "capacity", OPT_INT, NULL, 1, 1048576, .variants = "queue-mpmc",
          .help = "queue capacity (default: 1, then 1024)" },
        { "messages", OPT_INT, NULL, 1, 100000000, .variants = "all",
          .help = "integers sent through every queue (default: 1000000 for queue, "
                  "5000000 for queue-mpmc)" },
        { "messages", OPT_INT, NULL, 1, 100000000, .variants = "queue",
          .help = "integers sent through the queue (default: 1000000)" },
        { "messages", OPT_INT, NULL, 1, 100000000, .variants = "queue-mpmc",
          .help = "integers sent through the queue, a quarter by each producer (default: "
                  "5000000)" },
        { "tasks", OPT_INT, "100000", 1, 10000000, .variants = "all async",
          .help = "tasks gathered" },
        { "workloads", OPT_STRING, .variants = "all", .metavar = "LIST",
          .help = "only these workloads, comma-separated, in the order above (default: "
                  "every one)" },
        { 0 } },
};

const cli_command_t tool_explore = {
    .name = "explore", .kind = CMD_TOOL, .run = run_explore, .check = check_explore,
    .no_schedule = "runs schedules of its own: --policy and --seed choose them",
    .no_trace = "runs the scenario in many processes: trace the one a row names, with the "
                "command it shows and --trace",
    .pass_through = true,
    .summary = "run a scenario under many schedules and count its distinct outputs",
    .about = "Run SCENARIO [VARIANT] [OPTIONS] under --runs schedules (--policy with seeds "
             "--seed BASE, BASE+1, ...), each in a fresh process, --jobs at a time, and print "
             "one row per distinct stdout: its hash, how many runs printed it, the first "
             "schedule that did and the command that replays it. Deadlocks, step-limit stops, "
             "crashes and failures come first, with their first line on stderr, and make the "
             "exit status 1. For lock-counter the final values are counted too. pct's STEPS "
             "is measured by one run first. Global options (--lang, --quiet, --max-steps) go to "
             "every run; explore's options and the scenario's may come in any order after "
             "SCENARIO.",
    .variants = (const cli_variant_t[]){
        { NULL, "run a scenario under many schedules and count its distinct outputs",
          .positional = "SCENARIO [VARIANT] [OPTIONS]",
          .example = "explore lock-counter --lock none --iterations 3 --runs 2000" },
        { 0 } },
    .options = (const cli_option_t[]){
        { "runs", OPT_INT, "1000", 1, 1e8, .help = "schedules to run: seeds BASE .. BASE+N-1" },
        { "policy", OPT_CHOICE, "random", .choices = "random pct",
          .help = "random:SEED, or pct:SEED:DEPTH:STEPS (probabilistic concurrency testing)" },
        { "depth", OPT_INT, "3", 1, 64, .help = "pct's DEPTH: its changes of priority + 1" },
        { "jobs", OPT_INT, NULL, 1, 256, .help = "runs at once (default: the number of CPUs)" },
        { "timeout", OPT_NUMBER, "60", .max = 1e6,
          .help = "real seconds a run may take before it is killed and listed as hung (0: "
                  "no limit)" },
        { "show", OPT_INT, "20", .max = 1e9,
          .help = "rows of ordinary outputs to show, most frequent first (0: all)" },
        { 0 } },
};
