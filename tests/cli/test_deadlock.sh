#!/bin/sh
# SPDX-License-Identifier: MIT
# deadlock (issue 23): two locks taken in opposite orders, five dining philosophers,
# and their fixes. Under --schedule fifo each trace is exact (the broken ones stop
# at the deadlock with the scheduler's wait-for report, exit 3); on real threads no
# run hangs: a deadlock is seen in the story's books and reported the same way, exit
# 3, and --together makes it certain by causality (a Barrier every thread reaches
# holding its first lock), with no timing involved. explore finds the philosophers'
# deadlock and none in the fixed variants.
. "$(dirname "$0")/lib.sh"

same_lines_as() { # FILE: the last stdout holds FILE's lines, in any order
    sort "$work/out" >"$work/out.sorted"
    sort "$1" | cmp -s - "$work/out.sorted"
}

# ---- under --schedule fifo: the exact traces and reports
run --schedule fifo deadlock lock-order
expect_status 3 "lock-order under fifo deadlocks"
printf 'Thread-1 (a_then_b) has lock_a\nThread-2 (b_then_a) has lock_b\n' >"$work/want"
expect_out "$work/want" "lock-order under fifo: stdout up to the deadlock"
cat >"$work/want" <<'TXT'
thrdemo: deadlock: every thread is blocked and no timeout is pending (after 9 scheduling points)
  MainThread waits to join Thread-1 (a_then_b)
  Thread-1 (a_then_b) waits for lock lock_b, held by Thread-2 (b_then_a)
  Thread-2 (b_then_a) waits for lock lock_a, held by Thread-1 (a_then_b)
TXT
check "lock-order under fifo: the wait-for cycle on stderr" cmp -s "$work/want" "$work/err"
cp "$work/out" "$work/new.out"
cp "$work/err" "$work/new.err"
run --schedule fifo lock-order
check "lock-order, the old hidden command, prints what deadlock lock-order prints" sh -c \
    "test $status -eq 3 && cmp -s '$work/new.out' '$work/out' && cmp -s '$work/new.err' '$work/err'"
run deadlock --schedule fifo
check "lock-order is the default variant" cmp -s "$work/new.out" "$work/out"

run --schedule fifo deadlock lock-order-fixed
expect_status 0 "lock-order-fixed under fifo"
cat >"$work/want" <<'TXT'
Thread-1 (a_then_b) has lock_a
Thread-1 (a_then_b) has lock_b
Thread-2 (a_then_b) has lock_a
Thread-2 (a_then_b) has lock_b
Both threads have finished.
TXT
expect_out "$work/want" "lock-order-fixed under fifo"
check "lock-order-fixed under fifo: nothing on stderr" test ! -s "$work/err"

run --schedule fifo deadlock philosophers
expect_status 3 "philosophers under fifo deadlock"
seq 0 4 | sed 's/.*/Philosopher & picks up fork &/' >"$work/want"
expect_out "$work/want" "philosophers under fifo: each picks up its left fork"
cat >"$work/want" <<'TXT'
thrdemo: deadlock: every thread is blocked and no timeout is pending (after 21 scheduling points)
  MainThread waits to join Philosopher 0
  Philosopher 0 waits for lock fork 1, held by Philosopher 1
  Philosopher 1 waits for lock fork 2, held by Philosopher 2
  Philosopher 2 waits for lock fork 3, held by Philosopher 3
  Philosopher 3 waits for lock fork 4, held by Philosopher 4
  Philosopher 4 waits for lock fork 0, held by Philosopher 0
TXT
check "philosophers under fifo: the five-fork cycle on stderr" cmp -s "$work/want" "$work/err"

