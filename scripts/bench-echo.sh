#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/bench-echo.sh [SECONDS] [--connections "16 64"] [--jsonl FILE]: thrdemo's
# echo server against the Python program it re-creates under the same load, in one run:
# for each number of connections (default 16 and 64), 64-byte round trips for
# SECONDS (default 5) on loopback, driven by echo_load. Prints round trips per
# second and p50/p99 latency, writes the table to bench-echo-results.txt and, with
# --jsonl, one JSON object per measurement to FILE (scripts/bench.sh --plot uses it).
# The Python server is the repository's examples/python/tcp_echo_server.py (what
# `thrdemo tcp-echo server --python` prints).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/deps.sh"
seconds=5
connections="16 64"
jsonl=""
while [ $# -gt 0 ]; do
    case $1 in
        --connections) connections=$2; shift 2 ;;
        --jsonl) jsonl=$2; shift 2 ;;
        [0-9]*) seconds=$1; shift ;;
        *) echo "usage: scripts/bench-echo.sh [SECONDS] [--connections \"N...\"] [--jsonl FILE]" >&2; exit 2 ;;
    esac
done
max_conns=0
for c in $connections; do
    case $c in '' | *[!0-9]*) echo "bench-echo: '$c' is not a number of connections" >&2; exit 2 ;; esac
    [ "$c" -ge 1 ] && [ "$c" -le 4096 ] || { echo "bench-echo: connections must be 1..4096" >&2; exit 2; }
    [ "$c" -le "$max_conns" ] || max_conns=$c
done
build=$(build_release thrdemo-bin echo_load)
reference=$root/examples/python/tcp_echo_server.py

pids=""
trap 'for p in $pids; do kill $p 2>/dev/null || true; done' EXIT
wait_listening() {
    for _ in $(seq 1 200); do
        python3 -c "import socket; socket.create_connection(('127.0.0.1', $1), 1).close()" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "bench-echo: no server on port $1" >&2
    return 1
}

tport=$(free_port)
"$build/thrdemo" tcp-echo server --quiet --port "$tport" --max-clients "$((max_conns + 1))" >/dev/null 2>&1 &
pids="$pids $!"
wait_listening "$tport"
servers="thrdemo"
if [ -n "$reference" ]; then
    pport=$(free_port)
    python3 -u "$reference" --quiet --port "$pport" >/dev/null &
    pids="$pids $!"
    wait_listening "$pport"
    servers="thrdemo python"
fi

[ -z "$jsonl" ] || : >"$jsonl"
date=$(date -u '+%Y-%m-%dT%H:%M:%SZ')
out=$root/bench-echo-results.txt
{
    echo "# scripts/bench-echo.sh $seconds  ($date, $(nproc) cores)"
    printf '%-26s %6s %12s %9s %9s\n' server conns round-trips/s p50_us p99_us
    for conns in $connections; do
        for which in $servers; do
            port=$tport
            name="thrdemo tcp-echo server"
            if [ "$which" = python ]; then
                port=$pport
                name="python tcp_echo.py"
            fi
            [ -t 2 ] && printf '\r\033[Kbench-echo: %s, %s connections' "$name" "$conns" >&2
            line=$("$build/echo_load" 127.0.0.1 "$port" "$conns" "$seconds")
            rtps=$(echo "$line" | sed -n 's/.*rtps=\([0-9]*\).*/\1/p')
            p50=$(echo "$line" | sed -n 's/.*p50_us=\([0-9]*\).*/\1/p')
            p99=$(echo "$line" | sed -n 's/.*p99_us=\([0-9]*\).*/\1/p')
            errors=$(echo "$line" | sed -n 's/.*errors=\([0-9]*\).*/\1/p')
            [ -t 2 ] && printf '\r\033[K' >&2
            printf '%-26s %6s %12s %9s %9s\n' "$name" "$conns" "$rtps" "$p50" "$p99"
            [ -z "$jsonl" ] || printf '{"date": "%s", "server": "%s", "connections": %s, "seconds": %s, "rtps": %s, "p50_us": %s, "p99_us": %s, "errors": %s}\n' \
                "$date" "$name" "$conns" "$seconds" "$rtps" "$p50" "$p99" "${errors:-0}" >>"$jsonl"
        done
    done
} | tee "$out"
