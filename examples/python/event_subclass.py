# SPDX-License-Identifier: MIT
"""event subclass: seed 002 "Thread subclass" -- Thread subclasses gated by one Event.

The program `thrdemo event subclass` re-creates, printing the same trace. Options as
thrdemo's: --threads 2 --count 5. THRDEMO_SCALE=0.1 multiplies every duration.
"""
import argparse, os, threading, time

S = float(os.environ.get("THRDEMO_SCALE", "1"))
options = argparse.ArgumentParser(description=__doc__)
options.add_argument("--threads", type=int, default=2)
options.add_argument("--count", type=int, default=5)
args = options.parse_args()

class MyThread(threading.Thread):
    def __init__(self, name, event):
        super().__init__()
        self.name = name
        self.event = event

    def run(self):
        print(f"{self.name} is waiting for the event to be set.")
        self.event.wait()
        for i in range(1, args.count + 1):
            print(f"{self.name} - Number: {i}")
            time.sleep(1 * S)

event = threading.Event()
threads = [MyThread(f"Thread {i}", event) for i in range(1, args.threads + 1)]
for thread in threads:
    thread.start()
time.sleep(5 * S)
print("Main thread setting event")
event.set()
for thread in threads:
    thread.join()
print("All threads have finished.")
