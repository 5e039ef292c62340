# SPDX-License-Identifier: MIT
"""async gather: seed 002 "asyncio.run, gather, sleep" -- two tasks, the shorter ends
first.

The program `thrdemo async gather` re-creates, printing the same trace. No options of
its own. THRDEMO_SCALE=0.1 multiplies every sleep and timeout.
"""
import asyncio, os

S = float(os.environ.get("THRDEMO_SCALE", "1"))


async def task1():
    print("Task 1 started")
    await asyncio.sleep(2 * S)
    print("Task 1 finished")

async def task2():
    print("Task 2 started")
    await asyncio.sleep(1 * S)
    print("Task 2 finished")

async def main():
    # 두 비동기 함수를 동시에 실행
    await asyncio.gather(task1(), task2())


if __name__ == '__main__':
    asyncio.run(main())
    # Task 1 started
    # Task 2 started
    # Task 2 finished
    # Task 1 finished
