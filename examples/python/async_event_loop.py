# SPDX-License-Identifier: MIT
# async_event-loop.py - seed 002 "get_event_loop, run_until_complete": a loop made and run in a plain function. Same output as
# `thrdemo async event-loop` (every sleep and timeout times THRDEMO_SCALE, as --scale does).
import asyncio
import os

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
