#!/bin/sh
# SPDX-License-Identifier: MIT
# --trace, --timeline, --width, --ascii, --trace-limit (issue 14). Every scenario
# variant of tests/golden/traces runs under --schedule fifo; its file is checked by
# trace_check.py (it parses, B/E nest on each track, time never goes back on a track,
# every flow has both ends and each end is bound, the "line" instants are stdout's
# lines, the threads are the ones Python names) and equals its golden copy; so do the
# charts of tests/golden/timelines. Then causality (event wait: each waiter woken by
# main's set, joined by a flow; lock-counter: holds of the lock never overlap, under
# the schedule and in real time), the limit (drops counted, the file still whole and
# under it), Ctrl-C (the file is complete), the chart's layout and colour, and usage
# errors.
. "$(dirname "$0")/lib.sh"

# check_trace DESCRIPTION ARGS...: check $work/t.json (and $work/out, where the
# arguments name it) with trace_check.py ARGS. The checks are queued, copies of the
# files with them, and run by one Python at the end (check_traces): it starts slowly.
checks=0
: >"$work/batch"
quote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
check_trace() {
    desc=$1
    shift
    checks=$((checks + 1))
    cp "$work/t.json" "$work/c$checks.json"
    cp "$work/out" "$work/c$checks.out"
    line="$(quote "$work/c$checks.json")"
    for arg in "$@"; do
        [ "$arg" = "$work/out" ] && arg=$work/c$checks.out
        line="$line $(quote "$arg")"
    done
    printf '%s\t%s\n' "$desc" "$line" >>"$work/batch"
}
check_traces() {
    python3 "$here/trace_check.py" --batch "$work/batch" >"$work/checked" 2>&1 || true
    while IFS= read -r result; do
        case $result in
            "ok "*) pass ;;
            "not ok "*) fail "${result#not ok }" ;;
            *) fail "trace_check.py: $result" ;;
        esac
    done <"$work/checked"
    [ "$(grep -c '^ok \|^not ok ' "$work/checked")" -eq "$checks" ] ||
        fail "trace_check.py ran $(grep -c '^ok \|^not ok ' "$work/checked") of $checks checks"
}

if ! have_python; then
    echo "test_trace.sh: python3 is needed to read the files: skipped"
    exit 0
fi

golden=$here/../golden

# ---- every scenario variant under --schedule fifo (tests/golden/traces): the file is
# checked, and equals its golden copy byte for byte (scripts/golden.sh --update).
grep -v '^#' "$golden/traces" | grep -v '^$' >"$work/traces"
while IFS='|' read -r name args threads; do
    name=$(echo "$name" | sed 's/^ *//; s/ *$//')
    # shellcheck disable=SC2086 # the arguments are words
    run --schedule fifo $args --trace "$work/$name.json"
    expect_status 0 "$name: --schedule fifo $args --trace"
    cp "$work/$name.json" "$work/t.json"
    # The threads, ';'-separated in the list, as arguments.
    printf '%s\n' "$threads" | tr ';' '\n' | sed 's/^ *//; s/ *$//' >"$work/threads"
    set --
    while IFS= read -r thread; do set -- "$@" "$thread"; done <"$work/threads"
    check_trace "$name" --stdout "$work/out" --threads "$@"
    if cmp -s "$golden/$name.trace.json" "$work/$name.json"; then pass; else
        fail "$name: the file differs from tests/golden/$name.trace.json (scripts/golden.sh --update)"
    fi
done <"$work/traces"
cp "$work/enumerate.json" "$work/t.json"
check_trace "enumerate: each logged line on its thread's track" --named-lines
cp "$work/redis-gate-poll.json" "$work/t.json"
check_trace "redis-gate poll: each logged line on its thread's track" --named-lines

# ---- the charts under --schedule fifo (tests/golden/timelines), byte for byte.
grep -v '^#' "$golden/timelines" | grep -v '^$' >"$work/timelines"
while IFS='|' read -r name locale args; do
    name=$(echo "$name" | sed 's/^ *//; s/ *$//')
    # shellcheck disable=SC2086 # the arguments are words
    LC_ALL=$(echo $locale) "$THRDEMO" --schedule fifo $args --timeline --width 80 \
        >"$work/out" 2>"$work/chart" </dev/null
    if cmp -s "$golden/$name.timeline.txt" "$work/chart"; then pass; else
        fail "$name: the chart differs from tests/golden/$name.timeline.txt"
        diff -u "$golden/$name.timeline.txt" "$work/chart" | head -20
    fi
done <"$work/timelines"

