# SPDX-License-Identifier: MIT
# report.py - scripts/bench.sh's report: reads thrdemo's `bench --json` documents and
# the Python programs' lines (one JSON object each), prints the machine and date,
# thrdemo's full table, CPython against thrdemo (each comparison said in words,
# "thrdemo is 7.7x faster than CPython"), then every target met or missed.
# Usage: python3 report.py --python PYTHON.jsonl THRDEMO.json...
import json, sys

args = sys.argv[1:]
py_file = args[args.index("--python") + 1]
td_files = [a for i, a in enumerate(args) if a != "--python" and (i == 0 or args[i - 1] != "--python")]
docs = [json.load(open(f)) for f in td_files]
td = [r for d in docs for r in d["results"]]
py = [json.loads(l) for l in open(py_file) if l.strip()]

if docs:
    d, m = docs[0], docs[0]["machine"]
    print(f"# thrdemo {d['thrdemo']} bench, {d['date']}: {m['cpu']}, {m['cores']} cores "
          f"({m['cores_allowed']} allowed), {m['kernel']}, {m['libc']}, {m['compiler']}, {m['build_type']}")
    print()
print(f"{'workload':<12} {'implementation':<28} {'metric':<22} {'unit':<6} {'median':>11} {'min':>11} "
      f"{'max':>11}  {'check':<6}  comparison")
for r in td:
    line = (f"{r['workload']:<12} {r['implementation']:<28} {r['metric']:<22} {r['unit']:<6} "
            f"{r['median']:>11.4g} {r['min']:>11.4g} {r['max']:>11.4g}  {'ok' if r['ok'] else 'FAILED':<6}  "
            f"{r['comparison'] or ''}")
    print(line.rstrip())
print()

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

WORDS = {  # kind: (lower is better, verb, better, worse, same)
    "time": (True, "is", "faster than", "slower than", "is as fast as"),
    "rate": (False, "is", "faster than", "slower than", "is as fast as"),
    "memory": (True, "uses", "less memory than", "more memory than", "uses as much memory as"),
    "lateness": (True, "is", "more punctual than", "less punctual than", "is as punctual as"),
}

def compare(kind, mine, theirs, subject="thrdemo", other="CPython"):
    """The comparison in words, with thrdemo as the subject; the factor is >= 1."""
    if not mine or not theirs:
        return "-"
    lower, verb, better, worse, same = WORDS[kind]
    by = theirs / mine if lower else mine / theirs
    factor = by if by >= 1 else 1 / by
    text = f"{factor:.0f}" if factor >= 1000 else f"{factor:.3g}"
    if text == "1":
        return f"{subject} {same} {other}"
    return f"{subject} {verb} {text}x {better if by > 1 else worse} {other}"

rows = [
    ("lock", "2x1M inc/dec", "ms", "libthrdemo Lock", "time"),
    ("event", "round trip", "us", "libthrdemo Event", "time"),
    ("queue", "1M ints", "msg/s", "libthrdemo Queue(10)", "rate"),
    ("timer", "lateness p50", "us", "libthrdemo Timer", "lateness"),
    ("timer", "lateness p99", "us", "libthrdemo Timer", "lateness"),
    ("threads", "10,000 threads", "ms", "libthrdemo threads", "time"),
    ("threads", "peak RSS", "MB", "libthrdemo threads", "memory"),
    ("coro", "next() round trip", "ns", "libthrdemo generator", "time"),
    ("async", "100k tasks gathered", "ms", "libthrdemo asyncio", "time"),
    ("async", "peak RSS", "MB", "libthrdemo asyncio", "memory"),
    ("async", "memory per live task", "B", "libthrdemo asyncio task", "memory"),
    ("async-sleep", "peak RSS, 10k asleep", "MB", "libthrdemo asyncio", "memory"),
]
print(f"{'workload':<11} {'metric':<20} {'unit':<6} {'CPython':>12} {'thrdemo':>12}  comparison")
for workload, metric, unit, impl, kind in rows:
    p, t = py_value(workload, metric), td_value(workload, impl, metric)
    print(f"{workload:<11} {metric:<20} {unit:<6} {fmt(p):>12} {fmt(t):>12}  {compare(kind, t, p)}")
