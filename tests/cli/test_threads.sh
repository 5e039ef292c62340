#!/bin/sh
# SPDX-License-Identifier: MIT
# threads basic / ways: the seed traces.
. "$(dirname "$0")/lib.sh"

# basic: each thread's lines in its own order, both complete, the join line last.
for i in 1 2 3; do
    run threads
    expect_status 0 "threads basic"
    grep '^Number' "$work/out" >"$work/numbers"
    printf 'Number: %s\n' 1 2 3 4 5 >"$work/want"
    check "basic: numbers in order" cmp -s "$work/numbers" "$work/want"
    grep '^Letter' "$work/out" >"$work/letters"
    printf 'Letter: %s\n' A B C D E >"$work/want"
    check "basic: letters in order" cmp -s "$work/letters" "$work/want"
    check "basic: 11 lines, join line last" \
        test "$(wc -l <"$work/out")" -eq 11 -a "$(tail -n1 "$work/out")" = "All threads have finished."
done
run threads basic
expect_status 0 "threads basic by name"

# ways: names as CPython gives them. The order the workers end in is timing's (the
# golden files show it under --schedule: issue 13); here, the lines and the causal
# order: the first two threads are joined before the next starts, each worker
# starts before it ends, and the join line comes last.
cat >"$work/want" <<'TXT'
All threads have finished.
Thread-1 (mythread): running the target function
Thread-2: running the overridden run()
worker-0: end, num=0
worker-0: start, num=0
worker-1: end, num=1
worker-1: start, num=1
worker-2: end, num=2
worker-2: start, num=2
TXT
run threads ways --scale 0.2
expect_status 0 "threads ways"
sort "$work/out" >"$work/sorted"
check "ways: names and lines" cmp -s "$work/sorted" "$work/want"
check "ways: the target function's thread first, the subclass's second" \
    test "$(head -n2 "$work/out" | cut -c1-8 | tr '\n' ' ')" = "Thread-1 Thread-2 "
for i in 0 1 2; do
    s=$(grep -n "^worker-$i: start" "$work/out" | cut -d: -f1)
    e=$(grep -n "^worker-$i: end" "$work/out" | cut -d: -f1)
    check "ways: worker-$i starts before it ends" test "${s:-99}" -lt "${e:-0}"
done
check "ways: the join line last" test "$(tail -n1 "$work/out")" = "All threads have finished."
if have_python; then
    python_example threads_ways THRDEMO_SCALE=0.2
    # Python's print() may tear two racing start lines into one (and leave an empty
    # line): start lines and empty lines aside, the same lines.
    grep -v -e ': start, ' -e '^$' "$work/ref" | sort >"$work/ref.noStart"
    grep -v ': start, ' "$work/sorted" >"$work/out.noStart"
    check "ways: same lines as threads_ways.py (start lines aside)" cmp -s "$work/out.noStart" "$work/ref.noStart"
fi

usage_error threads bogus
usage_error threads ways --count 3
usage_error threads ways extra
finish
