#!/bin/sh
# SPDX-License-Identifier: MIT
# scripts/golden.sh [--update | --determinism N] - the golden traces of tests/golden/.
#
# Every case of tests/golden/cases runs under --schedule fifo, random:1 and random:2;
# its stdout must equal NAME.POLICY.out byte for byte (POLICY with '-' for ':'), and
# its exit status must be 0. A difference is shown as a diff and fails the script.
#   --update          write the files anew from this build (then read the diff in git),
#                     and with them the trace files and --timeline charts of
#                     tests/golden/traces and timelines (issue 14), which
#                     tests/cli/test_trace.sh checks
#   --determinism N   instead: run every case N times under random:7; each must print
#                     one stdout every time (the plain build's ctest runs it with 20)
# The binary is $THRDEMO, else build/thrdemo. Output is TAP.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
golden=$root/tests/golden
THRDEMO=${THRDEMO:-$root/build/thrdemo}
mode=check
runs=0
case ${1:-} in
    --update) mode=update ;;
    --determinism) mode=determinism; runs=${2:?--determinism needs a number of runs} ;;
    "") ;;
    *) echo "usage: scripts/golden.sh [--update | --determinism N]" >&2; exit 2 ;;
esac
[ -x "$THRDEMO" ] || { echo "no thrdemo binary at $THRDEMO (set THRDEMO)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export LC_ALL=C
unset THRDEMO_SEED THRDEMO_SCALE

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }

# run NAME POLICY ARGS...: stdout in $work/out, the exit status in $status
run() {
    name=$1 policy=$2
    shift 2
    set +e
    "$THRDEMO" --schedule "$policy" "$@" >"$work/out" 2>"$work/err" </dev/null
    status=$?
    set -e
}

check_case() { # NAME ARGS...
    name=$1
    shift
    for policy in fifo random:1 random:2; do
        file=$golden/$name.$(echo "$policy" | tr : -).out
        run "$name" "$policy" "$@"
        if [ "$status" -ne 0 ]; then
            not_ok "$name under $policy: exit status $status"
            sed 's/^/# /' "$work/err" | head -10
        elif [ "$mode" = update ]; then
            cp "$work/out" "$file"
            ok "$name under $policy: written"
        elif [ ! -f "$file" ]; then
            not_ok "$name under $policy: no $file (scripts/golden.sh --update writes it)"
        elif cmp -s "$file" "$work/out"; then
            ok "$name under $policy"
        else
            not_ok "$name under $policy: stdout differs from $(basename "$file")"
            diff -u "$file" "$work/out" | head -20 | sed 's/^/# /'
        fi
    done
}

determinism_case() { # NAME ARGS...
    name=$1
    shift
    : >"$work/hashes"
    i=0
    while [ $i -lt "$runs" ]; do
        run "$name" random:7 "$@"
        echo "$status $(cksum <"$work/out")" >>"$work/hashes"
        i=$((i + 1))
    done
    distinct=$(sort -u "$work/hashes" | wc -l)
    if [ "$distinct" -eq 1 ]; then
        ok "$name: $runs runs under random:7, one stdout"
    else
        not_ok "$name: $runs runs under random:7 gave $distinct different stdouts"
    fi
}

# The trace files and charts (update mode only: tests/cli/test_trace.sh checks them,
# with what they show). Fields are separated by '|'.
trim() { echo "$1" | sed 's/^ *//; s/ *$//'; }
update_traces() {
    while IFS='|' read -r name args threads; do
        name=$(trim "$name")
        # shellcheck disable=SC2086 # the arguments are words
        if "$THRDEMO" --schedule fifo $args --trace "$golden/$name.trace.json" \
            >/dev/null 2>"$work/err" </dev/null; then
            ok "$name: trace written"
        else
            not_ok "$name: trace: exit status $?"
        fi
    done <"$work/traces"
    while IFS='|' read -r name locale args; do
        name=$(trim "$name")
        # shellcheck disable=SC2086 # the arguments are words
        if LC_ALL=$(trim "$locale") "$THRDEMO" --schedule fifo $args --timeline --width 80 \
            >/dev/null 2>"$golden/$name.timeline.txt" </dev/null; then
            ok "$name: chart written"
        else
            not_ok "$name: chart: exit status $?"
        fi
    done <"$work/timelines"
}

grep -v '^#' "$golden/cases" | grep -v '^$' >"$work/cases"
grep -v '^#' "$golden/traces" | grep -v '^$' >"$work/traces"
grep -v '^#' "$golden/timelines" | grep -v '^$' >"$work/timelines"
more=0
[ "$mode" = update ] && more=$(($(wc -l <"$work/traces") + $(wc -l <"$work/timelines")))
echo "1..$(($(wc -l <"$work/cases") * $([ "$mode" = determinism ] && echo 1 || echo 3) + more))"
while read -r name args; do
    # shellcheck disable=SC2086 # the arguments are words
    if [ "$mode" = determinism ]; then
        determinism_case "$name" $args
    else
        check_case "$name" $args
    fi
done <"$work/cases"
[ "$mode" = update ] && update_traces
[ "$failed" -eq 0 ]
