#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/bench-echo.sh [SECONDS] [--rounds N] [--connections "16 64 256"] [--idle N]
#                       [--jsonl FILE]
# thrdemo's echo servers against the Python program they re-create and against a
# plain C epoll server (tests/load/epoll_echo.c, the limit), under the same load, in
# one run. Servers: thrdemo's threaded `tcp-echo server`, its `--async` one
# (coroutines on one event loop), CPython's examples/python/tcp_echo_server.py (what
# `thrdemo tcp-echo server --python` prints) and epoll_echo. For each number of
# connections (default 16, 64 and 256), 64-byte round trips for SECONDS (default 3)
# on loopback, driven by echo_load (one thread with epoll), every server in turn, for
# --rounds rounds (default 3): the median round trips per second, with the p50 and
# p99 latency of that median run. Then the C10k row: --idle (default 10,000) open
# idle connections while 64 are active, for the servers that hold them (the threaded
# one with a thread per connection, the --async one, epoll; CPython's thread per
# connection is left out), each in a process of its own so that its peak RSS
# (VmHWM) is that of the row. Prints the table and the targets (async at least 0.9x
# epoll at 64 connections; 10,000 idle connections held by --async under 150 MB with a
# p99 under 2 ms), writes bench-echo-results.txt and, with --jsonl, one JSON object
# per measurement to FILE (scripts/bench.sh --plot uses it).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/deps.sh"
seconds=3
rounds=3
connections="16 64 256"
idle=10000
jsonl=""
usage() { echo "usage: scripts/bench-echo.sh [SECONDS] [--rounds N] [--connections \"N...\"] [--idle N] [--jsonl FILE]" >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
        --connections) connections=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        --idle) idle=$2; shift 2 ;;
        --jsonl) jsonl=$2; shift 2 ;;
        [0-9]*) seconds=$1; shift ;;
        *) usage ;;
    esac
done
max_conns=64
for c in $connections $rounds $idle; do
    case $c in '' | *[!0-9]*) echo "bench-echo: '$c' is not a whole number" >&2; exit 2 ;; esac
done
for c in $connections; do
    [ "$c" -ge 1 ] && [ "$c" -le 4096 ] || { echo "bench-echo: connections must be 1..4096" >&2; exit 2; }
    [ "$c" -le "$max_conns" ] || max_conns=$c
done
[ "$rounds" -ge 1 ] || usage
build=$(build_release thrdemo-bin echo_load epoll_echo)
python=$(python3 -c 'import sys; print(sys.executable)')
reference=$root/examples/python/tcp_echo_server.py
work=$(mktemp -d)

pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    for p in $pids; do wait "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
say() { [ -t 2 ] && printf '\r\033[Kbench-echo: %s' "$*" >&2 || true; }

wait_listening() {
    for _ in $(seq 1 200); do
        python3 -c "import socket; socket.create_connection(('127.0.0.1', $1), 1).close()" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "bench-echo: no server on port $1" >&2
    return 1
}

# start NAME PORT CLIENTS: one server in the background (the process itself, not a
# subshell around it, so that its /proc entry is the server's); its pid in $server_pid.
start() {
    case $1 in
        threaded) cmd=("$build/thrdemo" tcp-echo server --quiet --port "$2" --max-clients "$3") ;;
        async) cmd=("$build/thrdemo" tcp-echo server --async --quiet --port "$2" --max-clients "$3") ;;
        python) cmd=("$python" -u "$reference" --quiet --port "$2") ;;
        epoll) cmd=("$build/epoll_echo" "$2") ;;
    esac
    "${cmd[@]}" >/dev/null 2>"$work/$1.err" &
    server_pid=$!
    pids="$pids $server_pid"
    wait_listening "$2"
}

# The CPU time a process has used, in clock ticks (user + system).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
ticks_per_s=$(getconf CLK_TCK)

label() {
    case $1 in
        threaded) echo "thrdemo (a thread each)" ;;
        async) echo "thrdemo --async" ;;
        python) echo "CPython tcp_echo_server.py" ;;
        epoll) echo "C epoll (the limit)" ;;
    esac
}

# measure NAME PID PORT CONNS IDLE: one echo_load run, "rtps p50 p99 errors cpu", cpu
# being the server's CPU time per round trip in microseconds (steadier than the rate
# on a shared machine: it does not count the time the server waits for a core).
measure() {
    c0=$(cpu_ticks "$2")
    line=$("$build/echo_load" 127.0.0.1 "$3" "$4" "$seconds" "$5" 2>>"$work/load.err" || true)
    c1=$(cpu_ticks "$2")
    for k in rtps p50_us p99_us errors; do
        v=$(echo "$line" | sed -n "s/.* $k=\([0-9]*\).*/\1/p")
        printf '%s ' "${v:-0}"
    done
    trips=$(echo "$line" | sed -n 's/.* round_trips=\([0-9]*\).*/\1/p')
    awk -v t="$(( c1 - c0 ))" -v n="${trips:-0}" -v hz="$ticks_per_s" \
        'BEGIN { printf "%.1f", (n > 0 ? t / hz * 1e6 / n : 0) }'
}

