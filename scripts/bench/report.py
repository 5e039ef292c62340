# SPDX-License-Identifier: MIT
# report.py - scripts/bench.sh's report. Reads thrdemo's `bench --json` documents and
# the Python programs' lines (one JSON object each); prints the machine, the date and
# the load average, thrdemo's full table, CPython against thrdemo (each comparison
# said in words, "thrdemo is 7.7x faster than CPython"), then every target as one line,
#   target: NAME: met|MISSED|not measured (figures)
# a row being found by its workload, implementation and metric, so that a target whose
# row this build does not have yet says "not measured" instead of failing. When the
# machine was not quiet (1-minute load average above 0.5 at the start) it says so in a
# WARNING line at the top and the bottom: such a table is not a result.
#
# Usage:
#   report.py --python PY.jsonl [--queue-run Q.json]... [--tasks T.json] [--echo E.jsonl]
#             [--load-start "1 5 15"] [--load-end "1 5 15"] THRDEMO.json...
#   report.py --stability --all A.json... --alone B.json... [--load-start ...] [--load-end ...]
# --queue-run: each of the alternating `bench queue` runs (the first is also among the
# THRDEMO.json documents, for the table);
# --tasks: `bench async --tasks 1000000`; --echo: scripts/bench-echo.sh --jsonl at 64
# connections. --stability: `bench all` runs against each workload run alone.
import argparse, json, statistics, sys

QUIET = 0.5  # the 1-minute load average above which a table is not a result

parser = argparse.ArgumentParser()
parser.add_argument("--python")
parser.add_argument("--queue-run", action="append", default=[])
parser.add_argument("--tasks")
parser.add_argument("--echo")
parser.add_argument("--load-start", default="")
parser.add_argument("--load-end", default="")
parser.add_argument("--stability", action="store_true")
parser.add_argument("--all", nargs="+", default=[])
parser.add_argument("--alone", nargs="+", default=[])
parser.add_argument("docs", nargs="*")
args = parser.parse_args()


def load(path):
    with open(path) as f:
        return json.load(f)


def fmt(v):
    return "-" if v is None else (f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}")


def ratio_text(v):
    return "-" if v is None else f"{v:.3g}x"


def target(name, ok, detail):
    """One target line; ok None: a row it needs was not measured."""
    verdict = "not measured" if ok is None else "met" if ok else "MISSED"
    print(f"target: {name}: {verdict} ({detail})")


def key(r):
    param = r["param"]["value"] if r.get("param") else None
    return (r["workload"], r["implementation"], r["metric"], param)


def find(rows, workload, impl, metric=None):
    """The median of the row, or None when this run has no such row."""
    for r in rows:
        if r["workload"] == workload and r["implementation"] == impl and \
                (metric is None or r["metric"] == metric):
            return r["median"] if r["ok"] else None
    return None


def find_libthrdemo(rows, workload, metric):
    """The median of libthrdemo's row with that metric, whatever its implementation."""
    for r in rows:
        if r["workload"] == workload and r["metric"] == metric and \
                r["implementation"].startswith("libthrdemo"):
            return r["median"] if r["ok"] else None
    return None


def print_load():
    start, end = args.load_start.split(), args.load_end.split()
    if start:
        print(f"# load average (1, 5, 15 min): {' '.join(start)} at the start"
              + (f", {' '.join(end)} at the end" if end else ""))
    if start and float(start[0]) > QUIET:
        print(f"WARNING: the 1-minute load average was {start[0]} at the start (above {QUIET}): "
              "the machine was not quiet, so these figures are not a result; run again on a "
              "quiet machine before quoting them")
        return False
    return True


def print_table(td):
    print(f"{'workload':<12} {'implementation':<28} {'metric':<22} {'unit':<6} {'median':>11} {'min':>11} "
          f"{'max':>11}  {'check':<6}  comparison")
    for r in td:
        nums = [f"{v:>11.4g}" if v is not None else f"{'-':>11}" for v in (r["median"], r["min"], r["max"])]
        line = (f"{r['workload']:<12} {r['implementation']:<28} {r['metric']:<22} {r['unit']:<6} "
                f"{' '.join(nums)}  {'ok' if r['ok'] else 'FAILED':<6}  {r['comparison'] or ''}")
        print(line.rstrip())


def spread(values):
    """How far apart the values are: max / min - 1 (0.2 is 20%), None without two."""
    values = [v for v in values if v]
    return max(values) / min(values) - 1 if len(values) >= 2 else None


# ---- --stability: bench all against each workload alone --------------------------------

