#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/stress.sh: run a build's shell test suite many times in a row on a loaded
# machine, to show that no test depends on a scheduling window (issue 11's
# acceptance: 20 runs in a row under `taskset -c 0`, and 20 beside two busy loops).
#   --runs N     runs in a row (default 20); stops at the first failure
#   --pin        every process on CPU 0 (taskset -c 0)
#   --hogs K     K busy loops beside the suite (sh -c 'while :; do :; done')
#   --build DIR  the build to test (default build)
#   --jobs J     ctest -j (default 2)
#   --tests RE   the ctest tests (default ^cli_)
# Prints one line a run and, on a failure, ctest's output for it; exit 0 when every
# run passed.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
runs=20 pin=0 hogs=0 build=$root/build jobs=2 tests='^cli_'
while [ $# -gt 0 ]; do
    case $1 in
        --runs) runs=$2; shift 2 ;;
        --pin) pin=1; shift ;;
        --hogs) hogs=$2; shift 2 ;;
        --build) build=$2; shift 2 ;;
        --jobs) jobs=$2; shift 2 ;;
        --tests) tests=$2; shift 2 ;;
        *) echo "usage: scripts/stress.sh [--runs N] [--pin] [--hogs K] [--build DIR] [--jobs J] [--tests RE]" >&2
           exit 2 ;;
    esac
done
[ -f "$build/CTestTestfile.cmake" ] || { echo "stress.sh: no ctest build in $build" >&2; exit 2; }
hog_pids=""
stop_hogs() { for p in $hog_pids; do kill "$p" 2>/dev/null || true; done; }
trap stop_hogs EXIT
for _ in $(seq 1 "$hogs"); do
    sh -c 'while :; do :; done' &
    hog_pids="$hog_pids $!"
done
prefix=()
[ "$pin" -eq 0 ] || prefix=(taskset -c 0)
log=$(mktemp)
start=$(date +%s)
for i in $(seq 1 "$runs"); do
    t0=$(date +%s)
    if (cd "$build" && "${prefix[@]}" ctest -R "$tests" -j"$jobs" --timeout 600 \
            --output-on-failure >"$log" 2>&1); then
        echo "run $i/$runs: passed ($(( $(date +%s) - t0 )) s)"
    else
        echo "run $i/$runs: FAILED ($(( $(date +%s) - t0 )) s)"
        grep -E '^not ok|Failed|Timeout' "$log" | head -40
        cp "$log" "$build/stress-failure.log"
        echo "the whole ctest output: $build/stress-failure.log"
        rm -f "$log"
        exit 1
    fi
done
rm -f "$log"
echo "$runs runs in a row passed in $(( $(date +%s) - start )) s (pin=$pin hogs=$hogs jobs=$jobs)"
