# SPDX-License-Identifier: MIT
"""deadlock lock-order-fixed: two threads, two locks, taken in one order.

Both threads take lock_a, then lock_b: one global order (the lowest first), so no
thread can hold a lock while waiting for one the other holds, and no schedule deadlocks.
A wait for a lock runs out every second (CHECK_EVERY); then the program reads its books
of who holds and who waits for which lock, and a cycle there is a deadlock: it says so
on stderr and exits 3, instead of hanging.

The program `thrdemo deadlock lock-order-fixed` re-creates, printing the same trace.
THRDEMO_SCALE=0.1 multiplies every duration.
"""
import argparse, os, sys, threading

options = argparse.ArgumentParser(description=__doc__)
args = options.parse_args()
locks = {"lock_a": threading.Lock(), "lock_b": threading.Lock()}

S = float(os.environ.get("THRDEMO_SCALE", "1"))
CHECK_EVERY = min(S, 1)   # seconds a wait for a lock runs before a look at the books:
                          # 1 nominal, at most 1 real (Ctrl-C is heard between waits)

# The books: who holds and who waits for which lock. A cycle there (each thread
# waiting for a lock the next one holds) is a deadlock: said on stderr, exit 3.
books = threading.Lock()   # guards holder, waits and deadlocked
holder = {}                # lock name -> the thread holding it
waits = {}                 # thread name -> the lock it waits for
deadlocked = False

def on_cycle(me):
    """The thread whose path of waits from me comes round, or None."""
    who = me
    for _ in range(len(locks) + 1):
        if who not in waits or waits[who] not in holder:
            return None    # someone on the path can go on
        who = holder[waits[who]]
    return who

def report(seen):
    """Say the cycle through seen on stderr, from its first thread."""
    cycle, who = [seen], holder[waits[seen]]
    while who != seen:
        cycle.append(who)
        who = holder[waits[who]]
    first = min(cycle)
    print("deadlock: each of these threads waits for a lock the next one holds "
          "(seen on real threads)", file=sys.stderr)
    who = first
    while True:
        nxt = holder[waits[who]]
        print(f"  {who} waits for lock {waits[who]}, held by {nxt}", file=sys.stderr)
        who = nxt
        if who == first:
            break

def give_up(me):
    global deadlocked
    with books:
        first = None if deadlocked else on_cycle(me)
        if first is not None:
            deadlocked = True
            report(first)
        return deadlocked

def put_down(lock):
    with books:
        del holder[lock]
    locks[lock].release()

def take(lock):
    """locks[lock].acquire(), looking at the books each time a wait runs out:
    True when taken, False when the run gave up (a deadlock)."""
    me = threading.current_thread().name
    with books:
        waits[me] = lock
    while not locks[lock].acquire(timeout=CHECK_EVERY):
        if give_up(me):
            return False
    with books:
        del waits[me]
        holder[lock] = me
        over = deadlocked
    if over:
        put_down(lock)     # the run is over: no more lines
    return not over

def take_both(first, second):
    name = threading.current_thread().name
    if not take(first):
        return
    print(f"{name} has {first}")
    if take(second):       # the other thread may hold it, and wait for ours
        print(f"{name} has {second}")
        put_down(second)
    put_down(first)

def a_then_b():
    take_both("lock_a", "lock_b")

threads = [threading.Thread(target=a_then_b), threading.Thread(target=a_then_b)]
for t in threads:
    t.start()
for t in threads:
    t.join()
if deadlocked:
    sys.exit(3)
print("Both threads have finished.")