# Issue 24: at 80 columns the rows are told apart (a name too long is cut in the
# middle, keeping the pool's _0 and _1), an asyncio row names its coroutine, and
# asyncio.sleep, a Timer's interval and a monitor's interval are drawn sleeping
# ('.'), not blocked ('-').
chart() { # ARGS...: the ASCII chart of a fifo run at 80 columns, in $work/chart
    "$THRDEMO" --schedule fifo "$@" --timeline --width 80 --ascii >/dev/null \
        2>"$work/chart" </dev/null
}
row_of() { # NAME: the cells of the chart's row for NAME
    grep "^$1 *|" "$work/chart" | sed 's/^[^|]*|//'
}
chart prodcons --duration 0.01
names=$(grep '|$' "$work/chart" | sed 's/ *|.*//')
[ "$(echo "$names" | sort -u | wc -l)" -eq "$(echo "$names" | wc -l)" ] && pass ||
    fail "prodcons --timeline: two rows named alike: $names"
for n in 0 1; do
    grep -q "^ThreadPool~cutor-0_$n |" "$work/chart" && pass ||
        fail "prodcons --timeline: no row for ThreadPoolExecutor-0_$n"
done
chart async gather
for task in "Task-1 (gather_main)" "Task-2 (task1)" "Task-3 (task2)"; do
    grep -q "^$task *|" "$work/chart" && pass || fail "async gather --timeline: no row $task"
done
sleeps_only() { # NAME WHAT: NAME's row sleeps and is never blocked
    cells=$(row_of "$1")
    case $cells in *.*) ;; *) fail "$2: $1 never sleeps: $cells"; return ;; esac
    case $cells in *-*) fail "$2: $1 drawn blocked: $cells" ;; *) pass ;; esac
}
sleeps_only "Task-2 (task1)" "asyncio.sleep"
sleeps_only "Task-3 (task2)" "asyncio.sleep"
chart timer once
sleeps_only "Thread-1" "a Timer's interval"
chart monitor stop
sleeps_only "Thread-1" "a monitor's interval"
chart event wait
case $(row_of "Thread-1 (~or_event)") in *-*) pass ;; *) fail "event wait: a wait on an Event not drawn blocked" ;; esac

# ---- causality on content.
# event wait: each waiter's wait slice ends after main's set instant, joined by a flow.
w1="Thread-1 (wait_for_event)"
w2="Thread-2 (wait_for_event_timeout)"
cp "$work/event-wait.json" "$work/t.json"
check_trace "event wait: woken by main's set" \
    --woken-by "$w1" "wait event1" MainThread "set event1" \
    --woken-by "$w2" "wait event2" MainThread "set event2"
# lock-counter: no two holds of the lock overlap, whichever guard (the spin lock
# reports itself as a lock too); the counter's last sample is the final 0.
for guard in lock-counter lock-counter-rlock lock-counter-spin; do
    cp "$work/$guard.json" "$work/t.json"
    check_trace "$guard: holds apart" --exclusive lock
done
grep -q '"name":"shared_resource","args":{"value":0}},$' "$work/lock-counter.json" && pass ||
    fail "lock-counter: the counter's last sample is not 0"
grep -q '"name":"queue","args":{"size":' "$work/prodcons.json" && pass ||
    fail "prodcons: no queue size counter"
grep -q '"name":"sleep 0.0002 s"' "$work/prodcons.json" && pass ||
    fail "prodcons: main's sleep is not 'sleep 0.0002 s'"
grep -q '"name":"get queue"' "$work/prodcons.json" && pass || fail "prodcons: no 'get queue'"
grep -q '"dropped_events":[1-9]' "$work/generator-range.json" && pass ||
    fail "generator range --trace-limit 64K: no drops counted in the file"

# The same in real time, where the threads truly run at once: the holds of one lock
# never overlap, and thread 1 of event wait is woken by main's set.
for guard in mutex rlock spin; do
    run lock-counter --iterations 3000 --lock $guard --trace "$work/t.json"
    check_trace "lock-counter --lock $guard, real time: holds apart" --exclusive lock \
        --stdout "$work/out"
done
run event wait --scale 0.02 --trace "$work/t.json"
check_trace "event wait, real time: woken by main's set" --stdout "$work/out" \
    --threads MainThread "$w1" "$w2" --woken-by "$w1" "wait event1" MainThread "set event1"
run tcp-echo demo --trace "$work/t.json" # refuses --schedule: real time only
check_trace "tcp-echo demo" --stdout "$work/out" \
    --threads MainThread "Thread-1 (serve)" "Thread-2 (handle)"

# ---- the limit: past it events are dropped and counted; the file is whole and under it.
run prodcons --duration 0.3 --quiet --trace "$work/t.json" --trace-limit 64K
expect_status 0 "prodcons --trace-limit 64K"
check_trace "--trace-limit 64K: drops counted, file whole" --dropped --max-bytes 65536
if grep -q '^thrdemo: --trace-limit 64K reached: [0-9]* events dropped' "$work/err"; then pass
else fail "--trace-limit: no count of dropped events on stderr"; fi
run lock-counter --iterations 10 --trace "$work/t.json" --trace-limit 4MiB
expect_status 0 "--trace-limit 4MiB"
[ ! -s "$work/err" ] && pass || fail "--trace-limit 4MiB: something on stderr"

