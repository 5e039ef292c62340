# SPDX-License-Identifier: MIT
# py_timer.py - thrdemo bench timer, in CPython: 200 one-shot 10 ms threading.Timers
# started 1 ms apart; lateness p50 and p99 in microseconds.
import json, threading, time

late = []
lock = threading.Lock()

def fire(due):
    now = time.monotonic()
    with lock:
        late.append(now - due)

timers = []
first = time.monotonic()
for i in range(200):
    pause = first + i * 0.001 - time.monotonic()
    if pause > 0:
        time.sleep(pause)
    due = time.monotonic() + 0.010
    t = threading.Timer(0.010, fire, args=(due,))
    t.start()
    timers.append(t)
for t in timers:
    t.join()
late.sort()
ok = len(late) == 200
for metric, value in (("lateness p50", late[100]), ("lateness p99", late[198])):
    print(json.dumps({"workload": "timer", "metric": metric, "unit": "us", "value": value * 1e6,
                      "ok": ok}))
