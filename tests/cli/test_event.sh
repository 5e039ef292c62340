#!/bin/sh
# SPDX-License-Identifier: MIT
# event wait / subclass / timer: the seed traces, Ctrl-C, bad input.
. "$(dirname "$0")/lib.sh"

# ---- wait: thread2 polls every 0.1 s for 1 s; counts within bounds, causal order exact.
# A wait(0.1) that times out takes 0.1 s at least, so the polls are at most one a
# 0.1 s of the run (and one more); at least three fit in the 1 s before event2.
timed_run event --scale 0.1
expect_status 0 "event"
checks=$(count_lines '^Thread checking for event, will timeout in 1 seconds$')
timeouts=$(count_lines '^Timeout occurred, continuing to check for event$')
check "wait: 3..$((elapsed_ms / 100 + 1)) polls ($checks in $elapsed_ms ms)" \
    test "$checks" -ge 3 -a "$checks" -le $((elapsed_ms / 100 + 1))
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

# ---- subclass: named threads gated by one event; per-thread order exact. Main sets
# the event 1 s after starting the threads, which say at once that they wait.
run event subclass --scale 0.2
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
run event subclass --scale 0.02 --threads 3 --count 2
check "subclass: --threads 3 --count 2" test "$(count_lines 'Number: ')" -eq 6 -a "$(count_lines '^Thread 3 ')" -eq 3

# ---- timer: exact.
cat >"$work/want" <<'TXT'
Waiting for the event; a timer will set it in 5.0 seconds
Timer fired, setting the event
Event has been set, main thread resumes
TXT
# (main says it waits as it starts the timer, 1 s before the timer fires)
run event timer --scale 0.2
expect_status 0 "event timer"
expect_out "$work/want" "event timer"
if have_python; then
    python_example event_timer THRDEMO_SCALE=0.2
    expect_out "$work/ref" "event timer against event_timer.py"
fi
run event timer --scale 0.05 --delay 2
check "timer: --delay 2 prints 2.0" grep -q 'set it in 2.0 seconds$' "$work/out"

# ---- reuse (issue 12): clear() and a second round; wait() on a set event at once.
# main's lines in their order, each waiter's two lines, and what is causal: a waiter
# is released only after main's set() of its round; round 1 ends (joins) before main
# goes on; round 2's waiters start after main's wait(timeout). Whether a waiter says
# "waiting" before or after main's set() is the scheduler's (tests/golden's) affair:
# either way its wait() returns True, at once if the flag is already up.
reuse_checks() { # WAITERS TIMEOUT-AS-PRINTED
    w=$1
    printf '%s\n' "Main: set() (round 1)" "Main: is_set() = True, so wait() returns True at once" \
        "Main: clear(); is_set() = False" "Main: wait($2) returned False: no set() since clear()" \
        "Main: set() (round 2)" >"$work/want"
    grep '^Main' "$work/out" >"$work/main"
    check "reuse: main's lines, in order" cmp -s "$work/main" "$work/want"
    check "reuse: the join line last" test "$(tail -n1 "$work/out")" = "All threads have finished."
    check "reuse: $((4 * w + 6)) lines" test "$(wc -l <"$work/out")" -eq $((4 * w + 6))
    for r in 1 2; do
        for i in $(seq $(((r - 1) * w + 1)) $((r * w))); do
            t="Thread-$i \\(waiter\\)"
            check "reuse: Thread-$i waits, then returns True (round $r)" \
                lines_before "^$t: waiting for the event \\(round $r\\)\$" "^$t: wait\\(\\) returned True \\(round $r\\)\$"
        done
        check "reuse: round $r: $w waiters released, each after main's set()" \
            test "$(count_lines "returned True \\(round $r\\)\$")" -eq "$w" -a \
            "$(first_line "returned True \\(round $r\\)")" -gt "$(first_line "^Main: set\\(\\) \\(round $r\\)")"
    done
    check "reuse: round 1 is over before main's is_set()" \
        lines_before '\(round 1\)$' '^Main: is_set\(\)'
    check "reuse: round 2 starts after main's wait(timeout)" \
        lines_before '^Main: wait\(' '\(round 2\)$'
}
run event reuse --scale 0.1
expect_status 0 "event reuse"
reuse_checks 2 1
if have_python; then
    python_example event_reuse THRDEMO_SCALE=0.1
    check "reuse: the lines of event_reuse.py, in some order" same_lines
fi
run event reuse --scale 0.1 --waiters 4 --wait-timeout 0.3 --delay 0.5
expect_status 0 "event reuse --waiters 4"
reuse_checks 4 0.3
if have_python; then
    python_example event_reuse THRDEMO_SCALE=0.1 --waiters 4 --wait-timeout 0.3 --delay 0.5
    check "reuse --waiters 4: the lines of event_reuse.py, in some order" same_lines
fi
# --delay 0: main may set() before a waiter waits; its wait() returns True at once.
run event reuse --scale 0.1 --delay 0 --waiters 8
expect_status 0 "event reuse --delay 0"
reuse_checks 8 1

# ---- Ctrl-C: a run of 10 s stops at once with 130, lines whole, threads joined.
for v in wait subclass timer reuse; do
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
usage_error event reuse --waiters 0
usage_error event reuse --waiters 65
usage_error event reuse --delay -1
usage_error event reuse --wait-timeout x
usage_error event reuse --threads 2
usage_error event wait --waiters 2
finish
