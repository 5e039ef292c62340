# SPDX-License-Identifier: MIT
"""event wait: seed 002 "Event" -- one thread waits forever, one polls with wait(timeout).

The program `thrdemo event wait` re-creates, printing the same trace. Options as
thrdemo's: --wait-timeout 1 --first-delay 5 --second-delay 5. THRDEMO_SCALE=0.1
multiplies every duration, as --scale does: THRDEMO_SCALE=0.1 python3 -u event_wait.py
"""
import argparse, os, threading, time

S = float(os.environ.get("THRDEMO_SCALE", "1"))
number = lambda text: float(text) if any(c in text for c in ".eE") else int(text)
options = argparse.ArgumentParser(description=__doc__)
options.add_argument("--wait-timeout", type=number, default=1)
options.add_argument("--first-delay", type=float, default=5)
options.add_argument("--second-delay", type=float, default=5)
args = options.parse_args()

def wait_for_event(e):
    print("Thread started and waiting for event to be set")
    e.wait()
    print("Event has been set, resuming thread")

def wait_for_event_timeout(e, t):
    while not e.is_set():
        print(f"Thread checking for event, will timeout in {t} seconds")
        if e.wait(t * S):
            print("Event has been set, resuming thread")
        else:
            print("Timeout occurred, continuing to check for event")

if __name__ == '__main__':
    event1 = threading.Event()
    event2 = threading.Event()
    thread1 = threading.Thread(target=wait_for_event, args=(event1,))
    thread2 = threading.Thread(target=wait_for_event_timeout, args=(event2, args.wait_timeout))
    thread1.start()
    thread2.start()
    time.sleep(args.first_delay * S)
    event1.set()
    print("event1 setting complete")
    time.sleep(args.second_delay * S)
    event2.set()
    print("event2 setting complete")
    thread1.join()
    thread2.join()
    print("All threads have finished.")
