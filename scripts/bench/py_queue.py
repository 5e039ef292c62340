# SPDX-License-Identifier: MIT
# py_queue.py - thrdemo bench queue, in CPython: one producer, one consumer, 1,000,000
# integers through queue.Queue(maxsize=10); messages per second.
import json, queue, threading, time

N = 1_000_000
q = queue.Queue(maxsize=10)
got = {"count": 0, "sum": 0}

def consumer():
    count = total = 0
    for _ in range(N):
        total += q.get()
        count += 1
    got.update(count=count, sum=total)

c = threading.Thread(target=consumer)
start = time.perf_counter()
c.start()
for i in range(1, N + 1):
    q.put(i)
c.join()
elapsed = time.perf_counter() - start
print(json.dumps({"workload": "queue", "metric": "1M ints", "unit": "msg/s", "value": N / elapsed,
                  "ok": got["count"] == N and got["sum"] == N * (N + 1) // 2}))
