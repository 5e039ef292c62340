/* SPDX-License-Identifier: MIT */
/* event_handoff.c - two threads hand work back and forth through two Events.
 *
 * main writes a request and sets `request_ready`; the worker, blocked in wait(),
 * wakes, computes, writes the answer and sets `answer_ready`, which main waits on.
 * The lesson: whatever a thread wrote before set() is visible to the thread whose
 * wait() returned true, so the Event is the only synchronisation the shared struct
 * needs. Python's version:
 *
 *     request_ready, answer_ready = threading.Event(), threading.Event()
 *     def worker(job):
 *         request_ready.wait()
 *         job["answer"] = sum(range(1, job["n"] + 1))
 *         answer_ready.set()
 *
 * Build: cc event_handoff.c $(pkg-config --cflags --libs thrdemo)
 * Prints:
 *   main: asking the worker for the sum of 1..100
 *   worker: request received, computing
 *   main: the worker answered 5050
 */
#include <stdio.h>

#include <thrdemo/event.h>
#include <thrdemo/log.h>
#include <thrdemo/thread.h>

struct job {
    td_event_t request_ready; /* main -> worker: n is written */
    td_event_t answer_ready;  /* worker -> main: answer is written */
    int n;
    long answer;
};

static void worker(void *arg)
{
    struct job *job = arg;
    td_event_wait(&job->request_ready, TD_FOREVER); /* true: without a timeout it only returns set */
    td_print("worker: request received, computing");
    long sum = 0;
    for (int i = 1; i <= job->n; i++)
        sum += i;
    job->answer = sum;               /* written before set(): main will see it */
    td_event_set(&job->answer_ready);
}

int main(void)
{
    struct job job = { .n = 0 };
    td_event_init(&job.request_ready);
    td_event_init(&job.answer_ready);

    td_thread_t *t;
    int rc = td_thread_new(&t, &(td_thread_attr_t){ TD_TARGET(worker), .arg = &job });
    if (rc == 0 && (rc = td_thread_start(t)) != 0)
        td_thread_free(t);
    if (rc != 0) {
        fprintf(stderr, "event_handoff: cannot start the worker: %s\n", td_strerror(rc));
        return 1;
    }

    job.n = 100;
    td_print("main: asking the worker for the sum of 1..%d", job.n);
    td_event_set(&job.request_ready);
    /* A timeout turns "the worker is stuck" into a message instead of a hang. */
    if (!td_event_wait(&job.answer_ready, 10.0)) {
        fprintf(stderr, "event_handoff: no answer within 10 s\n");
        return 1;
    }
    td_print("main: the worker answered %ld", job.answer);

    td_thread_join(t, TD_FOREVER);
    td_thread_free(t);
    td_event_destroy(&job.request_ready);
    td_event_destroy(&job.answer_ready);
    return 0;
}
