#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""trace_check.py TRACE [options] - check a `thrdemo --trace` file.

Always: the file parses as JSON (Chrome Trace Event Format, object form); every tid
has a thread_name; on every tid, in file order, timestamps never go backwards and
each B has its E (same name), properly nested; every flow start ("s") has exactly
one end ("f", "bp":"e") with its id, no earlier, each bound: right after an instant
of its track at the same time; "otherData" holds the dropped count.
  --stdout FILE        the "line" instants, by their "line" number and in file
                       order, are FILE's lines exactly; when events were dropped,
                       its first lines (what comes past the limit is dropped)
  --threads N1 N2 ...  the thread tracks (coroutines aside), in order, are named so
  --named-lines        lines printed as "(NAME      ) text" are on NAME's track
  --woken-by WAITER SLICE SETTER INSTANT
                       WAITER's last SLICE ends no earlier than SETTER's INSTANT and
                       is joined to it by a flow
  --exclusive LOCK     no two "hold LOCK" slices overlap, on any tracks
  --dropped            at least one event was dropped (and the file is still whole)
  --max-bytes N        the file is at most N bytes
Prints what it checked; exits 1 with the first problem found.

trace_check.py --batch FILE: each line of FILE is "DESCRIPTION<TAB>ARGS", ARGS the
arguments above as a shell would split them; prints "ok DESCRIPTION: ..." or "not ok
DESCRIPTION: problem" for each (one Python for many checks: it starts slowly).
"""
import argparse
import json
import os
import shlex
import sys


class Failed(Exception):
    pass


def fail(message):
    raise Failed(message)


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        fail(f"{path} does not parse: {e}")
    if not isinstance(doc, dict) or not isinstance(doc.get("traceEvents"), list):
        fail("no traceEvents list")
    other = doc.get("otherData", {})
    if not isinstance(other.get("dropped_events"), int):
        fail("otherData.dropped_events missing")
    return doc


def tracks(events):
    names, coroutines = {}, set()
    for e in events:
        if e["ph"] == "M" and e["name"] == "thread_name":
            names[e["tid"]] = e["args"]["name"]
            if e["args"].get("coroutine"):
                coroutines.add(e["tid"])
    for e in events:
        if e["ph"] != "M" and e["tid"] not in names:
            fail(f"tid {e['tid']} has no thread_name")
    return names, coroutines


def check_nesting(events, names):
    stacks, last = {}, {}
    for n, e in enumerate(events):
        if e["ph"] == "M":
            continue
        tid, ts = e["tid"], float(e["ts"])
        if ts < last.get(tid, 0):
            fail(f"event {n} on {names[tid]} goes back in time: {ts} < {last[tid]}")
        last[tid] = ts
        stack = stacks.setdefault(tid, [])
        if e["ph"] == "B":
            stack.append(e["name"])
        elif e["ph"] == "E":
            if not stack:
                fail(f"event {n}: an E without B on {names[tid]}: {e['name']}")
            if stack[-1] != e["name"]:
                fail(f"event {n}: E {e['name']!r} closes {stack[-1]!r} on {names[tid]}")
            stack.pop()
    for tid, stack in stacks.items():
        if stack:
            fail(f"{names[tid]} ends with open slices: {stack}")


def check_flows(events, names):
    starts, ends = {}, {}
    for n, e in enumerate(events):
        if e["ph"] not in "sf":
            continue
        k = n - 1
        while k > 0 and events[k]["ph"] in "sf":  # several starts at one instant
            k -= 1
        before = events[k]
        if before["ph"] != "i" or before["tid"] != e["tid"] or before["ts"] != e["ts"]:
            fail(f"flow {e['ph']} {e['id']} on {names[e['tid']]} is not bound to an instant")
        table = starts if e["ph"] == "s" else ends
        if e["id"] in table:
            fail(f"flow id {e['id']} has two {e['ph']} events")
        table[e["id"]] = e
        if e["ph"] == "f" and e.get("bp") != "e":
            fail(f"flow end {e['id']} without \"bp\":\"e\"")
    if set(starts) != set(ends):
        fail(f"flows without their other end: {sorted(set(starts) ^ set(ends))[:5]}")
    for i, s in starts.items():
        if float(ends[i]["ts"]) < float(s["ts"]):
            fail(f"flow {i} ends before it starts")
    return starts, ends


def check_stdout(events, path, dropped):
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        want = f.read().split("\n")
    if want and want[-1] == "":
        want.pop()
    lines = [e for e in events if e["ph"] == "i" and e.get("cat") == "line"]
    numbers = [e["args"]["line"] for e in lines]
    if numbers != list(range(1, len(lines) + 1)):
        fail("line instants are not numbered 1.. in file order")
    got = [e["name"] for e in lines]
    if dropped:
        want = want[:len(got)]
    if got != want:
        for k, (a, b) in enumerate(zip(got, want)):
            if a != b:
                fail(f"line {k + 1}: trace {a!r}, stdout {b!r}")
        fail(f"{len(got)} line instants, {len(want)} stdout lines")
    return len(got)


def check_named_lines(events, names):
    n = 0
    for e in events:
        if e["ph"] == "i" and e.get("cat") == "line" and e["name"].startswith("("):
            # "(%(threadName)-10s) message": the name, padded, then ") "
            rest = e["name"][1:]
            mine = names[e["tid"]]
            if not rest.startswith(mine) or not rest[len(mine):].lstrip(" ").startswith(") "):
                fail(f"line {e['name']!r} is on {mine}'s track")
            n += 1
    return n


def slices(events, names, tid_name, slice_name):
    """(begin, end) of each slice so named on the track so named, in order."""
    open_at, found = {}, []
    for e in events:
        if e["ph"] in "BE" and e["name"] == slice_name and names[e["tid"]] == tid_name:
            if e["ph"] == "B":
                open_at[e["tid"]] = float(e["ts"])
            else:
                found.append((open_at.pop(e["tid"]), float(e["ts"]), e))
    return found


def check_woken(events, names, starts, ends, waiter, slice_name, setter, instant):
    waits = slices(events, names, waiter, slice_name)
    sets = [e for e in events if e["ph"] == "i" and e["name"] == instant
            and names[e["tid"]] == setter]
    if not waits or not sets:
        fail(f"no {slice_name!r} on {waiter} or no {instant!r} on {setter}")
    begin, end, last = waits[-1]
    if end < float(sets[-1]["ts"]):
        fail(f"{waiter}'s {slice_name!r} ends at {end}, before {instant!r} at {sets[-1]['ts']}")
    if last["args"].get("ended") != "wake-up":
        fail(f"{waiter}'s {slice_name!r} ended by {last['args'].get('ended')}")
    tid = last["tid"]
    flows = [i for i, f in ends.items() if f["tid"] == tid and float(f["ts"]) == end]
    if not flows:
        fail(f"no flow arrives at the end of {waiter}'s {slice_name!r}")
    s = starts[flows[0]]
    if names[s["tid"]] != setter or float(s["ts"]) != float(sets[-1]["ts"]):
        fail(f"the flow into {waiter}'s {slice_name!r} does not come from {instant!r}")


def check_exclusive(events, names, lock):
    holds = []
    for tid in names:
        holds += [(b, e) for b, e, _ in slices(events, names, names[tid], "hold " + lock)]
    holds.sort()  # a hold split to keep slices nested touches itself, never overlaps
    for (b1, e1), (b2, e2) in zip(holds, holds[1:]):
        if b2 < e1:
            fail(f"two holds of {lock} overlap: [{b1}, {e1}] and [{b2}, {e2}]")
    return len(holds)


def parser():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("trace", nargs="?")
    p.add_argument("--stdout")
    p.add_argument("--threads", nargs="+")
    p.add_argument("--named-lines", action="store_true")
    p.add_argument("--woken-by", nargs=4, action="append", default=[])
    p.add_argument("--exclusive", action="append", default=[])
    p.add_argument("--dropped", action="store_true")
    p.add_argument("--max-bytes", type=int)
    p.add_argument("--batch")
    return p


def check(a):
    """The checks args ask for: what was checked, in words (Failed on a problem)."""
    doc = load(a.trace)
    events = doc["traceEvents"]
    names, coroutines = tracks(events)
    check_nesting(events, names)
    starts, ends = check_flows(events, names)
    said = [f"{len(events)} events, {len(starts)} flows"]
    dropped = doc["otherData"]["dropped_events"]
    if a.stdout:
        said.append(f"{check_stdout(events, a.stdout, dropped)} lines as on stdout")
    if a.threads is not None:
        got = [names[t] for t in sorted(names) if t not in coroutines]
        if got != a.threads:
            fail(f"threads {got}, expected {a.threads}")
        said.append(f"threads {got}")
    if a.named_lines:
        said.append(f"{check_named_lines(events, names)} named lines on their tracks")
    for w in a.woken_by:
        check_woken(events, names, starts, ends, *w)
        said.append(f"{w[0]} woken by {w[3]!r}")
    for lock in a.exclusive:
        said.append(f"{check_exclusive(events, names, lock)} holds of {lock} apart")
    if a.dropped and dropped == 0:
        fail("no event was dropped")
    if a.max_bytes is not None and os.path.getsize(a.trace) > a.max_bytes:
        fail(f"{os.path.getsize(a.trace)} bytes, over {a.max_bytes}")
    return "; ".join(said)


def main():
    p = parser()
    if "--batch" in sys.argv:
        with open(sys.argv[sys.argv.index("--batch") + 1], encoding="utf-8") as f:
            jobs = [line.rstrip("\n").split("\t", 1) for line in f if line.strip()]
        failed = 0
        for desc, args in jobs:
            try:
                print(f"ok {desc}: {check(p.parse_args(shlex.split(args)))}")
            except Failed as e:
                failed += 1
                print(f"not ok {desc}: {e}")
        sys.exit(1 if failed else 0)
    try:
        print("trace_check: ok: " + check(p.parse_args()))
    except Failed as e:
        print("trace_check: " + str(e))
        sys.exit(1)


if __name__ == "__main__":
    main()
