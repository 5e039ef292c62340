# SPDX-License-Identifier: MIT
"""async event-loop: seed 002 "get_event_loop, run_until_complete" -- a loop made and run
in a plain function.

The program `thrdemo async event-loop` re-creates, printing the same trace. No options
of its own. THRDEMO_SCALE=0.1 multiplies every sleep and timeout.
"""
import asyncio, os

S = float(os.environ.get("THRDEMO_SCALE", "1"))


# Python 3.11 creates the loop silently. 3.12 and 3.13 also print a
# DeprecationWarning (no current event loop) to stderr; 3.14 raises RuntimeError.
def synchronous_function():
    loop = asyncio.get_event_loop()
    if loop.is_running():
        print("Event loop is already running.")
    else:
        print("Event loop is not running. Creating and running a new loop.")
        loop.run_until_complete(asyncio.sleep(1 * S))


if __name__ == '__main__':
    synchronous_function()
# Event loop is not running. Creating and running a new loop.
