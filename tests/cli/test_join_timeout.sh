#!/bin/sh
# SPDX-License-Identifier: MIT
# join-timeout: join gives up, is_alive() says so (seed 001).
. "$(dirname "$0")/lib.sh"

run join-timeout
expect_status 0 "join-timeout"
grep -E '^[0-9]+$' "$work/out" >"$work/got" || true
n=$(wc -l <"$work/got")
seq 0 $((n - 1)) >"$work/want"
check "numbers in order from 0" cmp -s "$work/got" "$work/want"
# How many numbers come before the join gives up, and whether the daemon thread
# prints one more between main's last line and the exit, is timing's: the golden
# files pin both under --schedule (issue 13). Here: main's two lines, in order.
grep -v -E '^[0-9]+$' "$work/out" >"$work/main"
printf 'join(timeout=0.25) returned, is_alive() = True\nMain thread finished\n' >"$work/want"
check "join-timeout: main's two lines" cmp -s "$work/main" "$work/want"
check "the count stops before its end ($n numbers)" test "$n" -lt 10000

# A timeout longer than the count: join returns when the thread ends.
run join-timeout --timeout 5 --count 50
{ seq 0 49; echo "join(timeout=5.0) returned, is_alive() = False"; echo "Main thread finished"; } >"$work/want"
expect_out "$work/want" "join-timeout --timeout 5 --count 50"
if have_python; then
    python_example join_timeout --timeout 0.25
    check "the Python program prints the same last line" test "$(tail -n2 "$work/ref" | head -n1)" = "join(timeout=0.25) returned, is_alive() = True"
fi
run join-timeout --timeout 0 --count 5
check "--timeout 0: is_alive() True" grep -q '^join(timeout=0.0) returned, is_alive() = True$' "$work/out"

usage_error join-timeout --timeout abc
usage_error join-timeout --timeout -1
usage_error join-timeout --count 1e3
usage_error join-timeout --step
usage_error join-timeout wait
finish
