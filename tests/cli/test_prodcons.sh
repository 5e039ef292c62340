#!/bin/sh
# SPDX-License-Identifier: MIT
# prodcons: seed 004's trace, nothing lost, nothing hung.
. "$(dirname "$0")/lib.sh"

stamp='^[0-2][0-9]:[0-5][0-9]:[0-6][0-9]: '
strip() { sed -E "s/$stamp//" "$work/out"; }

run prodcons --seed 1
expect_status 0 "prodcons"
check "every line has the seed's time stamp" sh -c "! grep -vqE '$stamp' '$work/out'"
strip >"$work/lines"
check "the producer speaks first" grep -qE '^Producer got message: ([1-9]|1[01])$' "$work/lines" -m1
check "first line is the producer's" sh -c "head -n1 '$work/lines' | grep -qE '^Producer got message: '"
check "the event line once" test "$(grep -c '^Main: about to set event$' "$work/lines")" -eq 1
tail -n2 "$work/lines" | sort >"$work/last2"
printf 'Consumer received event. Exiting\nProducer received event. Exiting\n' >"$work/want"
check "both exit lines last" cmp -s "$work/last2" "$work/want"
check "messages are 1..11" sh -c "! grep -E '^(Producer got|Consumer storing) message' '$work/lines' | grep -vqE 'message: ([1-9]|1[01])( |\$)'"
sizes=$(sed -nE 's/^Consumer storing message: [0-9]+ \(size=([0-9]+)\)$/\1/p' "$work/lines" | sort -un | tr '\n' ' ')
check "every size between 0 and 9 ($sizes)" sh -c "echo '$sizes' | grep -qE '^([0-9] )+\$'"
# The consumer stores exactly what the producer got, in the same order.
sed -nE 's/^Producer got message: ([0-9]+)$/\1/p' "$work/lines" >"$work/got"
sed -nE 's/^Consumer storing message: ([0-9]+) .*/\1/p' "$work/lines" >"$work/stored"
check "every message consumed once, in order" cmp -s "$work/got" "$work/stored"
check "many messages in 0.1 s ($(wc -l <"$work/got"))" test "$(wc -l <"$work/got")" -gt 20

if have_python; then
    python_example prodcons
    sed -E "s/$stamp//" "$work/ref" >"$work/ref.lines"
    check "prodcons.py: every line stamped" sh -c "! grep -vqE '$stamp' '$work/ref'"
    tail -n2 "$work/ref.lines" | sort >"$work/ref.last2"
    check "prodcons.py: both exit lines last, as here" cmp -s "$work/ref.last2" "$work/last2"
    sed -nE 's/^Producer got message: ([0-9]+)$/\1/p' "$work/ref.lines" >"$work/ref.got"
    sed -nE 's/^Consumer storing message: ([0-9]+) .*/\1/p' "$work/ref.lines" >"$work/ref.stored"
    check "prodcons.py: every message consumed once, in order" cmp -s "$work/ref.got" "$work/ref.stored"
fi

# --seed: the same values again (the count depends on timing; the prefix does not).
head -n 20 "$work/got" >"$work/first"
run prodcons --seed 1
strip | sed -nE 's/^Producer got message: ([0-9]+)$/\1/p' | head -n 20 >"$work/second"
check "--seed repeats the values" cmp -s "$work/first" "$work/second"

# --maxsize 1: the consumer always sees an empty queue after its get.
run prodcons --maxsize 1 --duration 0.05
check "--maxsize 1: every size is 0" sh -c "! grep -q 'size=[1-9]' '$work/out'"

# --quiet keeps the milestones only; --stats shows equal counts and checksums.
for i in 1 2 3 4 5; do
    run --quiet --stats prodcons --duration 0.2
    expect_status 0 "prodcons --quiet --stats"
    strip >"$work/lines"
    check "quiet: three lines" test "$(wc -l <"$work/lines")" -eq 3
    check "quiet: the event line first" test "$(head -n1 "$work/lines")" = "Main: about to set event"
    p=$(sed -n 's/^  messages produced: //p' "$work/err")
    c=$(sed -n 's/^  messages consumed: //p' "$work/err")
    check "stats: produced = consumed ($p, $c)" test -n "$p" -a "$p" = "$c" -a "${p:-0}" -gt 0
    ps=$(sed -n 's/^  produced checksum: //p' "$work/err")
    cs=$(sed -n 's/^  consumed checksum: //p' "$work/err")
    check "stats: checksums equal" test -n "$ps" -a "$ps" = "$cs"
done
run --stats prodcons --maxsize 0 --duration 0.05 --quiet
check "unbounded: counts equal" sh -c "test \"\$(sed -n 's/^  messages produced: //p' '$work/err')\" = \"\$(sed -n 's/^  messages consumed: //p' '$work/err')\""
run --stats prodcons --workers 4 --duration 0.05 --quiet
check "--workers 4: two tasks, two workers" grep -q '^  threads started: 2$' "$work/err"

# Ctrl-C: the pipeline stops in order, nothing lost.
interrupt INT --stats prodcons --duration 100
expect_status 130 "prodcons after SIGINT"
check "stops within 1 s of SIGINT (${elapsed_ms} ms)" test "$elapsed_ms" -lt 1000
check "last line whole" last_line_whole
p=$(sed -n 's/^  messages produced: //p' "$work/err")
c=$(sed -n 's/^  messages consumed: //p' "$work/err")
check "after Ctrl-C: produced = consumed ($p, $c)" test -n "$p" -a "$p" = "$c"

usage_error prodcons --workers 1
usage_error prodcons --workers x
usage_error prodcons --maxsize -1
usage_error prodcons --maxsize 2.5
usage_error prodcons --duration abc
usage_error prodcons --duration -1
usage_error prodcons --quiet=1
usage_error prodcons fast
finish
