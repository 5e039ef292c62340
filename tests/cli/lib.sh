# SPDX-License-Identifier: MIT
# lib.sh - sourced by every shell test (jq's tests/setup, in spirit).
# run ARGS...       runs thrdemo, stdout in $work/out, stderr in $work/err, status in $status
# expect_status N   the last run's exit status is N
# expect_out FILE   the last run's stdout is exactly FILE's content
# usage_error ARGS  thrdemo ARGS is a usage error: status 2, nothing on stdout,
#                   one "thrdemo: " line on stderr
# Each check counts; the script ends with "N passed, N failed" and fails if any did.
set -eu
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
THRDEMO=${THRDEMO:-$here/../../build/thrdemo}
examples=$(cd "$here/../../examples/python" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
status=0

pass() { passed=$((passed + 1)); }
fail() {
    failed=$((failed + 1))
    echo "FAIL: $*"
    if [ -s "$work/err" ]; then
        echo "  stderr:"
        sed 's/^/    /' "$work/err" | head -20
    fi
}
check() { # DESCRIPTION COMMAND...: passes when the command succeeds
    desc=$1
    shift
    if "$@"; then pass; else fail "$desc"; fi
}

# A sanitizer report anywhere on stderr fails the test that produced it.
no_sanitizer_report() {
    if grep -qE "Sanitizer|runtime error:" "$work/err"; then
        fail "sanitizer report from: $THRDEMO $*"
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

expect_status() {
    if [ "$status" -eq "$1" ]; then pass; else fail "exit status $status, expected $1 ($2)"; fi
}

expect_out() { # FILE DESCRIPTION
    if diff -u "$1" "$work/out" >"$work/diff"; then
        pass
    else
        fail "$2: stdout differs from expected"
        head -30 "$work/diff"
    fi
}

usage_error() {
    run "$@"
    if [ "$status" -ne 2 ]; then
        fail "thrdemo $*: exit status $status, expected 2"
    elif [ -s "$work/out" ]; then
        fail "thrdemo $*: wrote on stdout"
    elif [ "$(wc -l <"$work/err")" -ne 1 ] || ! grep -q '^thrdemo: ' "$work/err"; then
        fail "thrdemo $*: stderr is not one 'thrdemo: ' line"
    else
        pass
    fi
}

# The variant's Python program in examples/python (what --python prints), run when
# python3 is here: python_example NAME [VAR=VALUE...] [ARG...], its stdout and
# stderr (where logging goes) in $work/ref.
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
    # shellcheck disable=SC2086 # each VAR=VALUE is one word
    env $envs python3 -u "$file" "$@" >"$work/ref" 2>&1
}

# A TCP port on 127.0.0.1 that nothing listens on right now (scripts/deps.sh's).
. "$here/../../scripts/deps.sh"

# Lines of the last stdout matching a regex, counted.
count_lines() { grep -cE "$1" "$work/out" || true; }

finish() {
    echo "$(basename "$0"): $passed passed, $failed failed"
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
    while [ ! -s "$work/out" ] && [ $i -lt 250 ]; do sleep 0.02; i=$((i + 1)); done
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
