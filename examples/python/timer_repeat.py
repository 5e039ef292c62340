# SPDX-License-Identifier: MIT
"""timer repeat: seed 001 "threading.Timer" -- Thread_Test re-arms a Timer for itself.

The program `thrdemo timer repeat` re-creates, printing the same trace. --count 0
repeats until interrupted (Ctrl-C), as the seed says. thrdemo arms each timer for a
due time (start + n * every), so its runs do not drift; this one arms a full interval
after each run, as the seed does. Options as thrdemo's: --every 1 --count 0.
THRDEMO_SCALE=0.1 multiplies every duration.
"""
import argparse, os, threading

S = float(os.environ.get("THRDEMO_SCALE", "1"))
options = argparse.ArgumentParser(description=__doc__)
options.add_argument("--every", type=float, default=1)
options.add_argument("--count", type=int, default=0)
args = options.parse_args()
runs = 0

def repeat():
    global runs
    runs += 1
    print(f"Thread_Test is running ({runs})")
    if args.count == 0 or runs < args.count:
        threading.Timer(args.every * S, repeat).start()

threading.Timer(args.every * S, repeat).start()
