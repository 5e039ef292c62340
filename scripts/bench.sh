#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/bench.sh [RUNS]: libthrdemo against CPython and plain C on this machine, in
# one run. Builds a Release configuration, then for each workload runs
# `thrdemo bench WORKLOAD --json --runs RUNS` (default 5) and, interleaved, the
# Python program doing the same work (scripts/bench/py_*.py, median of 3 runs; the
# 10,000-thread one once, it is slow), and times `python3 -c pass` against
# `thrdemo --version`. Prints the full bench table, CPython against thrdemo, and
# every target met or missed; writes it all to bench-results.txt.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/deps.sh"
runs=${1:-5}
build=$(build_release thrdemo-bin)
thrdemo=$build/thrdemo
python=$(python3 -c 'import sys; print(sys.executable)') # the interpreter, not a shim
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=$root/bench-results.txt

pyrun() { # PROGRAM TIMES
    for _ in $(seq 1 "$2"); do
        "$python" "$root/scripts/bench/$1" >>"$work/python.jsonl"
    done
}
status=0
for workload in lock event event-sleep queue queue-idle timer threads coro coro-sleep; do
    echo "bench: $workload" >&2
    "$thrdemo" bench "$workload" --json --runs "$runs" >>"$work/thrdemo.jsonl" || status=1
    case $workload in
        lock | event | queue | timer) pyrun "py_$workload.py" 3 ;;
        threads) pyrun py_threads.py 1 ;;
        coro) pyrun py_generator.py 3 ;;
    esac
done
"$python" "$root/scripts/bench/startup.py" 50 "$python" -c pass >>"$work/python.jsonl"
"$python" "$root/scripts/bench/startup.py" 50 "$thrdemo" --version >>"$work/python.jsonl"

{
    echo "# scripts/bench.sh $runs  ($(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores; $("$python" --version))"
    echo
    "$python" - "$work/thrdemo.jsonl" <<'PY'
import json, sys
print(f"{'workload':<12} {'implementation':<28} {'metric':<22} {'unit':<6} {'median':>11} {'min':>11} {'max':>11} {'ratio':>6}  check")
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(f"{r['workload']:<12} {r['implementation']:<28} {r['metric']:<22} {r['unit']:<6} "
          f"{r['median']:>11.4g} {r['min']:>11.4g} {r['max']:>11.4g} {r['ratio']:>6.2f}  "
          f"{'ok' if r['ok'] else r['note']}")
PY
    echo
    "$python" "$root/scripts/bench/report.py" "$work/thrdemo.jsonl" "$work/python.jsonl" || status=1
} | tee "$out"
exit $status
