#!/bin/sh
# SPDX-License-Identifier: MIT
# daemon: the exit rule at work (seed 001).
. "$(dirname "$0")/lib.sh"

numbers() { grep -E '^[0-9]+$' "$work/out" || true; }

# Daemon (default): the count stops soon after main's line. What real timing must
# show (issue 11: "main's line last" failed on a loaded machine, where the daemon
# printed a number while the process was ending): the numbers in order from 0, at
# most one a --step of the run, main's line once; and with a count far longer than
# the run (1000 x 10 ms), that the count stops mid-way.
daemon_checks() { # WHAT COUNT
    n=$(numbers | wc -l)
    numbers >"$work/got"
    seq 0 $((n - 1)) >"$work/want"
    check "$1: numbers in order from 0" cmp -s "$work/got" "$work/want"
    check "$1: at most one number a 10 ms ($n in $elapsed_ms ms), fewer than $2" \
        test "$n" -le $((elapsed_ms / 10 + 1)) -a "$n" -lt "$2"
    check "$1: main's line once" test "$(count_lines '^Main thread finished$')" -eq 1
}
timed_run daemon
expect_status 0 "daemon"
daemon_checks daemon 101
timed_run daemon --count 1000
expect_status 0 "daemon --count 1000"
daemon_checks "daemon --count 1000" 1000
if have_python; then
    python_example daemon --count 1000
    cp "$work/ref" "$work/out"
    elapsed_ms=$python_ms
    daemon_checks "daemon.py --count 1000" 1000
fi

# --no-daemon: the process waits; all 100 numbers, main's line (at 0.05 s) before the
# count ends (at 1 s).
run daemon --no-daemon
expect_status 0 "daemon --no-daemon"
numbers >"$work/got"
seq 0 99 >"$work/want"
check "no-daemon: all 100 numbers" cmp -s "$work/got" "$work/want"
check "no-daemon: main's line before the count ends, the count ends last" \
    test "$(first_line '^Main thread finished$')" -gt 0 -a "$(tail -n1 "$work/out")" = "99"

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
