# SPDX-License-Identifier: MIT
"""condition: a producer and consumers sharing a list through a threading.Condition
(the producer/consumer of seed 004, on the Condition that seed 001 lists among the
threading module's objects). The consumers wait_for() a predicate, "an item is
there, or the producer is done", instead of polling; the producer notify()s one
consumer per item and notify_all()s them at the end.

The program `thrdemo condition` re-creates, printing the same trace. Options as
thrdemo's: --items 5 --consumers 2 --delay 1 (seconds between items).
THRDEMO_SCALE=0.1 multiplies every duration: THRDEMO_SCALE=0.1 python3 -u condition.py
"""
import argparse, os, threading, time

S = float(os.environ.get("THRDEMO_SCALE", "1"))
options = argparse.ArgumentParser(description=__doc__)
options.add_argument("--items", type=int, default=5)
options.add_argument("--consumers", type=int, default=2)
options.add_argument("--delay", type=float, default=1)
args = options.parse_args()

items = []          # what the Condition guards: read and written only with it held
done = False
cond = threading.Condition()

def consumer():
    name = threading.current_thread().name
    while True:
        with cond:
            # The lesson: wait for the state, not for a notify. wait_for() checks the
            # predicate first and again after every wake-up, in a loop.
            cond.wait_for(lambda: items or done)
            if not items:
                print(f"{name}: nothing left and the producer is done, exiting")
                return
            item = items.pop(0)
            print(f"{name} consumed item {item}")

def producer():
    global done
    for i in range(1, args.items + 1):
        with cond:
            items.append(i)
            print(f"Producer made item {i}, notify()")
            cond.notify()                  # wakes one waiting consumer
        time.sleep(args.delay * S)         # making the next item takes a while
    with cond:
        done = True
        print("Producer is done, notify_all()")
        cond.notify_all()                  # every consumer must see "done"

consumers = [threading.Thread(target=consumer) for _ in range(args.consumers)]
for t in consumers:
    t.start()
maker = threading.Thread(target=producer)
maker.start()
maker.join()
for t in consumers:
    t.join()
print("All threads have finished.")
