# SPDX-License-Identifier: MIT
# generator_comprehension.py - seed 002 "generator 컴프리헨션": two generator
# expressions, printed on one line. Same output as `thrdemo generator comprehension`.
# ( (표현식) for (항목1) in (리스트) if (조건문) )

if __name__ == '__main__':
    gen = (i for i in range(0, 10))
    for value in gen:
        print(value, end=",")
        # 0,1,2,3,4,5,6,7,8,9,

    gen = (i * 2 for i in range(0, 9) if i % 2 == 0)
    for value in gen:
        print(value, end=",")
        # 0,4,8,12,16,
    print()  # added: the seed's output ends without a newline; a trace line ends with one
