#!/bin/sh
# SPDX-License-Identifier: MIT
# subproject.sh SOURCE_DIR: thrdemo added to another project with add_subdirectory,
# on a machine where hiredis and cmocka cannot be found, configures and builds; the
# binary it builds refuses `redis-gate --redis` with the promised message and runs
# everything else; nothing looked for cmocka. TAP output.
#
# The packages are hidden, not removed: every CMake lookup is rooted
# (CMAKE_FIND_ROOT_PATH, mode ONLY) in a directory that holds libuv alone, and
# pkg-config sees only libuv's .pc. Two controls show that the hiding works: the
# same configuration with -DTHRDEMO_WITH_HIREDIS=ON, and thrdemo configured as the
# top-level project (tests on), must both fail, naming what they miss.
set -eu
src=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
check() { # DESCRIPTION COMMAND...
    desc=$1
    shift
    if "$@" >"$work/log" 2>&1; then ok "$desc"; else not_ok "$desc"; sed 's/^/# /' "$work/log" | tail -30; fi
}

# ---- a root with libuv alone, laid out as the system has it.
uv_h=$(echo '#include <uv.h>' | cc -E -M - 2>/dev/null | tr ' \\' '\n\n' | grep '/uv\.h$' | head -n1)
uv_so=$(cc -print-file-name=libuv.so)
uv_pc=$(pkg-config --variable=pcfiledir libuv)/libuv.pc
if [ -z "$uv_h" ] || [ ! -e "$uv_so" ] || [ ! -e "$uv_pc" ]; then
    echo "1..0 # SKIP libuv (header, library, .pc) not found: scripts/test.sh installs libuv1-dev"
    exit 0
fi
root=$work/root
mkdir -p "$root$(dirname "$uv_h")" "$root$(dirname "$uv_so")" "$root$(dirname "$uv_pc")"
ln -s "$uv_h" "$root$uv_h"
ln -s "$(dirname "$uv_h")/uv" "$root$(dirname "$uv_h")/uv"
ln -s "$(readlink -f "$uv_so")" "$root$(dirname "$uv_so")/libuv.so"
cp "$uv_pc" "$root$uv_pc"
hide() { # COMMAND...: run with every lookup inside $root
    PKG_CONFIG_LIBDIR=$root$(dirname "$uv_pc") PKG_CONFIG_PATH= "$@"
}
rooted="-DCMAKE_FIND_ROOT_PATH=$root -DCMAKE_FIND_ROOT_PATH_MODE_INCLUDE=ONLY
        -DCMAKE_FIND_ROOT_PATH_MODE_LIBRARY=ONLY -DCMAKE_FIND_ROOT_PATH_MODE_PACKAGE=ONLY"

# ---- the controls: the hiding really hides hiredis and cmocka.
hide cmake -S "$src/tests/install/subproject" -B "$work/control-hiredis" $rooted \
    -DTHRDEMO_SOURCE_DIR="$src" -DTHRDEMO_WITH_HIREDIS=ON >"$work/control1" 2>&1 &&
    not_ok "control: THRDEMO_WITH_HIREDIS=ON configured although hiredis is hidden" ||
    check "control: THRDEMO_WITH_HIREDIS=ON fails, naming hiredis" grep -q "Could NOT find Hiredis" "$work/control1"
hide cmake -S "$src" -B "$work/control-cmocka" $rooted >"$work/control2" 2>&1 &&
    not_ok "control: thrdemo's own tests configured although cmocka is hidden" ||
    check "control: thrdemo top-level (tests on) fails, naming cmocka" grep -q "tests need cmocka" "$work/control2"

# ---- the consumer: add_subdirectory(thrdemo) with neither.
build=$work/consumer
check "add_subdirectory: configures without hiredis and cmocka" hide cmake \
    -S "$src/tests/install/subproject" -B "$build" $rooted -DTHRDEMO_SOURCE_DIR="$src"
cp "$work/log" "$work/configure.log"
check "add_subdirectory: says it builds without hiredis" grep -q "building without hiredis" "$work/configure.log"
check "add_subdirectory: nothing looked for cmocka" sh -c "! grep -qi cmocka '$build/CMakeCache.txt'"
check "add_subdirectory: the parent's (empty) build type is left alone" \
    grep -q '^CMAKE_BUILD_TYPE:STRING=$' "$build/CMakeCache.txt"
check "add_subdirectory: no tests and no examples of thrdemo's" sh -c \
    "! grep -q 'BUILD_TESTING:BOOL' '$build/CMakeCache.txt' && [ ! -e '$build/thrdemo/tests' ] && [ ! -e '$build/thrdemo/examples' ]"
check "add_subdirectory: builds" hide nice cmake --build "$build" -j2
check "the consumer runs" sh -c "'$build/consumer' | grep -q '^hello from Thread-1 (hello)\$'"
bin=$build/thrdemo/thrdemo
check "thrdemo is not linked to hiredis" sh -c "! readelf -d '$bin' | grep -q 'NEEDED.*hiredis'"
set +e
"$bin" redis-gate --redis 127.0.0.1:6379 >"$work/out" 2>"$work/err"
status=$?
set -e
check "redis-gate --redis exits 2 ($status)" test "$status" -eq 2
check "redis-gate --redis writes nothing on stdout" test ! -s "$work/out"
check "redis-gate --redis says why, in one line" sh -c "[ \$(wc -l <'$work/err') -eq 1 ] &&
    grep -q '^thrdemo: --redis: this build has no Redis client (built without hiredis)' '$work/err'"
check "redis-gate without --redis (simulated) runs" sh -c \
    "'$bin' redis-gate --scale 0.01 | grep -q 'redis ready, and connect'"
echo "1..$n"
[ "$failed" -eq 0 ]
