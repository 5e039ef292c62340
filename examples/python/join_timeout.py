# SPDX-License-Identifier: MIT
"""join-timeout: seed 001 "join(timeout)" -- join gives up after a timeout.

The program `thrdemo join-timeout` re-creates, printing the same trace (the seed's
code is only in images; this spells it out). A daemon thread counts to 10000, one
number per millisecond; main joins it with a timeout, reports is_alive(), and ends,
killing the thread mid-count. Options as thrdemo's: --timeout 0.25 --count 10000
--step 0.001. THRDEMO_SCALE=0.1 multiplies every duration.
"""
import argparse, os, threading, time

S = float(os.environ.get("THRDEMO_SCALE", "1"))
options = argparse.ArgumentParser(description=__doc__)
options.add_argument("--timeout", type=float, default=0.25)
options.add_argument("--count", type=int, default=10000)
options.add_argument("--step", type=float, default=0.001)
args = options.parse_args()

def count():
    for i in range(args.count):
        print(i)
        time.sleep(args.step * S)

t = threading.Thread(target=count, daemon=True)
t.start()
if t.is_alive():
    t.join(args.timeout * S)
print(f"join(timeout={args.timeout}) returned, is_alive() = {t.is_alive()}")
print("Main thread finished")
