#!/bin/sh
# SPDX-License-Identifier: MIT
# The command line's own behaviour (issue 12): help as a command, suggestions for
# misspelt names, "--" everywhere, errors that stay on one line, --lang, and the
# strictness items found by the hostile battery (test_cli_hostile.sh runs the rest).
. "$(dirname "$0")/lib.sh"

# ---- help: a command, a flag, the same text either way.
run --help
cp "$work/out" "$work/top"
run help
expect_status 0 "thrdemo help"
check "help = --help" cmp -s "$work/top" "$work/out"
check "--help: exit statuses 3 and 4 come with --schedule" \
    sh -c "grep -q '^  3 .*with --schedule' '$work/out' && grep -q '^  4 .*with --schedule' '$work/out'"
run event --help
cp "$work/out" "$work/event"
for words in "help event" "help event timer" "--help event" "event timer --help" "event --help --scale 2"; do
    # shellcheck disable=SC2086 # the words are the command line
    run $words
    expect_status 0 "$words"
    check "$words = event --help" cmp -s "$work/event" "$work/out"
done
run list --help
expect_status 0 "list --help (it was exit 2)"
check "list --help: list's usage" grep -q '^usage: thrdemo list$' "$work/out"
run help --help
check "help --help: help's usage" grep -q '^usage: thrdemo help \[COMMAND \[VARIANT\] | TOPIC\]$' "$work/out"
run bench --help
check "bench --help: the workloads and --runs" sh -c "grep -q '^Workloads' '$work/out' && grep -q -- '--runs N' '$work/out'"

# ---- help that teaches: every variant, options with defaults, examples, the lesson,
# the Python calls and the functions behind them.
check "event help: the lesson" grep -q '^The lesson:$' "$work/event"
for v in wait subclass timer; do
    check "event help: variant $v and its example" \
        sh -c "grep -q '^  $v ' '$work/event' && grep -q '^    example: thrdemo event $v' '$work/event'"
done
check "event help: Python -> td" grep -qE '^  threading\.Event\.wait +-> td_event_wait' "$work/event"

# ---- --python: the Python program of the variant, as examples/python holds it.
run event --python
expect_status 0 "event --python"
check "event --python is event_wait.py" cmp -s "$examples/event_wait.py" "$work/out"
run timer interval --every 3 --python
check "timer interval --python is timer_interval.py" cmp -s "$examples/timer_interval.py" "$work/out"
usage_error bench --python
usage_error list --python

# ---- the nearest name (issue 12).
usage_error moniter
check "did you mean monitor" grep -q "did you mean 'monitor'?" "$work/err"
usage_error lock
check "a prefix is a suggestion: lock-counter" grep -q "did you mean 'lock-counter'?" "$work/err"
usage_error event wiat
check "did you mean wait" grep -q "did you mean 'wait'?" "$work/err"
usage_error event --wait-timout 1
check "did you mean --wait-timeout" grep -q "did you mean '--wait-timeout'?" "$work/err"
usage_error lock-counter --lock mutx
check "did you mean mutex" grep -q "did you mean 'mutex'?" "$work/err"
usage_error --stat event
check "did you mean --stats" grep -q "did you mean '--stats'?" "$work/err"
usage_error --verison
check "did you mean --version" grep -q "did you mean '--version'?" "$work/err"
usage_error event --delay 1
check "an option of another variant says whose" grep -q "'\?--delay'\? is an option of event timer, not of event wait" "$work/err"

# ---- strict: each of these ran or exited 0 before (issue 12).
usage_error lock-counter --lock 'spin atomic'
usage_error tcp-echo -x
usage_error tcp-echo demo client
usage_error --version extra
usage_error --help nosuch
usage_error --help event extra
usage_error --help --version
usage_error list extra
usage_error help event bogus
usage_error event -- wait
usage_error event --first-delay --second-delay 3
usage_error --completion fish
usage_error --man extra

# ---- what an error echoes is escaped: one line whatever the input holds.
usage_error event --first-delay "$(printf '1\n2')"
check "a newline is shown as \\n" grep -qF "'1\\n2' is not a number" "$work/err"
usage_error tcp-echo --host "$(printf 'a\033[31mb')"
check "an escape byte is shown as \\x1b" grep -qF "'a\\x1b[31mb'" "$work/err"
long=$(head -c 100000 /dev/zero | tr '\0' x)
usage_error event --wait-timeout "$long"
check "a long value is cut short ($(wc -c <"$work/err") bytes)" test "$(wc -c <"$work/err")" -lt 300

# ---- "--" ends the options everywhere: before the command too.
run -- list
expect_status 0 "-- list"
run --scale 0.05 -- event timer
expect_status 0 "global options, --, then the command"

