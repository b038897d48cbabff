# race.py - the counter race: each unit adds one to a shared counter size
# times, with a call between the read and the write.  Lost updates show in
# the counter, not in the checksum:
#   gilsim --threads 2 --program examples/race.py --work 2000 --json r.json
# and runs.0.shared.counter in r.json; under a lock (add_locked) none is lost.
import threading

counter = 0
guard = threading.Lock()


def touch():
    return 0


def add(n):
    global counter
    for i in range(n):
        c = counter
        touch()
        counter = c + 1


def add_locked(n):
    global counter
    for i in range(n):
        with guard:
            c = counter
            touch()
            counter = c + 1


def main(first, units, size):
    checksum = 0
    for unit in range(first, first + units):
        add(size)
        checksum += unit
    return checksum


if __name__ == "__main__":
    print(main(0, 10, 1000), counter)
