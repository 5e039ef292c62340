#!/bin/sh
# SPDX-License-Identifier: MIT
# bench: the table, JSON and CSV shapes, comparisons said in words that agree with
# the figures, the machine and date, self-checks, the reason when threads cannot
# start, bad input. (The figures themselves are measured by scripts/bench.sh, never
# judged by a test.)
. "$(dirname "$0")/lib.sh"

# ---- the table
run bench queue-idle --runs 1
expect_status 0 "bench queue-idle"
check "the machine and the date first" grep -qE '^# thrdemo [0-9]+\.[0-9]+\.[0-9]+ bench, [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z: .+, [0-9]+ cores \([0-9]+ allowed\), .+' "$work/out"
check "table header" grep -qE '^workload +implementation +metric +unit +median +min +max +check +comparison$' "$work/out"
check "the idle consumer's row, checked" grep -qE '^queue-idle +libthrdemo Queue +CPU of a 1 s empty get +ms .* ok$' "$work/out"
cpu=$(awk '/^queue-idle/ { print $(NF-3) }' "$work/out")
check "a waiting consumer sleeps: under 5 ms of CPU ($cpu)" python3 -c "import sys; sys.exit(not float('$cpu') < 5)"
check "no progress line when stderr is not a terminal" test ! -s "$work/err"