# ---- --lang en: the seeds' own strings in English; nothing else changes.
run monitor --scale 0.05
check "monitor: the seed's Korean by default" grep -q '^주기적으로 실행$' "$work/out"
run monitor --scale 0.05 --lang en
expect_status 0 "monitor --lang en"
check "monitor --lang en: the runs in English, then stopped" sh -c "
    test \"\$(tail -n1 '$work/out')\" = stopped &&
    sed '\$d' '$work/out' | grep -qx 'running periodically' &&
    ! sed '\$d' '$work/out' | grep -vqx 'running periodically'"
run --lang en monitor toast --scale 0.05 --error-after 1
check "toast --lang en: the last line" test "$(tail -n1 "$work/out")" = "---Toast Error monitor ended---"
check "toast --lang en: no Korean left" sh -c "! LC_ALL=C grep -q '[^ -~]' '$work/out'"
run tcp-echo demo --lang en
check "tcp-echo demo --lang en: the second message" grep -q '^Client received: Hello$' "$work/out"
check "tcp-echo demo --lang en: ASCII only" sh -c "! LC_ALL=C grep -q '[^ -~]' '$work/out'"
usage_error --lang ko monitor
usage_error monitor --lang

# ---- issue 21: values the parser took and should not have, and options given twice.
# --max-steps past its documented 10^18: as a double 10^18 + 1 was 10^18.
usage_error --schedule fifo --max-steps 1000000000000000001 threads
check "--max-steps 10^18 + 1: says the range" grep -q -- '--max-steps: 1000000000000000001 is out of range (from 1 .. 1e+18)' "$work/err"
run --schedule fifo --max-steps 1000000000000000000 threads
expect_status 0 "--max-steps 10^18, the maximum"
# --scale below a thousandth (1e-300 made every duration zero), also from the environment.
usage_error --scale 1e-300 generator
check "--scale 1e-300: says the range" grep -q -- '--scale: 1e-300 is out of range (from 0.001 .. 1000000)' "$work/err"
usage_error generator --scale 0.0009
export THRDEMO_SCALE=1e-300
usage_error generator
unset THRDEMO_SCALE
run --scale 0.001 generator
expect_status 0 "--scale 0.001, the minimum"
# --trace -: stdout, as to git and curl (issue 24; issue 21 refused it, for the trace
# lines were on stdout): the JSON alone on stdout, the lines on stderr; ./- names a
# file called -.
here_before=$(pwd)
cd "$work"
run --schedule fifo --trace - threads
expect_status 0 "--trace -"
check "--trace -: no file named -" test ! -e "$work/-"
if have_python; then
    check "--trace -: stdout is the JSON alone" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert any(e.get("name") == "thread_name" for e in d["traceEvents"])' "$work/out"
else
    skip "--trace -: stdout is the JSON alone (no python3)"
fi
check "--trace -: the scenario's lines on stderr" grep -qx 'All threads have finished.' "$work/err"
run --schedule fifo --trace - threads --timeline --width 60
check "--trace - --timeline: the chart on stderr, not in the JSON" \
    sh -c "grep -q '^legend: ' '$work/err' && ! grep -q 'legend: ' '$work/out'"
run --help
check "--help: --trace - is stdout, the lines go to stderr" \
    sh -c "tr '\n' ' ' <'$work/out' | tr -s ' ' | grep -q \"'-' writes it on stdout, and the scenario's own lines go to stderr\""
run --schedule fifo --trace ./- threads
expect_status 0 "--trace ./-"
check "--trace ./-: the file named -" test -s "$work/-"
cd "$here_before"
# An option given twice: the last one counts, as in git and curl, and --help says so.
run --stats lock-counter --iterations 1000 --iterations 10
expect_status 0 "lock-counter --iterations 1000 --iterations 10"
check "--iterations given twice: the last counts" grep -q '^  increments: 10$' "$work/err"
run --schedule random:3 threads --schedule random:5
check "--schedule given twice: the last counts" grep -q '^thrdemo: schedule random:5 (' "$work/err"
run --help
check "--help: options given twice, the last counts" \
    sh -c "grep -A1 '^Options given twice:$' '$work/out' | grep -q '^  An option given twice counts once, as in git and curl: the last'"

# ---- issue 24: help for every command and for topics; suggestions that help.
for cmd in $(run --help; sed -n '/^Commands:$/,/^$/p' "$work/out" | awk '/^  [a-z]/ { print $1 }'); do
    run "$cmd" --help
    cp "$work/out" "$work/cmd-help"
    for words in "help $cmd" "--help $cmd"; do
        # shellcheck disable=SC2086 # the words are the command line
        run $words
        expect_status 0 "$words (explore's said 'which scenario?')"
        check "$words = $cmd --help" cmp -s "$work/cmd-help" "$work/out"
    done
