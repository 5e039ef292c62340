# SPDX-License-Identifier: MIT
# async_exception.py - seed 002 "Future.set_exception": the Future given an exception; awaiting it raises it. Same output as
# `thrdemo async exception` (every sleep and timeout times THRDEMO_SCALE, as --scale does).
import asyncio
import os

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
