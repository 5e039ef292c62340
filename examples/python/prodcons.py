# SPDX-License-Identifier: MIT
"""prodcons: seed 004 -- producer/consumer over queue.Queue(maxsize=10) in a
ThreadPoolExecutor(max_workers=2), stopped by an Event after --duration seconds.

The program `thrdemo prodcons` re-creates, printing the same trace (the values are
random, here as there; THRDEMO_SEED seeds them). The seed's consumer loops on `while
not event.is_set() or not queue.empty()` and can block for ever in get(), or leave
a message behind. Like thrdemo, this one cannot: once the producer sees the Event it
puts None, "no more messages" (thrdemo uses Python 3.13's Queue.shutdown(), the same
idea), and join()s the queue, so the consumer stores every message and both exit
lines come last. Options as thrdemo's: --duration 0.1 --maxsize 10 --workers 2.
"""
import argparse, concurrent.futures, logging, os, queue, random, threading, time

S = float(os.environ.get("THRDEMO_SCALE", "1"))
if os.environ.get("THRDEMO_SEED"):
    random.seed(int(os.environ["THRDEMO_SEED"]))
options = argparse.ArgumentParser(description=__doc__)
options.add_argument("--duration", type=float, default=0.1)
options.add_argument("--maxsize", type=int, default=10)
options.add_argument("--workers", type=int, default=2)
args = options.parse_args()

def producer(queue, event):
    while not event.is_set():
        message = random.randint(1, 11)
        logging.info("Producer got message: %s", message)
        queue.put(message)
    queue.put(None)   # the fix: "no more messages are coming"
    queue.join()      # until the consumer has stored them all
    logging.info("Producer received event. Exiting")

def consumer(queue, event):
    while (message := queue.get()) is not None:
        logging.info("Consumer storing message: %s (size=%d)", message, queue.qsize())
        queue.task_done()
    queue.task_done()
    logging.info("Consumer received event. Exiting")

if __name__ == "__main__":
    logging.basicConfig(format="%(asctime)s: %(message)s", level=logging.INFO, datefmt="%H:%M:%S")
    pipeline = queue.Queue(maxsize=args.maxsize)
    event = threading.Event()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.workers) as executor:
        executor.submit(producer, pipeline, event)
        executor.submit(consumer, pipeline, event)
        time.sleep(args.duration * S)
        logging.info("Main: about to set event")
        event.set()
