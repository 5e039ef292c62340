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
# Causal: the consumer stores only what the producer got (and logged) first.
check "the producer speaks before the consumer" sh -c "
    grep -E '^(Producer got|Consumer storing) ' '$work/lines' | head -n1 | grep -qE '^Producer got message: ([1-9]|1[01])\$'"
check "the event line once" test "$(grep -c '^Main: about to set event$' "$work/lines")" -eq 1
tail -n2 "$work/lines" | sort >"$work/last2"
printf 'Consumer received event. Exiting\nProducer received event. Exiting\n' >"$work/want"
check "both exit lines last" cmp -s "$work/last2" "$work/want"
check "messages are 1..11" sh -c "! grep -E '^(Producer got|Consumer storing) message' '$work/lines' | grep -vqE 'message: ([1-9]|1[01])( |\$)'"
sizes=$(sed -nE 's/^Consumer storing message: [0-9]+ \(size=([0-9]+)\)$/\1/p' "$work/lines" | sort -un | tr '\n' ' ')
check "every size between 0 and 9 ($sizes)" sh -c "echo '$sizes' | grep -qE '^([0-9] )*\$'"
# The consumer stores exactly what the producer got, in the same order.
sed -nE 's/^Producer got message: ([0-9]+)$/\1/p' "$work/lines" >"$work/got"
sed -nE 's/^Consumer storing message: ([0-9]+) .*/\1/p' "$work/lines" >"$work/stored"
check "every message consumed once, in order" cmp -s "$work/got" "$work/stored"
tap "# $(wc -l <"$work/got") messages in 0.1 s"

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

# --seed: the same values again (the count depends on timing; the values do not):
# the shorter run's values begin the longer one's.
run prodcons --seed 1 --duration 0.5
strip | sed -nE 's/^Producer got message: ([0-9]+)$/\1/p' >"$work/second"
k=$(wc -l <"$work/got")
[ "$(wc -l <"$work/second")" -ge "$k" ] || k=$(wc -l <"$work/second")
head -n "$k" "$work/got" >"$work/first"
head -n "$k" "$work/second" >"$work/second.k"
check "--seed repeats the values ($k compared)" test "$k" -ge 1 -a -z "$(cmp "$work/first" "$work/second.k" 2>&1)"

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
    check "stats: produced = consumed ($p, $c)" test -n "$p" -a "$p" = "$c"
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

# ---- --rate N (issue 12): at most N messages a second, so a class can read them.
# Pacing waits at least 1/N s between messages: in 2 s at 10 a second, at most 20,
# plus the one under way when the event comes and one more as it is set.
# (Scaled by 0.1: 10 ms apart. Checked against the run's own length, which a loaded
# machine stretches.)
timed_run --stats prodcons --rate 10 --duration 2 --scale 0.1
expect_status 0 "prodcons --rate 10"
p=$(sed -n 's/^  messages produced: //p' "$work/err")
c=$(sed -n 's/^  messages consumed: //p' "$work/err")
check "--rate 10: at most one message a 10 ms, and one ($p in $elapsed_ms ms)" \
    test -n "$p" -a "${p:-99}" -le $((elapsed_ms / 10 + 2))
check "--rate: every message consumed ($p, $c)" test -n "$p" -a "$p" = "$c"
strip | grep -c '^Producer got message' >"$work/n" || true
check "--rate: one line per message" test "$(cat "$work/n")" = "$p"
if have_python; then
    python_example prodcons THRDEMO_SCALE=0.1 --rate 10 --duration 2
    n=$(grep -c 'Producer got message' "$work/ref" || true)
    check "prodcons.py --rate 10: at most one message a 10 ms ($n in $python_ms ms)" \
        test "$n" -le $((python_ms / 10 + 2))
fi

