# SPDX-License-Identifier: MIT
"""tcp-echo client: seed 001 "TCP communication in Python" -- send each MESSAGE and
print the echo.

The program `thrdemo tcp-echo client` re-creates, printing the same trace (the seed's
code is only in images; this spells it out). Options as thrdemo's: --host 127.0.0.1
--port 9999, then the messages (default: "Hello, world").
"""
import argparse, socket

options = argparse.ArgumentParser(description=__doc__)
options.add_argument("--host", default="127.0.0.1")
options.add_argument("--port", type=int, default=9999)
options.add_argument("messages", nargs="*", default=["Hello, world"])
args = options.parse_args()

with socket.create_connection((args.host, args.port)) as c:
    for m in args.messages:
        c.sendall(m.encode())
        print(f"Client received: {c.recv(1024).decode()}")
