#!/bin/sh
# SPDX-License-Identifier: MIT
# monitor stop / toast: seed 000.
. "$(dirname "$0")/lib.sh"

# stop: runs at t = 0, 3, 6, 9; stop() at 10 -> "stopped". Exact on the virtual
# clock (issue 13); a real run at --scale 0.1 has a 100 ms margin, which a loaded
# machine can miss, so it is checked for its shape.
printf '주기적으로 실행\n주기적으로 실행\n주기적으로 실행\n주기적으로 실행\nstopped\n' >"$work/want"
run --schedule fifo monitor
expect_status 0 "monitor under fifo"
expect_out "$work/want" "monitor stop"
if have_python; then
    python_example monitor_stop THRDEMO_SCALE=0.1
    expect_out "$work/ref" "monitor against monitor_stop.py"
fi
run monitor --scale 0.1
expect_status 0 "monitor"
check "monitor stop: runs, then stopped" sh -c "test \"\$(tail -n1 '$work/out')\" = stopped && ! sed '\$d' '$work/out' | grep -qvx '주기적으로 실행'"
run --schedule random:3 monitor stop --interval 1 --stop-after 3.5
expect_out "$work/want" "monitor stop --interval 1 --stop-after 3.5"
# stop() takes effect at once: the thread does not sleep out its interval.
timed_run monitor stop --interval 10 --stop-after 0.3
check "stop: ends soon after stop() (${elapsed_ms} ms)" test "$elapsed_ms" -lt 1500
check "stop: one run then stopped" test "$(cat "$work/out" | tr '\n' '|')" = "주기적으로 실행|stopped|"

# toast: checks at t = 0, 0.3, then the error at 0.6; the monitor runs 2 or 3 times
# (its third run races with the third check, in the seed too).
run monitor toast --scale 0.1
expect_status 0 "monitor toast"
grep -v '^주기적으로 실행$' "$work/out" >"$work/main"
printf 'Toast Error Not Found\nToast Error Not Found\nExiting the thread...\n---Toast Error monitor 종료---\n' >"$work/want"
check "toast: the checker's lines" cmp -s "$work/main" "$work/want"
runs=$(count_lines '^주기적으로 실행$')
check "toast: monitor ran 2 or 3 times ($runs)" test "$runs" -ge 2 -a "$runs" -le 3
check "toast: last line" test "$(tail -n1 "$work/out")" = "---Toast Error monitor 종료---"
check "toast: monitor's first run first" test "$(head -n1 "$work/out")" = "주기적으로 실행" -o "$(sed -n 2p "$work/out")" = "주기적으로 실행"
run monitor toast --scale 0.1 --error-after 1
check "toast --error-after 1: no check fails" test "$(count_lines 'Not Found')" -eq 0
check "toast --error-after 1: exits" grep -q '^Exiting the thread...$' "$work/out"
run monitor toast --scale 0.05 --error-after 5 --check-interval 1 --interval 1
check "toast --error-after 5: four checks" test "$(count_lines '^Toast Error Not Found$')" -eq 4

for v in stop toast; do
    interrupt INT monitor $v
    expect_status 130 "monitor $v after SIGINT"
    check "monitor $v: stops within 2 s of SIGINT (${elapsed_ms} ms)" test "$elapsed_ms" -lt 2000
    check "monitor $v: last line whole" last_line_whole
done
interrupt TERM monitor stop
expect_status 143 "monitor after SIGTERM"

usage_error monitor bogus
usage_error monitor --interval 0
usage_error monitor --interval x
usage_error monitor --stop-after -1
usage_error monitor --error-after 3
usage_error monitor toast --error-after 0
usage_error monitor toast --error-after 1.5
usage_error monitor toast --stop-after 1
usage_error monitor toast --check-interval
finish
