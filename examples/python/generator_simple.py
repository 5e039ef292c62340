# SPDX-License-Identifier: MIT
# generator_simple.py - seed 002 "generator": yield 1, 2, 3 to a for loop; then
# inspect's function check and the generator's state. Same output as
# `thrdemo generator simple`: print(value, end=",") leaves the line open, so True
# lands on it: "1,2,3,True", then "GEN_CLOSED".
import inspect

def simple_generator():
    yield 1
    yield 2
    yield 3

if __name__ == '__main__':
    gen = simple_generator()

    for value in gen:
        print(value, end=",") # 1,2,3,
    print(inspect.isgeneratorfunction(simple_generator)) # True
    print(inspect.getgeneratorstate(gen))                # GEN_CLOSED
    gen.close()
