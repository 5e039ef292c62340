# SPDX-License-Identifier: MIT
# py_async.py - thrdemo bench async and async-sleep, in CPython's asyncio:
# asyncio.run of a main that gathers 100,000 tasks each doing `await asyncio.sleep(0)`:
# milliseconds, the process's peak RSS, and the memory each live task costs (RSS when
# all are alive, suspended in their sleep(0), over the RSS before, per task); then
# 10,000 tasks asleep at once, each having formatted a line first: peak RSS. One run
# after a warm-up, as thrdemo's bench measures after one.
import asyncio, json, time

GATHERED, ASLEEP = 100_000, 10_000

def status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0

def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass

slept = 0
peak = {}

async def sleep0():
    global slept
    await asyncio.sleep(0)
    slept += 1

async def measures_the_peak():  # runs after every sleep0 has reached its sleep(0)
    peak["rss"] = status("VmRSS")

async def gather_all():
    await asyncio.gather(*[sleep0() for _ in range(GATHERED)], measures_the_peak())

def gathered():
    global slept
    slept = 0
    before = status("VmRSS")
    reset_peak()
    start = time.perf_counter()
    asyncio.run(gather_all())
    ms = (time.perf_counter() - start) * 1e3
    return ms, status("VmHWM"), (peak["rss"] - before) / GATHERED, slept == GATHERED

async def logs_then_sleeps(i):
    line = "task %d: %s at %.3f" % (i, "waiting", 1.5)
    await asyncio.sleep(0.2)
    return line[0] == "t"

async def sleepers():
    tasks = [asyncio.create_task(logs_then_sleeps(i)) for i in range(ASLEEP)]
    await asyncio.sleep(0.01)
    rss = status("VmRSS")
    done = await asyncio.gather(*tasks)
    return rss, all(done)

gathered()  # warm-up
ms, hwm, per_task, ok = gathered()
out = [("async", "100k tasks gathered", "ms", ms), ("async", "peak RSS", "MB", hwm / 1e6),
       ("async", "memory per live task", "B", per_task)]
reset_peak()
rss, ok_sleep = asyncio.run(sleepers())
out.append(("async-sleep", "peak RSS, 10k asleep", "MB", status("VmHWM") / 1e6))
for workload, metric, unit, value in out:
    print(json.dumps({"workload": workload, "metric": metric, "unit": unit, "value": value,
                      "ok": ok if workload == "async" else ok_sleep}))