servers="threaded async python epoll"
declare -A port pid
for s in $servers; do
    port[$s]=$(free_port)
    start "$s" "${port[$s]}" "$((max_conns + 1))"
    pid[$s]=$server_pid
done

[ -z "$jsonl" ] || : >"$jsonl"
date=$(date -u '+%Y-%m-%dT%H:%M:%SZ')
out=$root/bench-echo-results.txt
row() { # NAME CONNS IDLE "rtps p50 p99 errors cpu" RSS
    read -r rtps p50 p99 errors cpu <<<"$4"
    printf '%-28s %6s %6s %12s %9s %9s %9s %8s\n' "$(label "$1")" "$2" "$3" "$rtps" "$p50" "$p99" \
        "$cpu" "$5"
    [ -z "$jsonl" ] || printf '{"date": "%s", "server": "%s", "connections": %s, "idle": %s, "seconds": %s, "rtps": %s, "p50_us": %s, "p99_us": %s, "errors": %s, "cpu_us_per_rt": %s, "rss_mb": %s}\n' \
        "$date" "$(label "$1")" "$2" "$3" "$seconds" "$rtps" "$p50" "$p99" "$errors" "$cpu" "$5" |
        sed 's/"rss_mb": -}/"rss_mb": null}/' >>"$jsonl"
}
# The median run of a server's rounds: the line with the median rtps.
median_run() { sort -n | awk '{ a[NR] = $0 } END { print a[int((NR + 1) / 2)] }'; }

{
    echo "# scripts/bench-echo.sh $seconds --rounds $rounds  ($date, $(nproc) cores; medians of $rounds rounds, servers in turn)"
    printf '%-28s %6s %6s %12s %9s %9s %9s %8s\n' server conns idle round-trips/s p50_us p99_us \
        cpu_us/rt rss_MB
    for conns in $connections; do
        for s in $servers; do : >"$work/$s.$conns"; done
        for r in $(seq 1 "$rounds"); do
            for s in $servers; do
                say "$(label "$s"), $conns connections, round $r"
                measure "$s" "${pid[$s]}" "${port[$s]}" "$conns" 0 >>"$work/$s.$conns"
                echo >>"$work/$s.$conns"
            done
        done
        for s in $servers; do
            row "$s" "$conns" 0 "$(median_run <"$work/$s.$conns")" -
        done
    done
    for p in $pids; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    pids=""
    # C10k: a fresh server each, so that its peak RSS is the row's.
    if [ "$idle" -gt 0 ]; then
        for s in threaded async epoll; do
            say "$(label "$s"), $idle idle + 64 active"
            p=$(free_port)
            start "$s" "$p" "$((idle + 64 + 16))"
            result=$(measure "$s" "$server_pid" "$p" 64 "$idle")
            rss=$(awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$server_pid/status" 2>/dev/null || echo -)
            row "$s" 64 "$idle" "$result" "${rss:--}"
            echo "$s $result $rss" >>"$work/c10k"
            kill "$server_pid" 2>/dev/null || true
            wait "$server_pid" 2>/dev/null || true
            pids=""
        done
    fi
    [ -t 2 ] && printf '\r\033[K' >&2
    echo
    echo "Targets (medians of this run):"
    a64=$(median_run <"$work/async.64" 2>/dev/null | cut -d' ' -f1)
    e64=$(median_run <"$work/epoll.64" 2>/dev/null | cut -d' ' -f1)
    if [ -n "${a64:-}" ] && [ -n "${e64:-}" ] && [ "${e64:-0}" -gt 0 ]; then
        ratio=$(awk -v a="$a64" -v e="$e64" 'BEGIN { printf "%.2f", a / e }')
        verdict=$(awk -v r="$ratio" 'BEGIN { print (r >= 0.9) ? "met" : "MISSED" }')
        ac=$(median_run <"$work/async.64" | cut -d' ' -f5)
        ec=$(median_run <"$work/epoll.64" | cut -d' ' -f5)
        echo "  [$verdict] --async >= 0.9x epoll at 64 connections: ${ratio}x ($a64 vs $e64 round trips/s;" \
             "CPU per round trip $ac us vs $ec us)"
    fi
    if [ -s "$work/c10k" ]; then
        read -r _ rtps _ p99 errors _ rss <<<"$(grep '^async ' "$work/c10k")"
        verdict=$(awk -v r="${rss:-1e9}" -v p="$p99" -v e="$errors" 'BEGIN { print (r < 150 && p < 2000 && e == 0) ? "met" : "MISSED" }')
        echo "  [$verdict] --async holds $idle idle connections under 150 MB with p99 < 2 ms for the 64 active: ${rss} MB, p99 ${p99} us, $rtps round trips/s"
    fi
    if [ -s "$work/load.err" ]; then
        echo
        echo "echo_load said:"
        sort -u "$work/load.err" | head -5
    fi
} | tee "$out"
