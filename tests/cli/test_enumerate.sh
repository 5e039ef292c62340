#!/bin/sh
# SPDX-License-Identifier: MIT
# enumerate: walk the live threads, join each (seed 001).
. "$(dirname "$0")/lib.sh"

# Every worker is alive when main walks enumerate(): the pauses begin once main has
# its list (in Python, only the 0.1 s margin says so); under --schedule, exact too.
run --schedule fifo enumerate --seed 1
expect_status 0 "enumerate under fifo"
check "enumerate: nine lines" test "$(wc -l <"$work/out")" -eq 9
run enumerate --scale 0.2 --seed 1
expect_status 0 "enumerate"
for i in 1 2 3; do
    name="Thread-$i (worker)"
    check "enumerate: $name sleeps a pause of 0.10-0.50" grep -q "^($name) sleeping 0\.[1-5]0\$" "$work/out"
    s=$(grep -n "^($name) sleeping" "$work/out" | cut -d: -f1)
    e=$(grep -n "^($name) ending\$" "$work/out" | cut -d: -f1)
    check "enumerate: $name sleeps before it ends" test "${s:-99}" -lt "${e:-0}"
done
grep '^(MainThread)' "$work/out" >"$work/joins"
printf '(MainThread) joining Thread-%s (worker)\n' 1 2 3 | grep -F -x -f "$work/joins" >"$work/want" || true
check "enumerate: main joins the workers in order" cmp -s "$work/joins" "$work/want"
# Thread-k is joined only after Thread-(k-1) has ended.
for k in 2 3; do
    j=$(grep -n "joining Thread-$k (worker)" "$work/out" | cut -d: -f1)
    e=$(grep -n "^(Thread-$((k - 1)) (worker)) ending\$" "$work/out" | cut -d: -f1)
    check "enumerate: join of Thread-$k after Thread-$((k - 1)) ended" test "${e:-99}" -lt "${j:-0}"
done
# %-10s pads and never truncates: "(MainThread)" is exactly ten wide.
run enumerate --scale 0.1 --seed 1
grep 'sleeping' "$work/out" | sort >"$work/first"
run enumerate --scale 0.1 --seed 1
grep 'sleeping' "$work/out" | sort >"$work/second"
check "enumerate: --seed repeats the pauses" cmp -s "$work/first" "$work/second"
THRDEMO_SEED=1 run enumerate --scale 0.1
grep 'sleeping' "$work/out" | sort >"$work/third"
check "enumerate: THRDEMO_SEED = --seed" cmp -s "$work/first" "$work/third"
run --schedule random:2 enumerate --workers 6 # all six still alive when main looks
check "--workers 6: six joins" test "$(count_lines '^\(MainThread\) joining ')" -eq 6

# --info: values read from the library, printed while the workers are alive: after
# every worker has said it sleeps, before any ends (issue 12). Whether main then
# still finds a worker alive to join is the scheduler's (pauses of 10 ms here).
run enumerate --scale 0.1 --workers 1 --info
expect_status 0 "enumerate --info"
check "info: active_count, the worker alive" grep -q '^active_count()   = 2$' "$work/out"
check "info: TIMEOUT_MAX" grep -q '^TIMEOUT_MAX      = 9223372036.0$' "$work/out"
check "info: stack_size" grep -q '^stack_size()     = 0$' "$work/out"
ident=$(sed -n 's/^get_ident()      = //p' "$work/out")
native=$(sed -n 's/^get_native_id()  = //p' "$work/out")
check "info: get_ident is a number" test -n "$ident" -a "${ident:-x}" -eq "${ident:-0}" 2>/dev/null
check "info: current_thread() repr" grep -q "^current_thread() = <_MainThread(MainThread, started $ident)>\$" "$work/out"
check "info: main_thread() repr" grep -q "^main_thread()    = <_MainThread(MainThread, started $ident)>\$" "$work/out"
check "info: the main thread's row" grep -qE "^  MainThread +$ident +$native +False +True\$" "$work/out"
check "info: the worker's row, a live daemon" grep -qE '^  Thread-1 \(worker\) +[0-9]+ +[0-9]+ +True +True$' "$work/out"
s=$(grep -n 'sleeping' "$work/out" | cut -d: -f1)
a=$(grep -n '^active_count()' "$work/out" | cut -d: -f1)
e=$(grep -n 'ending' "$work/out" | cut -d: -f1)
check "info: after the worker's first line, before its end ($s < $a < $e)" \
    test "${s:-99}" -lt "${a:-0}" -a "${a:-99}" -lt "${e:-0}"
run enumerate --scale 0.1 --workers 5 --info
check "info: five live workers" test "$(grep -cE '^  Thread-[1-5] \(worker\) .* True +True$' "$work/out")" -eq 5
if have_python; then
    python_example enumerate THRDEMO_SCALE=0.1 --workers 5 --info
    sed -E '/joining/d; s/[0-9]{3,}/N/g; s/ +/ /g; s/sleeping 0\.[1-5]0/sleeping P/' "$work/ref" | sort >"$work/ref.shape"
    sed -E '/joining/d; s/[0-9]{3,}/N/g; s/ +/ /g; s/sleeping 0\.[1-5]0/sleeping P/' "$work/out" | sort >"$work/out.shape"
    check "info: the same lines as enumerate.py (numbers and joins aside)" cmp -s "$work/ref.shape" "$work/out.shape"
fi

interrupt INT enumerate --scale 20
expect_status 130 "enumerate after SIGINT"
check "enumerate: stops within 1 s of SIGINT (${elapsed_ms} ms)" test "$elapsed_ms" -lt 1000

usage_error enumerate --workers 0
usage_error enumerate --workers x
usage_error enumerate --workers 65
usage_error enumerate --info=yes
usage_error enumerate extra
finish
