#!/bin/sh
# SPDX-License-Identifier: MIT
# event wait / subclass / timer: the seed traces, Ctrl-C, bad input.
. "$(dirname "$0")/lib.sh"

# ---- wait: thread2 polls every 0.1 s for 1 s; counts within bounds, causal order exact.
run event --scale 0.1
expect_status 0 "event"
checks=$(count_lines '^Thread checking for event, will timeout in 1 seconds$')
timeouts=$(count_lines '^Timeout occurred, continuing to check for event$')
check "wait: 5..13 polls ($checks)" test "$checks" -ge 5 -a "$checks" -le 13
check "wait: one timeout fewer than polls" test "$timeouts" -eq $((checks - 1))
check "wait: thread1 started once" test "$(count_lines '^Thread started and waiting for event to be set$')" -eq 1
check "wait: both threads resumed" test "$(count_lines '^Event has been set, resuming thread$')" -eq 2
check "wait: the join line last" test "$(tail -n1 "$work/out")" = "All threads have finished."
check "wait: event1 before event2" sh -c "grep -n 'setting complete' '$work/out' | cut -d: -f2 | tr '\n' ' ' | grep -qx 'event1 setting complete event2 setting complete '"
# thread2's lines alternate check/timeout and end with a check (then the set line).
grep -E '^(Thread checking|Timeout occurred)' "$work/out" | awk '
    NR % 2 == 1 && !/^Thread checking/ { bad = 1 }
    NR % 2 == 0 && !/^Timeout occurred/ { bad = 1 }
    END { exit bad || NR % 2 == 0 }' && pass "wait: checks and timeouts alternate, ending with a check" ||
    fail "wait: checks and timeouts alternate, ending with a check"
check "wait: no other lines" test "$(wc -l <"$work/out")" -eq $((checks + timeouts + 6))
# The same distinct lines as event_wait.py prints (whose print() can tear two lines into
# one when threads race: a comparison line by line with it would be flaky).
sort -u "$work/out" >"$work/distinct"
cat >"$work/want" <<'TXT'
All threads have finished.
Event has been set, resuming thread
Thread checking for event, will timeout in 1 seconds
Thread started and waiting for event to be set
Timeout occurred, continuing to check for event
event1 setting complete
event2 setting complete
TXT
check "wait: the Python program's distinct lines" cmp -s "$work/distinct" "$work/want"

run event wait --scale 0.1 --wait-timeout 0.5 --first-delay 0.2 --second-delay 0.2
check "wait: --wait-timeout printed as given" grep -q 'will timeout in 0.5 seconds$' "$work/out"

# ---- subclass: named threads gated by one event; per-thread order exact.
run event subclass --scale 0.05
expect_status 0 "event subclass"
for t in 1 2; do
    grep "^Thread $t" "$work/out" >"$work/t$t"
    {
        echo "Thread $t is waiting for the event to be set."
        for i in 1 2 3 4 5; do echo "Thread $t - Number: $i"; done
    } >"$work/want"
    check "subclass: Thread $t's lines" cmp -s "$work/t$t" "$work/want"
done
check "subclass: both wait before main sets" sh -c "head -n2 '$work/out' | grep -c 'waiting for the event' | grep -qx 2"
check "subclass: main's line third" test "$(sed -n 3p "$work/out")" = "Main thread setting event"
check "subclass: the join line last" test "$(tail -n1 "$work/out")" = "All threads have finished."
run event subclass --scale 0.05 --threads 3 --count 2
check "subclass: --threads 3 --count 2" test "$(count_lines 'Number: ')" -eq 6 -a "$(count_lines '^Thread 3 ')" -eq 3

# ---- timer: exact.
cat >"$work/want" <<'TXT'
Waiting for the event; a timer will set it in 5.0 seconds
Timer fired, setting the event
Event has been set, main thread resumes
TXT
run event timer --scale 0.05
expect_status 0 "event timer"
expect_out "$work/want" "event timer"
if have_python; then
    python_example event_timer THRDEMO_SCALE=0.05
    expect_out "$work/ref" "event timer against event_timer.py"
fi
run event timer --scale 0.05 --delay 2
check "timer: --delay 2 prints 2.0" grep -q 'set it in 2.0 seconds$' "$work/out"

# ---- Ctrl-C: a run of 10 s stops at once with 130, lines whole, threads joined.
for v in wait subclass timer; do
    interrupt INT event $v
    expect_status 130 "event $v after SIGINT"
    check "event $v: stopped within 2 s of SIGINT (${elapsed_ms} ms)" test "$elapsed_ms" -lt 2000
    check "event $v: no join line after SIGINT" sh -c "! grep -q 'All threads have finished' '$work/out'"
    check "event $v: last line whole" last_line_whole
    check "event $v: says it was interrupted" grep -q '^thrdemo: interrupted by Ctrl-C$' "$work/err"
done

# ---- --stats counts what the scenario does, on stderr.
run --stats event --scale 0.05
expect_status 0 "event --stats"
timeouts=$(count_lines '^Timeout occurred')
check "stats: threads started" grep -q '^  threads started: 2$' "$work/err"
check "stats: timeouts counted ($timeouts)" grep -q "^  wait(timeout) timeouts: $timeouts\$" "$work/err"
check "stats: main's lines" grep -q '^  lines written by MainThread: 3$' "$work/err"

# ---- bad input
usage_error event bogus
usage_error event --wait-timeout abc
usage_error event --wait-timeout 0
usage_error event --wait-timeout -1
usage_error event --wait-timeout 1e400
usage_error event --wait-timeout nan
usage_error event --wait-timeout ' 1'
usage_error event --first-delay
usage_error event --delay 3
usage_error event timer --wait-timeout 1
usage_error event subclass --threads 0
usage_error event subclass --threads 2.5
usage_error event subclass --count -1
usage_error event --no-such-option
finish
