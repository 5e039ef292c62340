# SPDX-License-Identifier: MIT
"""async event: seed 002 "asyncio.Event" -- one coroutine waits until another sets the
Event.

The program `thrdemo async event` re-creates, printing the same trace. No options of
its own. THRDEMO_SCALE=0.1 multiplies every sleep and timeout.
"""
import asyncio, os

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
