# SPDX-License-Identifier: MIT
"""async wait: seed 002 "create_task, wait, wait_for" -- wait(FIRST_COMPLETED) on three
tasks, then wait_for with a timeout.

The program `thrdemo async wait` re-creates, printing the same trace. No options of
its own. THRDEMO_SCALE=0.1 multiplies every sleep and timeout.
"""
import asyncio, os

S = float(os.environ.get("THRDEMO_SCALE", "1"))


# The seed's trace shows "Task 2 complete" and Python 3.8's reprs; this code prints
# "Task 1 complete" (task1 sleeps least), then the pending tasks in set order, which
# may vary, with 3.11's repr naming this file and the line where each is suspended.
async def task1():
    await asyncio.sleep(1 * S)
    return 'Task 1 complete'


async def task2():
    await asyncio.sleep(2 * S)
    return 'Task 2 complete'


async def task3():
    await asyncio.sleep(3 * S)
    return 'Task 3 complete'


async def long_task():
    print("Task started")
    await asyncio.sleep(5 * S)  # 5초 동안 작업을 수행
    print("Task finished")
    return "Result of the task"


async def main():
    # create_task를 사용하여 Task 생성 및 실행
    t1 = asyncio.create_task(task1())
    t2 = asyncio.create_task(task2())
    t3 = asyncio.create_task(task3())

    # FIRST_COMPLETED(첫 번째 태스크가 완료될 때까지 기다림), ALL_COMPLETED(default), FIRST_EXCEPTION
    done, pending = await asyncio.wait([t1, t2, t3], return_when=asyncio.FIRST_COMPLETED)
    # done, pending 은 set[Future] 형태의 객체

    # 완료된 태스크 결과 출력
    for task in done:
        print(task.result())

    # 미완 태스크 결과 출력
    for task in pending:
        print(task)

    try:
        # long_task가 3초 내에 완료되도록 기다림
        result = await asyncio.wait_for(long_task(), timeout=3 * S)
        print(f"Task completed: {result}")
    except asyncio.TimeoutError:
        print("Task timed out!")



if __name__ == '__main__':
    asyncio.run(main())
