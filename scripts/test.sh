#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/test.sh: install what is missing, then build and run every test suite:
# the cmocka unit tests and the shell regression tests (both through ctest) with gcc
# and with clang (warnings are errors; clang's build with the swapcontext fallback for
# coroutines), then again in a ThreadSanitizer build and in
# an AddressSanitizer + UndefinedBehaviorSanitizer build, and last a gcc Release build
# (compiled only, for the warnings gcc gives when it optimises). Any failure, warning or
# sanitizer report fails the run. Builds go to build-test/<name>.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/deps.sh"
ensure_deps cmake:cmake gcc:gcc clang:clang make:make python3:python3 pkg-config:pkg-config \
    readelf:binutils /usr/include/uv.h:libuv1-dev /usr/include/cmocka.h:libcmocka-dev \
    /usr/include/hiredis/hiredis.h:libhiredis-dev redis-server:redis-server \
    redis-cli:redis-tools nc:netcat-openbsd abidiff:abigail-tools zsh:zsh groff:groff-base || exit 1

out=${THRDEMO_TEST_DIR:-$root/build-test}
jobs=2
# A sanitizer report makes the process fail with a status no test expects, and the
# shell tests also look for report text on stderr.
# atexit_sleep_ms=0: TSan otherwise sleeps a second in every exit, which the timing
# tests (Ctrl-C, timer cancel) would count against thrdemo.
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 atexit_sleep_ms=0"
export ASAN_OPTIONS="halt_on_error=1 exitcode=67 detect_leaks=1"
export UBSAN_OPTIONS="halt_on_error=1 print_stacktrace=1"
# Every test reports in TAP (the shell tests through tests/cli/lib.sh, cmocka when
# told so), and ctest keeps each test's whole output in a JUnit report per suite, from
# which scripts/test_summary.py counts the checks passed, failed and skipped.
export CMOCKA_MESSAGE_OUTPUT=TAP
# No test may depend on another's order (issue 11): ctest runs the tests in a random
# order, and each cmocka file its cases in a shuffled one, whose seed it prints
# ("# THRDEMO_TEST_SHUFFLE=N": set it to run that order again).
export THRDEMO_TEST_SHUFFLE=${THRDEMO_TEST_SHUFFLE:-random}

failed=""
reports=()
suite() { # NAME CC BUILD_TYPE SANITIZE [CMAKE OPTION...]
    name=$1
    dir="$out/$name"
    echo "== $name: configure and build ($2, ${4:-no sanitizer}${5:+, $5})"
    if ! cmake -S "$root" -B "$dir" -DCMAKE_C_COMPILER="$2" -DCMAKE_BUILD_TYPE="$3" \
            -DTHRDEMO_WERROR=ON -DTHRDEMO_SANITIZE="$4" "${@:5}" >"$dir.configure.log" 2>&1; then
        cat "$dir.configure.log"
        failed="$failed $name(configure)"
        return
    fi
    if ! cmake --build "$dir" -j"$jobs" >"$dir.build.log" 2>&1; then
        grep -E "error|warning" "$dir.build.log" | head -40
        failed="$failed $name(build)"
        return
    fi
    echo "== $name: tests"
    rm -f "$dir.junit.xml"
    reports+=("$name=$dir.junit.xml")
    if ! (cd "$dir" && ctest --output-on-failure -j"$jobs" --schedule-random --timeout 300 \
            --output-junit "$dir.junit.xml" --test-output-size-passed 50000000 \
            --test-output-size-failed 50000000); then
        failed="$failed $name(tests)"
    fi
}

mkdir -p "$out"
start=$(date +%s)
suite gcc gcc Debug ""
# The clang build switches coroutine stacks with swapcontext, the portable fallback,
# so that both ways of switching stay tested.
suite clang clang Debug "" -DTHRDEMO_CORO_SWITCH=ucontext
suite tsan clang RelWithDebInfo thread
suite asan clang Debug address
# gcc warns about some things only when it optimises (-Wformat-truncation,
# -Wmaybe-uninitialized), and the benchmarks run a Release build: build one, warnings
# as errors, without running the tests again.
echo "== gcc-release: build only (gcc, Release)"
if ! { cmake -S "$root" -B "$out/gcc-release" -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=Release \
           -DTHRDEMO_WERROR=ON -DBUILD_TESTING=OFF >"$out/gcc-release.configure.log" 2>&1 &&
       cmake --build "$out/gcc-release" -j"$jobs" >"$out/gcc-release.build.log" 2>&1; }; then
    grep -E "error|warning" "$out/gcc-release.build.log" "$out/gcc-release.configure.log" | head -40
    failed="$failed gcc-release(build)"
fi
echo "== total time: $(( $(date +%s) - start )) s"
echo "== checks (TAP lines; a test without TAP counts once):"
python3 "$root/scripts/test_summary.py" "${reports[@]}" || true
if [ -n "$failed" ]; then
    echo "FAILED:$failed"
    exit 1
fi
echo "all suites passed"
