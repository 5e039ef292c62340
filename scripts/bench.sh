#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/bench.sh [RUNS]: libthrdemo against CPython and plain C on this machine, in
# one run. Builds a Release configuration, then for each workload runs
# `thrdemo bench WORKLOAD --json --runs RUNS` (default 5), each in a process of its
# own, and, interleaved, the Python program doing the same work
# (scripts/bench/py_*.py, median of 3 runs; the 10,000-thread and the asyncio ones
# once, they are slow); `bench queue` three times, alternating with CPython's queue,
# for its stability; `bench async --tasks 1000000` and `bench async-switch` when this
# build has them; scripts/bench-echo.sh at 64 connections; and times `python3 -c pass`
# against `thrdemo --version`. Prints the machine, the date and the load average at
# the start and the end, the full bench table, CPython against thrdemo, every
# comparison in words, and every target as a line "target: NAME: met|MISSED|not
# measured (figures)" (scripts/bench/report.py; a row this build lacks is "not
# measured"); writes it all to bench-results.txt. A run that starts with a 1-minute
# load average above 0.5 says in a WARNING line that its table is not a result. It
# takes 10 to 20 minutes on a 2-core machine, a third of it queue-mpmc's ring at
# capacity 1 (5M messages through a mutex, 8 threads).
#
# scripts/bench.sh --stability [RUNS]: whether `bench all` gives each workload the
# figures it has alone, its memory rows counting only what that workload holds: three
# rounds, each `thrdemo bench all --json --runs RUNS` (default 1) and then every
# workload alone (`thrdemo bench WORKLOAD --json --runs RUNS`); each row's median over
# the rounds in bench all against alone, judged within 20%. About 25 minutes with
# RUNS 1 on a 2-core machine, (RUNS + 1) / 2 times that with more (each run has its
# warm-up); writes bench-stability.txt.
#
# scripts/bench.sh --plot [RUNS]: the scaling curves instead, as SVG in bench-plots/
# (drawn with matplotlib, installed when missing), the measurements in
# bench-plots/data/: thread start-up for 1,000 to 10,000 threads, queue throughput
# for capacities 1 to 4096, echo round trips for 1 to 256 connections
# (scripts/bench-echo.sh). RUNS defaults to 3 there.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/deps.sh"
plot=0
stability=0
case ${1:-} in
    --plot) plot=1; shift ;;
    --stability) stability=1; shift ;;
esac
runs=${1:-$([ $plot = 1 ] && echo 3 || { [ $stability = 1 ] && echo 1; } || echo 5)}
case $runs in '' | *[!0-9]* | 0) echo "usage: scripts/bench.sh [--plot | --stability] [RUNS]" >&2; exit 2 ;; esac
if [ $plot = 1 ]; then
    ensure_deps py:matplotlib:python3-matplotlib || exit 1
fi
build=$(build_release thrdemo-bin echo_load epoll_echo)
thrdemo=$build/thrdemo
python=$(python3 -c 'import sys; print(sys.executable)') # the interpreter, not a shim
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
say() { [ -t 2 ] && echo "bench: $*" >&2 || true; } # progress, on a terminal only

if [ $plot = 1 ]; then
    # The measurements are kept beside the pictures (bench-plots/data/), so they can
    # be read, or drawn again: python3 scripts/bench/plot.py --out DIR --echo
    # bench-plots/data/echo.jsonl bench-plots/data/*.json
    out=$root/bench-plots
    data=$out/data
    rm -rf "$data"
    mkdir -p "$data"
    status=0
    for n in 1000 2000 3000 4000 5000 6000 7000 8000 9000 10000; do
        say "threads --count $n"
        "$thrdemo" bench threads --count $n --runs "$runs" --json >"$data/threads-$n.json" || status=1
    done
    for c in 1 2 4 8 16 32 64 128 256 512 1024 2048 4096; do
        # Small queues hand over one item per wake-up: fewer items keep a run short.
        messages=$(( c * 20000 < 1000000 ? c * 20000 : 1000000 ))
        say "queue --capacity $c --messages $messages"
        "$thrdemo" bench queue --capacity $c --messages $messages --runs "$runs" --json \
            >"$data/queue-$c.json" || status=1
    done
    say "echo, 1 to 256 connections"
    THRDEMO_BENCH_DIR=$build "$root/scripts/bench-echo.sh" 2 --rounds 1 --idle 0 \
        --connections "1 2 4 8 16 32 64 128 256" --jsonl "$data/echo.jsonl" >/dev/null || status=1
    plotter=$(thrdemo_python_with matplotlib)
    "$plotter" "$root/scripts/bench/plot.py" --out "$out" --echo "$data/echo.jsonl" \
        "$data"/threads-*.json "$data"/queue-*.json || status=1
    exit $status
