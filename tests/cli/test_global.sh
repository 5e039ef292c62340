#!/bin/sh
# SPDX-License-Identifier: MIT
# The command line itself: list, help, --version, global options, exit codes.
. "$(dirname "$0")/lib.sh"

run --version
expect_status 0 "--version"
check "--version prints a version" grep -qE '^thrdemo [0-9]+\.[0-9]+\.[0-9]+$' "$work/out"

run --help
expect_status 0 "--help"
for s in event threads lock-counter; do
    check "--help lists $s" grep -q "^  $s " "$work/out"
done

run list
expect_status 0 "list"
check "list: one line per variant" grep -qE '^event +wait +002 ' "$work/out"
check "list: timer variant of event" grep -qE '^event +timer +002 ' "$work/out"
check "list: lock-counter without variants" grep -qE '^lock-counter +- +002 ' "$work/out"

run help event
expect_status 0 "help event"
cp "$work/out" "$work/help1"
run event --help
expect_status 0 "event --help"
check "help SCENARIO = SCENARIO --help" cmp -s "$work/help1" "$work/out"
check "help lists options with defaults" grep -q -- '--wait-timeout S .*(default 1;' "$work/out"
check "help lists --delay's default" grep -q -- '--delay S .*(default 5.0)' "$work/out"
run lock-counter --help
check "lock-counter help: --lock default" sh -c "tr '\n' ' ' <'$work/out' | grep -q -- '--lock WORD .*(default mutex;'"

# Global options before or after the scenario; env defaults; options beat env.
echo "Final value of shared_resource: 0" >"$work/want"
run --scale 0.5 lock-counter --iterations 10
expect_out "$work/want" "global option before"
run lock-counter --iterations 10 --scale=0.5 --seed 3
expect_out "$work/want" "global options after"
THRDEMO_SCALE=0.05 run event timer
expect_status 0 "THRDEMO_SCALE from the environment"
start=$(date +%s%N)
THRDEMO_SCALE=100 run event timer --scale 0.02
check "--scale beats THRDEMO_SCALE" test $(( ($(date +%s%N) - start) / 1000000 )) -lt 4000

usage_error
usage_error bogus
usage_error --bogus
usage_error help bogus
usage_error list extra
usage_error --scale abc event
usage_error --scale -1 event
usage_error --scale 0 event
usage_error --scale 1e400 event
usage_error --scale inf event
usage_error --scale 0x10 event
usage_error --scale
usage_error event --scale
usage_error --seed -1 event
usage_error --seed x event
usage_error --seed 1.5 event
usage_error event --seed 99999999999999999999999
THRDEMO_SCALE=abc usage_error event
THRDEMO_SEED=-3 usage_error event
finish
