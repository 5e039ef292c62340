#!/bin/sh
# SPDX-License-Identifier: MIT
# condition: a producer and consumers on a Condition (issue 12). What is causal is
# checked exactly: the producer's lines in order, each item consumed once and after
# it was made, in the order made (consumers print with the lock held), every exit
# after "done". Which consumer takes which item is the scheduler's: golden files
# under --schedule (tests/golden) pin that down.
. "$(dirname "$0")/lib.sh"

condition_checks() { # ITEMS CONSUMERS
    n=$1
    c=$2
    seq 1 "$n" | sed 's/.*/Producer made item &, notify()/' >"$work/want"
    grep "^Producer made" "$work/out" >"$work/made" || true
    check "the producer makes items 1..$n in order" cmp -s "$work/made" "$work/want"
    sed -nE 's/^Thread-[0-9]+ \(consumer\) consumed item ([0-9]+)$/\1/p' "$work/out" >"$work/taken"
    seq 1 "$n" >"$work/want"
    check "each item consumed once, in the order made" cmp -s "$work/taken" "$work/want"
    bad=$(awk '/^Producer made item/ { made[$4 + 0] = 1 }
               / consumed item / { if (!made[$NF + 0]) bad++ }
               END { print bad + 0 }' "$work/out")
    check "every item made before it is consumed ($bad wrong)" test "$bad" -eq 0
    check "consumers are Thread-1..$c" sh -c "! grep -E '^Thread-' '$work/out' | grep -vqE '^Thread-([1-9]|[1-5][0-9]|6[0-4]) \\(consumer\\)'"
    check "the producer says it is done once, after its last item" test \
        "$(count_lines '^Producer is done, notify_all\(\)$')" -eq 1 -a \
        "$(last_line '^Producer made item')" -lt "$(first_line '^Producer is done')"
    check "each of the $c consumers exits once, after done" test \
        "$(count_lines ': nothing left and the producer is done, exiting$')" -eq "$c" -a \
        "$(first_line ': nothing left')" -gt "$(first_line '^Producer is done')"
    check "$((2 * n + c + 2)) lines, the join line last" test "$(wc -l <"$work/out")" -eq $((2 * n + c + 2)) -a \
        "$(tail -n1 "$work/out")" = "All threads have finished."
}
# Thread names aside, the same lines as the Python program (in any order).
names_aside() { sed -E 's/^Thread-[0-9]+ \(consumer\)/Thread-K (consumer)/' "$1" | sort; }

run condition --scale 0.1
expect_status 0 "condition"
condition_checks 5 2
if have_python; then
    python_example condition THRDEMO_SCALE=0.1
    names_aside "$work/out" >"$work/a"
    names_aside "$work/ref" >"$work/b"
    check "the lines of condition.py (consumers' numbers aside)" cmp -s "$work/a" "$work/b"
fi
run condition --scale 0.05 --items 9 --consumers 3
expect_status 0 "condition --items 9 --consumers 3"
condition_checks 9 3
if have_python; then
    python_example condition THRDEMO_SCALE=0.05 --items 9 --consumers 3
    names_aside "$work/out" >"$work/a"
    names_aside "$work/ref" >"$work/b"
    check "the lines of condition.py --items 9 --consumers 3 (numbers aside)" cmp -s "$work/a" "$work/b"
fi
# No delay: the producer outruns the consumers; wait_for's predicate still misses
# nothing and takes nothing twice.
run --stats condition --delay 0 --items 2000 --consumers 8
expect_status 0 "condition --delay 0 --items 2000 --consumers 8"
condition_checks 2000 8
check "--stats: 2000 items consumed" grep -q '^  items consumed: 2000$' "$work/err"
run condition --items 0 --consumers 3
expect_status 0 "condition --items 0"
condition_checks 0 3

interrupt INT condition --delay 5
expect_status 130 "condition after SIGINT"
check "stops within 2 s of SIGINT (${elapsed_ms} ms)" test "$elapsed_ms" -lt 2000
check "last line whole" last_line_whole
check "no join line after SIGINT" sh -c "! grep -q 'All threads have finished' '$work/out'"

usage_error condition --items -1
usage_error condition --items 1.5
usage_error condition --consumers 0
usage_error condition --consumers 65
usage_error condition --delay x
usage_error condition --delay -1
usage_error condition fast
usage_error condition --waiters 2
finish
