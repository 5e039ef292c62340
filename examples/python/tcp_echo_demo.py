# SPDX-License-Identifier: MIT
"""tcp-echo demo: seed 001 "TCP communication in Python" -- an echo server thread and
its client in one process.

The program `thrdemo tcp-echo demo` re-creates, printing the same trace (the seed's
code is only in images; this spells it out). The server listens on a port the kernel
picks unless --port is given. Options as thrdemo's: --host 127.0.0.1 --port.
"""
import argparse, socket, threading

options = argparse.ArgumentParser(description=__doc__)
options.add_argument("--host", default="127.0.0.1")
options.add_argument("--port", type=int, default=0)
args = options.parse_args()
disconnected = threading.Event()

def handle(conn, addr):
    with conn:
        while True:
            data = conn.recv(1024)
            if not data:
                break
            print(f"Received from {addr}: {data.decode()}")
            conn.sendall(data)
    print(f"Disconnected {addr}")
    disconnected.set()

def serve(s):
    print(f"Server listening on {args.host}:{s.getsockname()[1]}")
    while True:
        conn, addr = s.accept()
        print(f"Connected by {addr}")
        threading.Thread(target=handle, args=(conn, addr), daemon=True).start()

def client(port, messages):
    with socket.create_connection((args.host, port)) as c:
        for m in messages:
            c.sendall(m.encode())
            print(f"Client received: {c.recv(1024).decode()}")

s = socket.create_server((args.host, args.port))  # socket, SO_REUSEADDR, bind, listen
threading.Thread(target=serve, args=(s,), daemon=True).start()
client(s.getsockname()[1], ["Hello, world", "안녕하세요"])
disconnected.wait()  # the server's last line, as thrdemo waits for it