p, t = py_value("startup", "python3 -c"), py_value("startup", "thrdemo --version")
print(f"{'startup':<11} {'process start':<20} {'ms':<6} {fmt(p):>12} {fmt(t):>12}  "
      f"{compare('time', t, p, 'thrdemo --version', 'python3 -c pass')}")

def target(name, ok, detail):
    print(f"  [{'met' if ok else 'MISSED'}] {name}: {detail}")

print("\nTargets (medians of this run):")
lock, mutex, floor = td_value("lock", "libthrdemo Lock"), td_value("lock", "pthread_mutex"), \
    td_value("lock", "uncontended floor")
target("lock <= 25 ms", lock is not None and lock <= 25, f"{fmt(lock)} ms (uncontended floor here {fmt(floor)} ms)")
target("lock <= pthread_mutex", lock is not None and mutex is not None and lock <= mutex,
       f"{fmt(lock)} ms vs {fmt(mutex)} ms")
rlock = td_value("lock", "libthrdemo RLock")
target("RLock <= 1.5x Lock", lock and rlock is not None and rlock <= 1.5 * lock,
       f"{fmt(rlock)} ms vs {fmt(lock)} ms")
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
target("timer p50 <= 20 us", p50 is not None and p50 <= 20, f"{fmt(p50)} us")
# What the machine allows: a thread woken from clock_nanosleep, and one that never sleeps.
ns99 = td_value("timer", "clock_nanosleep", "lateness p99")
spin99 = td_value("timer", "busy-wait floor", "lateness p99")
target("timer p99 <= 80 us", p99 is not None and p99 <= 80,
       f"{fmt(p99)} us (clock_nanosleep's wake-up {fmt(ns99)} us, a thread that never sleeps {fmt(spin99)} us)")
th, raw = td_value("threads", "libthrdemo threads", "10,000 threads"), td_value("threads", "raw pthreads", "10,000 threads")
target("threads <= 1.2x raw pthreads", th is not None and raw and th <= 1.2 * raw, f"{fmt(th)} ms vs {fmt(raw)} ms")
rss = td_value("threads", "libthrdemo threads", "peak RSS")
target("threads peak RSS <= 100 MB", rss is not None and rss <= 100, f"{fmt(rss)} MB")
sleep_rss = td_value("coro-sleep", "libthrdemo coroutines", "RSS, 10,000 asleep")
touched = td_value("coro-sleep", "libthrdemo coroutines", "stack touched each")
target("10,000 suspended coroutines < 100 MB RSS", sleep_rss is not None and sleep_rss < 100,
       f"{fmt(sleep_rss)} MB ({fmt(touched)} stack bytes touched each)")
ta, pa = td_value("async", "libthrdemo asyncio", "100k tasks gathered"), py_value("async", "100k tasks gathered")
target("asyncio: 100,000 tasks gathered >= 5x faster than CPython", ta is not None and pa is not None and ta * 5 <= pa,
       f"{fmt(ta)} ms vs {fmt(pa)} ms ({fmt(td_value('async', 'libthrdemo asyncio task', 'memory per live task'))} B per live task, "
       f"CPython {fmt(py_value('async', 'memory per live task'))} B)")
asleep = td_value("async-sleep", "libthrdemo asyncio", "peak RSS, 10k asleep")
target("10,000 sleeping asyncio tasks < 100 MB peak RSS", asleep is not None and asleep < 100,
       f"{fmt(asleep)} MB ({fmt(td_value('async-sleep', 'libthrdemo asyncio', 'stack touched each'))} stack bytes touched each)")
target("thrdemo --version < 2 ms", t is not None and t < 2, f"{fmt(t)} ms")
checks = all(r["ok"] for r in td) and all(r["ok"] for r in py)
print(f"\nSelf-checks: {'all passed' if checks else 'FAILED: ' + ', '.join(r['workload'] + '/' + r.get('implementation', 'python') for r in td + py if not r['ok'])}")
sys.exit(0 if checks else 1)
