#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/layering.sh SRC_DIR - libthrdemo's floors use only the floors below them:
# core < runtime < prim < aio < services. A file that includes a header of its own floor
# or a lower one is fine; one that includes a higher floor's header (an upward call,
# a cycle in waiting) fails the test, and so does a floor reaching the CLI (cmd/).
set -eu
src=${1:?usage: layering.sh lib/src}
rank() {
    case $1 in
        core) echo 0 ;; runtime) echo 1 ;; prim) echo 2 ;; aio) echo 3 ;; services) echo 4 ;; *) echo 9 ;;
    esac
}
status=0
for file in "$src"/*/*.c "$src"/*/*.h; do
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
[ $status -eq 0 ] && echo "ok - every floor uses only the floors below it"
exit $status
