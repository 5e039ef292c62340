#!/bin/sh
# SPDX-License-Identifier: MIT
# tcp-echo demo / server / client: seed 001, real peers, faults, Ctrl-C. Loopback only.
. "$(dirname "$0")/lib.sh"

peer() { timeout 30 python3 "$here/echo_peer.py" "$@"; }
# A peer in the background, started directly (not through the function, which dash
# would run in a subshell) so that killing $! really stops the Python process.
peer_bg() { # OUTFILE MODE PORT [ARGS]
    out=$1
    shift
    timeout 30 python3 "$here/echo_peer.py" "$@" >"$out" 2>&1 &
    other_pid=$!
}
server_pid=""
other_pid=""
stop_all() {
    for p in $server_pid $other_pid; do kill "$p" 2>/dev/null || true; done
    for p in $server_pid $other_pid; do wait "$p" 2>/dev/null || true; done
    server_pid=""
    other_pid=""
}
trap 'stop_all; rm -rf "$work"' EXIT
start_server() { # PORT ARGS...: a thrdemo server, in the background, once it listens
    port=$1
    shift
    rm -f "$work/server.out"
    env --default-signal=INT,TERM "$THRDEMO" tcp-echo server --port "$port" "$@" \
        >"$work/server.out" 2>"$work/server.err" &
    server_pid=$!
    i=0
    until grep -q '^Server listening' "$work/server.out" 2>/dev/null || [ $i -ge 200 ]; do
        sleep 0.02
        i=$((i + 1))
    done
}
stop_server() { # SIGNAL: stop it, set $status
    kill -"$1" "$server_pid"
    set +e
    wait "$server_pid"
    status=$?
    set -e
    server_pid=""
    cp "$work/server.err" "$work/err"
    no_sanitizer_report tcp-echo server || true
}
normalize() { sed -E 's/[0-9]{2,5}\)/PORT)/g; s/:[0-9]{2,5}$/:PORT/' "$1"; }

# ---- demo, against its Python program (ports aside).
run tcp-echo
expect_status 0 "tcp-echo demo"
normalize "$work/out" >"$work/demo"
cat >"$work/want" <<'TXT'
Server listening on 127.0.0.1:PORT
Connected by ('127.0.0.1', PORT)
Received from ('127.0.0.1', PORT): Hello, world
Client received: Hello, world
Received from ('127.0.0.1', PORT): 안녕하세요
Client received: 안녕하세요
Disconnected ('127.0.0.1', PORT)
TXT
check "demo: the trace" cmp -s "$work/demo" "$work/want"
if have_python; then
    python_example tcp_echo_demo
    normalize "$work/ref" >"$work/ref.n"
    check "demo: same as tcp_echo_demo.py" cmp -s "$work/ref.n" "$work/demo"
fi
# The demo sends the seed's two messages: words after it are no messages (issue 12).
usage_error tcp-echo demo "first message"
usage_error tcp-echo demo client
if python3 -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
    run tcp-echo demo --host ::1
    expect_status 0 "demo over IPv6"
    check "IPv6: Python's 4-tuple address" grep -qE "^Connected by \('::1', [0-9]+, 0, 0\)$" "$work/out"
    check "IPv6: echoed" grep -q '^Client received: Hello, world$' "$work/out"
fi

