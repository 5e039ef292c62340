# SPDX-License-Identifier: MIT
"""monitor stop: seed 000 TossMonitorThread -- a periodic thread stopped through an Event.

The program `thrdemo monitor stop` re-creates, printing the same trace. Options as
thrdemo's: --interval 3 --stop-after 10. THRDEMO_SCALE=0.1 multiplies every duration.
"""
import argparse, os, threading, time

S = float(os.environ.get("THRDEMO_SCALE", "1"))
options = argparse.ArgumentParser(description=__doc__)
options.add_argument("--interval", type=float, default=3)
options.add_argument("--stop-after", type=float, default=10)
args = options.parse_args()

class TossMonitorThread(threading.Thread):
    def __init__(self, interval):
        threading.Thread.__init__(self)
        self.interval = interval
        self._stop_event = threading.Event()
        self.terminate_flag = True

    def run(self):
        while self.terminate_flag:
            if self.stopped():
                print("stopped")
                return
            print("주기적으로 실행")
            time.sleep(self.interval * S)

    def stop(self):
        self._stop_event.set()

    def stopped(self):
        return self._stop_event.is_set()

    def terminate(self):
        self.terminate_flag = False

monitor_thread = TossMonitorThread(interval=args.interval)
monitor_thread.start()
time.sleep(args.stop_after * S)
monitor_thread.stop()
monitor_thread.join()
