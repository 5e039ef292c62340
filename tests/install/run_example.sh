#!/bin/sh
# SPDX-License-Identifier: MIT
# run_example.sh PROGRAM SOURCE.c: run an example and check that it exits 0, writes
# nothing on stderr, and prints exactly the lines its opening comment promises
# (the indented lines after " * Prints:"), so the comment cannot go stale. TAP.
set -eu
program=$1
source=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
name=$(basename "$source" .c)

sed -n '/^ \* Prints:$/,/^ \*\/$/p' "$source" | sed -n 's/^ \*   //p' >"$work/want"
echo "1..4"
if [ -s "$work/want" ]; then echo "ok 1 - $name: the comment says what it prints"; else
    echo "not ok 1 - $name: no ' * Prints:' block in $source"; fi
set +e
"$program" >"$work/out" 2>"$work/err"
status=$?
set -e
failed=0
[ -s "$work/want" ] || failed=1
if [ "$status" -eq 0 ]; then echo "ok 2 - $name exits 0"; else
    echo "not ok 2 - $name exits $status"; failed=1; fi
if [ ! -s "$work/err" ]; then echo "ok 3 - $name writes nothing on stderr"; else
    echo "not ok 3 - $name writes on stderr:"; sed 's/^/# /' "$work/err"; failed=1; fi
if diff -u "$work/want" "$work/out" >"$work/diff"; then echo "ok 4 - $name prints what it says"; else
    echo "not ok 4 - $name prints something else:"; sed 's/^/# /' "$work/diff"; failed=1; fi
exit $failed
