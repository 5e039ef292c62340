# SPDX-License-Identifier: MIT
"""async exception: seed 002 "Future.set_exception" -- the Future given an exception;
awaiting it raises it.

The program `thrdemo async exception` re-creates, printing the same trace. No options
of its own. THRDEMO_SCALE=0.1 multiplies every sleep and timeout.
"""
import asyncio, os

S = float(os.environ.get("THRDEMO_SCALE", "1"))


async def set_future_value(future):
    await asyncio.sleep(1 * S)
    # the seed's one-line set_exception example, put where set_result was
    future.set_exception(Exception('Something went wrong'))


async def main():
    future: asyncio.Future = asyncio.Future()
    await asyncio.gather(set_future_value(future))
    # Added: `await future` raises the exception that was set. Uncaught, Python would
    # print a traceback to stderr and exit 1; this prints its last line and exits 0.
    try:
        result = await future
        print(result)
    except Exception as e:
        print(f"{type(e).__name__}: {e}")  # Exception: Something went wrong

if __name__ == '__main__':
    asyncio.run(main())
