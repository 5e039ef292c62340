#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/bench.sh [RUNS]: libthrdemo against CPython and plain C on this machine, in
# one run. Builds a Release configuration, then for each workload runs
# `thrdemo bench WORKLOAD --json --runs RUNS` (default 5) and, interleaved, the
# Python program doing the same work (scripts/bench/py_*.py, median of 3 runs; the
# 10,000-thread and the asyncio ones once, they are slow), and times `python3 -c pass` against
# `thrdemo --version`. Prints the machine and date, the full bench table, CPython
# against thrdemo, every comparison in words, and every target met or missed;
# writes it all to bench-results.txt.
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
if [ "${1:-}" = --plot ]; then
    plot=1
    shift
fi
runs=${1:-$([ $plot = 1 ] && echo 3 || echo 5)}
case $runs in '' | *[!0-9]*) echo "usage: scripts/bench.sh [--plot] [RUNS]" >&2; exit 2 ;; esac
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

pyrun() { # PROGRAM TIMES
    for _ in $(seq 1 "$2"); do
        "$python" "$root/scripts/bench/$1" >>"$work/python.jsonl"
    done
}
status=0
for workload in lock event event-sleep queue queue-idle timer threads coro coro-sleep async async-sleep; do
    say "$workload"
    "$thrdemo" bench "$workload" --json --runs "$runs" >"$work/td-$workload.json" || status=1
    case $workload in
        lock | event | queue | timer) pyrun "py_$workload.py" 3 ;;
        threads) pyrun py_threads.py 1 ;;
        coro) pyrun py_generator.py 3 ;;
        async) pyrun py_async.py 1 ;; # both asyncio workloads, after a warm-up
    esac
done
"$python" "$root/scripts/bench/startup.py" 50 "$python" -c pass >>"$work/python.jsonl"
"$python" "$root/scripts/bench/startup.py" 50 "$thrdemo" --version >>"$work/python.jsonl"

out=$root/bench-results.txt
{
    echo "# scripts/bench.sh $runs  ($("$python" --version))"
    "$python" "$root/scripts/bench/report.py" --python "$work/python.jsonl" \
        "$work"/td-lock.json "$work"/td-event.json "$work"/td-event-sleep.json "$work"/td-queue.json \
        "$work"/td-queue-idle.json "$work"/td-timer.json "$work"/td-threads.json \
        "$work"/td-coro.json "$work"/td-coro-sleep.json "$work"/td-async.json \
        "$work"/td-async-sleep.json
} >"$out" || status=1
cat "$out"
exit $status
