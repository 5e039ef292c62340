# SPDX-License-Identifier: MIT
# lib.sh - sourced by every shell test (jq's tests/setup, in spirit). Output is TAP
# (the Test Anything Protocol): "ok N - what", "not ok N - what" followed by "# "
# lines saying why, "ok N # SKIP why", and the plan "1..N" at the end.
# run ARGS...       runs thrdemo, stdout in $work/out, stderr in $work/err, status in $status
# expect_status N   the last run's exit status is N
# expect_out FILE   the last run's stdout is exactly FILE's content
# usage_error ARGS  thrdemo ARGS is a usage error: status 2, nothing on stdout,
#                   one "thrdemo: " line on stderr
# check WHAT CMD... one test: passes when CMD succeeds
# skip WHY          one test, skipped
# at_exit           a script's own clean-up (define it; the work dir goes anyway)
# finish            the plan; the script fails if any test did
# scripts/test.sh counts the TAP of every script (through ctest's JUnit report).
set -eu
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
THRDEMO=${THRDEMO:-$here/../../build/thrdemo}
examples=$(cd "$here/../../examples/python" && pwd)
work=$(mktemp -d)
# The commands thrdemo prints for the user to run (replay lines, explore's table, the
# help's examples) start with its argv[0] as given (issue 24). The tests run it as an
# installed one is run, by its bare name from PATH, so those commands say "thrdemo"
# whatever the build directory; THRDEMO_BIN is the file itself (for objdump), and
# test_cli.sh checks the other ways of running it.
THRDEMO_BIN=$(cd "$(dirname "$THRDEMO")" && pwd)/$(basename "$THRDEMO")
mkdir "$work/bin"
ln -s "$THRDEMO_BIN" "$work/bin/thrdemo"
PATH=$work/bin:$PATH
THRDEMO=thrdemo
export PATH THRDEMO THRDEMO_BIN
tests_run=0
failed=0
skipped=0
finished=0
status=0
tap() { # LINE: one line of TAP
    printf '%s\n' "$1"
}
at_exit() { :; }
# A script that stops before finish (set -e, a missing tool) still ends in valid
# TAP that says so.
on_exit() {
    rc=$?
    at_exit || true
    rm -rf "$work"
    if [ "$finished" -eq 0 ]; then
        tests_run=$((tests_run + 1))
        tap "not ok $tests_run - the script ran to its end (it stopped with status $rc)"
        tap "1..$tests_run"
        exit 1
    fi
}
trap on_exit EXIT

pass() { # [WHAT]
    tests_run=$((tests_run + 1))
    tap "ok $tests_run - ${1:-check}"
}
fail() { # WHAT: a failed test, with the last run's stderr as diagnostics
    tests_run=$((tests_run + 1))
    failed=$((failed + 1))
    tap "not ok $tests_run - $*"
    if [ -s "$work/err" ]; then
        tap "#   stderr:"
        sed 's/^/#     /' "$work/err" | head -20 | while IFS= read -r line; do tap "$line"; done
    fi
}
diag() { # FILE: its first lines as TAP diagnostics
    head -30 "$1" | sed 's/^/#   /' | while IFS= read -r line; do tap "$line"; done
}
skip() { # WHY
    tests_run=$((tests_run + 1))
    skipped=$((skipped + 1))
    tap "ok $tests_run # SKIP $*"
}
check() { # WHAT COMMAND...: passes when the command succeeds
    desc=$1
    shift
    if "$@"; then pass "$desc"; else fail "$desc"; fi
}
# Lines "PASS: what" and "FAIL: what" from a checker (the Python batteries) as tests;
# other lines as diagnostics. A checker that ended badly without a FAIL line fails.
tap_from_report() { # FILE STATUS
    while IFS= read -r line; do
        case $line in
            "PASS: "*) pass "${line#PASS: }" ;;
            "FAIL: "*) fail "${line#FAIL: }" ;;
            *) tap "# $line" ;;
        esac
    done <"$1"
    if [ "$2" -ne 0 ] && ! grep -q '^FAIL: ' "$1"; then
        fail "the checker ended with status $2"
    fi
}

# A sanitizer report anywhere on stderr fails the test that produced it.
no_sanitizer_report() {
    if grep -qE "Sanitizer|runtime error:" "$work/err"; then
        fail "sanitizer report from: thrdemo $*"
        return 1
    fi
    return 0
}

run() {
    set +e
    "$THRDEMO" "$@" >"$work/out" 2>"$work/err"
    status=$?
    set -e
    no_sanitizer_report "$@" || true
}

expect_status() { # N WHAT
    if [ "$status" -eq "$1" ]; then
        pass "$2: exit status $1"
    else
        fail "$2: exit status $status, expected $1"
    fi
}

expect_out() { # FILE WHAT
    if diff -u "$1" "$work/out" >"$work/diff"; then
        pass "$2: stdout as expected"
    else
        fail "$2: stdout differs from expected"
        diag "$work/diff"
    fi
}

