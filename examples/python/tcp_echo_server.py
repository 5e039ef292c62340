# SPDX-License-Identifier: MIT
"""tcp-echo server: seed 001 "TCP communication in Python" -- an echo server with one
thread per connection, until Ctrl-C.

The program `thrdemo tcp-echo server` re-creates, printing the same trace (the seed's
code is only in images; this spells it out). Options as thrdemo's: --host 127.0.0.1
--port 9999, and --quiet to leave out the per-message lines (for load tests). Like
thrdemo's, it shows bytes that are not UTF-8 as backslash escapes, leaves out a line's final
newline, and says how many connections it served when Ctrl-C stops it.
"""
import argparse, socket, threading

options = argparse.ArgumentParser(description=__doc__)
options.add_argument("--host", default="127.0.0.1")
options.add_argument("--port", type=int, default=9999)
options.add_argument("--quiet", action="store_true")
args = options.parse_args()

def handle(conn, addr):
    with conn:
        while True:
            data = conn.recv(1024)
            if not data:
                break
            if not args.quiet:
                text = data.decode(errors="backslashreplace").removesuffix("\n").removesuffix("\r")
                print(f"Received from {addr}: {text}")
            conn.sendall(data)
    print(f"Disconnected {addr}")

s = socket.create_server((args.host, args.port))  # socket, SO_REUSEADDR, bind, listen
print(f"Server listening on {args.host}:{s.getsockname()[1]}")
served = 0
try:
    while True:
        conn, addr = s.accept()
        print(f"Connected by {addr}")
        threading.Thread(target=handle, args=(conn, addr), daemon=True).start()
        served += 1
except KeyboardInterrupt:
    print(f"Served {served} connections")
