#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/bench-echo.sh [SECONDS]: thrdemo's echo server against the reference
# (../shared/reference/tcp_echo.py, MODE=server) under the same load, in one run:
# 16 and 64 connections doing 64-byte round trips for SECONDS (default 5) each, on
# loopback. Prints round trips per second and p50/p99 latency, and writes the
# table to bench-echo-results.txt.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/deps.sh"
seconds=${1:-5}
build=$(build_release thrdemo-bin echo_load)
reference=${THRDEMO_SHARED:-$root/../shared}/reference/tcp_echo.py

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
"$build/thrdemo" tcp-echo server --quiet --port "$tport" --max-clients 256 >/dev/null 2>&1 &
pids="$pids $!"
pport=$(free_port)
QUIET=1 MODE=server PORT=$pport python3 -u "$reference" >/dev/null &
pids="$pids $!"
wait_listening "$tport"
wait_listening "$pport"

out=$root/bench-echo-results.txt
{
    echo "# scripts/bench-echo.sh $seconds  ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores)"
    printf '%-26s %6s %12s %9s %9s\n' server conns round-trips/s p50_us p99_us
    for conns in 16 64; do
        for which in thrdemo python; do
            port=$tport
            [ "$which" = python ] && port=$pport
            line=$("$build/tests/echo_load" 127.0.0.1 "$port" "$conns" "$seconds")
            rtps=$(echo "$line" | sed -n 's/.*rtps=\([0-9]*\).*/\1/p')
            p50=$(echo "$line" | sed -n 's/.*p50_us=\([0-9]*\).*/\1/p')
            p99=$(echo "$line" | sed -n 's/.*p99_us=\([0-9]*\).*/\1/p')
            name="thrdemo tcp-echo server"
            [ "$which" = python ] && name="python tcp_echo.py"
            printf '%-26s %6s %12s %9s %9s\n' "$name" "$conns" "$rtps" "$p50" "$p99"
        done
    done
} | tee "$out"