# ---- the server, threaded and --async (coroutines on one thread): the same trace,
# caps, faults and stop. $mode is "" or "--async"; $tag names it in messages.
server_suite() {
    mode=$1
    tag=${mode:-threaded}
    # ---- server and client as two processes.
    port=$(free_port)
    start_server "$port" $mode
    run tcp-echo client --port "$port" one "two words"
    expect_status 0 "$tag: client"
    printf 'Client received: one\nClient received: two words\n' >"$work/want"
    expect_out "$work/want" "$tag: client's trace"
    if have_python; then
        python_example tcp_echo_client --port "$port" one "two words"
        check "$tag: client: same as tcp_echo_client.py" cmp -s "$work/ref" "$work/out"
    fi
    run tcp-echo client --port "$port" "first message" "$(printf 'bad\377byte')"
    check "$tag: client: messages given" grep -q '^Client received: first message$' "$work/out"
    check "$tag: server: invalid UTF-8 escaped" grep -q '^Received from (.*): bad\\xffbyte$' "$work/server.out"
    # "--" ends the options: what follows is a message, however it looks (issue 12).
    run tcp-echo client --port "$port" -- -n --help
    printf 'Client received: -n\nClient received: --help\n' >"$work/want"
    expect_out "$work/want" "$tag: client -- -n --help sends both as messages"
    usage_error tcp-echo client --port "$port" -n
    printf 'line one\nline two\n' | run tcp-echo client --port "$port"
    printf 'Client received: line one\nClient received: line two\n' >"$work/want"
    expect_out "$work/want" "$tag: client reading stdin"
    # Real peers: netcat and a Python socket client.
    if command -v nc >/dev/null; then
        got=$(printf 'netcat line\n' | timeout 10 nc -N 127.0.0.1 "$port")
        check "$tag: nc gets its line back" test "$got" = "netcat line"
    fi
    check "$tag: a Python socket client gets its bytes back" peer simple "$port"
    # Faults.
    check "$tag: 1 MiB of all 256 byte values comes back identical" peer payload "$port"
    check "$tag: a half-closed client still gets its whole echo" peer halfclose "$port"
    check "$tag: a client reset mid-message does not disturb another" peer reset "$port"
    stop_server TERM
    expect_status 143 "$tag: server after SIGTERM"
    check "$tag: server: listening line" grep -q "^Server listening on 127.0.0.1:$port\$" "$work/server.out"
    check "$tag: server: logged the client's message" grep -q "^Received from ('127.0.0.1', [0-9]*): two words\$" "$work/server.out"
    check "$tag: server: every connection disconnected" test "$(grep -c '^Connected by' "$work/server.out")" -eq "$(grep -c '^Disconnected' "$work/server.out")"
    check "$tag: server: says how many it served" grep -qE '^Served [0-9]+ connections$' "$work/server.out"

    # ---- max-clients + 10 at once: the extra ones are refused, the rest served.
    port=$(free_port)
    start_server "$port" $mode --max-clients 5 --quiet
    result=$(peer flood "$port" 15)
    check "$tag: flood: 5 served, 10 refused ($result)" test "$result" = "flood: served 5 refused 10"
    check "$tag: flood: a stderr line per refusal" test "$(grep -c '^thrdemo: refusing' "$work/server.err")" -eq 10
    check "$tag: flood: still serving afterwards" peer simple "$port"
    stop_server INT
    expect_status 130 "$tag: server after the flood"

    # ---- idle timeout.
    port=$(free_port)
    start_server "$port" $mode --idle-timeout 0.3
    result=$(peer idle "$port")
    secs=$(echo "$result" | sed -n 's/^idle: dropped after \([0-9.]*\) s$/\1/p')
    check "$tag: idle: dropped ($result)" test -n "$secs"
    check "$tag: idle: after about 0.3 s" python3 -c "import sys; sys.exit(not 0.25 <= float('${secs:-0}') < 3)"
    check "$tag: idle: said on stderr" grep -q 'idle for 0.3 s (--idle-timeout)$' "$work/server.err"
    stop_server INT

    # ---- Ctrl-C with 20 open connections: 130, all handlers joined, count printed.
    port=$(free_port)
    start_server "$port" $mode --quiet
    peer_bg "$work/hold" hold "$port" 20
    i=0
    until grep -q 'connections open' "$work/hold" 2>/dev/null || [ $i -ge 250 ]; do sleep 0.02; i=$((i + 1)); done
    t0=$(date +%s%N)
    stop_server INT
    elapsed_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    expect_status 130 "$tag: server after Ctrl-C with 20 connections"
    check "$tag: Ctrl-C: stopped within 2 s (${elapsed_ms} ms)" test "$elapsed_ms" -lt 2000
    check "$tag: Ctrl-C: served 20" grep -q '^Served 20 connections$' "$work/server.out"
    check "$tag: Ctrl-C: 20 disconnects" test "$(grep -c '^Disconnected' "$work/server.out")" -eq 20
    check "$tag: Ctrl-C: --quiet logged no message" sh -c "! grep -q '^Received' '$work/server.out'"
    stop_all
    # ---- the server's failures: a port in use, an address not ours.
    port=$(free_port)
    start_server "$port" $mode
    run tcp-echo server --port "$port" $mode
    expect_status 1 "$tag: second server on the same port"
    check "$tag: port in use: one clear line" grep -q "^thrdemo: cannot listen on 127.0.0.1:$port: Address already in use\$" "$work/err"
    check "$tag: port in use: nothing on stdout" test ! -s "$work/out"
    stop_server INT
    run tcp-echo server --host 192.0.2.1 --port "$port" $mode
    expect_status 1 "$tag: server on an address that is not this machine's"
    check "$tag: foreign address: one line" test "$(wc -l <"$work/err")" -eq 1
}
server_suite ""
server_suite --async

