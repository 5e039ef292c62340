#!/bin/sh
# SPDX-License-Identifier: MIT
# --schedule, --max-steps and explore (issue 13): virtual time, the replay line, the
# seed taken from the schedule, --scale and --stats changing nothing on stdout, the
# deadlock report (exit 3), the step limit (exit 4), Ctrl-C under a schedule, the
# refusals, lock-counter --explain, and explore's table. The exact traces of every
# scenario under a schedule are the golden files' business (scripts/golden.sh).
. "$(dirname "$0")/lib.sh"

# ---- virtual time: event wait is 10 s nominal, and costs no wall time
timed_run --schedule fifo event wait
expect_status 0 "event wait under fifo"
check "virtual time: 10 s nominal in ${elapsed_ms} ms" test "$elapsed_ms" -lt 3000
check "fifo: nothing on stderr" test ! -s "$work/err"
cp "$work/out" "$work/fifo"
run --schedule fifo --scale 0.01 event wait
check "--scale changes nothing under a schedule" cmp -s "$work/fifo" "$work/out"
run --schedule fifo --stats event wait
check "--stats changes nothing on stdout" cmp -s "$work/fifo" "$work/out"
check "--stats: the schedule and its virtual time" \
    grep -qE '^  schedule: [0-9]+ scheduling points, [0-9]+ switches, virtual time 10\.0000[0-9]+ s$' "$work/err"
# timer cancel: the cancel at 2 s ends the run, not the 5 s delay (virtual seconds).
run --schedule fifo --stats timer cancel
check "timer cancel ends at the cancel: virtual time 2.0000.. s" grep -qE '^  schedule: .*, virtual time 2\.0000[0-9]+ s$' "$work/err"

# ---- random and pct: the replay line, and replaying it
run --schedule random:5 threads basic
expect_status 0 "threads basic under random:5"
cp "$work/out" "$work/first"
check "random: stderr is one replay line" test "$(wc -l <"$work/err")" -eq 1
check "random: the replay line" grep -qE '^thrdemo: schedule random:5 \([0-9,]+ scheduling points\); replay: thrdemo --schedule random:5 threads basic$' "$work/err"
run threads basic --schedule=random:5
check "the same schedule, the same bytes" cmp -s "$work/first" "$work/out"
check "the replay line names the command as typed" grep -q '; replay: thrdemo threads basic --schedule=random:5$' "$work/err"
run --schedule pct:3:2:40 --stats threads basic
check "pct: stderr ends with the replay line, after --stats" \
    sh -c "tail -n1 '$work/err' | grep -qE '^thrdemo: schedule pct:3:2:40 \([0-9,]+ scheduling points\); replay: thrdemo --schedule pct:3:2:40 --stats threads basic\$'"
run --schedule pct:3 threads basic
check "pct's default depth named" grep -q '^thrdemo: schedule pct:3:3 (' "$work/err"
run --schedule random:1 threads basic
check "another seed, another interleaving (random:1 vs random:5)" sh -c "! cmp -s '$work/first' '$work/out'"

# ---- --seed defaults to the schedule's seed (0 under fifo)
run --schedule random:9 enumerate --workers 6
cp "$work/out" "$work/a"
run --schedule random:9 --seed 9 enumerate --workers 6
check "random:9 draws its pauses from seed 9" cmp -s "$work/a" "$work/out"
run --schedule fifo prodcons --duration 0.0005
cp "$work/out" "$work/a"
run --schedule fifo --seed 0 prodcons --duration 0.0005
check "fifo draws from seed 0" cmp -s "$work/a" "$work/out"
THRDEMO_SEED=4 run --schedule fifo prodcons --duration 0.0005
check "THRDEMO_SEED still sets --seed" sh -c "! cmp -s '$work/a' '$work/out'"
run --schedule fifo prodcons --duration 0.0005
check "asctime under a schedule: the virtual clock in UTC" grep -q '^00:00:00: Producer got message: ' "$work/out"

# ---- a deadlock: the report names both threads, stdout is kept, exit 3
run --schedule fifo lock-order
expect_status 3 "lock-order under fifo deadlocks"
printf 'Thread-1 (a_then_b) has lock_a\nThread-2 (b_then_a) has lock_b\n' >"$work/want"
expect_out "$work/want" "lock-order: stdout up to the deadlock"
cat >"$work/want" <<'TXT'
thrdemo: deadlock: every thread is blocked and no timeout is pending (after 9 scheduling points)
  MainThread waits to join Thread-1 (a_then_b)
  Thread-1 (a_then_b) waits for lock lock_b, held by Thread-2 (b_then_a)
  Thread-2 (b_then_a) waits for lock lock_a, held by Thread-1 (a_then_b)
