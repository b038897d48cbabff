# native.py - CPU work, most of it in native calls outside the lock (as
# hashlib or zlib), the rest in bytecode:
#   gilsim --threads 4 --program examples/native.py --unit-size 250 --work 400
# (python3 finds gilsim.py in python/: PYTHONPATH=python python3 examples/native.py)
import gilsim


def main(first, units, size):
    checksum = 0
    for unit in range(first, first + units):
        checksum += gilsim.native(9000)
        n = size
        while n > 0:
            n -= 1
        checksum += unit
    return checksum


if __name__ == "__main__":
    print(main(0, 3, 250))
