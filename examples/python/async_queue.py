# SPDX-License-Identifier: MIT
"""async queue: seed 002 "asyncio.Queue" -- the seed's producer/consumer, whose consumer
waits forever for a None nobody puts.

The program `thrdemo async queue` re-creates, printing the same trace. Options as
thrdemo's: --hang-after 2. THRDEMO_SCALE=0.1 multiplies every sleep and timeout.
"""
import argparse, asyncio, os

S = float(os.environ.get("THRDEMO_SCALE", "1"))


async def producer(queue):
    for i in range(5):
        await queue.put(i)
        await asyncio.sleep(1 * S)

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

# Added: the seed's program never exits. Its producer puts 0..4 and returns; nobody
# puts the None its consumer breaks on, so the consumer waits in queue.get() on an
# empty queue, gather() waits for the consumer, and asyncio.run() for gather(), with
# nothing left that could ever wake any of them. This shows that hang for
# --hang-after seconds after the producer is done, says so in one line, cancels main (gather
# cancels the consumer) and exits 0.
options = argparse.ArgumentParser(description=__doc__)
options.add_argument("--hang-after", type=float, default=2.0)
HANG_AFTER = options.parse_args().hang_after

async def bounded():
    main_task = asyncio.create_task(main())
    await asyncio.sleep(0)  # main runs up to its gather(), which makes the two tasks
    tasks = {t.get_coro().__name__: t for t in asyncio.all_tasks()}
    await asyncio.wait([tasks["producer"]])
    await asyncio.sleep(HANG_AFTER * S)
    if not main_task.done():
        print("Consumer still blocked in queue.get(): the queue is empty and the "
              "producer is done, so the seed's program never exits "
              f"(stopped after {HANG_AFTER:g} s)")
        main_task.cancel()
    try:
        await main_task
    except asyncio.CancelledError:
        pass

if __name__ == '__main__':
    asyncio.run(bounded())
