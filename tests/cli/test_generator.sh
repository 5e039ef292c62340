#!/bin/sh
# SPDX-License-Identifier: MIT
# generator simple/range/comprehension/next/send: stdout byte for byte as CPython prints
# the seed's code (examples/python/generator_<variant>.py), no thread started.
. "$(dirname "$0")/lib.sh"
examples=$here/../../examples/python

# What CPython 3.11 prints, written out so the test stands without python3 too.
printf '1,2,3,True\nGEN_CLOSED\n' >"$work/simple"
printf 'Found it\nFound it\n' >"$work/range"
printf '0,1,2,3,4,5,6,7,8,9,0,4,8,12,16,\n' >"$work/comprehension"
printf "<class 'generator'>\nhello\n1\nworld\n2\npython\na\n" >"$work/next"
printf '0\n10\n30\n25\n' >"$work/send"

for variant in simple range comprehension next send; do
    run generator "$variant"
    expect_status 0 "generator $variant"
    expect_out "$work/$variant" "generator $variant"
    check "generator $variant: nothing on stderr" test ! -s "$work/err"
    if command -v python3 >/dev/null 2>&1; then
        python3 -u "$examples/generator_$variant.py" >"$work/python" 2>&1
        expect_out "$work/python" "generator $variant against generator_$variant.py"
    fi
done

# The default variant is simple; --scale is accepted and changes nothing.
run generator --scale 0.01
expect_status 0 "generator (default variant)"
expect_out "$work/simple" "generator, default variant"

# A coroutine is not a thread: none is started.
run generator send --stats
expect_status 0 "generator send --stats"
expect_out "$work/send" "generator send --stats"
check "--stats: threads started: 0" grep -q '^  threads started: 0$' "$work/err"

usage_error generator bogus
usage_error generator send --bogus
usage_error generator send extra
usage_error generator --scale -1
finish
