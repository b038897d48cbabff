# lessons.py - the famous lessons of the GIL, as CPython shows them: the
# programs of `gilsim-bench --only fidelity` (bench/bench_fidelity.c), which
# runs each under the python3 (and python2.7, where there is one) it finds
# and sets what it prints beside gilsim's figures, real and virtual.
#
#   python3 lessons.py PHENOMENON ARGS...   prints one line of figures
#
# battle N WORK            N threads count down WORK x 10,000 in all; wall s,
#                          and the threads' stacked share (in_threads)
# convoy INTERVAL CPU OPS  one thread makes OPS pipe round trips (to `cat`,
#                          which needs no lock) beside CPU threads that
#                          compute until it is done; its round trips a second
# race INTERVAL VARIANT    2 threads x 200,000 updates of a shared counter,
#                          `c = counter; f(); counter = c + 1` (call) or the
#                          same under a threading.Lock (lock); lost share, wall s,
#                          stacked share
# tiny INTERVAL N WORK     as battle, at a switch interval
# iothreads N UNITS        N threads share UNITS units of a little CPU (a
#                          countdown from 100) and a 1 ms sleep; wall s
# native SHARE N UNITS     N threads share UNITS units of 100 us, SHARE of it
#                          in hashlib (which releases the lock); wall s
#
# Python 2.7 runs `battle` only (its lock has no switch interval).  Written
# for both, so it uses nothing newer than 2.7 has where battle goes.
from __future__ import print_function

import os
import subprocess
import sys
import threading
import time

clock = getattr(time, "perf_counter", time.time)


def countdown(n):
    while n > 0:
        n -= 1


def schedstat():
    """This thread's time on a CPU and waiting for one, in ns, as Linux
    counts them (/proc/thread-self/schedstat); None where it does not."""
    try:
        with open("/proc/thread-self/schedstat") as f:
            on_cpu, waiting = f.read().split()[:2]
        return int(on_cpu), int(waiting)
    except (IOError, OSError, ValueError):
        return None


stacked = [-1.0]  # the last in_threads' threads' stacked share (below)


def in_threads(n, target, args_of, measure_stacked=False):
    """Wall time of n threads running target, from a gate that opens once
    all are started, as gilsim's workers start (sched/runners/gate.h):
    starting 256 threads takes CPython 3.11 about 14 ms on the development
    VM, half the I/O-bound row's run, and is not the lesson.  With
    measure_stacked, sets stacked[0]: the share of the time the threads
    wanted a CPU that they waited for one, gilsim's measure of threads put
    on fewer cores than they had (sched/verdict.h, stacked; -1 where Linux
    does not say, or where not measured).  Only where asked: each thread
    reads /proc twice, under the lock, inside the timed run, and 256
    threads' reads took the I/O-bound row from 31 ms to 76 to 80 ms on the
    development VM (2026-12-07), a speedup of 17x where CPython's is 44x."""
    gate = threading.Event()
    times = []

    def gated(*args):
        gate.wait()
        before = schedstat() if measure_stacked else None
        target(*args)
        after = schedstat() if measure_stacked else None
        if before and after:
            times.append((after[0] - before[0], after[1] - before[1]))

    threads = [threading.Thread(target=gated, args=args_of(i)) for i in range(n)]
    for t in threads:
        t.start()
    start = clock()
    gate.set()
    for t in threads:
        t.join()
    wall = clock() - start
    wanted = sum(c + w for c, w in times)
    stacked[0] = float(sum(w for _, w in times)) / wanted if len(times) == n and wanted else -1.0
    return wall


def battle(n, work):
    per = int(work) * 10000 // int(n)
    print(in_threads(int(n), countdown, lambda i: (per,), True), stacked[0])


def convoy(interval, cpu, ops):
    sys.setswitchinterval(float(interval))
    echo = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
    w, r = echo.stdin.fileno(), echo.stdout.fileno()
    done = []

    def compute():
        while not done:
            countdown(1000)

    threads = [threading.Thread(target=compute) for _ in range(int(cpu))]
    for t in threads:
        t.start()
    # A pair that ping-pongs settles on one core (200,000 round trips a
    # second on the 2-vCPU development VM: each write wakes the other "in
    # sync" on the writer's core) or on two (20,000: every wake-up crosses
    # to an idle core), as its start decides: `cat` still starting when
    # the first write comes stays on its own core; asleep in its read by
    # then, it is pulled to ours and stays.  The rates are measured on two
    # cores, as gilsim's echo peer thread runs, so the CPU threads are given
    # their start only when there are some.
    if threads:
        time.sleep(0.05)
    start = clock()
    for _ in range(int(ops)):
        os.write(w, b"x")
        os.read(r, 1)
    rate = int(ops) / (clock() - start)
    done.append(1)
    for t in threads:
        t.join()
    echo.stdin.close()
    echo.wait()
    print(rate)


counter = 0


def race(interval, variant):
    sys.setswitchinterval(float(interval))
    guard = threading.Lock()

    def f():
        pass

    def update(n):
        global counter
        for _ in range(n):
            if variant == "lock":
                with guard:
                    c = counter
                    f()
                    counter = c + 1
            else:
                c = counter
                f()
                counter = c + 1

    wall = in_threads(2, update, lambda i: (200000,), True)
    print(1 - counter / 400000.0, wall, stacked[0])


def tiny(interval, n, work):
    sys.setswitchinterval(float(interval))
    battle(n, work)


def iothreads(n, units):
    per = int(units) // int(n)

    def unit_loop(k):
        for _ in range(k):
            countdown(100)
            time.sleep(0.001)

    print(in_threads(int(n), unit_loop, lambda i: (per,)))


def native(share, n, units):
    import hashlib

    share = float(share)
    data = b"x" * (1 << 20)
    t = clock()
    for _ in range(20):
        hashlib.sha256(data).digest()
    per_byte = (clock() - t) / (20 << 20)
    t = clock()
    countdown(100000)
    per_step = (clock() - t) / 100000
    chunk = data[: max(1, int(share * 100e-6 / per_byte))]
    steps = int((1 - share) * 100e-6 / per_step)
    per = int(units) // int(n)

    def unit_loop(k):
        for _ in range(k):
            countdown(steps)
            hashlib.sha256(chunk).digest()  # releases the lock past 2 KiB

    print(in_threads(int(n), unit_loop, lambda i: (per,)))


if __name__ == "__main__":
    globals()[sys.argv[1]](*sys.argv[2:])