# ---- JSON: one document, the machine, the date, comparisons in words
run bench lock --runs 1 --json
expect_status 0 "bench lock --json"
check "a JSON document: machine, date, six results, comparisons that agree with the figures" python3 -c "
import datetime, json, re
d = json.load(open('$work/out'))
m = d['machine']
assert set(m) == {'cpu', 'cores', 'cores_allowed', 'kernel', 'libc', 'compiler', 'build_type'}, m
assert m['cpu'] and m['cores'] >= 1 and m['kernel'].startswith('Linux ') and m['libc'].startswith('glibc '), m
assert re.match(r'(gcc|clang) [0-9]', m['compiler']) and m['build_type'], m
when = datetime.datetime.strptime(d['date'], '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=datetime.timezone.utc)
assert abs((datetime.datetime.now(datetime.timezone.utc) - when).total_seconds()) < 600, d['date']
rows = d['results']
assert len(rows) == 6 and d['runs'] == 1, rows
need = {'workload', 'param', 'implementation', 'metric', 'unit', 'kind', 'better', 'runs', 'median',
        'min', 'max', 'ok', 'note', 'versus', 'factor', 'libthrdemo', 'comparison'}
assert all(set(r) == need for r in rows), rows
assert all(r['ok'] for r in rows), rows
ref = [r for r in rows if r['implementation'] == 'libthrdemo Lock']
assert len(ref) == 1 and ref[0]['comparison'] is None and ref[0]['versus'] is None, ref
for r in rows:
    if r is ref[0]:
        continue
    assert r['versus'] == 'libthrdemo Lock' and r['factor'] >= 1, r
    mine, theirs = ref[0]['median'], r['median']
    faster = mine < theirs   # lower is better for a time
    words = 'faster' if faster else 'slower'
    assert r['libthrdemo'] in ('same', 'better' if faster else 'worse'), r
    want = 'libthrdemo Lock is as fast as ' if r['libthrdemo'] == 'same' else 'libthrdemo Lock is [0-9.]+x %s than ' % words
    assert re.fullmatch(want + re.escape(r['implementation']), r['comparison']), r
    assert abs(r['factor'] - max(mine / theirs, theirs / mine)) <= 0.001 * r['factor'], r
assert {r['implementation'] for r in rows} >= {'pthread_mutex', 'C11 atomic fetch_add', 'uncontended floor'}
"

# ---- the scheduler's own costs (issue 13): a point, a switch, the futex floor
run bench schedule --runs 1 --json
expect_status 0 "bench schedule --json"
check "schedule: switch, futex hand-off and point rows, each checked" python3 -c "
import json
rows = json.load(open('$work/out'))['results']
assert [r['implementation'] for r in rows] == ['libthrdemo switch', 'raw futex, one CPU',
                                               'libthrdemo point'], rows
assert all(r['ok'] and r['unit'] == 'us' and r['median'] > 0 for r in rows), rows
assert rows[2]['median'] < rows[0]['median'], rows  # a point without a switch costs less
"

run bench coro --runs 1 --json
expect_status 0 "bench coro --json"
check "coroutine, generator and swapcontext rows, each checked" python3 -c "
import json
rows = json.load(open('$work/out'))['results']
assert [r['implementation'] for r in rows] == ['libthrdemo coroutine', 'libthrdemo generator',
                                               'glibc swapcontext pair'], rows
assert all(r['ok'] and r['unit'] == 'ns' and r['median'] > 0 for r in rows), rows
"

# Rows compared with each other take turns, one run of each per round, so that a
# machine whose speed drifts moves their ratios as little as it can; memory rows go
# one after the other (another's freed memory or peak must not count). The progress
# line (THRDEMO_BENCH_ROWS=progress, as bench all asks its children) shows the order.
progress_order() { # the progress steps on stderr, one per line
    tr '\r' '\n' <"$work/err" | sed -n 's/^.*\[Kbench [^:]*: //p'
}
export THRDEMO_BENCH_ROWS=progress
# (async-switch, not coro: under ASan, swapcontext's row adds a warning to stderr)
run bench async-switch --runs 2
expect_status 0 "bench async-switch --runs 2, progress shown"
progress_order >"$work/order"
cat >"$work/want" <<'ORDER'
libthrdemo task, copied stack, warm-up
libthrdemo coroutine, own stack, warm-up
libthrdemo task, copied stack, run 1 of 2
libthrdemo coroutine, own stack, run 1 of 2
libthrdemo task, copied stack, run 2 of 2
libthrdemo coroutine, own stack, run 2 of 2
ORDER
check "time rows take turns: every warm-up, then one run of each per round" cmp -s "$work/want" "$work/order"
run bench threads --count 50 --runs 2
expect_status 0 "bench threads --runs 2, progress shown"
progress_order >"$work/order"
cat >"$work/want" <<'ORDER'
libthrdemo threads, warm-up
libthrdemo threads, run 1 of 2
libthrdemo threads, run 2 of 2
raw pthreads, warm-up
raw pthreads, run 1 of 2
raw pthreads, run 2 of 2
ORDER
check "memory rows go one after the other" cmp -s "$work/want" "$work/order"
unset THRDEMO_BENCH_ROWS

# Issue 20: tasks on the loop's shared stack save their few live bytes, not a page.
run bench async-sleep --runs 1 --json
expect_status 0 "bench async-sleep --json"
check "10,000 sleeping tasks: peak RSS and a few hundred saved stack bytes each, checked" python3 -c "
import json
rows = json.load(open('$work/out'))['results']
assert [(r['implementation'], r['metric'], r['unit']) for r in rows] == [
    ('libthrdemo asyncio', 'peak RSS, 10k asleep', 'MB'),
    ('libthrdemo asyncio', 'stack saved each', 'B')], rows
assert all(r['ok'] for r in rows), rows
assert rows[0]['median'] > 1 and 128 <= rows[1]['median'] < 4096, rows
"

run bench async --tasks 2000 --runs 1 --json
expect_status 0 "bench async --tasks 2000 --json"
check "async --tasks: time, peak RSS, memory per live task and its saved stack, checked" python3 -c "
import json
rows = json.load(open('$work/out'))['results']
assert [(r['metric'], r['unit']) for r in rows] == [
    ('2k tasks gathered', 'ms'), ('peak RSS', 'MB'), ('memory per live task', 'B'),
    ('stack saved each', 'B')], rows
assert all(r['param'] == {'name': 'tasks', 'value': 2000} for r in rows), rows
assert all(r['ok'] for r in rows) and rows[0]['median'] > 0 and rows[1]['median'] > 0, rows
assert 0 < rows[3]['median'] < 4096, rows
# (under a sanitizer's allocator mallinfo2 says nothing: 0 bytes of heap)
assert rows[2]['median'] == 0 or rows[3]['median'] < rows[2]['median'] < 4096, rows
"

run bench async-switch --runs 1 --json
expect_status 0 "bench async-switch --json"
check "async-switch: copied stack and own stack rows, each checked" python3 -c "
import json
rows = json.load(open('$work/out'))['results']
assert [(r['implementation'], r['metric'], r['unit']) for r in rows] == [
    ('libthrdemo task, copied stack', 'resume+suspend', 'ns'),
    ('libthrdemo coroutine, own stack', 'resume+suspend', 'ns')], rows
assert all(r['ok'] and r['median'] > 0 for r in rows), rows
"

# ---- a parameter, a rate (higher is better), CSV
run bench queue --capacity 64 --messages 20000 --runs 1 --csv
expect_status 0 "bench queue --capacity 64 --csv"
check "CSV: one row per figure, the machine in each, the parameter and a comparison in words" python3 -c "
import csv, re
rows = list(csv.DictReader(open('$work/out')))
assert len(rows) == 2, rows
assert all(r['cpu'] and r['kernel'] and r['compiler'] and r['date'].endswith('Z') for r in rows), rows
assert [r['implementation'] for r in rows] == ['libthrdemo Queue(64)', 'mutex+2 condvar ring(64)'], rows
assert all(r['param'] == 'capacity' and r['param_value'] == '64' and r['metric'] == '20k ints' for r in rows), rows
td, ring = (float(r['median']) for r in rows)
r = rows[1]
assert r['kind'] == 'rate' and r['better'] == 'higher', r
words = 'faster' if td > ring else 'slower'   # a rate: higher is better
assert re.fullmatch(r'libthrdemo Queue\(64\) (is [0-9.]+x %s than|is as fast as) mutex\+2 condvar ring\(64\)' % words,
                    r['comparison']), r
"

# ---- queue-mpmc (issue 20): 4 producers and 4 consumers, every message once and in order
run bench queue-mpmc --messages 4000 --runs 1
expect_status 0 "bench queue-mpmc"
check "queue-mpmc: capacity 1 and 1024, the Queue beside the ring, each checked and compared" python3 -c "
import re
text = open('$work/out').read()
assert len([l for l in text.splitlines() if l.startswith('queue-mpmc ')]) == 4, text
for cap in ('1', '1024'):
    assert re.search(r'^queue-mpmc +libthrdemo Queue\\(%s\\) +4k ints +msg/s .* ok$' % cap, text, re.M), text
    assert re.search(r'^queue-mpmc +mutex\\+2 condvar ring\\(%s\\) +4k ints +msg/s .* ok +libthrdemo Queue\\(%s\\) (is [0-9.]+x (faster|slower) than|is as fast as) mutex\\+2 condvar ring\\(%s\\)$' % (cap, cap, cap), text, re.M), text
"
run bench queue-mpmc --capacity 4 --messages 20003 --runs 1 --json
expect_status 0 "bench queue-mpmc --capacity 4 --messages 20003 --json"
check "queue-mpmc --json: messages not a multiple of 4 all arrive, a rate each" python3 -c "
import json
rows = json.load(open('$work/out'))['results']
assert [(r['implementation'], r['metric'], r['unit'], r['param']['value']) for r in rows] == [
    ('libthrdemo Queue(4)', '20,003 ints', 'msg/s', 4), ('mutex+2 condvar ring(4)', '20,003 ints', 'msg/s', 4)], rows
assert all(r['ok'] and r['median'] > 0 and r['kind'] == 'rate' for r in rows), rows
"

# ---- bench all: each workload in a process of its own (issue 20), the formats as before
run bench all --workloads queue-mpmc,queue --capacity 8 --messages 2000 --runs 1 --json
expect_status 0 "bench all --workloads queue-mpmc,queue --json"
cp "$work/out" "$work/all.json"
run bench queue --capacity 8 --messages 2000 --runs 1 --json
cp "$work/out" "$work/queue.json"
check "bench all --json: one document, the workloads in the table's order, the rows of each alone, compared" python3 -c "
import json, re
d = json.load(open('$work/all.json'))
assert d['runs'] == 1 and d['machine']['cores'] >= 1, d
rows = d['results']
key = lambda r: (r['workload'], r['implementation'], r['metric'], r['unit'], r['param'])
alone = [key(r) for r in json.load(open('$work/queue.json'))['results']]
assert [key(r) for r in rows[:2]] == alone, (rows, alone)
assert [(r['workload'], r['implementation'], r['metric']) for r in rows[2:]] == [
    ('queue-mpmc', 'libthrdemo Queue(8)', '2k ints'), ('queue-mpmc', 'mutex+2 condvar ring(8)', '2k ints')], rows
assert all(r['ok'] and r['runs'] == 1 and r['median'] > 0 for r in rows), rows
for ref, other in ((rows[0], rows[1]), (rows[2], rows[3])):
    assert ref['comparison'] is None and other['versus'] == ref['implementation'], other
    words = 'faster' if ref['median'] > other['median'] else 'slower'
    assert re.fullmatch(re.escape(ref['implementation']) + r' (is [0-9.]+x %s than|is as fast as) ' % words
                        + re.escape(other['implementation']), other['comparison']), other
"
run bench all --workloads queue --capacity 8 --messages 2000 --runs 1 --csv
expect_status 0 "bench all --workloads queue --csv"
check "bench all --csv: a row per figure, the machine in each" python3 -c "
import csv
rows = list(csv.DictReader(open('$work/out')))
assert [r['implementation'] for r in rows] == ['libthrdemo Queue(8)', 'mutex+2 condvar ring(8)'], rows
assert all(r['cpu'] and r['ok'] == 'true' and float(r['median']) > 0 for r in rows), rows
"
run bench all --workloads queue --capacity 8 --messages 2000 --runs 1
expect_status 0 "bench all --workloads queue"
check "bench all's table: the machine, the header, a row each" test "$(grep -cE '^(# thrdemo .* bench, |workload +implementation|queue +.* ok)' "$work/out")" -eq 4

# A workload whose process dies is FAILED, with how it died, and the run goes on:
# here lock's process is killed when it passes 1 s of CPU time (RLIMIT_CPU), which
# its 41 runs of 2 x 1M locked steps each take, while queue's, tiny, stay under it.
if command -v prlimit >/dev/null; then
    set +e
    prlimit --cpu=1 --core=0 "$THRDEMO" bench all --workloads queue,lock --capacity 8 \
        --messages 2000 --runs 40 --json >"$work/out" 2>"$work/err"
    status=$?
    set -e
    no_sanitizer_report bench all under a CPU limit || true
    expect_status 1 "bench all, lock's process killed"
    check "a killed workload: its rows FAILED with the reason, no figures; the others measured" python3 -c "
import json, re
rows = json.load(open('$work/out'))['results']
queue = [r for r in rows if r['workload'] == 'queue']
lock = [r for r in rows if r['workload'] == 'lock']
assert len(queue) == 2 and all(r['ok'] and r['runs'] == 40 for r in queue), queue
assert [r['implementation'] for r in lock] == ['libthrdemo Lock', 'libthrdemo RLock', 'pthread_mutex',
    'pthread spinlock', 'C11 atomic fetch_add', 'uncontended floor'], lock
failed = [r for r in lock if not r['ok']]
assert failed and failed == lock[len(lock) - len(failed):], lock
for r in failed:
    assert r['runs'] == 0 and r['median'] is None and r['min'] is None and r['comparison'] is None, r
    assert re.fullmatch(r'its process \\(thrdemo bench lock --runs 40\\) was killed by signal (9|24) \\(.+\\) before measuring it', r['note']), r
"
    check "a killed workload: said once on stderr" test "$(grep -cE '^thrdemo: bench lock: its process \(thrdemo bench lock --runs 40\) was killed by signal (9|24) ' "$work/err")" -eq 1
else
    skip "a killed workload's rows: needs prlimit"
fi

# A stop (SIGTERM here: a shell starts a background command with SIGINT ignored; the
# terminal's Ctrl-C reaches bench all alone, the workload's process having a group of
# its own): the workload under way stops after its run, the next one never starts,
# the stop is said once, and no process is left behind.
"$THRDEMO" bench all --workloads queue-idle,timer --runs 50 >"$work/out" 2>"$work/err" &
parent=$!
child=""
for _ in $(seq 1 400); do
    child=$(pgrep -P "$parent" || true)
    [ -z "$child" ] || break
    sleep 0.05
done
kill -TERM "$parent"
set +e
wait "$parent"
status=$?
set -e
no_sanitizer_report bench all, stopped || true
expect_status 143 "bench all, stopped"
check "stopped: queue-idle's process was seen, and is gone" sh -c "[ -n '$child' ] && ! kill -0 '$child' 2>/dev/null"
check "stopped: queue-idle measured or not at all, timer never started, nothing FAILED" python3 -c "
import re
lines = open('$work/out').read().splitlines()
assert lines[0].startswith('# thrdemo ') and lines[1].startswith('workload '), lines
assert all(re.match(r'queue-idle +libthrdemo Queue .* ok$', l) for l in lines[2:]) and len(lines) <= 3, lines
"
check "stopped: said once" test "$(cat "$work/err")" = "thrdemo: interrupted by SIGTERM"

# ---- when threads cannot start, say why (issue 12: exit 1 and nothing on stderr)
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && command -v prlimit >/dev/null; then
    set +e
    # the file itself: another user cannot enter $work, where PATH finds "thrdemo"
    setpriv --reuid=65534 --regid=65534 --clear-groups prlimit --nproc=40 \
        "$THRDEMO_BIN" bench threads --count 200 --runs 1 >"$work/out" 2>"$work/err"
    status=$?
    set -e
    no_sanitizer_report bench threads under a process limit || true
    expect_status 1 "bench threads under a process limit"
    check "process limit: each implementation says why, naming the limit" test "$(grep -cE \
        '^thrdemo: bench threads, (libthrdemo threads|raw pthreads): cannot start thread [0-9]+ of 200: Resource temporarily unavailable \(the process limit is 40; raise ulimit -u\)$' \
        "$work/err")" -eq 2
    check "process limit: the table marks both FAILED" test "$(grep -c '^threads .* FAILED$' "$work/out")" -eq 4
else
    skip "process-limit check: needs root, setpriv and prlimit"
fi

usage_error bench --runs 0
usage_error bench --runs x
usage_error bench bogus
usage_error bench --json=1
usage_error bench --json --csv
usage_error bench threads --count 0
usage_error bench threads --count 100001
usage_error bench queue --capacity 0
usage_error bench queue --messages 0
usage_error bench queue-mpmc --capacity 0
usage_error bench all --workloads bogus
usage_error bench all --workloads lock,
usage_error bench lock --workloads lock
usage_error bench lock --count 100
usage_error bench threads --capacity 4
finish
