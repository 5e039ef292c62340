# SPDX-License-Identifier: MIT
"""daemon: seed 001 "daemon threads" and "join" -- a daemon thread dies with the main thread.

The program `thrdemo daemon` re-creates, printing the same trace (the seed's code is
only in images; this spells it out). A thread prints 0..99, one number every 10 ms;
main sleeps 50 ms, prints its last line and ends. As a daemon the thread dies with
the process, so the count stops early; --no-daemon: the process waits for all 100;
--join: main joins the thread first. Options as thrdemo's: --no-daemon --join
--count 100 --step 0.01 --main-sleep 0.05. THRDEMO_SCALE=0.1 multiplies every duration.
"""
import argparse, os, threading, time

S = float(os.environ.get("THRDEMO_SCALE", "1"))
options = argparse.ArgumentParser(description=__doc__)
options.add_argument("--no-daemon", action="store_true")
options.add_argument("--join", action="store_true")
options.add_argument("--count", type=int, default=100)
options.add_argument("--step", type=float, default=0.01)
options.add_argument("--main-sleep", type=float, default=0.05)
args = options.parse_args()

def thread_test():
    for i in range(args.count):
        print(i)
        time.sleep(args.step * S)

t = threading.Thread(target=thread_test, daemon=not args.no_daemon)
t.start()
if args.join:
    t.join()
time.sleep(args.main_sleep * S)
print("Main thread finished")