def stability():
    quiet = print_load()
    every = [load(f) for f in args.all]
    alone = [load(f) for f in args.alone]
    if every:
        d, m = every[0], every[0]["machine"]
        print(f"# thrdemo {d['thrdemo']} bench, {d['date']}: {m['cpu']}, {m['cores']} cores, "
              f"{m['build_type']}; {len(every)} runs of bench all, each workload alone as often, "
              "alternating")
    values_all, values_alone = {}, {}
    for docs, into in ((every, values_all), (alone, values_alone)):
        for d in docs:
            for r in d["results"]:
                if r["ok"] and r["median"] is not None:
                    into.setdefault(key(r), []).append(r["median"])
    print()
    print(f"{'workload':<12} {'implementation':<28} {'metric':<22} {'all':>11} {'alone':>11} "
          f"{'diff':>7} {'alone varies':>13}")
    outside, compared, memory_out = [], 0, []
    for k in values_all:  # in bench all's order
        if k not in values_alone:
            continue
        a, b = statistics.median(values_all[k]), statistics.median(values_alone[k])
        diff = (a - b) / b if b else None  # bench all's figure against alone's
        noise = spread(values_alone[k])
        compared += 1
        name = f"{k[0]} {k[1]} {k[2]}"
        if diff is None or abs(diff) > 0.2:
            noisy = f" (alone varies {noise * 100:.0f}%)" if noise is not None and noise > 0.2 else ""
            outside.append((f"{name} {diff * 100:+.0f}%" if diff is not None else name) + noisy)
            unit = next(r["unit"] for d in alone for r in d["results"] if key(r) == k)
            if unit in ("MB", "B"):
                memory_out.append(name)
        print(f"{k[0]:<12} {k[1]:<28} {k[2]:<22} {a:>11.4g} {b:>11.4g} "
              f"{'-' if diff is None else f'{diff * 100:+.0f}%':>7} "
              f"{'-' if noise is None else f'{noise * 100:.0f}%':>13}")
    missing = [f"{k[0]} {k[1]} {k[2]}" for k in values_alone if k not in values_all]
    print()
    target("every bench all row within 20% of its workload alone (medians of the runs)",
           None if not compared else not outside and not missing,
           f"{compared - len(outside)} of {compared} rows within 20%"
           + (f"; outside: {', '.join(outside)}" if outside else "")
           + (f"; not in bench all: {', '.join(missing)}" if missing else ""))
    target("each memory row counts only its own workload (within 20% of it alone)",
           None if not compared else not memory_out,
           "all within 20%" if not memory_out else "outside: " + ", ".join(memory_out))
    print("\n(a row whose runs alone vary by more than 20% among themselves is noise, not isolation)")
    if not quiet:
        print(f"\nWARNING: the load average at the start was above {QUIET}: not a result")


# ---- the full report -----------------------------------------------------------------

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