fi

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
load_start=$(loadavg)
# Whether this build has a workload, or a workload's option: thrdemo bench WORDS --help.
has() { "$thrdemo" bench "$@" --help >/dev/null 2>&1; }

if [ $stability = 1 ]; then
    started=$(date +%s)
    workloads=""
    for round in 1 2 3; do
        say "round $round: bench all"
        "$thrdemo" bench all --json --runs "$runs" >"$work/all-$round.json" || true
        [ -n "$workloads" ] || workloads=$("$python" -c '
import json, sys
seen = []
for r in json.load(open(sys.argv[1]))["results"]:
    if r["workload"] not in seen:
        seen.append(r["workload"])
print(" ".join(seen))' "$work/all-$round.json")
        for w in $workloads; do
            say "round $round: $w alone"
            "$thrdemo" bench "$w" --json --runs "$runs" >"$work/alone-$w-$round.json" || true
        done
    done
    out=$root/bench-stability.txt
    {
        echo "# scripts/bench.sh --stability $runs: bench all against each workload alone, 3 rounds, $(( ($(date +%s) - started + 30) / 60 )) minutes"
        "$python" "$root/scripts/bench/report.py" --stability --load-start "$load_start" \
            --load-end "$(loadavg)" --all "$work"/all-*.json --alone "$work"/alone-*.json
    } >"$out"
    cat "$out"
    exit 0
fi

pyrun() { # PROGRAM TIMES
    for _ in $(seq 1 "$2"); do
        "$python" "$root/scripts/bench/$1" >>"$work/python.jsonl"
    done
}
status=0
docs=()
for workload in lock event event-sleep queue queue-mpmc queue-idle timer threads coro coro-sleep \
    async async-sleep async-switch; do
    has "$workload" || continue # async-switch: not in every build yet
    say "$workload"
    "$thrdemo" bench "$workload" --json --runs "$runs" >"$work/td-$workload.json" || status=1
    docs+=("$work/td-$workload.json")
    case $workload in
        lock | event | timer) pyrun "py_$workload.py" 3 ;;
        queue) # three runs of bench queue (the Queue and the ring each), CPython's between
            pyrun py_queue.py 1
            for k in 2 3; do
                say "queue, run $k of 3"
                "$thrdemo" bench queue --json --runs "$runs" >"$work/td-queue-$k.json" || status=1
                pyrun py_queue.py 1
            done ;;
        threads) pyrun py_threads.py 1 ;;
        coro) pyrun py_generator.py 3 ;;
        async) pyrun py_async.py 1 ;; # both asyncio workloads, after a warm-up
    esac
done
tasks=()
if has async --tasks 1000000; then
    say "async --tasks 1000000"
    "$thrdemo" bench async --tasks 1000000 --json --runs 1 >"$work/td-tasks.json" || status=1
    tasks=(--tasks "$work/td-tasks.json")
fi
"$python" "$root/scripts/bench/startup.py" 50 "$python" -c pass >>"$work/python.jsonl"
"$python" "$root/scripts/bench/startup.py" 50 "$thrdemo" --version >>"$work/python.jsonl"
say "echo, 64 connections"
THRDEMO_BENCH_DIR=$build "$root/scripts/bench-echo.sh" 3 --rounds 3 --connections 64 --idle 0 \
    --jsonl "$work/echo.jsonl" >/dev/null || status=1
load_end=$(loadavg)

out=$root/bench-results.txt
{
    echo "# scripts/bench.sh $runs  ($("$python" --version))"
    "$python" "$root/scripts/bench/report.py" --python "$work/python.jsonl" \
        --queue-run "$work/td-queue.json" --queue-run "$work/td-queue-2.json" \
        --queue-run "$work/td-queue-3.json" "${tasks[@]}" --echo "$work/echo.jsonl" \
        --load-start "$load_start" --load-end "$load_end" "${docs[@]}"
} >"$out" || status=1
cat "$out"
exit $status