usage_error() {
    run "$@"
    what="usage error: thrdemo $(printf '%s' "$*" | tr '\n\t' '  ' | cut -c1-80)"
    if [ "$status" -ne 2 ]; then
        fail "$what: exit status $status, expected 2"
    elif [ -s "$work/out" ]; then
        fail "$what: wrote on stdout"
    elif [ "$(wc -l <"$work/err")" -ne 1 ] || ! grep -q '^thrdemo: ' "$work/err"; then
        fail "$what: stderr is not one 'thrdemo: ' line"
    else
        pass "$what"
    fi
}

# The variant's Python program in examples/python (what --python prints), run when
# python3 is here: python_example NAME [VAR=VALUE...] [ARG...], its stdout and
# stderr (where logging goes) in $work/ref, its run time in $python_ms. Its print()
# writes whole lines (whole_lines.py), as thrdemo does: CPython's tears lines under
# load.
have_python() { command -v python3 >/dev/null 2>&1; }
python_example() {
    file=$examples/$1.py
    shift
    envs=""
    while [ $# -gt 0 ]; do
        case $1 in
            [A-Z]*=*) envs="$envs $1"; shift ;;
            *) break ;;
        esac
    done
    t0=$(date +%s%N)
    # shellcheck disable=SC2086 # each VAR=VALUE is one word
    env $envs python3 -u "$here/whole_lines.py" "$file" "$@" >"$work/ref" 2>&1
    python_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
}

# A TCP port on 127.0.0.1 that nothing listens on right now (scripts/deps.sh's).
. "$here/../../scripts/deps.sh"

# Lines of the last stdout matching a regex, counted.
count_lines() { grep -cE "$1" "$work/out" || true; }
# The number of the first (last) line of the last stdout matching a regex; 0: none.
first_line() { grep -nE "$1" "$work/out" | head -n1 | cut -d: -f1 | grep . || echo 0; }
last_line() { grep -nE "$1" "$work/out" | tail -n1 | cut -d: -f1 | grep . || echo 0; }
# Causal order: every line matching $1 comes before every line matching $2, and
# both exist. Used where one line is printed after the event the other follows.
lines_before() { # REGEX1 REGEX2
    a=$(last_line "$1")
    b=$(first_line "$2")
    [ "$a" -gt 0 ] && [ "$b" -gt 0 ] && [ "$a" -lt "$b" ]
}
# The last stdout and $work/ref hold the same lines, in any order.
same_lines() {
    sort "$work/out" >"$work/out.sorted"
    sort "$work/ref" >"$work/ref.sorted"
    cmp -s "$work/out.sorted" "$work/ref.sorted"
}

finish() {
    finished=1
    tap "1..$tests_run"
    tap "# $(basename "$0"): $((tests_run - failed - skipped)) passed, $failed failed, $skipped skipped"
    [ "$failed" -eq 0 ]
}

# interrupt SIGNAL ARGS...: start thrdemo, wait for its first line of output, send
# SIGNAL; sets $status and $elapsed_ms (from the signal to the exit).
interrupt() {
    sig=$1
    shift
    rm -f "$work/out" # or the loop below could see the previous run's output
    env --default-signal=INT,TERM "$THRDEMO" "$@" >"$work/out" 2>"$work/err" &
    pid=$!
    i=0
    while [ ! -s "$work/out" ] && [ $i -lt 1500 ]; do sleep 0.02; i=$((i + 1)); done
    t0=$(date +%s%N)
    kill -"$sig" $pid
    set +e
    wait $pid
    status=$?
    set -e
    elapsed_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    no_sanitizer_report "$@" || true
}

# Milliseconds a command takes: ms ARGS... (runs thrdemo like run does)
timed_run() {
    t0=$(date +%s%N)
    run "$@"
    elapsed_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
}

# Every stdout line ends with a newline (nothing torn at the end).
last_line_whole() { [ ! -s "$work/out" ] || [ "$(tail -c1 "$work/out" | od -An -tx1 | tr -d ' ')" = "0a" ]; }

# interrupt_when READY SIGNAL ARGS...: as interrupt, for a run that prints nothing
# before its end: SIGNAL goes once the shell command READY succeeds (it may read $pid,
# thrdemo's process id; tasks_at_least and has_child below), polled, never after a
# fixed sleep. A thrdemo still running 120 s after the signal gets it again (a second
# Ctrl-C ends it at once) and $insisted is 1: the run did not stop.
alive() { grep -q '^State:[[:space:]]*[^Z]' "/proc/$1/status" 2>/dev/null; }
tasks_at_least() { [ "$(ls "/proc/$pid/task" 2>/dev/null | wc -l)" -ge "$1" ]; }
has_child() { [ -n "$(cat "/proc/$pid/task/$pid/children" 2>/dev/null)" ]; }
interrupt_when() {
    ready=$1
    sig=$2
    shift 2
    env --default-signal=INT,TERM "$THRDEMO" "$@" >"$work/out" 2>"$work/err" &
    pid=$!
    i=0
    while alive $pid && ! eval "$ready" && [ $i -lt 1500 ]; do sleep 0.02; i=$((i + 1)); done
    kill -"$sig" $pid 2>/dev/null || true
    i=0
    while alive $pid && [ $i -lt 6000 ]; do sleep 0.02; i=$((i + 1)); done
    insisted=0
    if alive $pid; then
        insisted=1
        kill -"$sig" $pid
    fi
    set +e
    wait $pid
    status=$?
    set -e
    no_sanitizer_report "$@" || true
}
