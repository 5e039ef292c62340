#!/bin/sh
# SPDX-License-Identifier: MIT
# Install the build into a temporary prefix and use it as a user would: the SONAME
# carries the ABI version, only td_ symbols are exported, the installed binary runs,
# the pkg-config file and CMake package declare libuv, and a consumer and the C
# examples (examples/c) build and run both through pkg-config and through
# find_package(thrdemo). TAP output.
# Usage: check.sh BUILD_DIR SOURCE_DIR ABI_VERSION
set -eu
build=$1
src=$2
abi=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
check() { # DESCRIPTION COMMAND...
    desc=$1
    shift
    if "$@" >"$work/log" 2>&1; then ok "$desc"; else not_ok "$desc"; sed 's/^/# /' "$work/log" | head -30; fi
}
examples="event_handoff queue_pool timer_cancel"

if ! cmake --install "$build" --prefix "$work/prefix" >"$work/log" 2>&1; then
    not_ok "cmake --install"
    sed 's/^/# /' "$work/log"
    echo "1..$n"
    exit 1
fi
ok "cmake --install"
lib=$(ls "$work"/prefix/lib*/libthrdemo.so."$abi" 2>/dev/null | head -n1)
check "libthrdemo.so.$abi installed" test -n "$lib"
libdir=$(dirname "${lib:-$work/prefix/lib/x}")
check "SONAME is libthrdemo.so.$abi" sh -c "readelf -d '$lib' | grep -q 'SONAME.*\[libthrdemo\.so\.$abi\]'"
others=$(nm -D --defined-only "$lib" 2>/dev/null | awk '$2 ~ /^[TDBRV]$/ && $3 !~ /^td_/ && $3 !~ /^_/ {print $3}')
check "nothing exported besides the td_ API${others:+: $others}" test -z "$others"
check "no internal td__ symbol exported" sh -c "! nm -D --defined-only '$lib' | grep -q ' T td__'"
for h in thrdemo.h thread.h lock.h event.h queue.h pool.h timer.h; do
    check "header $h installed" test -f "$work/prefix/include/thrdemo/$h"
done
check "the installed thrdemo runs" sh -c "'$work/prefix/bin/thrdemo' --version | grep -q '^thrdemo '"
# The man page and the completions, where man, bash-completion and zsh look for them.
for f in share/man/man1/thrdemo.1 share/bash-completion/completions/thrdemo \
         share/zsh/site-functions/_thrdemo; do
    check "$f installed" test -s "$work/prefix/$f"
done
check "the installed man page is the binary's" sh -c \
    "'$work/prefix/bin/thrdemo' --man | cmp -s - '$work/prefix/share/man/man1/thrdemo.1'"

# pkg-config: libuv is a private requirement, so static users get it and shared
# users do not link it themselves.
export PKG_CONFIG_PATH="$libdir/pkgconfig"
check "thrdemo.pc: Requires.private libuv" sh -c "pkg-config --print-requires-private thrdemo | grep -q '^libuv'"
check "thrdemo.pc: --libs is -lthrdemo alone" sh -c \
    "pkg-config --libs thrdemo | grep -q -- '-lthrdemo' && ! pkg-config --libs thrdemo | grep -q -- '-luv'"
# Issue 24: what pkg-config gives is enough to build AND run from a prefix the loader
# does not search: no -rpath of our own, no LD_LIBRARY_PATH.
pc_build() { # OUTPUT SOURCE
    cc -std=c11 -Wall -Wextra -Wpedantic -Werror -o "$1" "$2" \
        $(pkg-config --cflags --libs thrdemo)
}
check "thrdemo.pc: --libs has an rpath to the prefix's libdir" sh -c \
    "pkg-config --libs thrdemo | grep -q -- '-Wl,-rpath,$libdir'"
check "pkg-config: the consumer builds" pc_build "$work/pc-consumer" "$src/tests/install/consumer.c"
check "pkg-config: the consumer runs without LD_LIBRARY_PATH" sh -c \
    "env -u LD_LIBRARY_PATH '$work/pc-consumer' | grep -q '^hello from Thread-1 (hello)\$'"
check "pkg-config: the consumer loads the prefix's libthrdemo" sh -c \
    "env -u LD_LIBRARY_PATH ldd '$work/pc-consumer' | grep -q 'libthrdemo.so.$abi => $libdir/'"
for e in $examples; do
    check "pkg-config: example $e builds" pc_build "$work/pc-$e" "$src/examples/c/$e.c"
    check "pkg-config: example $e runs as it says" sh "$src/tests/install/run_example.sh" "$work/pc-$e" "$src/examples/c/$e.c"
done

# find_package(thrdemo): the config finds libuv (its FindLibUV.cmake is installed).
check "thrdemoConfig.cmake: find_dependency(LibUV)" grep -q 'find_dependency(LibUV' "$libdir/cmake/thrdemo/thrdemoConfig.cmake"
check "find_package: the consumer configures" cmake -S "$src/tests/install" -B "$work/cm" \
    -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_RPATH="$libdir"
check "find_package: the consumer builds" cmake --build "$work/cm"
check "find_package: the consumer runs" sh -c "'$work/cm/consumer' | grep -q '^hello from Thread-1 (hello)\$'"
check "find_package: the examples configure" cmake -S "$src/examples/c" -B "$work/ex" \
    -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_RPATH="$libdir" \
    -DCMAKE_C_FLAGS="-Wall -Wextra -Wpedantic -Werror"
check "find_package: the examples build" cmake --build "$work/ex"
for e in $examples; do
    check "find_package: example $e runs as it says" sh "$src/tests/install/run_example.sh" "$work/ex/example_$e" "$src/examples/c/$e.c"
done
# Before 1.0 a minor release may break the API: asking for 0.0 must not get 0.1.
check "find_package: another 0.y minor version is not taken as compatible" sh -c \
    "! cmake -S '$src/tests/install' -B '$work/cm-older' -DCMAKE_PREFIX_PATH='$work/prefix' -DTHRDEMO_WANT=0.0"
echo "1..$n"
[ "$failed" -eq 0 ]
