# SPDX-License-Identifier: MIT
# generator_send.py - seed 002 "generator - send": send() passes a value in as the
# result of yield; a running total 0, 10, 30, 25. Same output as
# `thrdemo generator send`.

def calculator():
    total = 0
    while True:
        x = yield total
        if x is None:
            break
        total += x


if __name__ == "__main__":
    calc_gen = calculator()
    # 제너레이터를 초기화
    print(next(calc_gen))  # 0

    # 값을 보내고 총합 출력
    print(calc_gen.send(10))  # 10,
    print(calc_gen.send(20))  # 30
    print(calc_gen.send(-5))  # 25

    # 제너레이터 종료
    calc_gen.close()
