#!/bin/sh
# SPDX-License-Identifier: MIT
# A battery of hostile command lines (issue 12: 585 of them found 25 that broke the
# contract), generated from the command tables as the man page shows them: bad
# numbers, bad words, unknown options, variants and scenarios, stray words, options
# of another variant, missing values, flags given values, control bytes and very
# long values, bad environment variables. Each must be a usage error: exit 2,
# nothing on stdout, exactly one short "thrdemo: " line on stderr, no crash, no hang.
. "$(dirname "$0")/lib.sh"

py_status=0
PYTHONPATH=$here python3 - >"$work/report" 2>&1 <<'EOF' || py_status=$?
import os, subprocess, sys
from tables import THRDEMO, thrdemo, read_man

_, man_text, _ = thrdemo("--man")
globals_, commands = read_man(man_text)
LONG = "9" * 100000
NUMBER = ["abc", "-1", "1e400", "nan", "inf", "-inf", "0x10", " 1", "1 ", "", "12x", "1,5",
          "1\n2", "\t", "\x1b[2J", "--", "\u00bd", LONG]
WHOLE = NUMBER + ["1.5", "2e3", "99999999999999999999999"]
WORD = ["bogus", "spin atomic", "MUTEX", "", "mutex ", "\n", "\x1b", LONG]
TEXT = ["", "\n", "a\tb", "\x1b[31m", "a\x7f", "\r"]
REDIS = ["h:1:2", "127.0.0.1:+1", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536",
         "127.0.0.1:6379x", "http://127.0.0.1:6379", ":6379", "[::1]6379", "[::1",
         "redis://:@127.0.0.1:6379", "redis://127.0.0.1:6379/-1", "redis://127.0.0.1:6379/1/", "127.0.0.1:6379/0", "127.0.0.1:" + LONG]
POLICY = ["", "FIFO", "fifo:1", "random", "random:", "random:x", "random:-1", "random:1:",
          "random:99999999999999999999", "pct:", "pct:1:", "pct:1:0", "pct:1:65", "pct:1:3:1",
          "pct:1:3:9:9", "rr:1", "random: 1", "\n", LONG]
BAD = {"S": NUMBER, "N": WHOLE, "WORD": WORD, "TEXT": TEXT, "HOST": TEXT, "VALUES": TEXT,
       "ADDRESS": TEXT + REDIS, "F": NUMBER + ["0"], "LANG": ["ko", "", "EN", "en ", "\n"],
       "POLICY": POLICY, "LIST": TEXT + ["bogus", "all", "lock,", ",lock", "lock,,queue",
                                          "lock queue", "LOCK", LONG],
       "FILE": TEXT, "SIZE": ["abc", "-1", "1e400", "", "12x", "64Q", "1T", "0", "1K", "64G",
                              " 64M", "64M ", "0x10", "64MB ", "64mib", "1.5M", LONG]}
cases = []

def words(command, variant):
    return [command] + ([variant] if variant else [])

for name, meta in globals_.items():
    if meta is None:  # a flag
        continue
    for value in (BAD["N"] if name == "seed" else BAD[meta]):
        cases.append(["--" + name, value, "list"])
        cases.append(["event", "timer", "--" + name, value])
    cases.append(["event", "--" + name])
for name in ("stats", "quiet", "timeline", "ascii"):
    cases.append([f"--{name}=1", "list"])
    cases.append(["event", f"--{name}=yes"])

for command, table in commands.items():
    variants = table["variants"]
    if command in ("list", "help"):
        cases += [[command, "--bogus"], [command, "-x"]]
        continue
    every = {o: m for v in variants.values() for o, m in v["options"].items()}
    for variant, v in variants.items():
        base = words(command, variant)
        for name, meta in v["options"].items():
            if meta is None:
                cases.append(base + [f"--{name}=1"])
                continue
            for value in BAD[meta]:
                cases.append(base + [f"--{name}", value])
            cases.append(base + [f"--{name}="] if meta in ("S", "N") else base + [f"--{name}", "\n"])
            cases.append(base + [f"--{name}"])
            cases.append(base + [f"--{name}", "--help"])
        for name, meta in every.items():  # options of another variant
            if name not in v["options"]:
                cases.append(base + [f"--{name}"] + ([] if meta is None else ["1"]))
        cases += [base + ["--bogus"], base + ["--bogus=1"], base + ["-x"], base + ["---help"],
                  base + ["--" + LONG], base + ["-\n"]]
        if not v["positional"]:
            cases += [base + ["extra"], base + ["--", "extra"], base + ["\n"]]
        if command == "tcp-echo" and variant == "client":
            cases.append(base + ["-n"])
    if any(variants):  # it has variants: unknown ones
        for word in ("bogus", "WAIT", "", "\n", "-", LONG, "wait\n"):
            if word not in variants:
                cases.append([command, word])
        named = [v for v in variants if v]
        cases.append([command, named[0], named[-1]])  # two variants
        cases.append([command, "--" + next(iter(every)), "1", named[-1]] if every else [command, "x", "y"])

