#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/abi-check.sh [--work DIR] [--base REF]: libthrdemo's ABI policy, checked.
#
# The SONAME (libthrdemo.so.N, N = THRDEMO_ABI_VERSION in CMakeLists.txt) must change
# whenever a public struct or function signature changes incompatibly. This script
# builds, with -g, the library of the newest v* tag that the current commit descends
# from (or of REF) and the library of the working tree, and compares them with
# abidiff (libabigail), restricted to the types of the public headers:
#   - no change, or only added functions: pass;
#   - a removed function, or a changed function, struct or type that public
#     declarations reach: an incompatible change; it passes only if the SONAME
#     changed too, and fails otherwise, printing abidiff's report.
# abidiff calls additions-only compatible and everything else it reports a change to
# be reviewed (its exit bit 4 covers a grown struct and an added parameter alike), so
# every reported change counts as incompatible here. A change reviewed and found
# compatible can be waived in scripts/abi-suppressions.txt (libabigail's suppression
# format), with a comment saying why.
# With no v* tag yet it prints a TAP skip line and passes. Builds go to DIR (default
# build-abi/); the tagged version's build is kept there and reused. TAP output.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
work=$root/build-abi
base=${THRDEMO_ABI_BASE:-}
while [ $# -gt 0 ]; do
    case $1 in
        --work) work=$2; shift 2 ;;
        --base) base=$2; shift 2 ;;
        *) echo "usage: scripts/abi-check.sh [--work DIR] [--base REF]" >&2; exit 2 ;;
    esac
done

if ! git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
    echo "1..0 # SKIP not a git checkout: no tagged version to compare with"
    exit 0
fi
if [ -z "$base" ]; then
    base=$(git -C "$root" tag --list 'v*' --merged HEAD --sort=-v:refname | head -n1)
    if [ -z "$base" ]; then
        echo "1..0 # SKIP no tagged version yet"
        exit 0
    fi
fi
commit=$(git -C "$root" rev-parse --verify --quiet "$base^{commit}") || {
    echo "abi-check: '$base' is not a commit or tag" >&2
    exit 2
}

. "$root/scripts/deps.sh"
ensure_deps "abidiff:abigail-tools" "cmake:cmake" "cc:gcc" "readelf:binutils" \
    "/usr/include/uv.h:libuv1-dev" || exit 1

# build_lib SOURCE BUILD: the library alone, with debug information for abidiff.
# Options an older tree does not know are ignored by it.
build_lib() {
    cmake -S "$1" -B "$2" -Wno-dev -DCMAKE_BUILD_TYPE=Debug -DBUILD_TESTING=OFF \
        -DTHRDEMO_BUILD_TESTS=OFF -DTHRDEMO_BUILD_EXAMPLES=OFF -DTHRDEMO_WITH_HIREDIS=OFF \
        >"$2.log" 2>&1 && cmake --build "$2" --target thrdemo -j2 >>"$2.log" 2>&1
}
soname() { readelf -d "$1" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p'; }

mkdir -p "$work"
old_src=$work/src-$commit
if [ ! -d "$old_src" ]; then
    mkdir -p "$old_src.tmp"
    git -C "$root" archive --format=tar "$commit" | tar -x -C "$old_src.tmp"
    mv "$old_src.tmp" "$old_src"
fi
echo "1..3"
if build_lib "$old_src" "$work/old-$commit"; then
    echo "ok 1 - built $base's library"
else
    echo "not ok 1 - cannot build $base's library"
    sed 's/^/# /' "$work/old-$commit.log" | tail -20
    exit 1
fi
if build_lib "$root" "$work/current"; then
    echo "ok 2 - built the working tree's library"
else
    echo "not ok 2 - cannot build the working tree's library"
    sed 's/^/# /' "$work/current.log" | tail -20
    exit 1
fi

old_lib=$work/old-$commit/libthrdemo.so
new_lib=$work/current/libthrdemo.so
old_soname=$(soname "$old_lib")
new_soname=$(soname "$new_lib")
suppressions=()
[ -f "$root/scripts/abi-suppressions.txt" ] && suppressions=(--suppressions "$root/scripts/abi-suppressions.txt")
set +e
abidiff --no-added-syms "${suppressions[@]}" \
    --headers-dir1 "$old_src/lib/include/thrdemo" --headers-dir2 "$root/lib/include/thrdemo" \
    "$old_lib" "$new_lib" >"$work/abidiff.txt" 2>&1
rc=$?
set -e
if [ $((rc & 3)) -ne 0 ]; then
    echo "not ok 3 - abidiff failed (status $rc)"
    sed 's/^/# /' "$work/abidiff.txt"
    exit 1
fi
if [ "$rc" -eq 0 ]; then
    echo "ok 3 - ABI of $base ($old_soname) kept by the working tree ($new_soname): nothing removed or changed"
    exit 0
fi
if [ "$old_soname" != "$new_soname" ]; then
    echo "ok 3 - ABI changed since $base and the SONAME with it ($old_soname -> $new_soname)"
    sed 's/^/# /' "$work/abidiff.txt" | head -40
    exit 0
fi
echo "not ok 3 - the ABI changed incompatibly since $base but the SONAME is still $new_soname:" \
    "raise THRDEMO_ABI_VERSION in CMakeLists.txt (see CONTRIBUTING.md, ABI policy)"
sed 's/^/# /' "$work/abidiff.txt"
exit 1