# ---- --seed-consumer (issue 12): the seed's own loops, and a watchdog for their hang.
# The hang, made certain: a message every 4 s (nominal), the event at 3 s; the consumer
# took the first message long before and waits in get() on an empty queue when the
# producer leaves. (Only a 0.75 s stall of the consumer could let it see the event
# first.) The watchdog says so after --hang-after without progress and ends it, exit 0.
hang='Watchdog: the consumer is blocked in get\(\) on an empty queue and the producer has exited: the seed.s consumer checked the event before it was set, and now waits for ever \(stopped after 1 s\)$'
timed_run --stats prodcons --seed-consumer --rate 0.25 --duration 3 --hang-after 1 --scale 0.25
expect_status 0 "prodcons --seed-consumer, the hang"
strip >"$work/lines"
check "hang: the watchdog's line last" sh -c "tail -n1 '$work/lines' | grep -qE '^$hang'"
check "hang: the producer exits, the consumer never says so" sh -c "
    grep -qx 'Producer received event. Exiting' '$work/lines' && ! grep -q '^Consumer received' '$work/lines'"
check "hang: the seed's order, the event line before the exits" \
    test "$(grep -n '^Main: about to set event$' "$work/lines" | cut -d: -f1)" -lt "$(grep -n '^Producer received' "$work/lines" | cut -d: -f1)"
check "hang: bounded, 0.75 s and the watchdog's 0.25 s (${elapsed_ms} ms)" test "$elapsed_ms" -lt 5000
p=$(sed -n 's/^  messages produced: //p' "$work/err")
c=$(sed -n 's/^  messages consumed: //p' "$work/err")
check "hang: every message was consumed before it ($p, $c)" test -n "$p" -a "$p" = "$c"
if have_python; then
    python_example prodcons THRDEMO_SCALE=0.25 --seed-consumer --rate 0.25 --duration 3 --hang-after 1
    sed -E "s/$stamp//; s/message: [0-9]+/message: V/" "$work/ref" >"$work/ref.shape"
    sed -E "s/message: [0-9]+/message: V/" "$work/lines" >"$work/out.shape"
    check "hang: the lines of prodcons.py --seed-consumer (values aside)" cmp -s "$work/ref.shape" "$work/out.shape"
fi
# As fast as it can: either outcome of the seed's races, always bounded, exit 0, and
# every message produced is either consumed or counted as left in the queue.
for i in 1 2 3; do
    timed_run --stats prodcons --seed-consumer --hang-after 0.5
    expect_status 0 "prodcons --seed-consumer"
    strip >"$work/lines"
    check "seed: ends with both exit lines or the watchdog's" sh -c "
        grep -qx 'Consumer received event. Exiting' '$work/lines' || tail -n1 '$work/lines' | grep -q '^Watchdog: the consumer is blocked'"
    p=$(sed -n 's/^  messages produced: //p' "$work/err")
    c=$(sed -n 's/^  messages consumed: //p' "$work/err")
    l=$(sed -n 's/^  messages left in the queue: //p' "$work/err")
    check "seed: produced = consumed + left ($p = $c + ${l:-0})" test -n "$p" -a "${p:-0}" -eq $((${c:-0} + ${l:-0}))
    check "seed: bounded (${elapsed_ms} ms)" test "$elapsed_ms" -lt 10000
done
interrupt INT prodcons --seed-consumer --rate 5 --duration 100
expect_status 130 "prodcons --seed-consumer after SIGINT"
check "seed: stops within 1 s of SIGINT (${elapsed_ms} ms)" test "$elapsed_ms" -lt 1000

usage_error prodcons --hang-after 1
usage_error prodcons --seed-consumer --hang-after 0
usage_error prodcons --seed-consumer --hang-after x
usage_error prodcons --rate -1
usage_error prodcons --rate fast
usage_error prodcons --seed-consumer=1
usage_error prodcons --workers 1
usage_error prodcons --workers x
usage_error prodcons --maxsize -1
usage_error prodcons --maxsize 2.5
usage_error prodcons --duration abc
usage_error prodcons --duration -1
usage_error prodcons --quiet=1
usage_error prodcons fast
finish
