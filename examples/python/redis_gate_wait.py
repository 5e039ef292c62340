# SPDX-License-Identifier: MIT
"""redis-gate wait: seed 003 -- workers t1, t2 wait on an Event until the main thread has
checked that Redis is up (simulated by a --check-time sleep).

The program `thrdemo redis-gate wait` re-creates, printing the same trace.
thrdemo's --redis makes the check real; this program only simulates it, as the seed
does. Options as thrdemo's: --check-time 3. THRDEMO_SCALE=0.1 multiplies every duration.
"""
import argparse, logging, os, threading, time

S = float(os.environ.get("THRDEMO_SCALE", "1"))
options = argparse.ArgumentParser(description=__doc__)
options.add_argument("--check-time", type=float, default=3)
args = options.parse_args()
logging.basicConfig(level=logging.DEBUG, format='(%(threadName)-10s) %(message)s',)

def worker(event):
    logging.debug('Waiting for redis ready...')
    event.wait()
    logging.debug('redis ready, and connect to redis server and do some work [%s]', time.ctime())
    time.sleep(1 * S)

def main():
    readis_ready = threading.Event()
    t1 = threading.Thread(target=worker, args=(readis_ready,), name='t1')
    t1.start()
    t2 = threading.Thread(target=worker, args=(readis_ready,), name='t2')
    t2.start()
    logging.debug('first of all, check redis server, make sure it is OK, and then trigger the redis ready event')
    time.sleep(args.check_time * S)
    readis_ready.set()

if __name__ == "__main__":
    main()