done
run help schedule
expect_status 0 "help schedule"
check "help schedule: --schedule, --max-steps, --explain, explore" sh -c "
    grep -q '^  --schedule POLICY ' '$work/out' && grep -q '^  --max-steps N ' '$work/out' &&
    grep -q '^  --explain ' '$work/out' && grep -q 'thrdemo explore SCENARIO' '$work/out'"
run --help timeline
expect_status 0 "--help timeline"
check "help timeline: --timeline, --width, --trace and NO_COLOR" sh -c "
    grep -q '^  --timeline ' '$work/out' && grep -q '^  --width N ' '$work/out' &&
    grep -q '^  --trace FILE ' '$work/out' && grep -q '^  NO_COLOR ' '$work/out'"
run --help
check "--help: the topics" sh -c "grep -q '^  schedule ' '$work/out' && grep -q '^  timeline ' '$work/out'"
usage_error help schedul
check "help schedul: did you mean schedule" grep -q "did you mean 'schedule'?" "$work/err"
usage_error explore lokc-counter
check "explore lokc-counter: did you mean lock-counter" grep -q "did you mean 'lock-counter'?" "$work/err"
usage_error list --python
check "list --python: never 'did you mean' the word itself" sh -c "! grep -q 'did you mean' '$work/err'"
check "list --python: says who takes it" grep -q "unknown option '--python' for list; every scenario takes it" "$work/err"
usage_error list --runs 3
check "list --runs: names the commands that take it" grep -q "for list; it is an option of bench, explore" "$work/err"

# ---- issue 24: a failed stdout says why, in the same words for every command.
for words in "list" "--help" "--version" "event --help" "event --python" "help schedule" \
             "--man" "--schedule fifo threads"; do
    # shellcheck disable=SC2086 # the words are the command line
    "$THRDEMO" $words >/dev/full 2>"$work/err" && status=0 || status=$?
    check "$words > /dev/full: exit 1, 'No space left on device'" sh -c "
        test $status -eq 1 && test \"\$(wc -l <'$work/err')\" -eq 1 &&
        grep -qx 'thrdemo: error writing the output: No space left on device' '$work/err'"
done

# ---- issue 24: the help fits 80 columns, names explore in its usage and NO_COLOR.
run --help
check "--help: explore's usage line" grep -q '^       thrdemo \[GLOBAL OPTIONS\] explore SCENARIO ' "$work/out"
check "--help: NO_COLOR among the environment" grep -q '^  NO_COLOR ' "$work/out"
run --man
check "man page: NO_COLOR" grep -qx '\.B NO_COLOR' "$work/out"
check "man page: explore in the synopsis" sh -c "sed -n '/^\.SH SYNOPSIS/,/^\.SH DESCRIPTION/p' '$work/out' | grep -q 'fBexplore'"
: >"$work/wide"
for words in "" "help schedule" "help timeline" $(run list; awk '{ print $1 }' "$work/out" | sort -u) \
             $(run --help; sed -n '/^Commands:$/,/^$/p' "$work/out" | awk '/^  [a-z]/ { print $1 }'); do
    # shellcheck disable=SC2086 # the words are the command line
    run $words --help
    awk -v w="$words" 'length > 80 { print w ": " length ": " $0 }' "$work/out" >>"$work/wide"
done
check "no line of any help over 80 columns" test ! -s "$work/wide"
[ ! -s "$work/wide" ] || diag "$work/wide"

# ---- issue 24: the commands thrdemo prints start with its name as it was run.
run --schedule random:5 threads basic
check "on PATH: the replay line says thrdemo" grep -q '; replay: thrdemo --schedule random:5 threads basic$' "$work/err"
"$THRDEMO_BIN" --schedule random:5 threads basic >"$work/out" 2>"$work/err"
check "by its path: the replay line names the path" grep -qF "; replay: $THRDEMO_BIN --schedule random:5 threads basic" "$work/err"
"$THRDEMO_BIN" event --frist-delay 1 >"$work/out" 2>"$work/err" || true
check "by its path: the usage error's hint" grep -qF "(see '$THRDEMO_BIN event --help')" "$work/err"
"$THRDEMO_BIN" event --help >"$work/out"
check "by its path: the help's examples" grep -qF "    example: $THRDEMO_BIN event wait" "$work/out"
(cd "$(dirname "$THRDEMO_BIN")" && ./"$(basename "$THRDEMO_BIN")" explore threads basic --runs 2 --jobs 1) >"$work/out" 2>"$work/err"
check "./thrdemo explore: its table's replays say ./thrdemo" \
    grep -qE "  \./$(basename "$THRDEMO_BIN") --schedule random:1 threads basic\$" "$work/out"
run --man
check "the man page says thrdemo, whatever ran it" sh -c "grep -q '^Example: \\\\fBthrdemo ' '$work/out'"
finish
