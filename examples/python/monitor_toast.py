# SPDX-License-Identifier: MIT
"""monitor toast: seed 000 ToastErrorMonitor -- a check that terminates and joins a monitor.

The program `thrdemo monitor toast` re-creates, printing the same trace. The seed
leaves the check as "something... event"; here it reports 'Error' on check number
--error-after. Options as thrdemo's: --interval 3 --error-after 3 --check-interval 3.
THRDEMO_SCALE=0.1 multiplies every duration.
"""
import argparse, os, threading, time

S = float(os.environ.get("THRDEMO_SCALE", "1"))
options = argparse.ArgumentParser(description=__doc__)
options.add_argument("--interval", type=float, default=3)
options.add_argument("--error-after", type=int, default=3)
options.add_argument("--check-interval", type=float, default=3)
args = options.parse_args()

class TossMonitorThread(threading.Thread):
    def __init__(self, interval):
        threading.Thread.__init__(self)
        self.interval = interval
        self._stop_event = threading.Event()
        self.terminate_flag = True

    def run(self):
        while self.terminate_flag:
            if self._stop_event.is_set():
                print("stopped")
                return
            print("주기적으로 실행")
            time.sleep(self.interval * S)

    def terminate(self):
        self.terminate_flag = False

class ToastErrorMonitor:
    def toastMonitor(self):
        checks = 0
        while True:
            checks += 1
            returnExample = 'Error' if checks >= args.error_after else ''
            if returnExample == 'Error':
                print("Exiting the thread...")
                monitor_thread.terminate()
                monitor_thread.join()
                break
            else:
                print("Toast Error Not Found")
            time.sleep(args.check_interval * S)
        print("---Toast Error monitor 종료---")

monitor_thread = TossMonitorThread(interval=args.interval)
monitor_thread.start()
ToastErrorMonitor().toastMonitor()