run --schedule fifo deadlock philosophers-fixed
expect_status 0 "philosophers-fixed under fifo"
cat >"$work/want" <<'TXT'
Philosopher 0 picks up fork 0
Philosopher 1 picks up fork 1
Philosopher 2 picks up fork 2
Philosopher 3 picks up fork 3
Philosopher 3 picks up fork 4
Philosopher 3 eats
Philosopher 2 picks up fork 3
Philosopher 2 eats
Philosopher 1 picks up fork 2
Philosopher 1 eats
Philosopher 0 picks up fork 1
Philosopher 0 eats
Philosopher 4 picks up fork 0
Philosopher 4 picks up fork 4
Philosopher 4 eats
All philosophers have eaten.
TXT
expect_out "$work/want" "philosophers-fixed under fifo: Philosopher 4 reaches for fork 0 first"
check "philosophers-fixed under fifo: nothing on stderr" test ! -s "$work/err"
run --schedule fifo deadlock philosophers-fixed --rounds 3
expect_status 0 "philosophers-fixed --rounds 3 under fifo"
check "--rounds 3: each philosopher eats three times" test "$(count_lines '^Philosopher [0-4] eats$')" -eq 15 \
    -a "$(sed -n 's/^Philosopher \([0-4]\) eats$/\1/p' "$work/out" | sort | uniq -c | awk '$1 == 3' | wc -l)" -eq 5
run --schedule fifo deadlock philosophers --together
expect_status 3 "philosophers --together under fifo deadlock"

# ---- real threads: never a hang. Each run exits 0 with its whole trace, or 3 with the
# cycle on stderr; the fixed ones always exit 0.
whole_trace() { # FINAL-LINE LINES: the last stdout ends with FINAL-LINE after LINES lines
    test "$(wc -l <"$work/out")" -eq "$2" -a "$(tail -n1 "$work/out")" = "$1"
}
for i in 1 2 3 4 5; do
    timed_run deadlock lock-order --scale 0.01
    case $status in
        0) check "lock-order on real threads ($i): both finish" whole_trace "Both threads have finished." 5 ;;
        3) check "lock-order on real threads ($i): the cycle on stderr" \
               grep -qx '  Thread-1 (a_then_b) waits for lock lock_b, held by Thread-2 (b_then_a)' "$work/err" ;;
        *) fail "lock-order on real threads ($i): exit status $status, expected 0 or 3" ;;
    esac
    check "lock-order on real threads ($i): ends within 60 s (${elapsed_ms} ms)" test "$elapsed_ms" -lt 60000
    timed_run deadlock philosophers --scale 0.01 --rounds 2
    case $status in
        0) check "philosophers on real threads ($i): all eat twice" whole_trace "All philosophers have eaten." 31 ;;
        3) check "philosophers on real threads ($i): the cycle on stderr" \
               grep -qx '  Philosopher 4 waits for lock fork 0, held by Philosopher 0' "$work/err" ;;
        *) fail "philosophers on real threads ($i): exit status $status, expected 0 or 3" ;;
    esac
    check "philosophers on real threads ($i): ends within 60 s (${elapsed_ms} ms)" test "$elapsed_ms" -lt 60000
done
run deadlock lock-order-fixed --scale 0.01
expect_status 0 "lock-order-fixed on real threads"
check "lock-order-fixed: both finish" whole_trace "Both threads have finished." 5
for t in 1 2; do
    check "lock-order-fixed: Thread-$t has lock_a, then lock_b" lines_before \
        "^Thread-$t \(a_then_b\) has lock_a$" "^Thread-$t \(a_then_b\) has lock_b$"
done
run deadlock philosophers-fixed --scale 0.01 --rounds 5
expect_status 0 "philosophers-fixed --rounds 5 on real threads"
check "philosophers-fixed: all eat five times" whole_trace "All philosophers have eaten." 76
check "philosophers-fixed: nothing on stderr" test ! -s "$work/err"
if have_python; then
    python_example deadlock_philosophers_fixed THRDEMO_SCALE=0.01 --rounds 5
    check "the lines of deadlock_philosophers_fixed.py, in some order" same_lines
    run deadlock lock-order-fixed --scale 0.01
    python_example deadlock_lock_order_fixed THRDEMO_SCALE=0.01
    check "the lines of deadlock_lock_order_fixed.py, in some order" same_lines
fi

