#!/bin/sh
# SPDX-License-Identifier: MIT
# scripts/thrdemo (issue 24: silent for a minute on a fresh clone, then 2.5 s a call):
# a build says what it builds on stderr, in one line, and shows the build's output
# only when it fails; a call with nothing to build runs no cmake and prints nothing
# on stderr; thrdemo gets the script's name as argv[0]. cmake is a fake put first on
# PATH that records its calls and makes a fake binary, so no test waits for a build
# and none depends on how long one takes. TAP output.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
script=$here/../../scripts/thrdemo
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin"
cat >"$work/bin/cmake" <<'FAKE'
#!/bin/sh
echo "$*" >>"$CALLS"
[ -z "${FAKE_FAIL:-}" ] || { echo "fake cmake: $FAKE_FAIL"; exit 1; }
echo "fake cmake talking: $*"
case $1 in
    -S) : >"$BUILD/CMakeCache.txt" ;;
    --build) rm -f "$BUILD/thrdemo"; printf '#!/bin/sh\necho "ran: $*"\n' >"$BUILD/thrdemo"; chmod +x "$BUILD/thrdemo" ;;
esac
FAKE
chmod +x "$work/bin/cmake"
export PATH="$work/bin:$PATH" CALLS="$work/calls" BUILD="$work/build"
export THRDEMO_BUILD_DIR="$BUILD" THRDEMO_NO_INSTALL=1
mkdir "$BUILD"
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; sed 's/^/#   /' "$work/err"; }
check() { # WHAT COMMAND...
    what=$1
    shift
    if "$@"; then ok "$what"; else not_ok "$what"; fi
}
run() { # ARGS...: scripts/thrdemo ARGS, from the work directory
    : >"$CALLS"
    set +e
    (cd "$work" && "$script" "$@") >"$work/out" 2>"$work/err"
    status=$?
    set -e
}

run --version
if [ "$status" -ne 0 ] && grep -q 'THRDEMO_NO_INSTALL=1' "$work/err"; then
    echo "ok 1 # SKIP packages a build needs are missing here"
    echo "1..1"
    exit 0
fi
check "first call: exit 0" test "$status" -eq 0
check "first call: configures, then builds" \
    test "$(cut -d' ' -f1 "$CALLS" | tr '\n' ' ')" = "-S --build "
check "first call: one line on stderr, saying what it builds" \
    test "$(cat "$work/err")" = "thrdemo: building build/ (first use, about a minute)..."
check "first call: the build's own output is not shown" sh -c "! grep -q 'fake cmake' '$work/out' '$work/err'"
check "first call: then runs thrdemo" grep -qxF "ran: --version" "$work/out"

run list
check "up to date: exit 0" test "$status" -eq 0
check "up to date: cmake is not run" test ! -s "$CALLS"
check "up to date: nothing on stderr" test ! -s "$work/err"
check "up to date: thrdemo runs" grep -qxF "ran: list" "$work/out"

touch -d '2000-01-01' "$BUILD/.scripts-thrdemo-stamp"
run list
check "a source newer than the last build: cmake --build only" \
    test "$(cut -d' ' -f1 "$CALLS" | tr '\n' ' ')" = "--build "
check "a source newer: says it rebuilds, in one line" \
    test "$(cat "$work/err")" = "thrdemo: rebuilding build/ (its sources changed)..."
run list
check "after the rebuild: up to date again" test ! -s "$CALLS"

rm -rf "${BUILD:?}"/* "$BUILD/.scripts-thrdemo-stamp"
FAKE_FAIL="error: no compiler" run list
check "a failed build: exit 1" test "$status" -eq 1
check "a failed build: its output on stderr, after the line that says what" sh -c "
    head -n1 '$work/err' | grep -qx 'thrdemo: building build/ (first use, about a minute)...' &&
    grep -qx 'fake cmake: error: no compiler' '$work/err'"
check "a failed build: nothing on stdout" test ! -s "$work/out"
# The real binary (ctest's THRDEMO): its replay line names the script as run.
if [ -n "${THRDEMO:-}" ]; then
    rm -f "$BUILD/thrdemo"
    cp "$THRDEMO" "$BUILD/thrdemo" # a copy: a fake build must never write the real one
    touch "$BUILD/CMakeCache.txt" "$BUILD/.scripts-thrdemo-stamp"
    run --schedule random:1 threads basic
    check "thrdemo's argv[0] is the script as run: its replay line" \
        grep -qF "; replay: $script --schedule random:1 threads basic" "$work/err"
else
    echo "ok $((n += 1)) # SKIP no THRDEMO binary to run"
fi
echo "1..$n"
[ "$failed" -eq 0 ]
