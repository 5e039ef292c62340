# SPDX-License-Identifier: MIT
# prodcons.py - what `thrdemo --quiet --stats prodcons --maxsize M --duration D` does,
# with Python's queue.Queue in a ThreadPoolExecutor(max_workers=2): messages per
# second through the queue, no per-item logging.
# Usage: python3 scripts/bench/prodcons.py [MAXSIZE] [DURATION]
import concurrent.futures, queue, random, sys, threading, time

MAXSIZE = int(sys.argv[1]) if len(sys.argv) > 1 else 10
DURATION = float(sys.argv[2]) if len(sys.argv) > 2 else 5.0
q = queue.Queue(maxsize=MAXSIZE)
event = threading.Event()
counts = {}

def producer():
    n = 0
    while not event.is_set():
        q.put(random.randint(1, 11))
        n += 1
    counts["produced"] = n
    q.put(None)

def consumer():
    n = 0
    while q.get() is not None:
        n += 1
    counts["consumed"] = n

start = time.monotonic()
with concurrent.futures.ThreadPoolExecutor(max_workers=2) as executor:
    executor.submit(producer)
    executor.submit(consumer)
    time.sleep(DURATION)
    event.set()
elapsed = time.monotonic() - start
assert counts["produced"] == counts["consumed"], counts
print(f"python queue.Queue(maxsize={MAXSIZE}): {counts['consumed']} messages in "
      f"{elapsed:.2f} s = {counts['consumed'] / elapsed:,.0f} messages/s")
