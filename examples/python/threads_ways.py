# SPDX-License-Identifier: MIT
"""threads ways: seed 001 "creating threads" -- a target function, a Thread subclass
overriding run(), several named threads with args.

The program `thrdemo threads ways` re-creates, printing the same trace (the seed's code
is only in images; this spells it out). Default names follow CPython 3.10+:
"Thread-N (target)" or "Thread-N". THRDEMO_SCALE=0.1 multiplies every duration.
"""
import os, threading, time

S = float(os.environ.get("THRDEMO_SCALE", "1"))

def mythread():
    print(f"{threading.current_thread().name}: running the target function")

class MyThread(threading.Thread):
    def run(self):
        print(f"{self.name}: running the overridden run()")

def worker(num, delay):
    name = threading.current_thread().name
    print(f"{name}: start, num={num}")
    time.sleep(delay * S)
    print(f"{name}: end, num={num}")

t = threading.Thread(target=mythread)
t.start(); t.join()
t = MyThread()
t.start(); t.join()
threads = [threading.Thread(target=worker, name=f"worker-{i}", args=(i, 0.1 * (3 - i)))
           for i in range(3)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("All threads have finished.")
