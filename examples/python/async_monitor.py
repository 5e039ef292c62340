# SPDX-License-Identifier: MIT
"""async monitor: seed 002 "Future monitoring" -- a task polls future.done() every 0.5 s
until it is set.

The program `thrdemo async monitor` re-creates, printing the same trace. No options of
its own. THRDEMO_SCALE=0.1 multiplies every sleep and timeout.
"""
import asyncio, os

S = float(os.environ.get("THRDEMO_SCALE", "1"))


async def main():
    loop = asyncio.get_running_loop()

    # Future 객체 생성
    future = loop.create_future()

    # Future 를 사용한 내부 비동기 프로세스 정의
    async def set_future_result():
        await asyncio.sleep(2 * S)
        future.set_result("Future result")
    # Future 모니터링
    async def monitor_future():
        while not future.done():
            print("Waiting for future to complete...")
            await asyncio.sleep(0.5 * S)
        print("Future completed!")

    monitor_task = asyncio.create_task(monitor_future())
    result_task = asyncio.create_task(set_future_result())

    # 모든 태스크가 완료될 때까지 기다림
    await asyncio.gather(monitor_task, result_task)
    print(f"Result: {future.result()}")

if __name__ == '__main__':
    asyncio.run(main())
# Waiting for future to complete...  (4 times: at 0, 0.5, 1 and 1.5 s; at 2 s the
# result's timer, armed first, fires before the monitor's 4th sleep ends)
# Future completed!
# Result: Future result
