# countdown.py - Beazley's CPU-bound loop, `while n > 0: n -= 1`, once per
# work unit: gilsim --threads 4 --program examples/countdown.py --work 200
# (python3 examples/countdown.py runs the same units alone)


def count(n):
    while n > 0:
        n -= 1
    return n


def main(first, units, size):
    checksum = 0
    for unit in range(first, first + units):
        count(size)
        checksum += unit
    return checksum


if __name__ == "__main__":
    print(main(0, 20, 100000))
