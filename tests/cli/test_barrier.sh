#!/bin/sh
# SPDX-License-Identifier: MIT
# barrier: runners start together at a Barrier; a late runner and a timeout break
# the second one (issue 12). Checked: what the barrier makes causal (every runner
# ready before the action, the action before any start, each arrival index once,
# every wait of race 2 broken). The late runner's margin is wide (--late 20 against a
# break after 0.15 s, at --scale 0.1), so only a 1.8 s stall could change the story.
# The order of the "ready" lines is the sleeps': golden files under --schedule
# (tests/golden) check it exactly.
. "$(dirname "$0")/lib.sh"

barrier_checks() { # RUNNERS TIMEOUT-AS-PRINTED
    n=$1
    check "race 1 first" test "$(head -n1 "$work/out")" = "Race 1: Barrier($n, action=go)"
    race2=$(first_line '^Race 2: ')
    check "race 2 announced once" test "$(count_lines '^Race 2: ')" -eq 1 -a \
        "$(grep '^Race 2: ' "$work/out")" = "Race 2: Barrier($n, timeout=$2), the last runner is late"
    head -n "$((race2 - 1))" "$work/out" >"$work/race1"
    tail -n "+$race2" "$work/out" >"$work/race2"
    seq 1 "$n" | sed 's/.*/Thread-& (runner) is ready/' >"$work/want"
    grep ' is ready$' "$work/race1" | sort >"$work/got" || true
    sort "$work/want" >"$work/want.sorted"
    check "race 1: each runner ready once" cmp -s "$work/got" "$work/want.sorted"
    check "race 1: the action once, after every runner is ready, before any starts" sh -c "
        test \$(grep -c '^All $n runners are at the line: go!\$' '$work/race1') -eq 1 &&
        test \$(grep -n 'is ready\$' '$work/race1' | tail -n1 | cut -d: -f1) -lt \$(grep -n 'go!\$' '$work/race1' | cut -d: -f1) &&
        test \$(grep -n 'go!\$' '$work/race1' | cut -d: -f1) -lt \$(grep -n 'starts running' '$work/race1' | head -n1 | cut -d: -f1)"
    sed -nE 's/^Thread-[0-9]+ \(runner\) starts running \(wait\(\) returned ([0-9]+)\)$/\1/p' \
        "$work/race1" | sort -n >"$work/got"
    seq 0 $((n - 1)) >"$work/want"
    check "race 1: all $n start, wait() returning each index 0..$((n - 1)) once" cmp -s "$work/got" "$work/want"
    bad=0
    for i in $(seq $((n + 1)) $((2 * n))); do
        t="Thread-$i (runner)"
        r=$(grep -nF "$t is ready" "$work/race2" | cut -d: -f1)
        b=$(grep -nF "$t: the barrier is broken, no race" "$work/race2" | cut -d: -f1)
        [ -n "$r" ] && [ -n "$b" ] && [ "$r" -lt "$b" ] || bad=$((bad + 1))
    done
    check "race 2: each runner ready, then BrokenBarrierError ($bad wrong)" test "$bad" -eq 0
    check "race 2: nobody starts, no action" sh -c "! grep -qE 'starts running|go!' '$work/race2'"
    check "race 2: $((2 * n + 2)) lines, broken at the end" test "$(wc -l <"$work/race2")" -eq $((2 * n + 2)) -a \
        "$(tail -n1 "$work/out")" = "barrier.broken = True"
}

run barrier --scale 0.1 --step 0.5 --timeout 1 --late 20
expect_status 0 "barrier"
barrier_checks 3 1
if have_python; then
    python_example barrier THRDEMO_SCALE=0.1 --step 0.5 --timeout 1 --late 20
    check "the lines of barrier.py, in some order" same_lines
fi
run barrier --scale 0.1 --runners 6 --step 0.2 --timeout 0.5 --late 20
expect_status 0 "barrier --runners 6"
barrier_checks 6 0.5
# All at once (--step 0): the action still runs once, before any runner goes on.
run barrier --scale 0.1 --runners 8 --step 0 --timeout 1 --late 20
expect_status 0 "barrier --step 0"
barrier_checks 8 1
# In time (--late under the timeout): race 2 runs like race 1.
run barrier --scale 0.1 --step 0 --timeout 30 --late 0.5
expect_status 0 "barrier --late 0.5 --timeout 30: in time"
check "in time: the action twice, six starts" test "$(count_lines 'go!$')" -eq 2 -a "$(count_lines 'starts running')" -eq 6
check "in time: barrier.broken = False" test "$(tail -n1 "$work/out")" = "barrier.broken = False"

# Ctrl-C in either race: the barrier is broken for the runners still waiting.
interrupt INT barrier --step 0.1 --late 60
expect_status 130 "barrier after SIGINT"
check "stops within 2 s of SIGINT (${elapsed_ms} ms)" test "$elapsed_ms" -lt 2000
check "last line whole" last_line_whole

usage_error barrier --runners 1
usage_error barrier --runners 65
usage_error barrier --runners x
usage_error barrier --step -1
usage_error barrier --timeout abc
usage_error barrier --late -5
usage_error barrier race
finish
