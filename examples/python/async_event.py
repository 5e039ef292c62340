# SPDX-License-Identifier: MIT
# async_event.py - seed 002 "asyncio.Event": one coroutine waits until another sets the Event. Same output as
# `thrdemo async event` (every sleep and timeout times THRDEMO_SCALE, as --scale does).
import asyncio
import os

S = float(os.environ.get("THRDEMO_SCALE", "1"))


async def waiter(event):
    print("Waiting for event...")
    await event.wait()
    print("Event received!")


async def setter(event):
    await asyncio.sleep(2 * S)
    event.set()


async def main():
    event: asyncio.Event = asyncio.Event()
    await asyncio.gather(waiter(event), setter(event))

if __name__ == '__main__':
    asyncio.run(main())
