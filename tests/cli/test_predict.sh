#!/bin/sh
# SPDX-License-Identifier: MIT
# --predict (issue 24, OSTEP's -c habit), driven from a pipe: the guess read first,
# the run's stdout unchanged, the verdict as the last line of stderr (right and
# wrong, a value and a yes/no), the interleaving step by step before it, the run's
# exit status kept (3 for a deadlock); refused with one line where there is nothing
# to predict or no schedule to show. Runs under --schedule, so values are exact.
. "$(dirname "$0")/lib.sh"

# thrdemo ARGS... with ANSWERS (printf's format) on its stdin.
predict_with() { # ANSWERS ARGS...
    answers=$1
    shift
    set +e
    # shellcheck disable=SC2059 # the answers are a format: '-2\n'
    printf -- "$answers" | "$THRDEMO" "$@" >"$work/out" 2>"$work/err"
    status=$?
    set -e
    no_sanitizer_report "$@" || true
}
last_err_line() { tail -n1 "$work/err"; }

# ---- a value: lock-counter's final value under random:7 is -2
run lock-counter --lock none --iterations 3 --schedule random:7 --explain
cp "$work/out" "$work/plain"
predict_with '-2\n' lock-counter --lock none --iterations 3 --schedule random:7 --predict
expect_status 0 "--predict, a right guess"
check "--predict: the run's stdout is the run's (with its --explain)" cmp -s "$work/plain" "$work/out"
check "--predict asks first" \
    sh -c "head -n1 '$work/err' | grep -qx \"predict: what will it print after 'Final value of shared_resource: '? -2\""
check "--predict: a right guess is said to be right, last" \
    test "$(last_err_line)" = "predict: you said -2; it printed -2: right"
check "--predict shows the interleaving step by step" \
    grep -q '^thrdemo: the run step by step (26 steps):$' "$work/err"
check "--predict: the replay line names thrdemo as it was run, not /proc/self/exe" \
    grep -q '; replay: thrdemo lock-counter --lock none --iterations 3 --schedule random:7 --explain$' "$work/err"
check "--predict: the steps come before the verdict" \
    test "$(grep -n '^thrdemo: the run step by step' "$work/err" | cut -d: -f1)" -lt "$(wc -l <"$work/err")"
predict_with ' 0 \n' lock-counter --lock none --iterations 3 --schedule random:7 --predict
expect_status 0 "--predict, a wrong guess"
check "--predict: a wrong guess is said to be wrong, with the value" \
    test "$(last_err_line)" = "predict: you said 0; it printed -2: wrong"

# ---- yes or no: deadlock lock-order deadlocks under fifo
predict_with 'y\n' deadlock lock-order --schedule fifo --predict
expect_status 3 "--predict keeps the run's status: the deadlock's 3"
check "--predict: 'it will finish' was wrong: it deadlocked" \
    test "$(last_err_line)" = "predict: you said y; it deadlocked (exit status 3): wrong"
check "--predict: the deadlock report comes as --schedule prints it" \
    grep -q '^thrdemo: deadlock: every thread is blocked' "$work/err"
predict_with 'maybe\nn\n' deadlock lock-order --schedule fifo --predict
check "--predict: an answer that is not y or n is asked again" \
    test "$(grep -c '^predict: answer y or n$' "$work/err")" -eq 1
check "--predict: 'it will not finish' was right" \
    test "$(last_err_line)" = "predict: you said n; it deadlocked (exit status 3): right"
predict_with 'y\n' deadlock lock-order-fixed --schedule fifo --predict
expect_status 0 "--predict on the fixed lock order"
check "--predict: the fixed order finishes, as guessed" \
    test "$(last_err_line)" = "predict: you said y; it printed it: right"

# ---- refused: nothing to predict, no schedule, no answer
usage_error lock-counter --predict
usage_error threads --schedule fifo --predict
usage_error explore lock-counter --predict
usage_error step lock-counter --predict
predict_with '' lock-counter --schedule fifo --predict
expect_status 2 "--predict with no answer on stdin"
check "--predict with no answer: one thrdemo: line, nothing run" \
    sh -c "test ! -s '$work/out' && test \"\$(grep -c '^thrdemo: ' '$work/err')\" -eq 1"
run --help
check "--predict is in --help" grep -q -- '--predict' "$work/out"

finish
