# SPDX-License-Identifier: MIT
"""lock-counter: seed 002 "threading.Lock" -- +1 and -1 a million times each under a Lock.

The program `thrdemo lock-counter` re-creates, printing the same trace. Options as
thrdemo's: --iterations 1000000 --threads 2 (half add, half subtract) --lock mutex,
rlock, semaphore or none (thrdemo's spin and atomic have no Python counterpart).
"""
import argparse, contextlib, threading

options = argparse.ArgumentParser(description=__doc__)
options.add_argument("--iterations", type=int, default=1000000)
options.add_argument("--threads", type=int, default=2)
options.add_argument("--lock", choices=["mutex", "rlock", "semaphore", "none"], default="mutex")
args = options.parse_args()
N = args.iterations
lock = {"mutex": threading.Lock, "rlock": threading.RLock, "none": contextlib.nullcontext,
        "semaphore": lambda: threading.Semaphore(1)}[args.lock]()
shared_resource = 0

def increment():
    global shared_resource
    for _ in range(N):
        with lock:
            shared_resource += 1

def decrement():
    global shared_resource
    for _ in range(N):
        with lock:
            shared_resource -= 1

threads = [threading.Thread(target=decrement if i % 2 else increment) for i in range(args.threads)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(f"Final value of shared_resource: {shared_resource}")
if args.lock == "none" and shared_resource != 0:
    print("Lost updates: without a lock, += and -= are a read, an add and a write "
          "that the other thread can interleave, so the result is not 0")
elif args.lock == "none":
    print("No update was lost this time, by luck: without a lock nothing "
          "guarantees 0; run it again")
