#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/sizes.sh SRC_DIR - no .c file in lib/ or cmd/ is over 500 lines unless its head
# says why it is one piece: the comment lines that open the file (before the first line
# of code) hold a sentence beginning "One piece:". Lists the offenders; fails if any.
set -eu
root=${1:?usage: sizes.sh SOURCE_DIR}
limit=500


# The comment lines before the first line of code (blank lines skipped).
head_comment() {
    awk '
        in_comment { print; if (index($0, "*/")) in_comment = 0; next }
        /^[ \t]*$/ { next }
        /^[ \t]*\/\*/ { print; if (!index(substr($0, index($0, "/*") + 2), "*/")) in_comment = 1; next }
        /^[ \t]*\/\// { print; next }
        { exit }
    ' "$1"
}

status=0
reasoned=0
for file in $(cd "$root" && find lib cmd -name '*.c' | LC_ALL=C sort); do
    lines=$(wc -l < "$root/$file")
    [ "$lines" -gt $limit ] || continue
    if head_comment "$root/$file" | grep -q 'One piece:'; then
        reasoned=$((reasoned + 1))
        continue
    fi
    echo "not ok - $file: $lines lines, and its head does not say why it is one piece"
    status=1
done
[ $status -eq 0 ] &&
    echo "ok - no .c file over $limit lines without a reason at its head" \
        "($reasoned say why)"
exit $status
