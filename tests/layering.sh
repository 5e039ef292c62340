#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/layering.sh SRC_DIR [OBJ_DIR] - libthrdemo's floors use only the floors below
# them: core < runtime < prim < aio < services, and no two files use each other.
#
#   includes  (SRC_DIR) a file may include a header of its own floor or a lower one;
#             one that includes a higher floor's header, or reaches the CLI (cmd/),
#             fails.
#   calls     (OBJ_DIR, the build's CMakeFiles/thrdemo.dir/lib/src) each object file's
#             global symbols, defined and undefined (nm), give a graph of which file
#             uses which; it fails on (a) a use of a higher floor's function or
#             variable and (b) any circle between files, within a floor or across
#             floors, printed as the path it takes (file -(symbol)-> file ...).
#             A static function is the file's own business and is not in the graph;
#             a call through a pointer (a hook, an ops table) is a seam, not an edge.
#
# tests/layering.sh --self-test plants an upward call, a two-file circle and an upward
# include in a small fixture, and checks that each fails and a clean one passes.
set -eu

rank() {
    case $1 in
        core) echo 0 ;; runtime) echo 1 ;; prim) echo 2 ;; aio) echo 3 ;; services) echo 4 ;;
        *) echo 9 ;;
    esac
}

check_includes() {
    src=$1
    status=0
    for file in "$src"/*/*.c "$src"/*/*.h; do
        [ -e "$file" ] || continue
        floor=$(basename "$(dirname "$file")")
        mine=$(rank "$floor")
        # Quoted includes name a floor ("core/core.h") or a file beside them ("prim.h").
        for inc in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$file"); do
            case $inc in
                thrdemo/*) continue ;;            # public headers: anyone may
                */*) theirs=$(rank "${inc%%/*}") ;;
                *) theirs=$mine ;;                # same directory
            esac
            if [ "$theirs" -gt "$mine" ]; then
                echo "not ok - $file ($floor) includes $inc, a higher floor"
                status=1
            fi
        done
        if grep -q 'cli\.h\|scenarios/' "$file"; then
            echo "not ok - $file reaches into the command line"
            status=1
        fi
    done
    [ $status -eq 0 ] && echo "ok - every file includes only its own floor's headers or lower ones"
    return $status
}

# One line per global symbol of each object file: "FILE D SYMBOL" (defined) or
# "FILE U SYMBOL" (used), FILE being floor/name.c. An object whose source is gone (a
# build directory keeps the objects of moved files) is not the library's.
symbols() {
    src=$1 obj=$2
    for o in "$obj"/*/*.o; do
        [ -e "$o" ] || continue
        name=$(basename "$o")
        file="$(basename "$(dirname "$o")")/${name%.o}"
        [ -e "$src/$file" ] || continue
        ${NM:-nm} -P "$o" | awk -v file="$file" '
            $2 == "U" || $2 == "w" || $2 == "v" { print file, "U", $1; next }
            $2 ~ /^[A-Z]$/                    { print file, "D", $1 }'
    done
}

check_calls() {
    src=$1 obj=$2
    list=$(mktemp)
    symbols "$src" "$obj" >"$list"
    if ! [ -s "$list" ]; then
        echo "not ok - no object files under $obj (build the library first)"
        rm -f "$list"
        return 1
    fi
    status=0
    awk '
    function rank(floor) {
        if (floor == "core") return 0
        if (floor == "runtime") return 1
        if (floor == "prim") return 2
        if (floor == "aio") return 3
        if (floor == "services") return 4
        return 9
    }
    function floor_of(f) { sub(/\/.*/, "", f); return f }
    # Depth-first search; a grey successor closes a circle: print it from the stack.
    function visit(f,    i, g, k, path) {
        colour[f] = 1
        stack[++depth] = f
        for (i = 1; i <= nout[f]; i++) {
            g = out[f, i]
            if (colour[g] == 1) {
                path = ""
                for (k = depth; stack[k] != g; k--) {}
                for (; k <= depth; k++)
                    path = path stack[k] " -(" via[stack[k], (k < depth ? stack[k + 1] : g)] ")-> "
                print "not ok - a circle between files: " path g
                circles++
            } else if (colour[g] == 0) {
                visit(g)
            }
        }
        depth--
        colour[f] = 2
    }
    $2 == "D" { home[$3] = $1; files[$1] = 1; next }
    $2 == "U" { n++; user[n] = $1; sym[n] = $3; files[$1] = 1 }
    END {
        for (i = 1; i <= n; i++) {
            f = user[i]; s = sym[i]
            if (!(s in home) || home[s] == f)
                continue                       # libc, libuv, or its own
            g = home[s]
            if (!((f, g) in via)) {
                via[f, g] = s
                out[f, ++nout[f]] = g
                edges++
            }
            if (rank(floor_of(f)) < rank(floor_of(g)) && !((f, g) in told)) {
                told[f, g] = 1
                print "not ok - " f " (" floor_of(f) ") uses " s " of " g ", a higher floor"
                upward++
            }
        }
        for (f in files)
            if (colour[f] == 0)
                visit(f)
        nfiles = 0
        for (f in files) nfiles++
        if (!upward)
            print "ok - no file uses a higher floor (" nfiles " files, " edges " file-to-file uses)"
        if (!circles)
            print "ok - no circle between files"
        exit upward || circles
    }' "$list" || status=1
    rm -f "$list"
    return $status
}

