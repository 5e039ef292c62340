#!/bin/sh
# SPDX-License-Identifier: MIT
# thrdemo step (issue 24, "you are the scheduler"), driven from a pipe, one answer a
# line: the lost update of lock-counter --lock none made by hand, the deadlock of
# deadlock lock-order made by hand, undo (nothing printed twice), s (its command
# replays the run), bad answers (one line, a new prompt), the end of the input (as
# r), q, and the usage errors. The runs are under a schedule, so step's talk on
# stderr is compared whole, with the source lines taken off (they move whenever the
# code does) and checked for their form apart, and the binary's path as "thrdemo".
. "$(dirname "$0")/lib.sh"

# step's stderr without " (lock_counter.c:69)" or " (add+0x1c)", thrdemo's path
# as "thrdemo".
talk_of() { # FILE
    sed -E -e 's/ \(([^() ]+\.c:[0-9]+|[A-Za-z_][A-Za-z0-9_.]*\+0x[0-9a-f]+)\)//g' \
        -e "s|$THRDEMO |thrdemo |g" "$1"
}
expect_talk() { # FILE WHAT: stderr, without source lines, is exactly FILE
    talk_of "$work/err" >"$work/talk"
    if diff -u "$1" "$work/talk" >"$work/diff"; then
        pass "$2: step's talk as expected"
    else
        fail "$2: step's talk differs from expected"
        diag "$work/diff"
    fi
}
# step ARGS... with ANSWERS (printf's format) on its stdin.
step_with() { # ANSWERS ARGS...
    answers=$1
    shift
    set +e
    # shellcheck disable=SC2059 # the answers are a format: '2\n3\n'
    printf -- "$answers" | "$THRDEMO" step "$@" >"$work/out" 2>"$work/err"
    status=$?
    set -e
    no_sanitizer_report step "$@" || true
}
# The command of the last "step: replay...: " line of stderr, as words for the shell.
replay_command() { # LABEL
    grep "^step: $1: " "$work/err" | tail -n1 | sed "s/^step: $1: //"
}
# Run the replay command of the last session (its binary is $THRDEMO); stdout in
# $work/replayed.
run_replay() { # LABEL
    cmd=$(replay_command "$1")
    set +e
    sh -c "$cmd" >"$work/replayed" 2>/dev/null
    replay_status=$?
    set -e
}
if command -v addr2line >/dev/null 2>&1 && command -v objdump >/dev/null 2>&1 &&
    objdump -h "$THRDEMO" 2>/dev/null | grep -q debug_line; then
    lines=yes
else
    lines=no
fi

# ---- the lost update, by hand: both threads read 0 before either writes
step_with '\n\n2\n3\n2\n3\n2\n3\n' lock-counter --lock none --iterations 1
expect_status 0 "step lock-counter --lock none: the run ends"
cat >"$work/want" <<'TXT'
Final value of shared_resource: -1
Lost updates: without a lock, += and -= are a read, an add and a write that the other thread can interleave, so the result is not 0
TXT
expect_out "$work/want" "step lock-counter: the update of Thread-1 is lost"
cat >"$work/want" <<'TXT'
step: choice 1: who goes on?
   1  MainThread           * goes on after starting Thread-1 (increment)
   2  Thread-1 (increment)   begins its run
step> 
step: choice 2: who goes on?
   1  MainThread           * goes on after starting Thread-2 (decrement)
   2  Thread-1 (increment)   begins its run
   3  Thread-2 (decrement)   begins its run
step> 
step: choice 3: who goes on?
   1  MainThread             cannot go: waits to join Thread-1 (increment), which has not ended
   2  Thread-1 (increment) * begins its run
   3  Thread-2 (decrement)   begins its run
step> 2
step: choice 4: who goes on?
   1  MainThread             cannot go: waits to join Thread-1 (increment), which has not ended
   2  Thread-1 (increment) * reads shared_resource
   3  Thread-2 (decrement)   begins its run
step> 3
step: choice 5: who goes on?
   1  MainThread             cannot go: waits to join Thread-1 (increment), which has not ended
   2  Thread-1 (increment)   reads shared_resource
   3  Thread-2 (decrement) * reads shared_resource
step> 2
step: choice 6: who goes on?
   1  MainThread             cannot go: waits to join Thread-1 (increment), which has not ended
   2  Thread-1 (increment) * writes shared_resource
   3  Thread-2 (decrement)   reads shared_resource