TXT
check "the wait-for report" cmp -s "$work/want" "$work/err"
run --schedule random:5 lock-order
expect_status 3 "lock-order under random:5 deadlocks"
check "deadlock under random: the replay line last" sh -c "tail -n1 '$work/err' | grep -q '^thrdemo: schedule random:5 (9 scheduling points); replay: thrdemo --schedule random:5 lock-order\$'"
run --schedule random:3 lock-order
expect_status 0 "lock-order under random:3 gets through"
check "random:3: both threads finish" grep -q '^Both threads have finished\.$' "$work/out"

# ---- the step limit: timer repeat --count 0 never ends (README, timer --help)
run timer repeat --count 0 --schedule fifo --max-steps 1000
expect_status 4 "timer repeat --count 0 under fifo, --max-steps 1000"
check "step limit: said on stderr" grep -q '^thrdemo: stopped after 1001 scheduling points (the step limit): it may never end$' "$work/err"
check "step limit: what each thread does" grep -q '^  MainThread waits on event done$' "$work/err"
check "step limit: stdout kept, lines whole" sh -c "grep -q '^Thread_Test is running (1)\$' '$work/out'"
check "step limit: last line whole" last_line_whole

# ---- Ctrl-C and SIGTERM under a schedule: the orderly stop, 130 and 143
interrupt INT --schedule fifo timer repeat --every 0.000001
expect_status 130 "timer repeat under fifo after SIGINT"
check "SIGINT under a schedule: said" grep -q '^thrdemo: interrupted by Ctrl-C$' "$work/err"
check "SIGINT under a schedule: stops within 1 s (${elapsed_ms} ms)" test "$elapsed_ms" -lt 1000
check "SIGINT under a schedule: last line whole" last_line_whole
interrupt TERM --schedule random:2 timer repeat --every 0.000001
expect_status 143 "timer repeat under random:2 after SIGTERM"
check "SIGTERM under random: the replay line last" sh -c "tail -n1 '$work/err' | grep -q '^thrdemo: schedule random:2 ('"

# ---- what refuses it, with the reason
usage_error --schedule fifo tcp-echo demo
check "tcp-echo: why" grep -q '^thrdemo: --schedule: tcp-echo does real network I/O' "$work/err"
usage_error redis-gate --redis 127.0.0.1:6379 --schedule fifo
check "redis-gate --redis: why" grep -q '^thrdemo: --schedule: redis-gate --redis talks to a real server' "$work/err"
usage_error bench --schedule random:1
usage_error --max-steps 10 threads
check "--max-steps needs --schedule" grep -q '^thrdemo: --max-steps counts scheduling points: it needs --schedule' "$work/err"
usage_error --schedule random threads
check "a bad policy: what a policy is" grep -q "^thrdemo: --schedule: 'random' is not a policy: fifo, random:SEED, pct:SEED.* or replay:" "$work/err"
run --schedule fifo redis-gate poll
expect_status 0 "the simulated redis-gate runs under a schedule"
run --help
check "--help: who refuses --schedule" grep -q 'Refused by: redis-gate' "$work/out"
run tcp-echo --help
check "tcp-echo --help says it refuses --schedule" grep -q '^Not under --schedule: it does real network I/O' "$work/out"

# ---- lock-counter: lost updates under a schedule, and --explain
run --schedule random:1 lock-counter --lock none --iterations 3 --explain
expect_status 0 "lock-counter --lock none --explain under random:1"
cat >"$work/want" <<'TXT'
Final value of shared_resource: -1
Lost updates: without a lock, += and -= are a read, an add and a write that the other thread can interleave, so the result is not 0
How the first update was lost:
  Thread-1 (increment) loads 0
  Thread-2 (decrement) loads 0
  Thread-2 (decrement) stores -1
  Thread-1 (increment) stores 1: one -1 is lost
