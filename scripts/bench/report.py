# SPDX-License-Identifier: MIT
# report.py - scripts/bench.sh's table: reads thrdemo's `bench --json` lines and the
# Python programs' lines (one JSON object each), prints CPython against thrdemo,
# then every target of the performance issue marked met or missed.
# Usage: python3 report.py THRDEMO.jsonl PYTHON.jsonl
import json, sys

td = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
py = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]

def td_value(workload, impl, metric=None):
    for r in td:
        if r["workload"] == workload and r["implementation"] == impl and \
                (metric is None or r["metric"] == metric):
            return r["median"]
    return None

def py_value(workload, metric):
    values = sorted(r["value"] for r in py if r["workload"] == workload and r["metric"] == metric)
    return values[len(values) // 2] if values else None

def fmt(v):
    return "-" if v is None else (f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}")

rows = [
    ("lock", "2x1M inc/dec", "ms", "libthrdemo Lock", False),
    ("event", "round trip", "us", "libthrdemo Event", False),
    ("queue", "1M ints", "msg/s", "libthrdemo Queue(10)", True),
    ("timer", "lateness p50", "us", "libthrdemo Timer", False),
    ("timer", "lateness p99", "us", "libthrdemo Timer", False),
    ("threads", "10,000 threads", "ms", "libthrdemo threads", False),
    ("threads", "peak RSS", "MB", "libthrdemo threads", False),
    ("coro", "next() round trip", "ns", "libthrdemo generator", False),
]
print(f"{'workload':<9} {'metric':<18} {'unit':<6} {'CPython':>12} {'thrdemo':>12} {'thrdemo better':>15}")
for workload, metric, unit, impl, higher in rows:
    p, t = py_value(workload, metric), td_value(workload, impl, metric)
    ratio = (t / p if higher else p / t) if p and t else None
    print(f"{workload:<9} {metric:<18} {unit:<6} {fmt(p):>12} {fmt(t):>12} {fmt(ratio) + 'x':>15}")
p, t = py_value("startup", "python3 -c"), py_value("startup", "thrdemo --version")
print(f"{'startup':<9} {'process start':<18} {'ms':<6} {fmt(p):>12} {fmt(t):>12} {fmt(p / t if p and t else None) + 'x':>15}")

def target(name, ok, detail):
    print(f"  [{'met' if ok else 'MISSED'}] {name}: {detail}")

print("\nTargets (medians of this run):")
lock, mutex, floor = td_value("lock", "libthrdemo Lock"), td_value("lock", "pthread_mutex"), \
    td_value("lock", "uncontended floor")
target("lock <= 25 ms", lock is not None and lock <= 25, f"{fmt(lock)} ms (uncontended floor here {fmt(floor)} ms)")
target("lock <= pthread_mutex", lock is not None and mutex is not None and lock <= mutex,
       f"{fmt(lock)} ms vs {fmt(mutex)} ms")
ev, fx = td_value("event", "libthrdemo Event"), td_value("event", "raw futex")
evs, fxs = td_value("event-sleep", "libthrdemo Event"), td_value("event-sleep", "raw futex")
target("event < 1 us with the other core free", ev is not None and ev < 1, f"{fmt(ev)} us (raw futex {fmt(fx)} us)")
target("event <= 1.2x raw futex when the waiter sleeps", evs is not None and fxs and evs <= 1.2 * fxs,
       f"{fmt(evs)} us vs {fmt(fxs)} us")
q10 = td_value("queue", "libthrdemo Queue(10)")
target("queue(10) >= 10M msg/s", q10 is not None and q10 >= 10e6, f"{fmt(q10)} msg/s")
idle = td_value("queue-idle", "libthrdemo Queue")
target("idle consumer < 5 ms CPU in 1 s", idle is not None and idle < 5, f"{fmt(idle)} ms")
p50, p99 = td_value("timer", "libthrdemo Timer", "lateness p50"), td_value("timer", "libthrdemo Timer", "lateness p99")
target("timer p50 <= 100 us", p50 is not None and p50 <= 100, f"{fmt(p50)} us")
target("timer p99 <= 300 us", p99 is not None and p99 <= 300, f"{fmt(p99)} us")
th, raw = td_value("threads", "libthrdemo threads", "10,000 threads"), td_value("threads", "raw pthreads", "10,000 threads")
target("threads <= 1.2x raw pthreads", th is not None and raw and th <= 1.2 * raw, f"{fmt(th)} ms vs {fmt(raw)} ms")
rss = td_value("threads", "libthrdemo threads", "peak RSS")
target("threads peak RSS <= 100 MB", rss is not None and rss <= 100, f"{fmt(rss)} MB")
sleep_rss = td_value("coro-sleep", "libthrdemo coroutines", "RSS, 10,000 asleep")
touched = td_value("coro-sleep", "libthrdemo coroutines", "stack touched each")
target("10,000 suspended coroutines < 100 MB RSS", sleep_rss is not None and sleep_rss < 100,
       f"{fmt(sleep_rss)} MB ({fmt(touched)} stack bytes touched each)")
target("thrdemo --version < 2 ms", t is not None and t < 2, f"{fmt(t)} ms")
checks = all(r["ok"] for r in td) and all(r["ok"] for r in py)
print(f"\nSelf-checks: {'all passed' if checks else 'FAILED: ' + ', '.join(r['workload'] + '/' + r.get('implementation', 'python') for r in td + py if not r['ok'])}")
sys.exit(0 if checks else 1)
