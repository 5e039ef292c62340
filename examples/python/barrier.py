# SPDX-License-Identifier: MIT
"""barrier: runners that start together at a threading.Barrier. Each takes its own
time to get ready and waits at the barrier; the last to arrive runs the barrier's
action ("go!"), and then all start at once. In the second race one runner is late:
the others wait at most --timeout seconds, the timeout breaks the barrier, and every
wait, the late runner's too, raises BrokenBarrierError. (Not in the seeds: teachers
asked for it beside seed 001's tour of the threading module.)

The program `thrdemo barrier` re-creates, printing the same trace. Options as
thrdemo's: --runners 3 --step 1 (seconds between runners getting ready) --timeout 2
--late 5 (seconds the late runner takes). THRDEMO_SCALE=0.1 multiplies every
duration: THRDEMO_SCALE=0.1 python3 -u barrier.py
"""
import argparse, os, threading, time

S = float(os.environ.get("THRDEMO_SCALE", "1"))
number = lambda text: float(text) if any(c in text for c in ".eE") else int(text)
options = argparse.ArgumentParser(description=__doc__)
options.add_argument("--runners", type=int, default=3)
options.add_argument("--step", type=float, default=1)
options.add_argument("--timeout", type=number, default=2)
options.add_argument("--late", type=float, default=5)
args = options.parse_args()

def go():
    # The action: run once, by the last runner to arrive, before any is released.
    print(f"All {args.runners} runners are at the line: go!")

def runner(barrier, ready_after):
    name = threading.current_thread().name
    time.sleep(ready_after * S)            # getting ready takes a while
    print(f"{name} is ready")
    try:
        index = barrier.wait()             # blocks until all have arrived
        print(f"{name} starts running (wait() returned {index})")
    except threading.BrokenBarrierError:
        print(f"{name}: the barrier is broken, no race")

def race(barrier, delays):
    threads = [threading.Thread(target=runner, args=(barrier, d)) for d in delays]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

print(f"Race 1: Barrier({args.runners}, action=go)")
race(threading.Barrier(args.runners, action=go),
     [args.step * (i + 1) for i in range(args.runners)])
print(f"Race 2: Barrier({args.runners}, timeout={args.timeout}), the last runner is late")
late = threading.Barrier(args.runners, action=go, timeout=args.timeout * S)
race(late, [args.step * (i + 1) for i in range(args.runners - 1)] + [args.late])
print(f"barrier.broken = {late.broken}")