TXT
expect_out "$work/want" "--explain: the steps that lost the first update"
run --schedule fifo lock-counter --explain --iterations 10
check "--explain with a lock: nothing can be lost" grep -q '^No update can be lost: the guard makes load, add and store one step$' "$work/out"
run lock-counter --lock none --iterations 100000 --explain
expect_status 0 "--explain without a schedule"
if grep -q 'shared_resource: 0$' "$work/out" && ! grep -q '^How the first' "$work/out"; then
    check "no schedule, nothing lost: says so" grep -q '^No update was lost, so there is nothing to explain$' "$work/out"
else
    check "no schedule: the load, what the store found, the store" \
        grep -qE '^  \(other threads store meanwhile: Thread-[12] \((in|de)crement\) finds -?[0-9]+ when it stores\)$' "$work/out"
    check "no schedule: says how to see every step" grep -q '^Without --schedule the steps in between are not recorded' "$work/out"
fi

# ---- explore: distinct outputs, the final values, problems first, replays that replay
run explore lock-counter --lock none --iterations 3 --runs 400 --jobs 2
expect_status 0 "explore lock-counter --lock none --iterations 3"
check "explore: the seven final values, -3 to 3" test "$(sed -n '/^Final value of shared_resource: (/,/^[0-9]/p' "$work/out" | grep -cE '^  -?[0-3] ')" -eq 7
check "explore: the summary line" grep -qE '^[0-9]+ distinct outputs in 400 runs; none ended in a deadlock' "$work/out"
check "explore: the title" grep -qx 'explore lock-counter --lock none --iterations 3: 400 schedules, random:1 .. random:400' "$work/out"
replay=$(awk 'NR == 3 { sub(/^.*  thrdemo /, ""); print }' "$work/out")
hash=$(awk 'NR == 3 { print $1 }' "$work/out")
# shellcheck disable=SC2086 # the replay command's words
"$THRDEMO" $replay >"$work/replayed" 2>/dev/null
check "explore: a row's replay command prints that row's stdout ($hash)" python3 -c "
h = 0xcbf29ce484222325
for b in open('$work/replayed', 'rb').read():
    h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
assert '%08x' % (h >> 32) == '$hash', '%08x' % (h >> 32)"
run explore threads basic --runs 200 --policy pct
expect_status 0 "explore threads basic --policy pct"
check "pct: replays name pct:SEED:3:STEPS" grep -qE '  thrdemo --schedule pct:[0-9]+:3:[0-9]+ threads basic$' "$work/out"
check "pct: several distinct traces" test "$(grep -cE '^[0-9a-f]{8} ' "$work/out")" -ge 3
run explore lock-order --runs 40
expect_status 1 "explore finds the deadlocks: exit 1"
check "explore: deadlocks first" test "$(sed -n 3p "$work/out" | cut -d' ' -f1)" = deadlock
check "explore: the deadlock's first line" grep -q '^ *thrdemo: deadlock: every thread is blocked' "$work/out"
run explore threads --runs 20 --seed 100 --lang en
check "explore: --seed is the first seed" grep -qE '  random:10[0-9] ' "$work/out"
check "explore: global options go to every run" grep -q 'thrdemo --schedule random:1[01][0-9] --lang en threads$' "$work/out"

# ---- explore stopped (issue 21). Runs of a thousand million steps, which only a stop
# ends; explore prints nothing before its report, so the signal goes once its runs
# are there, seen in /proc.
long="lock-counter --iterations 1000000000"
huge="--max-steps 1000000000000000000"
title_is() { # WHAT TITLE: the report's first line is TITLE
    if [ "$(head -n1 "$work/out")" = "$2" ]; then pass "$1"; else fail "$1"; diag "$work/out"; fi
}
# pct's calibration run: the stop ended it only at its end (here --timeout's 60 s),
# and the title named the seed range of no run ("0 schedules, pct:1:3:2 .. pct:1:3:2").
# shellcheck disable=SC2086 # $long and $huge are words
interrupt_when has_child INT explore $long --policy pct --runs 4 --timeout 60 $huge
expect_status 130 "explore --policy pct, Ctrl-C while it calibrates"
check "explore --policy pct, Ctrl-C while it calibrates: stopped at once" test "$insisted" -eq 0
title_is "explore --policy pct, Ctrl-C while it calibrates: the title counts no schedule" \
    "explore $long: 0 schedules; stopped"
check "explore --policy pct, Ctrl-C while it calibrates: no run" \
    grep -qx '0 distinct outputs in 0 runs; none ended in a deadlock, the step limit, a crash or a failure' "$work/out"
