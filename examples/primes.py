# primes.py - prime counting by trial division: unit i counts the primes in
# [i * width, (i + 1) * width), so the workers' checksums add up to the
# primes below units * width:
#   gilsim --threads 4 --program examples/primes.py --unit-size 1000 --work 100


def is_prime(n):
    if n < 2:
        return 0
    d = 2
    while d * d <= n:
        if n % d == 0:
            return 0
        d += 1
    return 1


def main(first, units, width):
    count = 0
    for n in range(first * width, (first + units) * width):
        count += is_prime(n)
    return count


if __name__ == "__main__":
    print(main(0, 10, 1000))
