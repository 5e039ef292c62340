# SPDX-License-Identifier: MIT
"""async future: seed 002 "Future" -- asyncio.Future() given a result by another
coroutine.

The program `thrdemo async future` re-creates, printing the same trace. No options of
its own. THRDEMO_SCALE=0.1 multiplies every sleep and timeout.
"""
import asyncio, os

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
