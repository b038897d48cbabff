"""vs_python.py - runs one of gilsim's Python workloads under CPython, as
`gilsim --program FILE.py --vs-python` asks: the same file, the same mode,
workers, work, unit size and switch interval, with threading,
multiprocessing or asyncio.  It prints one JSON object: the wall times of
one worker and of the workers, and their checksums.

    python3 vs_python.py FILE --mode threads --workers 4 --work 100
        --unit-size 1000 --switch-interval 0.005 --io-latency 0.001
        [--no-baseline]

The work is split as gilsim splits it: units [first, first+count) per
worker, as even as integers allow.  Under gilsim every sleep lasts the
run's --io-latency, whatever time.sleep was given, and the far end of a
pipe waits that long before it answers; so here each time.sleep's
argument is replaced by the latency (ast), and gilsim.pipe waits it too.
For asyncio the file is rewritten as coroutines (ast): every function
async, every call to one awaited, time.sleep an await of asyncio.sleep,
gilsim.pipe and gilsim.file awaited in a thread of their own (libuv reads
files in its thread pool, and a loop waits for a socket without blocking),
threading.Lock an asyncio.Lock, so tasks overlap where they wait, as
gilsim's async tasks do."""
import argparse
import ast
import asyncio
import concurrent.futures
import inspect
import json
import multiprocessing
import os
import sys
import threading
import time


def load(path, coroutines, latency):
    source = open(path).read()
    tree = ast.parse(source, path)
    tree = SleepFor(latency).visit(tree)
    if coroutines:  # the functions, and the locks; not the `if __name__ == "__main__":` block
        make = Coroutines({n.name for n in tree.body if isinstance(n, ast.FunctionDef)})
        tree.body = [make.visit(n) if isinstance(n, (ast.FunctionDef, ast.Assign)) else n
                     for n in tree.body if not isinstance(n, ast.If)]
        tree.body.insert(0, ast.Import(names=[ast.alias(name="asyncio")]))
        ast.fix_missing_locations(tree)
    module = type(sys)("work")
    module.__file__ = path
    exec(compile(tree, path, "exec"), module.__dict__)
    return module


def module_call(node):
    """(module, function) of a call such as time.sleep(x), else None."""
    f = node.func
    if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name):
        return f.value.id, f.attr
    return None


class SleepFor(ast.NodeTransformer):
    """time.sleep(anything) becomes time.sleep(latency)."""

    def __init__(self, latency):
        self.latency = latency

    def visit_Call(self, node):
        self.generic_visit(node)
        if module_call(node) == ("time", "sleep"):
            node.args, node.keywords = [ast.copy_location(ast.Constant(self.latency), node)], []
        return node


class Coroutines(ast.NodeTransformer):
    def __init__(self, functions):
        self.functions = functions

    def visit_FunctionDef(self, node):
        self.generic_visit(node)
        return ast.copy_location(ast.AsyncFunctionDef(**{f: getattr(node, f) for f in node._fields}), node)

    def visit_With(self, node):
        self.generic_visit(node)
        return ast.copy_location(ast.AsyncWith(items=node.items, body=node.body), node)

    def visit_Call(self, node):
        self.generic_visit(node)
        f, call = node.func, module_call(node)
        if isinstance(f, ast.Name) and f.id in self.functions:
            return ast.copy_location(ast.Await(value=node), node)
        if call == ("time", "sleep"):
            node.func = asyncio_attr("sleep")
            return ast.copy_location(ast.Await(value=node), node)
        if call in (("gilsim", "pipe"), ("gilsim", "file")):
            threaded = ast.Call(func=asyncio_attr("to_thread"), args=[f, *node.args], keywords=[])
            return ast.copy_location(ast.Await(value=threaded), node)
        if call == ("threading", "Lock"):
            node.func = asyncio_attr("Lock")
        if call and call[1] == "acquire":
            return ast.copy_location(ast.Await(value=node), node)
        return node


def asyncio_attr(name):
    return ast.Attribute(value=ast.Name(id="asyncio", ctx=ast.Load()), attr=name, ctx=ast.Load())


def split(total, n, k):
    base, extra = divmod(total, n)
    return k * base + min(k, extra), base + (1 if k < extra else 0)


def arguments(main, first, count, size):
    return (first, count, size)[: len(inspect.signature(main).parameters)]


def in_child(path, first, count, size, latency, results):
    module = load(path, False, latency)
    results.put(module.main(*arguments(module.main, first, count, size)))


def run(a, workers):
    """Wall seconds and the checksum of the work done by so many workers."""
    parts = [split(a.work, workers, k) for k in range(workers)]
    t0 = time.perf_counter()
    if a.mode == "threads":
        module = load(a.file, False, a.io_latency)
        results = [0] * workers

        def worker(k):
            results[k] = module.main(*arguments(module.main, parts[k][0], parts[k][1], a.unit_size))

        threads = [threading.Thread(target=worker, args=(k,)) for k in range(workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        checksum = sum(results)
    elif a.mode == "processes":
        results = multiprocessing.get_context("fork").Queue()
        children = [multiprocessing.get_context("fork").Process(
            target=in_child, args=(a.file, first, count, a.unit_size, a.io_latency, results)) for first, count in parts]
        for c in children:
            c.start()
        checksum = sum(results.get() for _ in children)
        for c in children:
            c.join()
    else:
        module = load(a.file, True, a.io_latency)

        async def tasks():  # a thread for each task's pipe or file I/O: none waits for another's
            asyncio.get_running_loop().set_default_executor(concurrent.futures.ThreadPoolExecutor(workers))
            return await asyncio.gather(*(module.main(*arguments(module.main, first, count, a.unit_size))
                                          for first, count in parts))

        checksum = sum(asyncio.run(tasks()))
    return time.perf_counter() - t0, checksum


def main():
    p = argparse.ArgumentParser()
    p.add_argument("file")
    p.add_argument("--mode", choices=("threads", "processes", "async"), default="threads")
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--work", type=int, default=1)
    p.add_argument("--unit-size", type=int, default=0)
    p.add_argument("--switch-interval", type=float, default=0.005)
    p.add_argument("--io-latency", type=float, default=0.001)
    p.add_argument("--no-baseline", action="store_true", help="skip the 1-worker run")
    a = p.parse_args()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # gilsim.py beside this file
    import gilsim
    gilsim.latency = a.io_latency
    sys.setswitchinterval(a.switch_interval)
    base_s, base_sum = (None, None) if a.no_baseline else run(a, 1)
    wall_s, checksum = run(a, a.workers)
    print(json.dumps({"python": sys.version.split()[0], "mode": a.mode, "workers": a.workers,
                      "base_s": base_s, "wall_s": wall_s, "base_checksum": base_sum, "checksum": checksum}))


if __name__ == "__main__":
    main()
