# SPDX-License-Identifier: MIT
# py_event.py - thrdemo bench event, in CPython: a token passed back and forth through
# two threading.Events, 100,000 round trips; microseconds per round trip.
import json, threading, time

ROUNDS = 100_000
ping, pong = threading.Event(), threading.Event()
passes = 0

def responder():
    global passes
    for _ in range(ROUNDS):
        ping.wait()
        ping.clear()
        passes += 1
        pong.set()

t = threading.Thread(target=responder)
t.start()
start = time.perf_counter()
for _ in range(ROUNDS):
    ping.set()
    pong.wait()
    pong.clear()
elapsed = time.perf_counter() - start
t.join()
print(json.dumps({"workload": "event", "metric": "round trip", "unit": "us",
                  "value": elapsed / ROUNDS * 1e6, "ok": passes == ROUNDS}))
