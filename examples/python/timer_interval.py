# SPDX-License-Identifier: MIT
"""timer interval: seed 002 set_interval -- a daemon loop calls the function every 2 s
until a Timer(11) sets its stop Event. Prints "<second of the minute> hello".

The program `thrdemo timer interval` re-creates, printing the same trace. Options as
thrdemo's: --every 2 --stop-after 11. THRDEMO_SCALE=0.1 multiplies every duration;
the second printed is then read from a clock that runs 1/0.1 times as fast, as
thrdemo's nominal clock does, so it still advances by 2 from line to line.
"""
import argparse, datetime, functools, os, threading, time

S = float(os.environ.get("THRDEMO_SCALE", "1"))
options = argparse.ArgumentParser(description=__doc__)
options.add_argument("--every", type=float, default=2)
options.add_argument("--stop-after", type=float, default=11)
args = options.parse_args()
START = time.time()

def now():  # datetime.datetime.now(), on the nominal clock
    return datetime.datetime.fromtimestamp(START + (time.time() - START) / S)

def set_interval(sec):
    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            stopped = threading.Event()
            def loop():
                while not stopped.wait(sec * S):
                    func(*args, **kwargs)
            threading.Thread(target=loop, daemon=True).start()
            return stopped
        return wrapper
    return decorator

@set_interval(args.every)
def i_wanna_interval(msg):
    print(now().second, msg)

if __name__ == '__main__':
    stop_event = i_wanna_interval("hello")
    threading.Timer(args.stop_after * S, stop_event.set).start()