for word in ("bogus", "", "EVENT", "evnt", "-", "\n", LONG, "\x1b[1m", "list\n"):
    cases.append([word])
cases += [["--version", "extra"], ["--help", "nosuch"], ["--help", "event", "extra"],
          ["--help", "--version"], ["--version", "--man"], ["--completion"],
          ["--completion", "fish"], ["--man", "extra"], ["help", "bogus"],
          ["help", "event", "bogus"], ["list", "extra"], ["-h", "-h"], ["--", "--help"],
          ["lock-counter", "--lock", "spin atomic"], ["tcp-echo", "-x"],
          ["tcp-echo", "demo", "client"], ["lock-counter", "--threads", "3"], [],
          # found by a check of its own, after parsing: still before anything runs
          ["--stats", "lock-counter", "--threads", "3"], ["redis-gate", "--stats", "--redis", "h:1:2"],
          # --schedule where it cannot run (issue 13), --max-steps without it
          ["--schedule", "fifo", "tcp-echo", "demo"], ["bench", "lock", "--schedule", "random:1"],
          ["redis-gate", "--redis", "127.0.0.1:6379", "--schedule", "fifo"],
          ["--schedule", "fifo", "explore", "threads"], ["--max-steps", "10", "threads"],
          # explore: no scenario, not a scenario, the scenario's own bad options
          ["explore"], ["explore", "bogus"], ["explore", "list"], ["explore", "explore", "threads"],
          ["explore", "tcp-echo"], ["explore", "bench"], ["explore", "threads", "bogus"],
          ["explore", "lock-counter", "--lock", "bogus"], ["explore", "lock-counter", "--runs", "0"],
          ["explore", "redis-gate", "--redis", "127.0.0.1:6379"], ["explore", "threads", "--python"],
          ["explore", "--iterations", "3", "lock-counter"], ["explore", "threads", "--", "x"]]
envs = [("THRDEMO_SCALE", v) for v in NUMBER if v] + [("THRDEMO_SEED", v) for v in ("-1", "x", "1.5")]

def attempt(argv, env=None):
    """(passed, the report line) for one command line."""
    what = repr(["thrdemo"] + [a if len(a) < 40 else a[:20] + "..." for a in argv])
    if env:
        what = f"{env[0]}={env[1][:20]!r} " + what
    e = dict(os.environ, **({env[0]: env[1]} if env else {}))
    try:
        p = subprocess.run([THRDEMO] + argv, capture_output=True, timeout=120,
                           stdin=subprocess.DEVNULL, env=e)
    except subprocess.TimeoutExpired:
        return False, f"FAIL: {what}: no answer within 120 s"
    err = p.stderr
    lines = err.count(b"\n")
    problems = [p.returncode != 2 and f"exit status {p.returncode}",
                p.stdout and f"stdout {p.stdout[:60]!r}",
                not err.startswith(b"thrdemo: ") and f"stderr {err[:60]!r}",
                (lines != 1 or not err.endswith(b"\n")) and f"{lines} lines on stderr",
                len(err) > 400 and f"a {len(err)}-byte line"]
    problems = [x for x in problems if x]
    if problems:
        return False, f"FAIL: {what}: {'; '.join(problems)}"
    return True, f"PASS: {what}"

# A few at a time (each is its own process; under a sanitizer most of the time is
# the process's start), reported in the cases' order. The budget is work, not time:
# under a sanitizer, where a process starts 20-50 times slower, one case in SAMPLE,
# from an offset said on the first line so a failure can be run again; the plain
# builds run them all. The 120 s per case only tells a hang from a loaded machine.
import random
from concurrent.futures import ThreadPoolExecutor
jobs = [(argv, None) for argv in cases] + [(["list"], env) for env in envs]
SAMPLE = 4 if os.environ.get("THRDEMO_SANITIZE") else 1
offset = int(os.environ.get("THRDEMO_HOSTILE_OFFSET", random.randrange(SAMPLE)))
print(f"THRDEMO_HOSTILE_OFFSET={offset}: 1 case in {SAMPLE} of {len(jobs)}")
jobs = jobs[offset % SAMPLE::SAMPLE]
with ThreadPoolExecutor(max_workers=min(8, 2 * (os.cpu_count() or 1))) as pool:
    results = list(pool.map(lambda job: attempt(*job), jobs))
passed = sum(ok for ok, _ in results)
failed = len(results) - passed
for _, line in results:
    print(line)
print(f"{len(jobs)} command lines: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
EOF
tap_from_report "$work/report" "$py_status"
finish
