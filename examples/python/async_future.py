# SPDX-License-Identifier: MIT
# async_future.py - seed 002 "Future": asyncio.Future() given a result by another coroutine. Same output as
# `thrdemo async future` (every sleep and timeout times THRDEMO_SCALE, as --scale does).
import asyncio
import os

S = float(os.environ.get("THRDEMO_SCALE", "1"))


async def set_future_value(future):
    await asyncio.sleep(1 * S)
    future.set_result("Hello, World!")


async def main():
    future: asyncio.Future = asyncio.Future()
    await asyncio.gather(set_future_value(future))
    result = await future
    print(result)  # Hello, World!

if __name__ == '__main__':
    asyncio.run(main())
