# SPDX-License-Identifier: MIT
# generator_next.py - seed 002 "generator - next": each next() runs the body up to its
# next yield. Same output as `thrdemo generator next`.

def my_generator():
    print("hello")
    yield 1  # StopIteration 발생
    print("world")
    yield 2  # StopIteration 발생
    print("python")
    yield 'a'

if __name__ == '__main__':
    g = my_generator()
    print(type(g))  # <class 'generator'>
    print(next(g))  # hello \n 1
    print(next(g))  # world \n 2
    print(next(g))  # python \n a
