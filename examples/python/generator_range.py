# SPDX-License-Identifier: MIT
# generator_range.py - seed 002 "generator": a range loop that stops at 50000, then the
# same loop over the seed's generator function. Same output as `thrdemo generator range`.
# Changed from the seed: it names the parameter my_rage but uses my_range (a NameError
# on the first next()), and never calls the function; here it is called with the range
# loop's argument, so the second "Found it" comes from the generator.

for value in range(10000000):
    if value == 50000:
        print("Found it")
        break

def generator(my_range):
    for i in range(my_range):
        yield i

for value in generator(10000000):
    if value == 50000:
        print("Found it")
        break
