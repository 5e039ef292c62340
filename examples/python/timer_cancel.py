# SPDX-License-Identifier: MIT
"""timer cancel: seed 001 "threading.Timer" -- the timer is cancelled before it fires.

The program `thrdemo timer cancel` re-creates, printing the same trace: Thread_Test
never runs, and the program ends at once. Options as thrdemo's: --delay 5
--cancel-after 2. THRDEMO_SCALE=0.1 multiplies every duration.
"""
import argparse, os, threading, time

S = float(os.environ.get("THRDEMO_SCALE", "1"))
number = lambda text: float(text) if any(c in text for c in ".eE") else int(text)
options = argparse.ArgumentParser(description=__doc__)
options.add_argument("--delay", type=number, default=5)
options.add_argument("--cancel-after", type=number, default=2)
args = options.parse_args()

def thread_test():
    print("Thread_Test is running")

t = threading.Timer(args.delay * S, thread_test)
t.start()
print(f"Timer started: Thread_Test runs in {args.delay} seconds")
time.sleep(args.cancel_after * S)
t.cancel()
print(f"Timer cancelled after {args.cancel_after} seconds: Thread_Test never runs")
t.join()
