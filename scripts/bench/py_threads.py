# SPDX-License-Identifier: MIT
# py_threads.py - thrdemo bench threads, in CPython: start 10,000 threading.Threads that
# wait on one Event, set it, join them all; milliseconds and peak RSS.
import json, resource, threading, time

N = 10_000
go = threading.Event()
ran = [0]
lock = threading.Lock()

def waiter():
    go.wait()
    with lock:
        ran[0] += 1

start = time.perf_counter()
threads = [threading.Thread(target=waiter) for _ in range(N)]
for t in threads:
    t.start()
go.set()
for t in threads:
    t.join()
ms = (time.perf_counter() - start) * 1e3
rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
ok = ran[0] == N
print(json.dumps({"workload": "threads", "metric": "10,000 threads", "unit": "ms", "value": ms, "ok": ok}))
print(json.dumps({"workload": "threads", "metric": "peak RSS", "unit": "MB", "value": rss_mb, "ok": ok}))
