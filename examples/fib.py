# fib.py - recursive Fibonacci, the call-heavy CPU-bound workload: each unit
# computes fib(size); the checksum adds fib(size) and the unit index.


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def main(first, units, size):
    checksum = 0
    for unit in range(first, first + units):
        checksum += fib(size) + unit
    return checksum


if __name__ == "__main__":
    print(main(0, 10, 20))
