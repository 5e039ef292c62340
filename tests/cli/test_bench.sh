#!/bin/sh
# SPDX-License-Identifier: MIT
# bench: the table and JSON shapes, self-checks, bad input. (The figures themselves
# are measured by scripts/bench.sh, never judged by a test.)
. "$(dirname "$0")/lib.sh"

run bench queue-idle --runs 1
expect_status 0 "bench queue-idle"
check "table header" grep -qE '^workload +implementation +metric +unit +median +min +max +ratio +check$' "$work/out"
check "the idle consumer's row, checked" grep -qE '^queue-idle +libthrdemo Queue +CPU of a 1 s empty get +ms .* 1\.00  ok$' "$work/out"
cpu=$(awk '/^queue-idle/ { print $(NF-4) }' "$work/out")
check "a waiting consumer sleeps: under 5 ms of CPU ($cpu)" python3 -c "import sys; sys.exit(not float('$cpu') < 5)"

run bench lock --runs 1 --json
expect_status 0 "bench lock --json"
check "six implementations" test "$(wc -l <"$work/out")" -eq 6
check "every line is JSON with the fields" python3 -c "
import json, sys
rows = [json.loads(l) for l in open('$work/out')]
need = {'workload', 'implementation', 'metric', 'unit', 'median', 'min', 'max', 'ratio', 'ok', 'note'}
assert all(need <= set(r) for r in rows), rows
assert all(r['ok'] for r in rows), rows
assert [r['ratio'] for r in rows if r['implementation'] == 'libthrdemo Lock'] == [1]
assert {r['implementation'] for r in rows} >= {'pthread_mutex', 'C11 atomic fetch_add', 'uncontended floor'}
"

run bench coro --runs 1 --json
expect_status 0 "bench coro --json"
check "coroutine, generator and swapcontext rows, each checked" python3 -c "
import json
rows = [json.loads(l) for l in open('$work/out')]
assert [r['implementation'] for r in rows] == ['libthrdemo coroutine', 'libthrdemo generator',
                                               'glibc swapcontext pair'], rows
assert all(r['ok'] and r['unit'] == 'ns' and r['median'] > 0 for r in rows), rows
"

usage_error bench --runs 0
usage_error bench --runs x
usage_error bench bogus
usage_error bench --json=1
finish