# A fixture of three floors with one planted fault at a time; each must fail with the
# fault named, and the fixture without a fault must pass.
self_test() {
    dir=$(mktemp -d)
    trap 'rm -rf "$dir"' EXIT
    cc=${CC:-cc}
    n=0 failed=0
    plant() { # FLOOR/FILE.c SOURCE
        mkdir -p "$dir/src/$(dirname "$1")" "$dir/obj/$(dirname "$1")"
        printf '%s\n' "$2" >"$dir/src/$1"
        $cc -c -o "$dir/obj/$1.o" "$dir/src/$1"
    }
    expect() { # WANT(pass|fail) WHAT PATTERN COMMAND...
        want=$1 what=$2 pattern=$3
        shift 3
        n=$((n + 1))
        if "$@" >"$dir/out" 2>&1; then got=pass; else got=fail; fi
        if [ $got = "$want" ] && grep -q -- "$pattern" "$dir/out"; then
            echo "ok $n - $what"
        else
            echo "not ok $n - $what (wanted $want with '$pattern', got $got)"
            failed=1
        fi
        sed 's/^/#   /' "$dir/out"
    }
    plant core/base.c 'int base(void); int base(void) { return 1; }'
    plant prim/a.c 'int base(void); int a(void); int a(void) { return base(); }'
    plant prim/b.c 'int a(void); int b(void); int b(void) { return a(); }'
    expect pass "a clean fixture passes" "ok - no circle" check_calls "$dir/src" "$dir/obj"
    plant core/base.c 'int b(void); int base(void); int base(void) { return b(); }'
    expect fail "an upward call fails, named" "core/base.c (core) uses b of prim/b.c, a higher floor" \
        check_calls "$dir/src" "$dir/obj"
    plant core/base.c 'int base(void); int base(void) { return 1; }'
    plant prim/a.c 'int base(void); int b(void); int a(void); int a(void) { return base() + b(); }'
    expect fail "a circle of two files in one floor fails, printed" \
        "a circle between files: prim/[ab].c -([ab])-> prim/[ab].c -([ab])-> prim/[ab].c" \
        check_calls "$dir/src" "$dir/obj"
    plant prim/a.c 'int base(void); int a(void); int a(void) { return base(); }'
    printf '#include "prim/b.h"\n' >"$dir/src/core/up.h"
    expect fail "an upward include fails" "core/up.h (core) includes prim/b.h" check_includes "$dir/src"
    rm "$dir/src/core/up.h"
    plant prim/old.c 'int a(void); int old(void); int old(void) { return a(); }'
    plant core/base.c 'int old(void); int base(void); int base(void) { return old(); }'
    rm "$dir/src/prim/old.c" # moved away: its object stays in the build directory
    expect pass "the object of a file moved away is not counted" "ok - no file uses a higher" \
        check_calls "$dir/src" "$dir/obj"
    echo "1..$n"
    return $failed
}

case ${1:-} in
    --self-test) self_test; exit ;;
    '' | -*) echo "usage: layering.sh SRC_DIR [OBJ_DIR] | --self-test" >&2; exit 2 ;;
esac
status=0
check_includes "$1" || status=1
if [ $# -ge 2 ]; then
    check_calls "$1" "$2" || status=1
fi
exit $status
