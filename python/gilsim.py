"""gilsim.py - what gilsim's Python subset offers beyond plain Python, as
plain Python, so that python3 runs the same file gilsim compiles.

    import gilsim
    token = gilsim.pipe(token)   # I/O through a pipe: the token comes back
    token = gilsim.file(token)   # I/O: one 4 KiB block of a file is read
    result = gilsim.native(n)    # n units of work in C, outside the lock

Under gilsim these are its io pipe, io file and native instructions (the
I/O latency is the run's --io-latency).  Here they do real work with the
same results: native(n) computes what gilsim's native call computes, in
Python (so under python3 it holds the GIL; it stands for work that would
not)."""
import os
import tempfile
import time

# How long the far end of a pipe waits before it answers, in seconds, as
# gilsim's echo peer waits the run's --io-latency; `gilsim --vs-python`
# sets it to that, and plain python3 answers at once.
latency = 0.0

_MASK = (1 << 64) - 1


def native(n):
    """n rounds of gilsim's native mixing step from n; the top 16 bits."""
    state = n
    for _ in range(n):
        state = (state * 6364136223846793005 + 1442695040888963407) & _MASK
        state ^= state >> 29
    return state >> 48


def pipe(token):
    """A round trip of the token's bytes through a pipe."""
    r, w = os.pipe()
    try:
        os.write(w, token.to_bytes(8, "little", signed=True))
        if latency:
            time.sleep(latency)
        return int.from_bytes(os.read(r, 8), "little", signed=True)
    finally:
        os.close(r)
        os.close(w)


_file = None


def file(token):
    """One 4 KiB read of a temporary file; the token comes back."""
    global _file
    if _file is None:
        _file = tempfile.TemporaryFile()
        _file.write(bytes(4096 * 64))
        _file.flush()
    os.pread(_file.fileno(), 4096, 4096 * (token % 64))
    return token
