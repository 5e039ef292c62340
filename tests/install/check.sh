#!/bin/sh
# SPDX-License-Identifier: MIT
# Install the build into a temporary prefix and use it as a user would: the SONAME,
# only td_ symbols exported, the installed binary runs, and a consumer builds both
# through pkg-config and through find_package(thrdemo).
# Usage: check.sh BUILD_DIR SOURCE_DIR
set -eu
build=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

cmake --install "$build" --prefix "$work/prefix" >/dev/null
lib=$(ls "$work"/prefix/lib*/libthrdemo.so.0 2>/dev/null | head -n1)
[ -n "$lib" ] || fail "libthrdemo.so.0 not installed"
libdir=$(dirname "$lib")
readelf -d "$lib" | grep -q 'SONAME.*\[libthrdemo\.so\.0\]' || fail "SONAME is not libthrdemo.so.0"
others=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRV]$/ && $3 !~ /^td_/ && $3 !~ /^_/ {print $3}')
[ -z "$others" ] || fail "symbols exported besides the td_ API: $others"
nm -D --defined-only "$lib" | grep -q ' T td__' && fail "internal td__ symbols are exported"
for h in thrdemo.h thread.h lock.h event.h; do
    [ -f "$work/prefix/include/thrdemo/$h" ] || fail "header $h not installed"
done
"$work/prefix/bin/thrdemo" --version | grep -q '^thrdemo ' || fail "installed thrdemo does not run"

# pkg-config
export PKG_CONFIG_PATH="$libdir/pkgconfig"
if command -v pkg-config >/dev/null 2>&1; then
    cc -o "$work/pc-consumer" "$src/tests/install/consumer.c" $(pkg-config --cflags --libs thrdemo) \
        -Wl,-rpath,"$libdir" || fail "consumer does not build with pkg-config"
    "$work/pc-consumer" | grep -q '^hello from Thread-1 (hello)$' || fail "pkg-config consumer output"
fi

# find_package(thrdemo)
cmake -S "$src/tests/install" -B "$work/cm" -DCMAKE_PREFIX_PATH="$work/prefix" \
    -DCMAKE_BUILD_RPATH="$libdir" >/dev/null || fail "find_package(thrdemo) failed"
cmake --build "$work/cm" >/dev/null || fail "CMake consumer does not build"
"$work/cm/consumer" | grep -q '^hello from Thread-1 (hello)$' || fail "CMake consumer output"
echo "install check: 1 passed, 0 failed"
