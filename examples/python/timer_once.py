# SPDX-License-Identifier: MIT
"""timer once: seed 001 "threading.Timer" -- Timer(5, Thread_Test) runs it after 5 s.

The program `thrdemo timer once` re-creates, printing the same trace. Options as
thrdemo's: --delay 5. THRDEMO_SCALE=0.1 multiplies every duration.
"""
import argparse, os, threading

S = float(os.environ.get("THRDEMO_SCALE", "1"))
number = lambda text: float(text) if any(c in text for c in ".eE") else int(text)
options = argparse.ArgumentParser(description=__doc__)
options.add_argument("--delay", type=number, default=5)
args = options.parse_args()

def thread_test():
    print("Thread_Test is running")

t = threading.Timer(args.delay * S, thread_test)
t.start()
print(f"Timer started: Thread_Test runs in {args.delay} seconds")
t.join()