step> 3
step: choice 7: who goes on?
   1  MainThread             cannot go: waits to join Thread-1 (increment), which has not ended
   2  Thread-1 (increment)   writes shared_resource
   3  Thread-2 (decrement) * writes shared_resource
step> 2
step: choice 8: who goes on?
   1  MainThread           * joins Thread-1 (increment)
   3  Thread-2 (decrement)   writes shared_resource
step> 3
step: the run ended (exit status 0)
step: replay: thrdemo lock-counter --lock none --iterations 1 --schedule replay:3@3,2@4,3@5,2@6,3@7
TXT
expect_talk "$work/want" "step lock-counter --lock none --iterations 1"
if [ "$lines" = yes ]; then
    check "each counter step names the scenario's line (lock_counter.c), not race.c's" \
        test "$(grep -cE ' (reads|writes) shared_resource \(lock_counter\.c:[0-9]+\)$' "$work/err")" -eq 8
else
    skip "source lines: no addr2line, or no debug information in $THRDEMO"
fi
cp "$work/out" "$work/session"
run_replay replay
check "the replay command step printed loses the same update" \
    cmp -s "$work/session" "$work/replayed"

# ---- the deadlock, by hand: each thread takes its first lock before either its second
step_with '2\n2\n2\n1\n3\n3\n3\n' deadlock lock-order
expect_status 3 "step deadlock lock-order: the run deadlocks"
cat >"$work/want" <<'TXT'
Thread-1 (a_then_b) has lock_a
Thread-2 (b_then_a) has lock_b
TXT
expect_out "$work/want" "step deadlock lock-order"
talk_of "$work/err" | sed -n '/^step: choice 7:/,$p' >"$work/talk"
cat >"$work/want" <<'TXT'
step: choice 7: who goes on?
   1  MainThread            goes on after starting Thread-2 (b_then_a)
   2  Thread-1 (a_then_b)   cannot go: acquires lock_b, held by Thread-2 (b_then_a)
   3  Thread-2 (b_then_a) * prints a line
step> 3
thrdemo: deadlock: every thread is blocked and no timeout is pending (after 9 scheduling points)
  MainThread waits to join Thread-1 (a_then_b)
  Thread-1 (a_then_b) waits for lock lock_b, held by Thread-2 (b_then_a)
  Thread-2 (b_then_a) waits for lock lock_a, held by Thread-1 (a_then_b)
step: the run ended in a deadlock (exit status 3): each thread waits as said above
step: replay: thrdemo deadlock lock-order --schedule replay:2@0,1@3,3@4
TXT
if diff -u "$work/want" "$work/talk" >"$work/diff"; then
    pass "step deadlock lock-order: the lock's holder, then the deadlock as --schedule reports it"
else
    fail "step deadlock lock-order: step's talk differs from expected"
    diag "$work/diff"
fi
run_replay replay
check "the replay command deadlocks the same way (exit 3)" test "$replay_status" -eq 3
check "... after the same lines" cmp -s "$work/out" "$work/replayed"

# ---- undo: the run is replayed, and nothing the user saw is printed twice
step_with '2\n2\n2\n2\nu\n2\nr\n' deadlock lock-order
expect_status 0 "undo, then the same choice again: the run ends"
check "undo: 'has lock_a', printed before the choice undone, is not printed again" \
    test "$(grep -c '^Thread-1 (a_then_b) has lock_a$' "$work/out")" -eq 1
check "undo says where it went back to" \
    grep -qx 'step: undone: back to choice 4 (what was printed after it is taken back)' "$work/err"
check "undo shows the choice again" test "$(grep -c '^step: choice 4:' "$work/err")" -eq 2
cp "$work/out" "$work/session"
run_replay replay
check "undo: the session's stdout is the replay command's" cmp -s "$work/session" "$work/replayed"
# Undone past the step that printed it, a line is taken back; taking the step
# again prints it again, and the session said so.
step_with '2\n2\n2\n2\nu\nu\n1\nr\n' deadlock lock-order
check "undo past a line, then another choice: the run goes the other way" \
    grep -q -- '--schedule replay:2@0,1@2$' "$work/err"
check "... and the user was told the line is taken back" \
    grep -qx 'step: undone: back to choice 3 (what was printed after it is taken back)' "$work/err"
step_with 'u\n2\nu\nu\n1\n2\n' deadlock lock-order
check "undo with nothing to undo: one line, and a new prompt" \
    test "$(grep -c '^step: nothing to undo$' "$work/err")" -eq 2

