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

# ways: names as CPython gives them; the workers end in reverse (shorter sleeps).
cat >"$work/want" <<'TXT'
Thread-1 (mythread): running the target function
Thread-2: running the overridden run()
worker-2: end, num=2
worker-1: end, num=1
worker-0: end, num=0
All threads have finished.
TXT
run threads ways --scale 0.2
expect_status 0 "threads ways"
grep -v ': start, ' "$work/out" >"$work/out.noStart" || true
check "ways: names and end order" cmp -s "$work/out.noStart" "$work/want"
check "ways: three start lines before any end" \
    test "$(head -n5 "$work/out" | grep -c ': start, num=')" -eq 3
if have_python; then
    python_example threads_ways THRDEMO_SCALE=0.2
    # Python's print() may tear two racing start lines into one (and leave an empty
    # line): start lines and empty lines aside, the rest is timed far apart.
    grep -v -e ': start, ' -e '^$' "$work/ref" >"$work/ref.noStart"
    check "ways: same as threads_ways.py (start lines aside)" cmp -s "$work/out.noStart" "$work/ref.noStart"
fi

usage_error threads bogus
usage_error threads ways --count 3
usage_error threads ways extra
finish
