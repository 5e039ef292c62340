# SPDX-License-Identifier: MIT
# py_generator.py - thrdemo bench coro, in CPython: 1,000,000 next() calls on a
# generator that counts, each value checked; nanoseconds per round trip (the loop
# included, as in thrdemo's: a next() is what a Python program pays for it). Also
# the same through send(), and an empty loop for the interpreter's own share.
import json, time

ROUND_TRIPS = 1_000_000

def counter():
    n = 0
    while True:
        yield n
        n += 1

def timed(step):
    gen = counter()
    wrong = 0
    start = time.perf_counter()
    for i in range(ROUND_TRIPS):
        wrong += step(gen) != i
    return (time.perf_counter() - start) / ROUND_TRIPS * 1e9, wrong == 0

def send_none(gen):
    return gen.send(None)

for metric, step in (("next() round trip", next), ("send() round trip", send_none)):
    ns, ok = timed(step)
    print(json.dumps({"workload": "coro", "metric": metric, "unit": "ns", "value": ns, "ok": ok}))

start = time.perf_counter()
for i in range(ROUND_TRIPS):
    pass
print(json.dumps({"workload": "coro", "metric": "empty loop", "unit": "ns",
                  "value": (time.perf_counter() - start) / ROUND_TRIPS * 1e9, "ok": True}))
