# convoy.py - the convoy effect: the worker given unit 0 does I/O (a sleep
# per unit), the others compute.  gilsim --threads 3 --program
# examples/convoy.py --work-per-worker 100 --unit-size 1000000 --timeline
# shows the I/O thread waiting a switch interval for the lock after each
# sleep.  Its speedup compares unequal work (one worker sleeps, the others
# compute), and the report says so: watch the I/O thread's waits instead.
import time


def main(first, units, size):
    checksum = 0
    for unit in range(first, first + units):
        if first == 0:
            time.sleep(0.001)
        else:
            n = size
            while n > 0:
                n -= 1
        checksum += unit
    return checksum


if __name__ == "__main__":
    print(main(0, 5, 100) + main(5, 5, 100000))
