# SPDX-License-Identifier: MIT
"""async create-future: seed 002 "loop.create_future" --
get_running_loop().create_future().

The program `thrdemo async create-future` re-creates, printing the same trace. No
options of its own. THRDEMO_SCALE=0.1 multiplies every sleep and timeout.
"""
import asyncio, os

S = float(os.environ.get("THRDEMO_SCALE", "1"))


async def set_future_value(future):
    await asyncio.sleep(1 * S)
    future.set_result("Hello, World!")

async def main():
    loop: asyncio.AbstractEventLoop = asyncio.get_running_loop()
    future: asyncio.Future = loop.create_future()

    await asyncio.gather(set_future_value(future))

    result = await future
    print(result)

if __name__ == '__main__':
    asyncio.run(main())
