# SPDX-License-Identifier: MIT
"""deadlock philosophers: five dining philosophers, five forks (Locks) between them.

Philosopher i picks up fork i (its left), then fork (i+1)%5 (its right), eats and
puts both down. If all five hold their left fork, nobody gets a right one: a
deadlock. It is rare on real threads (--together makes it certain: a Barrier holds
everyone until all five have their left fork); `thrdemo deadlock philosophers
--schedule fifo` always shows it.
A wait for a fork runs out every second (CHECK_EVERY); then the program reads its books
of who holds and who waits for which fork, and a cycle there is a deadlock: it says so
on stderr and exits 3, instead of hanging.

The program `thrdemo deadlock philosophers` re-creates, printing the same trace. Options
as thrdemo's: --rounds 1 (times each philosopher eats). THRDEMO_SCALE=0.1 multiplies
every duration.
"""
import argparse, os, sys, threading

options = argparse.ArgumentParser(description=__doc__)
options.add_argument("--rounds", type=int, default=1)
options.add_argument("--together", action="store_true")
args = options.parse_args()
locks = {f"fork {n}": threading.Lock() for n in range(5)}

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

def philosopher(i):
    first, second = i, (i + 1) % 5   # left, then right: five left forks, no right one
    for _ in range(args.rounds):
        if not take(f"fork {first}"):
            return
        print(f"Philosopher {i} picks up fork {first}")
        if args.together:
            all_have_one.wait()   # all five hold their first fork: the deadlock, for sure
        if not take(f"fork {second}"):
            put_down(f"fork {first}")
            return
        print(f"Philosopher {i} picks up fork {second}")
        print(f"Philosopher {i} eats")
        put_down(f"fork {second}")
        put_down(f"fork {first}")

philosophers = [threading.Thread(target=philosopher, args=(i,), name=f"Philosopher {i}")
                for i in range(5)]
all_have_one = threading.Barrier(len(philosophers))
for t in philosophers:
    t.start()
for t in philosophers:
    t.join()
if deadlocked:
    sys.exit(3)
print("All philosophers have eaten.")
