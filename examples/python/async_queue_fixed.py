# SPDX-License-Identifier: MIT
# async_queue-fixed.py - seed 002 "asyncio.Queue, repaired": the producer puts the None the consumer waits for: all ends after 5 s. Same output as
# `thrdemo async queue-fixed` (every sleep and timeout times THRDEMO_SCALE, as --scale does).
import asyncio
import os

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
