#!/bin/sh
# SPDX-License-Identifier: MIT
# --lang en (issue 24): no Korean or Chinese left, in the traces that translate their
# seed's strings and in every variant's Python program (--python), comments included.
. "$(dirname "$0")/lib.sh"

# A byte that starts a Hangul syllable (U+AC00..U+D7A3: 0xEA..0xED) or a CJK
# ideograph (U+4E00..U+9FFF: 0xE4..0xE9) in UTF-8.
cjk=$(printf '[\344-\355]')
no_cjk() { ! LC_ALL=C grep -q "$cjk" "$1"; }

run list
awk '{ print $1, ($2 == "-" ? "" : $2) }' "$work/out" >"$work/variants"
korean=0
while read -r scenario variant; do
    # shellcheck disable=SC2086 # an empty variant is no word
    run $scenario $variant --python
    if ! no_cjk "$work/out"; then
        korean=$((korean + 1))
    fi
    # shellcheck disable=SC2086
    run --lang en $scenario $variant --python
    expect_status 0 "--lang en $scenario $variant --python"
    check "--lang en $scenario $variant --python: no Korean or Chinese" no_cjk "$work/out"
done <"$work/variants"
check "the seeds' programs do hold Korean ($korean of them), so the check can fail" test "$korean" -gt 0
run --lang en monitor toast --python
check "--lang en: a translated string is the one the trace prints" \
    grep -qF 'print("---Toast Error monitor ended---")' "$work/out"
run monitor toast --python
check "without --lang en: the program as examples/python holds it" \
    cmp -s "$examples/monitor_toast.py" "$work/out"
for words in "monitor stop" "monitor toast --error-after 1"; do
    # shellcheck disable=SC2086 # the words are the command line
    run --schedule fifo --lang en $words
    check "--lang en $words: the trace has no Korean" no_cjk "$work/out"
done
finish