# ---- --async: one thread serves 900 connections at once; no thread is started.
port=$(free_port)
start_server "$port" --async --quiet --stats
peer_bg "$work/hold" hold "$port" 900
i=0
until grep -q 'connections open' "$work/hold" 2>/dev/null || [ $i -ge 500 ]; do sleep 0.02; i=$((i + 1)); done
check "--async: 900 connections open and echoing" grep -q '^hold: 900 connections open$' "$work/hold"
stop_server INT
expect_status 130 "--async server after Ctrl-C with 900 connections"
check "--async: served 900" grep -q '^Served 900 connections$' "$work/server.out"
check "--async: 900 disconnects" test "$(grep -c '^Disconnected' "$work/server.out")" -eq 900
check "--async --stats: threads started: 0" grep -q '^  threads started: 0$' "$work/server.err"
check "--async --stats: a task per connection" grep -q 'asyncio tasks started.*: 901$' "$work/server.err"
stop_all
usage_error tcp-echo client --async
usage_error tcp-echo demo --async

# ---- the client's failures: refused, and a server that never answers.
port=$(free_port)
run tcp-echo client --port "$port" hello
expect_status 1 "client, nobody listening"
check "refused: one clear line" sh -c "test \$(wc -l <'$work/err') -eq 1 && grep -q '^thrdemo: cannot connect to 127.0.0.1:$port: Connection refused\$' '$work/err'"
peer_bg "$work/silent" silent "$port"
i=0
until grep -q listening "$work/silent" 2>/dev/null || [ $i -ge 250 ]; do sleep 0.02; i=$((i + 1)); done
timed_run tcp-echo client --port "$port" --reply-timeout 0.3 hello
expect_status 1 "client, silent server"
check "silent: reply timeout message" grep -q 'no echo from 127.0.0.1:[0-9]* within 0.3 s (--reply-timeout)$' "$work/err"
check "silent: no hang (${elapsed_ms} ms)" test "$elapsed_ms" -lt 3000
stop_all

usage_error tcp-echo bogus
usage_error tcp-echo server --port 70000
usage_error tcp-echo server --port x
usage_error tcp-echo server --port -1
usage_error tcp-echo server --max-clients 0
usage_error tcp-echo server --idle-timeout -1
usage_error tcp-echo server --reply-timeout 1
usage_error tcp-echo server hello
usage_error tcp-echo client --connect-timeout 0
usage_error tcp-echo client --reply-timeout x
usage_error tcp-echo client --max-clients 3
usage_error tcp-echo --host
finish