# ---- the deadlock on real threads, made certain by --together: every thread holds its
# first lock (a Barrier) before any reaches for its second, so each wait runs out and
# the books show the cycle. Causal: no sleep, no window.
run deadlock lock-order --together --scale 0.01
expect_status 3 "lock-order --together on real threads deadlocks"
printf 'Thread-1 (a_then_b) has lock_a\nThread-2 (b_then_a) has lock_b\n' >"$work/want"
check "lock-order --together: each thread has its first lock, and no more" same_lines_as "$work/want"
cat >"$work/want" <<'TXT'
thrdemo: deadlock: each of these threads waits for a lock the next one holds (seen on real threads)
  Thread-1 (a_then_b) waits for lock lock_b, held by Thread-2 (b_then_a)
  Thread-2 (b_then_a) waits for lock lock_a, held by Thread-1 (a_then_b)
TXT
check "lock-order --together: the cycle on stderr" cmp -s "$work/want" "$work/err"
if have_python; then
    python_example deadlock_lock_order THRDEMO_SCALE=0.01 --together || true # exits 3
    grep -v '^deadlock: \|^  ' "$work/ref" >"$work/ref.out" || true
    check "deadlock_lock_order.py --together: the same lines and report" sh -c \
        "sort '$work/ref.out' | cmp -s - '$work/out.sorted' && grep -v '^Thread' '$work/ref' | sed '1s/^/thrdemo: /' | cmp -s - '$work/err'"
fi
timed_run deadlock philosophers --together
expect_status 3 "philosophers --together on real threads deadlock"
check "philosophers --together: seen within 60 s (${elapsed_ms} ms)" \
    test "$elapsed_ms" -lt 60000
seq 0 4 | sed 's/.*/Philosopher & picks up fork &/' >"$work/want"
check "philosophers --together: each picks up its left fork, and no more" same_lines_as "$work/want"
cat >"$work/want" <<'TXT'
thrdemo: deadlock: each of these threads waits for a lock the next one holds (seen on real threads)
  Philosopher 0 waits for lock fork 1, held by Philosopher 1
  Philosopher 1 waits for lock fork 2, held by Philosopher 2
  Philosopher 2 waits for lock fork 3, held by Philosopher 3
  Philosopher 3 waits for lock fork 4, held by Philosopher 4
  Philosopher 4 waits for lock fork 0, held by Philosopher 0
TXT
check "philosophers --together: the five-fork cycle on stderr" cmp -s "$work/want" "$work/err"

# ---- explore: the fixed variants never deadlock; the seeds are fixed, and random:2,
# random:4 and random:7 of the first ten deadlock the philosophers.
for v in lock-order-fixed philosophers-fixed; do
    run explore deadlock $v --runs 30
    expect_status 0 "explore deadlock $v --runs 30"
    check "explore deadlock $v: no deadlock in 30 schedules" \
        grep -qE '^[0-9]+ distinct outputs in 30 runs; none ended in a deadlock' "$work/out"
done
run explore deadlock philosophers-fixed --rounds 2 --runs 30
check "explore deadlock philosophers-fixed --rounds 2: no deadlock in 30 schedules" sh -c \
    "test $status -eq 0 && grep -qE '^[0-9]+ distinct outputs in 30 runs; none ended in a deadlock' '$work/out'"
run explore deadlock philosophers --runs 10
expect_status 1 "explore deadlock philosophers --runs 10 finds the deadlock: exit 1"
check "explore: three of ten schedules deadlock, random:2 first" sh -c \
    "grep -qE '^[0-9]+ distinct outputs in 10 runs; 3 ended in a deadlock' '$work/out' &&
     test \"\$(sed -n 3p '$work/out' | awk '{ print \$1, \$3 }')\" = 'deadlock random:2'"
check "explore: the deadlock's first line" grep -q '^ *thrdemo: deadlock: every thread is blocked' "$work/out"
run --schedule random:2 deadlock philosophers
expect_status 3 "the replay of random:2 deadlocks"
check "random:2: the cycle of five on stderr" test "$(grep -c '^  Philosopher [0-4] waits for lock fork [0-4], held by Philosopher [0-4]$' "$work/err")" -eq 5

# ---- bad input
usage_error deadlock dining
usage_error deadlock --rounds 2
usage_error deadlock philosophers --rounds 0
usage_error deadlock philosophers --rounds x
usage_error deadlock philosophers-fixed --together
usage_error deadlock lock-order-fixed --together
finish
