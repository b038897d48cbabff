# ioloop.py - the I/O-bound workload: per unit a little computing, then one
# I/O (a 1 ms sleep under python3; the run's --io-latency under gilsim):
#   gilsim --threads 8 --program examples/ioloop.py --unit-size 100 --work 400
# Other kinds: gilsim.pipe(unit) or gilsim.file(unit) in place of the sleep.
import time


def main(first, units, spin):
    checksum = 0
    for unit in range(first, first + units):
        n = spin
        while n > 0:
            n -= 1
        time.sleep(0.001)
        checksum += unit
    return checksum


if __name__ == "__main__":
    print(main(0, 10, 100))
