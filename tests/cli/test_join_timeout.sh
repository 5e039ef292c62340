#!/bin/sh
# SPDX-License-Identifier: MIT
# join-timeout: join gives up, is_alive() says so (seed 001).
. "$(dirname "$0")/lib.sh"

# What real timing must show, and no more (issue 11: this test compared with Python's
# torn print and with the daemon's last numbers, and failed on loaded machines): the
# numbers in order from 0; join(0.25) returned while the thread counted on, so
# is_alive() is True and the count stops mid-way; main's two lines in order. The
# daemon dies with the process, but until the process is gone it may print a number
# or two after main's last line, in order still: numbers come at most one a
# millisecond, so no more than the run's milliseconds.
join_timeout_checks() {
    grep -E '^[0-9]+$' "$work/out" >"$work/got" || true
    n=$(wc -l <"$work/got")
    seq 0 $((n - 1)) >"$work/want"
    check "numbers in order from 0" cmp -s "$work/got" "$work/want"
    check "the count stops mid-way ($n numbers in $elapsed_ms ms)" \
        test "$n" -ge 1 -a "$n" -lt 10000 -a "$n" -le $((elapsed_ms + 1))
    grep -vE '^[0-9]+$' "$work/out" >"$work/main" || true
    printf 'join(timeout=0.25) returned, is_alive() = True\nMain thread finished\n' >"$work/want"
    check "main's two lines, in order, once each" cmp -s "$work/main" "$work/want"
    check "the join returned after the count began" \
        test "$(first_line '^0$')" -lt "$(first_line '^join\(')"
}
timed_run join-timeout
expect_status 0 "join-timeout"
join_timeout_checks

# A timeout longer than the count: join returns when the thread ends.
run join-timeout --timeout 5 --count 50
{ seq 0 49; echo "join(timeout=5.0) returned, is_alive() = False"; echo "Main thread finished"; } >"$work/want"
expect_out "$work/want" "join-timeout --timeout 5 --count 50"
if have_python; then
    python_example join_timeout --timeout 0.25
    cp "$work/ref" "$work/out"
    elapsed_ms=10000
    join_timeout_checks
fi
run join-timeout --timeout 0 --count 5
check "--timeout 0: is_alive() True" grep -q '^join(timeout=0.0) returned, is_alive() = True$' "$work/out"

usage_error join-timeout --timeout abc
usage_error join-timeout --timeout -1
usage_error join-timeout --count 1e3
usage_error join-timeout --step
usage_error join-timeout wait
finish
