# SPDX-License-Identifier: MIT
"""prodcons: seed 004 -- producer/consumer over queue.Queue(maxsize=10) in a
ThreadPoolExecutor(max_workers=2), stopped by an Event after --duration seconds.

The program `thrdemo prodcons` re-creates, printing the same trace (the values are
random, here as there; THRDEMO_SEED seeds them). The seed's consumer loops on `while
not event.is_set() or not queue.empty()` and can block for ever in get(), or leave
a message behind. Like thrdemo, this one cannot: once the producer sees the Event it
puts None, "no more messages" (thrdemo uses Python 3.13's Queue.shutdown(), the same
idea), and join()s the queue, so the consumer stores every message and both exit
lines come last. Options as thrdemo's: --duration 0.1 --maxsize 10 --workers 2;
--rate N (at most N messages a second, slow enough to read; 0: as fast as it can);
--seed-consumer runs the seed's own producer and consumer, and a watchdog that says
so when the consumer hangs (--hang-after 2 seconds without progress, the queue empty
and the producer gone) and ends the program, or counts the messages left behind.
"""
import argparse, concurrent.futures, logging, os, queue, random, threading, time

S = float(os.environ.get("THRDEMO_SCALE", "1"))
if os.environ.get("THRDEMO_SEED"):
    random.seed(int(os.environ["THRDEMO_SEED"]))
options = argparse.ArgumentParser(description=__doc__)
options.add_argument("--duration", type=float, default=0.1)
options.add_argument("--maxsize", type=int, default=10)
options.add_argument("--workers", type=int, default=2)
options.add_argument("--rate", type=float, default=0)
options.add_argument("--seed-consumer", action="store_true")
options.add_argument("--hang-after", type=float, default=2)
args = options.parse_args()

def pace(event):
    # --rate N: wait 1/N s before the next message (at once when the event is set)
    if args.rate > 0:
        event.wait(1 / args.rate * S)

def producer(queue, event):
    while not event.is_set():
        message = random.randint(1, 11)
        logging.info("Producer got message: %s", message)
        queue.put(message)
        pace(event)
    queue.put(None)   # the fix: "no more messages are coming"
    queue.join()      # until the consumer has stored them all
    logging.info("Producer received event. Exiting")

def consumer(queue, event):
    while (message := queue.get()) is not None:
        logging.info("Consumer storing message: %s (size=%d)", message, queue.qsize())
        queue.task_done()
    queue.task_done()
    logging.info("Consumer received event. Exiting")

# ---- --seed-consumer: the seed's own loops, as seed 004 prints them ----
consumed = 0  # thrdemo's addition: the watchdog's measure of the consumer's progress

def seed_producer(queue, event):
    while not event.is_set():
        message = random.randint(1, 11)
        logging.info("Producer got message: %s", message)
        queue.put(message)
        pace(event)
    logging.info("Producer received event. Exiting")

def seed_consumer(queue, event):
    global consumed
    while not event.is_set() or not queue.empty():
        message = queue.get()   # the seed's hang: the event set, the queue empty, here
        logging.info("Consumer storing message: %s (size=%d)", message, queue.qsize())
        consumed += 1
    logging.info("Consumer received event. Exiting")

def watchdog(pipeline, producer, consumer):
    # After the event: the consumer must end. If it makes no progress for
    # --hang-after seconds while the queue is empty and the producer has gone, it is
    # in the seed's hang: say so and end the program (a thread cannot be stopped).
    while True:
        before = consumed
        done, _ = concurrent.futures.wait([consumer], timeout=args.hang_after * S)
        if done:
            break
        if consumed == before and pipeline.empty() and producer.done():
            logging.info("Watchdog: the consumer is blocked in get() on an empty queue and "
                         "the producer has exited: the seed's consumer checked the event "
                         "before it was set, and now waits for ever (stopped after %g s)",
                         args.hang_after)
            logging.shutdown()
            os._exit(0)
    concurrent.futures.wait([producer])  # it may still put one message: count it too
    if pipeline.qsize():
        logging.info("Watchdog: messages left in the queue, never consumed: %d (the producer "
                     "put them after the consumer's last check)", pipeline.qsize())

if __name__ == "__main__":
    logging.basicConfig(format="%(asctime)s: %(message)s", level=logging.INFO, datefmt="%H:%M:%S")
    pipeline = queue.Queue(maxsize=args.maxsize)
    event = threading.Event()
    if args.seed_consumer:
        executor = concurrent.futures.ThreadPoolExecutor(max_workers=args.workers)
        producing = executor.submit(seed_producer, pipeline, event)
        consuming = executor.submit(seed_consumer, pipeline, event)
        time.sleep(args.duration * S)
        logging.info("Main: about to set event")
        event.set()
        watchdog(pipeline, producing, consuming)
        executor.shutdown(wait=True)
        raise SystemExit
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.workers) as executor:
        executor.submit(producer, pipeline, event)
        executor.submit(consumer, pipeline, event)
        time.sleep(args.duration * S)
        logging.info("Main: about to set event")
        event.set()
