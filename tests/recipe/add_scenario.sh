#!/bin/sh
# SPDX-License-Identifier: MIT
# CONTRIBUTING.md's "Add a scenario", walked: in a copy of the source tree, the
# scenario the recipe shows (its code block marked cmd/scenarios/hello.c) as one
# file, its one row in cmd/scenarios/registry.def, and a build of the thrdemo binary
# alone (cmake, then make of thrdemo-bin). The new scenario must be in `list`, in
# `--help`, `--help hello` and `hello --help`, must run, and its table must guard its
# options. A recipe that no longer matches the code fails here. TAP output.
# Usage: add_scenario.sh SOURCE_DIR
set -eu
src=$1
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
finish() {
    echo "1..$n"
    [ "$failed" -eq 0 ]
    exit
}

# The tree as a contributor has it, without build directories or git's.
mkdir "$work/src"
(cd "$src" && tar -cf - --exclude='./build*' --exclude=./.git .) | (cd "$work/src" && tar -xf -)

# Step 2: the one file, as the recipe shows it.
awk '/^<!-- recipe: cmd\/scenarios\/hello.c -->$/ { marked = 1; next }
     marked && /^```c$/ { inside = 1; next }
     inside && /^```$/ { exit }
     inside { print }' "$src/CONTRIBUTING.md" >"$work/src/cmd/scenarios/hello.c"
check "CONTRIBUTING.md shows cmd/scenarios/hello.c whole" \
    grep -q '^const cli_command_t scenario_hello = {$' "$work/src/cmd/scenarios/hello.c"
# Step 3: the one row.
echo 'SCENARIO(hello)' >>"$work/src/cmd/scenarios/registry.def"

if ! cmake -S "$work/src" -B "$work/build" -G "Unix Makefiles" -DCMAKE_BUILD_TYPE=Debug -DTHRDEMO_WERROR=ON \
        -DBUILD_TESTING=OFF -DTHRDEMO_BUILD_EXAMPLES=OFF >"$work/log" 2>&1; then
    not_ok "cmake configures the tree with hello.c"
    sed 's/^/# /' "$work/log" | tail -30
    finish
fi
ok "cmake configures the tree with hello.c"
if ! nice make -C "$work/build" -j2 thrdemo-bin >"$work/log" 2>&1; then
    not_ok "make thrdemo-bin builds hello.c (warnings are errors)"
    sed 's/^/# /' "$work/log" | grep -v '^# \[' | tail -30
    finish
fi
ok "make thrdemo-bin builds hello.c (warnings are errors)"
bin=$work/build/thrdemo

check "thrdemo list shows hello" sh -c "'$bin' list | grep -q '^hello  *-  *000  threads say hello; main joins them\$'"
check "thrdemo --help lists hello among the scenarios" \
    sh -c "'$bin' --help | grep -q '^  hello  *threads say hello; main joins them\$'"
check "thrdemo --help hello shows its usage" \
    sh -c "'$bin' --help hello | grep -qF 'usage: $bin [GLOBAL OPTIONS] hello [OPTIONS]'" # as run (issue 24)
check "thrdemo hello --help shows its options" \
    sh -c "'$bin' hello --help | grep -q '^  --threads N  *threads that say hello (default 2; 1 to 64)\$'"
check "thrdemo help hello is thrdemo hello --help" \
    sh -c "'$bin' help hello >'$work/a' && '$bin' hello --help >'$work/b' && cmp '$work/a' '$work/b'"
check "thrdemo hello runs: each thread says hello, then main" \
    sh -c "'$bin' hello --threads 3 --delay 0 >'$work/out' && test \$(grep -c '^Hello from Thread-[123] (greet)\$' '$work/out') -eq 3 && tail -n1 '$work/out' | grep -qx '3 threads said hello'"
check "thrdemo hello --threads 0 is refused from the table (exit 2, stdout empty)" \
    sh -c "'$bin' hello --threads 0 >'$work/out' 2>'$work/err'; test \$? -eq 2 && test ! -s '$work/out' && grep -q 'thrdemo: --threads: 0 is out of range' '$work/err'"
finish
