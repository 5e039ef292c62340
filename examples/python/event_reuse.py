# SPDX-License-Identifier: MIT
"""event reuse: seed 001 "Event" -- "to use an Event again, call clear()": two rounds of
waiters on one Event, wait() on a set event returning at once, and wait(timeout)
blocking again once the flag is cleared.

The program `thrdemo event reuse` re-creates, printing the same trace. Options as
thrdemo's: --waiters 2 --delay 1 --wait-timeout 1. THRDEMO_SCALE=0.1 multiplies
every duration, as --scale does: THRDEMO_SCALE=0.1 python3 -u event_reuse.py
"""
import argparse, os, threading, time

S = float(os.environ.get("THRDEMO_SCALE", "1"))
number = lambda text: float(text) if any(c in text for c in ".eE") else int(text)
options = argparse.ArgumentParser(description=__doc__)
options.add_argument("--waiters", type=int, default=2)
options.add_argument("--delay", type=float, default=1)
options.add_argument("--wait-timeout", type=number, default=1)
args = options.parse_args()

event = threading.Event()

def waiter(round_no):
    name = threading.current_thread().name
    print(f"{name}: waiting for the event (round {round_no})")
    flag = event.wait()                    # blocks until set(), in either round
    print(f"{name}: wait() returned {flag} (round {round_no})")

def round_of_waiters(round_no):
    threads = [threading.Thread(target=waiter, args=(round_no,)) for _ in range(args.waiters)]
    for t in threads:
        t.start()
    time.sleep(args.delay * S)
    print(f"Main: set() (round {round_no})")
    event.set()                            # releases every waiter of this round
    for t in threads:
        t.join()

round_of_waiters(1)
# The flag stays up after set(): a wait() now does not block at all.
print(f"Main: is_set() = {event.is_set()}, so wait() returns {event.wait()} at once")
event.clear()                              # down again: the Event can be used again
print(f"Main: clear(); is_set() = {event.is_set()}")
flag = event.wait(args.wait_timeout * S)   # nobody sets it now: the timeout runs out
print(f"Main: wait({args.wait_timeout}) returned {flag}: no set() since clear()")
round_of_waiters(2)
print("All threads have finished.")
