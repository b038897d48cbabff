# deadlock.py - two locks taken in opposite orders: the interpreter lock
# does not prevent a deadlock.  The worker given unit 0 takes a, then b;
# the others take b, then a, with a sleep between (under gilsim it lasts
# --io-latency), so that each holds one and waits for the other.  Python
# would wait forever; gilsim finds the cycle, fails one worker with a
# "deadlock:" error that names it, and the others finish:
#   gilsim --threads 2 --program examples/deadlock.py --work 2 --io-latency 100ms
import threading
import time

a = threading.Lock()
b = threading.Lock()


def main(first, units, size):
    for unit in range(first, first + units):
        if first == 0:
            with a:
                time.sleep(0.01)
                with b:
                    size += 1
        else:
            with b:
                time.sleep(0.01)
                with a:
                    size += 1
    return units


if __name__ == "__main__":
    print(main(0, 1, 0) + main(1, 1, 0))
