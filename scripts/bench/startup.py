# SPDX-License-Identifier: MIT
# startup.py - start-up time of a command, median of N runs, in milliseconds:
# python3 scripts/bench/startup.py N CMD [ARGS...]. Uses posix_spawn and waitpid so
# that the measuring side adds as little as it can.
import json, os, statistics, sys, time

n = int(sys.argv[1])
cmd = sys.argv[2:]
devnull = os.open(os.devnull, os.O_WRONLY)
times = []
for _ in range(n + 1):
    fa = [(os.POSIX_SPAWN_DUP2, devnull, 1)]
    start = time.perf_counter()
    pid = os.posix_spawnp(cmd[0], cmd, os.environ, file_actions=fa)
    os.waitpid(pid, 0)
    times.append((time.perf_counter() - start) * 1e3)
times = times[1:]  # the first run warms the page cache
print(json.dumps({"workload": "startup", "metric": " ".join(os.path.basename(c) for c in cmd[:2]),
                  "unit": "ms", "value": statistics.median(times), "ok": True}))