# ---- Ctrl-C: the file is written by the orderly stop, complete.
interrupt INT tcp-echo server --port 0 --trace "$work/t.json"
expect_status 130 "tcp-echo server --trace, Ctrl-C"
# The stop event is set by the runner's signal thread, a plain pthread: "pthread-1".
check_trace "tcp-echo server: the file after Ctrl-C" --stdout "$work/out" \
    --threads MainThread pthread-1
interrupt INT timer repeat --every 0.01 --trace "$work/t.json" --timeline
expect_status 130 "timer repeat --trace --timeline, Ctrl-C"
check_trace "timer repeat: the file after Ctrl-C"
grep -q '^legend: ' "$work/err" && pass || fail "timer repeat: no chart after Ctrl-C"

# ---- the chart: on stderr when stdout is not a terminal, the width it is given,
# ASCII or Unicode by locale and --ascii, no colour off a terminal.
run --schedule fifo threads basic --timeline --width 60
expect_status 0 "threads basic --timeline"
grep -q 'legend\|timeline' "$work/out" && fail "--timeline wrote on stdout (a pipe)" || pass
chart_width() { # FILE N: the chart's three rows (names and columns) all N wide
    rows=0
    bar=$(printf '\342\224\202')
    while IFS= read -r row; do
        case $row in *"|"*|*"$bar"*) ;; *) continue ;; esac
        rows=$((rows + 1))
        [ "$(printf '%s' "$row" | LC_ALL=C.UTF-8 wc -m)" -eq "$2" ] || return 1
    done <"$1"
    [ "$rows" -eq 3 ]
}
check "--width 60: three rows of 60 columns" chart_width "$work/err" 60
check "ASCII in the C locale" sh -c "! LC_ALL=C grep -q '[^ -~]' '$work/err'"
for row in MainThread "Thread-1~mbers)" "Thread-2~tters)"; do # cut in the middle
    grep -q "^$row" "$work/err" && pass || fail "--timeline: no row for $row"
done
grep -q '^legend: # running  - blocked  \. sleeping  \* line printed$' "$work/err" && pass ||
    fail "--timeline: the ASCII legend"
LC_ALL=C.UTF-8 "$THRDEMO" --schedule fifo threads basic --timeline --width 70 >/dev/null 2>"$work/err"
check "--width 70 in Unicode" chart_width "$work/err" 70
grep -q "$(printf '\342\226\210 running')" "$work/err" && pass || fail "no Unicode legend"
LC_ALL=C.UTF-8 "$THRDEMO" --schedule fifo threads basic --timeline --ascii >/dev/null \
    2>"$work/err"
check "--ascii beats a UTF-8 locale" sh -c "! LC_ALL=C grep -q '[^ -~]' '$work/err'"
check "--width: 80 off a terminal" chart_width "$work/err" 80
if command -v script >/dev/null 2>&1; then
    # On a terminal: the chart on stdout, in colour, unless NO_COLOR is set.
    env -u NO_COLOR script -qec "$THRDEMO threads basic --timeline --width 60" /dev/null \
        >"$work/tty" 2>&1 </dev/null
    grep -q "$(printf '\033\\[32m')" "$work/tty" && pass || fail "no colour on a terminal"
    NO_COLOR=1 script -qec "$THRDEMO threads basic --timeline --width 60" /dev/null \
        >"$work/tty" 2>&1 </dev/null
    grep -q "$(printf '\033')" "$work/tty" && fail "colour despite NO_COLOR" || pass
    grep -q '^legend' "$work/tty" && pass || fail "no chart on the terminal's stdout"
fi

# ---- bad input.
usage_error bench lock --trace "$work/b.json"
grep -q 'bench measures what the library costs' "$work/err" && pass || fail "bench --trace: why"
[ ! -e "$work/b.json" ] && pass || fail "bench --trace created the file"
usage_error --timeline bench
usage_error event --width 100
usage_error event --ascii
usage_error event --trace-limit 1M
usage_error event --trace "$work/t.json" --trace-limit 1K
usage_error event --timeline --width 19
run event --trace "$work/no/such/dir/t.json"
expect_status 1 "--trace into a missing directory"
[ ! -s "$work/out" ] && pass || fail "--trace into a missing directory: the scenario ran"
grep -q "^thrdemo: --trace: cannot write '.*no/such/dir/t.json': No such file" "$work/err" &&
    pass || fail "--trace into a missing directory: the message"

check_traces
finish
