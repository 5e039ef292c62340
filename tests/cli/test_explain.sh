#!/bin/sh
# SPDX-License-Identifier: MIT
# --explain (issue 23): a scheduled run told step by step on stderr, in the order the
# steps ran, each with its source line; stdout untouched; before the report of a
# stuck run; the two ends of a long run; a usage error without --schedule. Under a
# schedule the steps are fixed, so they are compared whole, with the source lines
# taken off (they move whenever the code does) and checked for their form apart.
. "$(dirname "$0")/lib.sh"

# The steps without their " (race.c:175, from lock_counter.c:69)" or " (add+0x1c)".
steps_of() { # FILE
    sed -E 's/ \(([^() ]+\.c:[0-9]+(, from [^() ]+\.c:[0-9]+)?|[A-Za-z_][A-Za-z0-9_.]*\+0x[0-9a-f]+)\)$//' "$1"
}
expect_steps() { # FILE WHAT: stderr, without source lines, is exactly FILE
    steps_of "$work/err" >"$work/steps"
    if diff -u "$1" "$work/steps" >"$work/diff"; then
        pass "$2: the steps as expected"
    else
        fail "$2: the steps differ from expected"
        diag "$work/diff"
    fi
}
# Source lines need addr2line and a binary built with debug information.
if command -v addr2line >/dev/null 2>&1 && command -v objdump >/dev/null 2>&1 &&
    objdump -h "$THRDEMO_BIN" 2>/dev/null | grep -q debug_line; then
    lines=yes
else
    lines=no
fi

# ---- a deadlock: the steps that led to it, then the report
run --schedule fifo deadlock lock-order
cp "$work/out" "$work/plain"
run --schedule fifo --explain deadlock lock-order
expect_status 3 "deadlock lock-order --explain still deadlocks"
check "--explain leaves stdout alone (deadlock lock-order)" cmp -s "$work/plain" "$work/out"
cat >"$work/want" <<'TXT'
thrdemo: the run step by step (9 steps):
  MainThread starts Thread-1 (a_then_b)
  MainThread starts Thread-2 (b_then_a)
  Thread-1 (a_then_b) acquires lock_a
  Thread-1 (a_then_b) prints a line
  Thread-2 (b_then_a) acquires lock_b
  MainThread joins Thread-1 (a_then_b)
  Thread-1 (a_then_b) acquires lock_b
  Thread-2 (b_then_a) prints a line
  Thread-2 (b_then_a) acquires lock_a
thrdemo: deadlock: every thread is blocked and no timeout is pending (after 9 scheduling points)
  MainThread waits to join Thread-1 (a_then_b)
  Thread-1 (a_then_b) waits for lock lock_b, held by Thread-2 (b_then_a)
  Thread-2 (b_then_a) waits for lock lock_a, held by Thread-1 (a_then_b)
TXT
expect_steps "$work/want" "deadlock lock-order under fifo"
if [ "$lines" = yes ]; then
    check "each lock step names its line in deadlock.c" \
        test "$(grep -cE ' acquires lock_[ab] \(deadlock\.c:[0-9]+\)$' "$work/err")" -eq 4
    check "a start: the runner's line, and the scenario's that asked for it" \
        grep -qE '^  MainThread starts Thread-1 \(a_then_b\) \(runner\.c:[0-9]+, from deadlock\.c:[0-9]+\)$' "$work/err"
else
    skip "source lines: no addr2line, or no debug information in $THRDEMO_BIN"
    skip "source lines: no addr2line, or no debug information in $THRDEMO_BIN"
fi

# ---- lost updates: who read what and wrote what, from explore --all's schedule for 2
run --schedule replay:3@6 --explain lock-counter --lock none --iterations 2
expect_status 0 "lock-counter --lock none --iterations 2 under replay:3@6"
check "the final value replay:3@6 shows" grep -q '^Final value of shared_resource: 2$' "$work/out"
cat >"$work/want" <<'TXT'
thrdemo: the run step by step (23 steps):
  MainThread starts Thread-1 (increment)
  MainThread starts Thread-2 (decrement)
  Thread-1 (increment) reads shared_resource = 0
  Thread-1 (increment) writes shared_resource = 1
  Thread-1 (increment) reads shared_resource = 1
  Thread-2 (decrement) reads shared_resource = 1
  Thread-2 (decrement) writes shared_resource = 0
  Thread-2 (decrement) reads shared_resource = 0
  Thread-2 (decrement) writes shared_resource = -1
  Thread-2 (decrement) ends
  Thread-1 (increment) writes shared_resource = 2
  Thread-1 (increment) ends
  MainThread joins Thread-1 (increment)
  MainThread joins Thread-2 (decrement)
  MainThread prints a line
  MainThread prints a line
  MainThread prints a line
  MainThread prints a line
  MainThread prints a line
  MainThread prints a line
  MainThread prints a line
  MainThread prints a line
  MainThread prints a line
thrdemo: schedule replay:3@6 (21 scheduling points); replay: thrdemo --schedule replay:3@6 --explain lock-counter --lock none --iterations 2
TXT
expect_steps "$work/want" "lock-counter --lock none --iterations 2"
if [ "$lines" = yes ]; then
    check "a racy read: race.c's line, from lock_counter.c's" \
        grep -qE '^  Thread-1 \(increment\) reads shared_resource = 0 \(race\.c:[0-9]+, from lock_counter\.c:[0-9]+\)$' "$work/err"
else
    skip "source lines: no addr2line, or no debug information in $THRDEMO_BIN"
fi
check "lock-counter's own --explain: how the first update was lost, on stdout" \
    grep -q '^How the first update was lost:$' "$work/out"

# ---- stdout stays the scenario's; the replay line stays last on stderr
run --schedule random:3 threads basic
cp "$work/out" "$work/plain"
run --schedule random:3 --explain threads basic
expect_status 0 "threads basic --explain under random:3"
check "--explain leaves stdout alone (threads basic)" cmp -s "$work/plain" "$work/out"
check "the first line on stderr heads the steps" \
    sh -c "head -n1 '$work/err' | grep -qE '^thrdemo: the run step by step \([0-9]+ steps\):\$'"
check "the replay line stays the last on stderr" \
    sh -c "tail -n1 '$work/err' | grep -q '^thrdemo: schedule random:3 '"
check "as many printed lines as stdout has" \
    test "$(grep -c ' prints a line' "$work/err")" -eq "$(wc -l <"$work/out")"

# ---- a long run: the first and the last 100 steps, the rest counted
run --schedule fifo --explain lock-counter --iterations 200
expect_status 0 "lock-counter --iterations 200 --explain under fifo"
check "200 steps shown and one line for those in between" \
    test "$(grep -c '^  ' "$work/err")" -eq 201
total=$(sed -n '1s/^thrdemo: the run step by step (\([0-9]*\) steps):$/\1/p' "$work/err")
check "the steps left out are counted: ${total:-?} - 200" \
    grep -qx "  \\.\\.\\. $((${total:-200} - 200)) steps \\.\\.\\." "$work/err"

# ---- without a schedule there are no steps to tell
usage_error --explain threads basic
check "--explain needs --schedule" \
    grep -qx "thrdemo: --explain tells a scheduled run step by step: it needs --schedule (see 'thrdemo threads --help')" "$work/err"
usage_error explore threads basic --runs 2 --explain
run lock-counter --lock none --iterations 1000 --explain
expect_status 0 "lock-counter's own --explain still runs without a schedule"
check "...and tells no steps" sh -c "! grep -q 'step by step' '$work/err'"

finish