# Stopped before a run ended: no row, so qsort was given NULL (undefined behaviour,
# which UBSan reports in the ASan build), and the title named random:1 .. random:1.
# shellcheck disable=SC2086
interrupt_when has_child INT explore $long --runs 4 --jobs 1 --timeout 60 $huge
expect_status 130 "explore, Ctrl-C before a run ended"
title_is "explore, Ctrl-C before a run ended: the title says the run was not counted" \
    "explore $long: 0 schedules; stopped, 1 run cut short and not counted"
# The title spans the seeds of the runs counted: random:2 ended (killed here, so a
# crash) while random:1, cut short by the stop, was not counted; the title said "1
# schedules, random:1 .. random:1" above random:2's row.
killed=
second_run_counted() { # READY for interrupt_when: kill random:2's run, then see it reaped
    kids=$(cat "/proc/$pid/task/$pid/children" 2>/dev/null || true)
    if [ -n "$killed" ]; then
        case " $kids " in *" $killed "*) return 1 ;; *) return 0 ;; esac
    fi
    for kid in $kids; do
        if tr '\0' ' ' <"/proc/$kid/cmdline" 2>/dev/null | grep -q ' random:2 '; then
            kill -KILL "$kid" && killed=$kid
        fi
    done
    return 1
}
# shellcheck disable=SC2086
interrupt_when second_run_counted INT explore $long --runs 2 --jobs 2 --timeout 60 $huge
expect_status 130 "explore, Ctrl-C after random:2 ended"
title_is "explore, Ctrl-C after random:2 ended: the title names random:2 only" \
    "explore $long: 1 schedule, random:2; stopped, 1 run cut short and not counted"
check "explore, Ctrl-C after random:2 ended: its row" \
    grep -qE '^crash \(SIGKILL\) +1  random:2 ' "$work/out"
# A 64 KiB stack (ulimit -s 64) is enough: explore read its runs' pipes into a 64 KiB
# buffer on the stack, which overflowed it.
set +e
(ulimit -s 64 && exec "$THRDEMO" explore threads basic --runs 4) >"$work/out" 2>"$work/err"
status=$?
set -e
expect_status 0 "explore under ulimit -s 64"
title_is "explore under ulimit -s 64: the title" "explore threads basic: 4 schedules, random:1 .. random:4"

# ---- issue 24: 1000 runs of 7-13 s went by without a word. A run costs at least a
# process, so 10^8 of them one at a time take far over the 30 s that earn a warning
# on any machine; it comes once the first run has ended, and Ctrl-C ends the rest.
interrupt_when "grep -q 'schedules' '$work/err'" INT explore threads basic --runs 100000000 --jobs 1
expect_status 130 "explore --runs 10^8, stopped after the warning"
check "a long exploration: one warning, the estimate and how to shorten it" sh -c "
    test \$(grep -c '^thrdemo: explore: about ' '$work/err') -eq 1 &&
    grep -qE '^thrdemo: explore: about [0-9]+ h [0-9]+ min for 100,000,000 schedules .*--runs N runs fewer' '$work/err'"
check "a long exploration: nothing of it on stdout" sh -c "! grep -q 'about' '$work/out'"
run explore threads basic --runs 20 --jobs 1
check "a short exploration, piped: no progress on stderr" test ! -s "$work/err"
check "a short exploration, piped: stdout has no status line" sh -c "
    ! grep -q 'distinct outputs,' '$work/out' && ! LC_ALL=C grep -q \"\$(printf '\\r')\" '$work/out'"
title_is "a short exploration, piped: stdout starts with its title" \
    "explore threads basic: 20 schedules, random:1 .. random:20"
if command -v script >/dev/null 2>&1; then
    # On a terminal: the status line, erased (ESC [K) before the table.
    script -qec "$THRDEMO explore threads basic --runs 20 --jobs 1" /dev/null >"$work/tty" 2>&1 || true
    check "on a terminal: a status line with runs, outputs and time" \
        grep -qE 'explore: [0-9,]+ of 20 runs, [0-9]+ distinct outputs, [0-9.]+ m?s' "$work/tty"
    check "on a terminal: erased before the table" \
        sh -c "LC_ALL=C grep -q \"\$(printf '\\r\\033')\\[Kexplore threads basic: 20 schedules\" '$work/tty'"
else
    skip "on a terminal: no script(1) here"
    skip "on a terminal: no script(1) here"
fi
finish
