#!/bin/sh
# SPDX-License-Identifier: MIT
# timer once / cancel / repeat / interval: seeds 001 and 002.
. "$(dirname "$0")/lib.sh"

printf 'Timer started: Thread_Test runs in 5 seconds\nThread_Test is running\n' >"$work/want"
timed_run timer --scale 0.1
expect_status 0 "timer once"
expect_out "$work/want" "timer once"
check "once: fires after the delay (${elapsed_ms} ms)" test "$elapsed_ms" -ge 500
if have_python; then
    python_example timer_once THRDEMO_SCALE=0.1
    expect_out "$work/ref" "timer once against the Python program"
fi

# cancel: Thread_Test never runs, and the process ends soon after the cancel (at 0.2 s
# here), not when the timer was due (5 s): an ending long before the delay is what
# real timing must show (issue 11: a 300 ms bound failed under load).
printf 'Timer started: Thread_Test runs in 50 seconds\nTimer cancelled after 2 seconds: Thread_Test never runs\n' >"$work/want"
timed_run timer cancel --delay 50 --scale 0.1
expect_status 0 "timer cancel"
expect_out "$work/want" "timer cancel"
check "cancel: exits long before the timer was due (${elapsed_ms} ms, the timer 5000)" test "$elapsed_ms" -lt 3000
if have_python; then
    python_example timer_cancel THRDEMO_SCALE=0.1 --delay 50
    expect_out "$work/ref" "timer cancel against the Python program"
fi

# repeat: numbered runs, exactly --count of them.
seq 1 5 | sed 's/.*/Thread_Test is running (&)/' >"$work/want"
run timer repeat --every 0.02 --count 5
expect_status 0 "timer repeat --count 5"
expect_out "$work/want" "timer repeat --count 5"
if have_python; then
    python_example timer_repeat --every 0.02 --count 5
    expect_out "$work/ref" "timer repeat against the Python program"
fi
# 100 runs every 10 ms: never before 1 s (a timer cannot fire early), and not much
# after (a generous bound: each run is due at start + k x 10 ms, so lateness does not
# add up). The exact due times, drift-free, are checked on the virtual clock of
# --schedule by tests/golden; --stats reports the lateness.
timed_run --stats timer repeat --every 0.01 --count 100
check "repeat: 100 runs" test "$(wc -l <"$work/out")" -eq 100
check "repeat: 100 x 10 ms take 1 s and a little (${elapsed_ms} ms)" test "$elapsed_ms" -ge 990 -a "$elapsed_ms" -lt 3000
check "repeat --stats: lateness line" grep -qE '^  timer lateness: mean [0-9.]+ us, max [0-9.]+ us over 100 firings$' "$work/err"
check "repeat --stats: firings" grep -q '^  timer firings: 100$' "$work/err"

# repeat --count 0 runs until Ctrl-C: 130, the pending timer cancelled, lines whole.
interrupt INT timer repeat --every 0.02
expect_status 130 "timer repeat after SIGINT"
check "repeat: stops within 1 s of SIGINT (${elapsed_ms} ms)" test "$elapsed_ms" -lt 1000
check "repeat: last line whole" last_line_whole
n=$(wc -l <"$work/out")
seq 1 "$n" | sed 's/.*/Thread_Test is running (&)/' >"$work/want"
expect_out "$work/want" "repeat until Ctrl-C: runs numbered without gaps"
interrupt INT timer once
expect_status 130 "timer once after SIGINT"
check "once: Ctrl-C cancels the wait (${elapsed_ms} ms)" test "$elapsed_ms" -lt 1000
check "once: Thread_Test never ran" sh -c "! grep -q 'is running' '$work/out'"

# interval: "<second> hello" every 0.2 s until the Timer stops it at 1.1 s: five lines
# when nothing is late. The fifth is due 0.1 s before the stop, so on a loaded machine
# four or six can be right too: the exact count is tests/golden's (virtual time). Real
# timing must show at least two (the second is due 0.7 s before the stop) and no
# more than one a 0.2 s of the run.
timed_run timer interval --scale 0.1
expect_status 0 "timer interval"
lines=$(wc -l <"$work/out")
check "interval: 2 to $((elapsed_ms / 200)) lines ($lines in $elapsed_ms ms)" \
    test "$lines" -ge 2 -a "$lines" -le $((elapsed_ms / 200))
check "interval: '<second> hello'" sh -c "! grep -vqE '^([0-9]|[1-5][0-9]) hello\$' '$work/out'"
# The second printed is nominal (issue 12): at --scale 0.1 it still advances by 2 a line
# (however many lines the load allowed: the count is checked above).
seconds=$(cut -d' ' -f1 "$work/out" | tr '\n' ' ')
check "interval: nominal seconds, 2 apart ($seconds)" python3 -c "
s = [int(x) for x in '$seconds'.split()]
assert len(s) >= 2 and all((b - a) % 60 == 2 for a, b in zip(s, s[1:])), s"
if have_python; then
    # The seed's loop waits a full interval after each line, so it drifts: four lines
    # or five, fewer on a loaded machine; each as thrdemo prints it.
    python_example timer_interval THRDEMO_SCALE=0.1
    check "interval: timer_interval.py prints the same lines" sh -c "
        n=\$(grep -cE '^([0-9]|[1-5][0-9]) hello\$' '$work/ref'); test \$n -ge 2 -a \$n -eq \$(wc -l <'$work/ref')"
fi
timed_run timer interval --every 1 --stop-after 6.5 --scale 0.2
lines=$(wc -l <"$work/out")
check "interval --every 1 --stop-after 6.5: 3 to $((elapsed_ms / 200)) lines ($lines)" \
    test "$lines" -ge 3 -a "$lines" -le $((elapsed_ms / 200))
interrupt INT timer interval --every 0.05
expect_status 130 "timer interval after SIGINT"
check "interval: stops within 1 s of SIGINT (${elapsed_ms} ms)" test "$elapsed_ms" -lt 1000

usage_error timer bogus
usage_error timer --delay abc
usage_error timer --delay -1
usage_error timer --cancel-after 1
usage_error timer cancel --cancel-after x
usage_error timer repeat --every 0
usage_error timer repeat --count -1
usage_error timer repeat --count 1.5
usage_error timer repeat --delay 1
usage_error timer interval --stop-after
usage_error timer interval --count 3
usage_error timer --every 1
finish
