# SPDX-License-Identifier: MIT
# py_lock.py - thrdemo bench lock, in CPython: two threads, 1,000,000 increments and
# 1,000,000 decrements of one counter under threading.Lock. Prints JSON.
import json, threading, time

N = 1_000_000
lock = threading.Lock()
value = 0

def work(delta):
    global value
    for _ in range(N):
        with lock:
            value += delta

start = time.perf_counter()
threads = [threading.Thread(target=work, args=(d,)) for d in (1, -1)]
for t in threads:
    t.start()
for t in threads:
    t.join()
ms = (time.perf_counter() - start) * 1e3
print(json.dumps({"workload": "lock", "metric": "2x1M inc/dec", "unit": "ms", "value": ms,
                  "ok": value == 0}))