# ---- s: the command that replays the choices so far; then r, the plain order
step_with '2\n2\n1\ns\nr\n' deadlock lock-order
expect_status 0 "s, then r: the run ends"
check "s prints the command that replays the choices so far" \
    grep -qx 'step: replay so far: .* deadlock lock-order --schedule replay:2@0,1@2' "$work/err"
cp "$work/out" "$work/session"
run_replay "replay so far"
check "s's command prints what the session printed (r: the plain order on)" \
    cmp -s "$work/session" "$work/replayed"
check "the last line is the replay of the whole run" \
    sh -c "tail -n1 '$work/err' | grep -q '^step: replay: .* --schedule replay:2@0,1@2$'"

# ---- bad answers: one line each, a new prompt, never a crash
step_with '2\n2\n2\n1\n3\n3\n2\nThread-9\n\001\n7\nthread-2\n' deadlock lock-order
expect_status 3 "bad answers: the session goes on to its end"
talk_of "$work/err" | grep '^step: ' | grep -v '^step: choice' >"$work/talk"
cat >"$work/want" <<'TXT'
step: Thread-1 (a_then_b) cannot go now (acquires lock_b, held by Thread-2 (b_then_a)); choose 1, 3
step: 'Thread-9' is no thread here and no command; choose 1, 3, or ? for help
step: '\x01' is no thread here and no command; choose 1, 3, or ? for help
step: '7' is no thread here and no command; choose 1, 3, or ? for help
step: the run ended in a deadlock (exit status 3): each thread waits as said above
step: replay: thrdemo deadlock lock-order --schedule replay:2@0,1@3,3@4
TXT
if diff -u "$work/want" "$work/talk" >"$work/diff"; then
    pass "bad answers: a blocked thread, unknown names and numbers, each one line; a name in any case"
else
    fail "bad answers: step's lines differ from expected"
    diag "$work/diff"
fi
check "bad answers: a prompt again after each" test "$(grep -c '^step> ' "$work/err")" -eq 11
step_with '?\n' deadlock lock-order
check "? prints the help, which names every command" \
    sh -c "grep -q '^  u  ' '$work/err' && grep -q '^  r  ' '$work/err' && grep -q '^  s  ' '$work/err' && grep -q '^  q  ' '$work/err'"

# ---- the end of the input is r; q quits
step_with '' lock-counter --lock none --iterations 2
expect_status 0 "no answers at all: the plain order runs to the end"
check "the end of the input says it is taken as r" \
    grep -qx 'step: end of the input: the plain order runs to the end (as r)' "$work/err"
cp "$work/out" "$work/session"
run --schedule replay: lock-counter --lock none --iterations 2
check "the end of the input: the stdout of the plain order, byte for byte" \
    cmp -s "$work/session" "$work/out"
step_with '2\nq\n' deadlock lock-order
expect_status 0 "q"
check "q prints the choices so far as a command" \
    sh -c "tail -n1 '$work/err' | grep -q '^step: quit; replay so far: .* deadlock lock-order --schedule replay:2@0$'"
check "q: the run printed nothing more" test ! -s "$work/out"

# ---- starting from --schedule replay:CHOICES
step_with '' --schedule replay:3@3,2@4,3@5,2@6,3@7 lock-counter --lock none --iterations 1
check "--schedule replay: starts from those choices" \
    grep -qx 'Final value of shared_resource: -1' "$work/out"
check "... and keeps them in the replay" \
    sh -c "tail -n1 '$work/err' | grep -q -- '--schedule replay:3@3,2@4,3@5,2@6,3@7$'"

# ---- usage errors
usage_error step
usage_error step nosuch
run step lokc-counter
check "step lokc-counter: did you mean lock-counter?" \
    grep -q "^thrdemo: 'lokc-counter' is not a scenario; did you mean 'lock-counter'?" "$work/err"
usage_error step list
usage_error step explore lock-counter
usage_error step tcp-echo
usage_error step lock-counter --schedule fifo
usage_error step lock-counter --schedule random:3
usage_error step lock-counter --bogus
usage_error step lock-counter --timeline
usage_error step lock-counter --explain
usage_error step lock-counter --python
run help step
expect_status 0 "help step"
check "help step shows step's usage" grep -q '^usage: thrdemo .*step SCENARIO' "$work/out"

finish