def report():
    queue_docs = [load(f) for f in args.queue_run]
    docs = [load(f) for f in args.docs]
    td = [r for d in docs for r in d["results"]]
    py = [json.loads(l) for l in open(args.python) if l.strip()] if args.python else []
    tasks = load(args.tasks)["results"] if args.tasks else []
    echo = [json.loads(l) for l in open(args.echo) if l.strip()] if args.echo else []

    if docs:
        d, m = docs[0], docs[0]["machine"]
        print(f"# thrdemo {d['thrdemo']} bench, {d['date']}: {m['cpu']}, {m['cores']} cores "
              f"({m['cores_allowed']} allowed), {m['kernel']}, {m['libc']}, {m['compiler']}, {m['build_type']}")
    quiet = print_load()
    print()
    print_table(td)
    if tasks:
        print("\nbench async --tasks 1000000:")
        print_table(tasks)
    print()

    def value(workload, impl, metric=None):
        return find(td, workload, impl, metric)

    def py_value(workload, metric):
        values = sorted(r["value"] for r in py if r["workload"] == workload and r["metric"] == metric)
        return values[len(values) // 2] if values else None

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
        ("async", "memory per live task", "B", None, "memory"),
        ("async-sleep", "peak RSS, 10k asleep", "MB", "libthrdemo asyncio", "memory"),
    ]
    print(f"{'workload':<11} {'metric':<20} {'unit':<6} {'CPython':>12} {'thrdemo':>12}  comparison")
    for workload, metric, unit, impl, kind in rows:
        p = py_value(workload, metric)
        t = value(workload, impl, metric) if impl else find_libthrdemo(td, workload, metric)
        print(f"{workload:<11} {metric:<20} {unit:<6} {fmt(p):>12} {fmt(t):>12}  {compare(kind, t, p)}")
    ps, ts = py_value("startup", "python3 -c"), py_value("startup", "thrdemo --version")
    print(f"{'startup':<11} {'process start':<20} {'ms':<6} {fmt(ps):>12} {fmt(ts):>12}  "
          f"{compare('time', ts, ps, 'thrdemo --version', 'python3 -c pass')}")

    def both(*values):
        return None if any(v is None for v in values) else True

    def ratio(a, b):
        return a / b if a is not None and b else None

    print("\nTargets of issue 20 (medians of this run):")
    # queue: side by side in each of the alternating runs; the median of their ratios
    for cap, need in ((10, 30), (1024, 5)):
        per_run = [ratio(find(d["results"], "queue", f"libthrdemo Queue({cap})"),
                         find(d["results"], "queue", f"mutex+2 condvar ring({cap})")) for d in queue_docs]
        per_run = [r for r in per_run if r is not None]
        r = statistics.median(per_run) if per_run else None
        target(f"bench queue: Queue({cap}) >= {need}x ring({cap})", None if r is None else r >= need,
               f"{ratio_text(r)}, median of {len(per_run)} runs ({', '.join(ratio_text(x) for x in per_run)}); "
               f"{fmt(value('queue', f'libthrdemo Queue({cap})'))} vs "
               f"{fmt(value('queue', f'mutex+2 condvar ring({cap})'))} msg/s in the first")
    for cap in (1, 1024):
        q, ring = value("queue-mpmc", f"libthrdemo Queue({cap})"), value("queue-mpmc", f"mutex+2 condvar ring({cap})")
        r = ratio(q, ring)
        target(f"bench queue-mpmc: Queue({cap}) >= 2x ring({cap}), 4 producers x 4 consumers",
               None if r is None else r >= 2, f"{ratio_text(r)}: {fmt(q)} vs {fmt(ring)} msg/s")
    for cap in (10, 1024):
        qs = [find(d["results"], "queue", f"libthrdemo Queue({cap})") for d in queue_docs]
        rs = [find(d["results"], "queue", f"mutex+2 condvar ring({cap})") for d in queue_docs]
        sq, sr = spread(qs), spread(rs)
        measured = len(queue_docs) >= 3 and None not in qs
        target(f"bench queue: Queue({cap}) medians of {len(queue_docs)} alternating runs within 20% of each other",
               None if not measured else sq <= 0.2,
               f"spread {'-' if sq is None else f'{sq * 100:.0f}%'} ({', '.join(fmt(v) for v in qs)} msg/s); "
               f"the ring's {'-' if sr is None else f'{sr * 100:.0f}%'}"
               + ("" if sq is None or sr is None or sq <= sr else ": the Queue varies more than the ring"))
    ta, pa = find_libthrdemo(td, "async", "100k tasks gathered"), py_value("async", "100k tasks gathered")
    r = ratio(ta, pa)
    target("bench async: at most 0.2x CPython's time", None if r is None else r <= 0.2,
           f"{ratio_text(r)}: {fmt(ta)} ms vs {fmt(pa)} ms")
    tr, pr = find_libthrdemo(td, "async", "peak RSS"), py_value("async", "peak RSS")
    r = ratio(tr, pr)
    target("bench async: at most 0.5x CPython's peak RSS", None if r is None else r <= 0.5,
           f"{ratio_text(r)}: {fmt(tr)} MB vs {fmt(pr)} MB")
    per_task = find_libthrdemo(td, "async", "memory per live task")
    target("bench async: at most 700 B per live task", None if per_task is None else per_task <= 700,
           f"{fmt(per_task)} B; CPython {fmt(py_value('async', 'memory per live task'))} B")
    big = find_libthrdemo(tasks, "async", "peak RSS")
    target("bench async --tasks 1000000: peak RSS under 1 GB", None if big is None else big < 1000,
           f"{fmt(big)} MB" if args.tasks else "this build has no --tasks")
    switch = find(td, "async-switch", "libthrdemo task, copied stack", "resume+suspend")
    target("bench async-switch: resume+suspend <= 100 ns", None if switch is None else switch <= 100,
           f"{fmt(switch)} ns" if any(r["workload"] == "async-switch" for r in td) else "no async-switch row")
    gen = value("coro", "libthrdemo generator", "next() round trip")
    target("generator next() <= 55 ns", None if gen is None else gen <= 55, f"{fmt(gen)} ns")
    lock, mutex = value("lock", "libthrdemo Lock"), value("lock", "pthread_mutex")
    target("Lock <= pthread_mutex", both(lock, mutex) and lock <= mutex, f"{fmt(lock)} ms vs {fmt(mutex)} ms")
    rlock = value("lock", "libthrdemo RLock")
    target("RLock <= 1.2x Lock", both(lock, rlock) and rlock <= 1.2 * lock,
           f"{ratio_text(ratio(rlock, lock))}: {fmt(rlock)} ms vs {fmt(lock)} ms")
    a64 = next((e["rtps"] for e in echo if e["server"] == "thrdemo --async" and e["connections"] == 64
                and e["idle"] == 0), None)
    e64 = next((e["rtps"] for e in echo if e["server"].startswith("C epoll") and e["connections"] == 64
                and e["idle"] == 0), None)
    r = ratio(a64, e64)
    target("bench-echo: --async >= 0.9x epoll at 64 connections", None if r is None else r >= 0.9,
           f"{ratio_text(r)}: {fmt(a64)} vs {fmt(e64)} round trips/s" if echo else "no echo run")
    print("(bench all against each workload alone, and the memory rows: scripts/bench.sh --stability)")

    print("\nEarlier targets:")
    floor = value("lock", "uncontended floor")
    target("lock <= 25 ms", both(lock) and lock <= 25, f"{fmt(lock)} ms; uncontended floor here {fmt(floor)} ms")
    target("RLock <= 1.5x Lock", both(lock, rlock) and rlock <= 1.5 * lock, f"{fmt(rlock)} ms vs {fmt(lock)} ms")
    ev, fx = value("event", "libthrdemo Event"), value("event", "raw futex")
    evs, fxs = value("event-sleep", "libthrdemo Event"), value("event-sleep", "raw futex")
    target("event < 1 us with the other core free", both(ev) and ev < 1, f"{fmt(ev)} us; raw futex {fmt(fx)} us")
    target("event <= 1.2x raw futex when the waiter sleeps", both(evs, fxs) and evs <= 1.2 * fxs,
           f"{fmt(evs)} us vs {fmt(fxs)} us")
    q10 = value("queue", "libthrdemo Queue(10)")
    target("queue(10) >= 10M msg/s", both(q10) and q10 >= 10e6, f"{fmt(q10)} msg/s")
    idle = value("queue-idle", "libthrdemo Queue")
    target("idle consumer < 5 ms CPU in 1 s", both(idle) and idle < 5, f"{fmt(idle)} ms")
    p50, p99 = value("timer", "libthrdemo Timer", "lateness p50"), value("timer", "libthrdemo Timer", "lateness p99")
    target("timer p50 <= 100 us", both(p50) and p50 <= 100, f"{fmt(p50)} us")
    target("timer p99 <= 300 us", both(p99) and p99 <= 300, f"{fmt(p99)} us")
    target("timer p50 <= 20 us", both(p50) and p50 <= 20, f"{fmt(p50)} us")
    # What the machine allows: a thread woken from clock_nanosleep, and one that never sleeps.
    ns99 = value("timer", "clock_nanosleep", "lateness p99")
    spin99 = value("timer", "busy-wait floor", "lateness p99")
    target("timer p99 <= 80 us", both(p99) and p99 <= 80,
           f"{fmt(p99)} us; clock_nanosleep's wake-up {fmt(ns99)} us, a thread that never sleeps {fmt(spin99)} us")
    th, raw = value("threads", "libthrdemo threads", "10,000 threads"), value("threads", "raw pthreads", "10,000 threads")
    target("threads <= 1.2x raw pthreads", both(th, raw) and th <= 1.2 * raw, f"{fmt(th)} ms vs {fmt(raw)} ms")
    rss = value("threads", "libthrdemo threads", "peak RSS")
    target("threads peak RSS <= 100 MB", both(rss) and rss <= 100, f"{fmt(rss)} MB")
    sleep_rss = value("coro-sleep", "libthrdemo coroutines", "RSS, 10,000 asleep")
    touched = value("coro-sleep", "libthrdemo coroutines", "stack touched each")
    target("10,000 suspended coroutines < 100 MB RSS", both(sleep_rss) and sleep_rss < 100,
           f"{fmt(sleep_rss)} MB, {fmt(touched)} stack bytes touched each")
    asleep = value("async-sleep", "libthrdemo asyncio", "peak RSS, 10k asleep")
    target("10,000 sleeping asyncio tasks < 100 MB peak RSS", both(asleep) and asleep < 100,
           f"{fmt(asleep)} MB, {fmt(value('async-sleep', 'libthrdemo asyncio', 'stack touched each'))} "
           "stack bytes touched each")
    target("thrdemo --version < 2 ms", both(ts) and ts < 2, f"{fmt(ts)} ms")

    every = td + tasks + [r for d in queue_docs for r in d["results"]]
    checks = all(r["ok"] for r in every) and all(r["ok"] for r in py)
    print(f"\nSelf-checks: {'all passed' if checks else 'FAILED: ' + ', '.join(r['workload'] + '/' + r.get('implementation', 'python') for r in every + py if not r['ok'])}")
    if not quiet:
        print(f"\nWARNING: the load average at the start was above {QUIET}: these figures are not a result")
    return checks


if args.stability:
    stability()
    sys.exit(0)
sys.exit(0 if report() else 1)
