# SPDX-License-Identifier: MIT
"""enumerate: seed 001 "threading.enumerate()" -- list the live threads, join each.

The program `thrdemo enumerate` re-creates, printing the same trace (the pauses are
random, here as there; THRDEMO_SEED seeds them). Daemon workers sleep a random
0.1-0.5 s; main walks threading.enumerate(), skips main_thread(), and joins each one.
--info first prints what the threading module's functions return, once every worker
has said it sleeps and before any begins its pause. Options as thrdemo's: --workers 3
--info. THRDEMO_SCALE=0.1 multiplies every duration.
"""
import argparse, logging, os, random, threading, time

S = float(os.environ.get("THRDEMO_SCALE", "1"))
if os.environ.get("THRDEMO_SEED"):
    random.seed(int(os.environ["THRDEMO_SEED"]))
options = argparse.ArgumentParser(description=__doc__)
options.add_argument("--workers", type=int, default=3)
options.add_argument("--info", action="store_true")
args = options.parse_args()
logging.basicConfig(level=logging.DEBUG, format='(%(threadName)-10s) %(message)s')
sleeping = threading.Semaphore(0)  # released by each worker once it has said so
shown = threading.Event()          # --info is printed (set at once without --info)
if not args.info:
    shown.set()

def worker():
    pause = random.randint(1, 5) / 10
    logging.debug('sleeping %0.2f', pause)
    sleeping.release()
    shown.wait()
    time.sleep(pause * S)
    logging.debug('ending')

def info():
    print(f"active_count()   = {threading.active_count()}")
    print(f"current_thread() = {threading.current_thread()!r}")
    print(f"main_thread()    = {threading.main_thread()!r}")
    print(f"get_ident()      = {threading.get_ident()}")
    print(f"get_native_id()  = {threading.get_native_id()}")
    print(f"TIMEOUT_MAX      = {threading.TIMEOUT_MAX}")
    print(f"stack_size()     = {threading.stack_size()}")
    print("enumerate():")
    print(f"  {'name':<20} {'ident':<20} {'native_id':<10} {'daemon':<6} alive")
    for t in threading.enumerate():
        print(f"  {t.name:<20} {t.ident:<20} {t.native_id:<10} {t.daemon!s:<6} {t.is_alive()}")

for i in range(args.workers):
    t = threading.Thread(target=worker, daemon=True)
    t.start()
if args.info:
    for i in range(args.workers):
        sleeping.acquire()
    info()
    shown.set()

main_thread = threading.main_thread()
for t in threading.enumerate():
    if t is main_thread:
        continue
    logging.debug('joining %s', t.name)
    t.join()
