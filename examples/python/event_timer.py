# SPDX-License-Identifier: MIT
"""event timer: seed 002 "with threading.Timer" -- a Timer sets the Event main waits on.

The program `thrdemo event timer` re-creates, printing the same trace (the seed shows
only the two construction lines; the prints around them are thrdemo's). Options as
thrdemo's: --delay 5.0. THRDEMO_SCALE=0.1 multiplies every duration.
"""
import argparse, os, threading

S = float(os.environ.get("THRDEMO_SCALE", "1"))
options = argparse.ArgumentParser(description=__doc__)
options.add_argument("--delay", type=float, default=5.0)
args = options.parse_args()

def set_event(event):
    print("Timer fired, setting the event")
    event.set()

event = threading.Event()
timer = threading.Timer(args.delay * S, set_event, [event])
timer.start()
print(f"Waiting for the event; a timer will set it in {args.delay} seconds")
event.wait()
print("Event has been set, main thread resumes")
timer.join()
