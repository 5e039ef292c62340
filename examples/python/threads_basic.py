# SPDX-License-Identifier: MIT
"""threads basic: seed 002 "threading.Thread" -- two threads print at once, main joins both.

The program `thrdemo threads basic` re-creates, printing the same lines (in an order
the scheduler picks, here as there).
"""
import threading

def print_numbers():
    for i in range(1, 6):
        print(f"Number: {i}")

def print_letters():
    for letter in ['A', 'B', 'C', 'D', 'E']:
        print(f"Letter: {letter}")

thread1 = threading.Thread(target=print_numbers)
thread2 = threading.Thread(target=print_letters)
thread1.start()
thread2.start()
thread1.join()
thread2.join()
print("All threads have finished.")
