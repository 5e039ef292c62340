# SPDX-License-Identifier: MIT
# async_create-future.py - seed 002 "loop.create_future": get_running_loop().create_future(). Same output as
# `thrdemo async create-future` (every sleep and timeout times THRDEMO_SCALE, as --scale does).
import asyncio
import os

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
