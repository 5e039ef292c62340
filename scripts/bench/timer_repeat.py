# SPDX-License-Identifier: MIT
# timer_repeat.py - Python's threading.Timer doing what `thrdemo timer repeat --every E
# --count N --stats` does: a Timer re-armed from its own callback, each run due at
# start + n * every (no drift), and the lateness of each firing measured.
# Usage: python3 scripts/bench/timer_repeat.py [EVERY] [COUNT]
import sys, threading, time

EVERY = float(sys.argv[1]) if len(sys.argv) > 1 else 0.01
COUNT = int(sys.argv[2]) if len(sys.argv) > 2 else 500
start = time.monotonic()
runs = 0
late = []
done = threading.Event()

def arm(n):
    threading.Timer(start + n * EVERY - time.monotonic(), repeat).start()

def repeat():
    global runs
    now = time.monotonic()
    runs += 1
    late.append(now - (start + runs * EVERY))
    if runs < COUNT:
        arm(runs + 1)
    else:
        done.set()

arm(1)
done.wait()
print(f"python threading.Timer lateness: mean {sum(late) / len(late) * 1e6:.1f} us, "
      f"max {max(late) * 1e6:.1f} us over {len(late)} firings")
