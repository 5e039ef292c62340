# SPDX-License-Identifier: MIT
# echo_peer.py - real peers for test_tcp_echo.sh: each mode talks to an echo server
# on 127.0.0.1:PORT, checks what comes back, prints one result line and exits 0 when
# it is right. Every wait is bounded.
# Usage: python3 echo_peer.py MODE PORT [ARGS]
import socket, sys, threading, time

MODE, PORT = sys.argv[1], int(sys.argv[2])
ARGS = sys.argv[3:]
TIMEOUT = 10

def connect():
    s = socket.create_connection(("127.0.0.1", PORT), timeout=TIMEOUT)
    s.settimeout(TIMEOUT)
    return s

def read_exactly(s, n):
    chunks, got = [], 0
    while got < n:
        data = s.recv(min(65536, n - got))
        if not data:
            break
        chunks.append(data)
        got += len(data)
    return b"".join(chunks)

def simple():
    # a plain socket client: one message, its echo
    with connect() as s:
        s.sendall(b"python says hi")
        echo = read_exactly(s, 14)
    print("echo:", echo.decode())
    return echo == b"python says hi"

def payload():
    # 1 MiB of all 256 byte values, sent while the echo is read back
    data = bytes(range(256)) * 4096
    with connect() as s:
        sender = threading.Thread(target=s.sendall, args=(data,))
        sender.start()
        echo = read_exactly(s, len(data))
        sender.join()
    print("payload:", len(echo), "bytes back,", "identical" if echo == data else "DIFFERENT")
    return echo == data

def halfclose():
    # send, shut the write side, still receive the whole echo, then EOF
    data = b"half-closed " * 5000
    with connect() as s:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        echo = read_exactly(s, len(data) + 1)
    print("halfclose:", len(echo), "of", len(data))
    return echo == data

def reset():
    # a client resets mid-message while another keeps being served
    with connect() as good:
        bad = connect()
        bad.sendall(b"x" * 100000)
        bad.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        bad.close()  # RST
        ok = True
        for i in range(20):
            msg = f"still here {i}".encode()
            good.sendall(msg)
            ok &= read_exactly(good, len(msg)) == msg
    print("reset: the other client", "served" if ok else "NOT served")
    return ok

def flood():
    # N connections at once: how many get their echo, how many are shut out
    n = int(ARGS[0])
    conns = [connect() for _ in range(n)]
    time.sleep(0.3)  # let the server accept them all (pacing, not a result)
    served = refused = 0
    for c in conns:
        try:
            c.sendall(b"ping")
            served += read_exactly(c, 4) == b"ping"
            refused += 0
        except (ConnectionResetError, BrokenPipeError):
            refused += 1
            continue
    refused = n - served
    for c in conns:
        c.close()
    print(f"flood: served {served} refused {refused}")
    return True

def idle():
    # send nothing: the server must drop us; report after how long
    start = time.monotonic()
    with connect() as s:
        data = s.recv(1)
    print(f"idle: dropped after {time.monotonic() - start:.2f} s" if data == b"" else "idle: got data")
    return data == b""

def hold():
    # open N connections, prove each works, then hold them until killed
    n = int(ARGS[0])
    conns = [connect() for _ in range(n)]
    for c in conns:
        c.sendall(b"hi")
        assert read_exactly(c, 2) == b"hi"
    print(f"hold: {n} connections open", flush=True)
    time.sleep(60)
    return True

def slow():
    # N clients each sending a byte every 0.1 s and never a newline (a slow-sender
    # attack): after how long the server drops each, or "kept" if it still has them
    # after T seconds
    n, t = int(ARGS[0]), float(ARGS[1])
    conns = [connect() for _ in range(n)]
    start = time.monotonic()
    dropped = {}
    while len(dropped) < n and time.monotonic() - start < t:
        for i, c in enumerate(conns):
            if i in dropped:
                continue
            try:
                c.sendall(b"x")
                c.settimeout(0.1 / n)
                if c.recv(64) == b"":
                    dropped[i] = time.monotonic() - start
            except socket.timeout:
                pass
            except (ConnectionResetError, BrokenPipeError):
                dropped[i] = time.monotonic() - start
    for c in conns:
        c.close()
    if len(dropped) < n:
        print(f"slow: kept {n - len(dropped)} of {n} after {t:g} s")
    else:
        print(f"slow: {n} dropped after {min(dropped.values()):.2f} to {max(dropped.values()):.2f} s")
    return True

def lines():
    # whole lines, one every 0.1 s for T seconds: each comes back, none is cut
    t = float(ARGS[0])
    start, count = time.monotonic(), 0
    with connect() as s:
        while time.monotonic() - start < t:
            msg = f"line {count}\n".encode()
            s.sendall(msg)
            if read_exactly(s, len(msg)) != msg:
                print(f"lines: cut after {count} lines")
                return False
            count += 1
            time.sleep(0.1)  # pacing the sender, not a result
    print(f"lines: {count} lines echoed")
    return True

def many():
    # N connections at once: each sends a byte; an echo means served, the end of the
    # stream (or a reset) means the server closed it unserved
    n = int(ARGS[0])
    conns = [connect() for _ in range(n)]
    served = closed = 0
    for c in conns:
        try:
            c.sendall(b"x")
            if read_exactly(c, 1) == b"x":
                served += 1
            else:
                closed += 1
        except (ConnectionResetError, BrokenPipeError):
            closed += 1
    for c in conns:
        c.close()
    print(f"many: served {served} closed {closed}")
    return served + closed == n

def silent():
    # a server that accepts and never answers (for the client's reply timeout)
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", PORT))
    srv.listen()
    print("silent: listening", flush=True)
    held = []
    deadline = time.monotonic() + 60
    srv.settimeout(1)
    while time.monotonic() < deadline:
        try:
            held.append(srv.accept()[0])
        except socket.timeout:
            pass
    return True

sys.exit(0 if globals()[MODE]() else 1)
