# SPDX-License-Identifier: MIT
"""async queue-fixed: seed 002 "asyncio.Queue, repaired" -- the producer puts the None
the consumer waits for: all ends after 5 s.

The program `thrdemo async queue-fixed` re-creates, printing the same trace. No
options of its own. THRDEMO_SCALE=0.1 multiplies every sleep and timeout.
"""
import asyncio, os

S = float(os.environ.get("THRDEMO_SCALE", "1"))


async def producer(queue):
    for i in range(5):
        await queue.put(i)
        await asyncio.sleep(1 * S)
    await queue.put(None)  # the fix: the end-of-work value the consumer checks for

async def consumer(queue):
    while True:
        item = await queue.get()
        if item is None:
            break
        print(f"Consumed: {item}")
        queue.task_done()

async def main():
    queue: asyncio.Queue = asyncio.Queue()
    await asyncio.gather(producer(queue), consumer(queue))

if __name__ == '__main__':
    asyncio.run(main())
