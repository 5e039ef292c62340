#!/bin/sh
# SPDX-License-Identifier: MIT
# daemon: the exit rule at work (seed 001).
. "$(dirname "$0")/lib.sh"

numbers() { grep -E '^[0-9]+$' "$work/out" || true; }

# Daemon (default): the count stops soon after main's line; the numbers it printed
# are in order from 0.
run daemon
expect_status 0 "daemon"
n=$(numbers | wc -l)
check "daemon: the count stops early ($n numbers)" test "$n" -ge 1 -a "$n" -lt 50
numbers >"$work/got"
seq 0 $((n - 1)) >"$work/want"
check "daemon: numbers in order from 0" cmp -s "$work/got" "$work/want"
check "daemon: main's line last" test "$(tail -n1 "$work/out")" = "Main thread finished"
if have_python; then
    python_example daemon
    check "daemon: the Python program also stops early" test "$(grep -cE '^[0-9]+$' "$work/ref")" -lt 50
fi

# --no-daemon: the process waits; all 100 numbers, main's line among the first ones.
run daemon --no-daemon --scale 0.5
expect_status 0 "daemon --no-daemon"
numbers >"$work/got"
seq 0 99 >"$work/want"
check "no-daemon: all 100 numbers" cmp -s "$work/got" "$work/want"
pos=$(grep -n '^Main thread finished$' "$work/out" | cut -d: -f1)
check "no-daemon: main's line before the count ends (line $pos)" test -n "$pos" -a "${pos:-999}" -lt 60
check "no-daemon: the count ends last" test "$(tail -n1 "$work/out")" = "99"

# --join: main waits first: 0..99, then main's line.
{ seq 0 99; echo "Main thread finished"; } >"$work/want"
run daemon --join --scale 0.5
expect_status 0 "daemon --join"
expect_out "$work/want" "daemon --join"
if have_python; then
    python_example daemon THRDEMO_SCALE=0.5 --join
    expect_out "$work/ref" "daemon --join against examples/python/daemon.py"
fi
run daemon --count 3 --no-daemon --main-sleep 0
check "--count 3: three numbers" test "$(numbers | wc -l)" -eq 3

# Ctrl-C while the process waits for a non-daemon thread: still 130.
interrupt INT daemon --no-daemon --step 0.05
expect_status 130 "daemon --no-daemon after SIGINT"
check "no-daemon: stops within 1 s of SIGINT (${elapsed_ms} ms)" test "$elapsed_ms" -lt 1000
check "no-daemon: last line whole" last_line_whole

usage_error daemon bogus
usage_error daemon --no-daemon=1
usage_error daemon --count x
usage_error daemon --step -0.1
usage_error daemon --main-sleep
finish
