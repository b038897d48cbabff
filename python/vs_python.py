"""vs_python.py - runs one of gilsim's Python workloads under CPython, as
`gilsim --program FILE.py --vs-python` asks: the same file, the same mode,
workers, work, unit size and switch interval, with threading,
multiprocessing or asyncio.  It prints one JSON object: the wall times of
one worker and of the workers, and their checksums.

    python3 vs_python.py --mode threads --workers 4 --work 100
        --unit-size 1000 --switch-interval 0.005 --io-latency 0.001
        [--no-baseline] [--gilsim-module SOURCE] -- FILE

gilsim runs it as `python3 -I -B -c THIS_FILE ... --gilsim-module
GILSIM_PY -- FILE`: isolated from the environment and the user's site,
writing no bytecode, with gilsim.py's source on the command line, so that
nothing is written to disk and nothing is left behind, whatever ends the
run.  Before anything of FILE runs, its tree is checked again, by
python3's own parser, to hold nothing outside gilsim's subset
(check_subset): gilsim compiled the file, but it is the very bytes python3
reads that must be harmless.  The `if __name__ == "__main__":` block,
which gilsim leaves to python3, never runs here.  A process this starts
dies with it (prctl's parent-death signal), and this one dies with gilsim.

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
import ctypes
import inspect
import json
import multiprocessing
import os
import sys
import threading
import time
import types


class NotTheSubset(Exception):
    pass


MODULES = {"time", "threading", "gilsim"}
MODULE_CALLS = {("time", "sleep"), ("threading", "Lock"), ("gilsim", "pipe"), ("gilsim", "file"),
                ("gilsim", "native")}
NODES = (ast.Module, ast.FunctionDef, ast.arguments, ast.arg, ast.Return, ast.Assign, ast.AugAssign, ast.If,
         ast.While, ast.For, ast.Break, ast.Continue, ast.Pass, ast.Expr, ast.With, ast.withitem, ast.Global,
         ast.Import, ast.alias, ast.BoolOp, ast.BinOp, ast.UnaryOp, ast.Compare, ast.Call, ast.Name, ast.Attribute,
         ast.Constant, ast.Load, ast.Store, ast.And, ast.Or, ast.Add, ast.Sub, ast.Mult, ast.FloorDiv, ast.Mod,
         ast.LShift, ast.RShift, ast.BitAnd, ast.BitOr, ast.BitXor, ast.Invert, ast.USub, ast.UAdd, ast.Not,
         ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE)


def is_main_guard(node):
    """`if __name__ == "__main__":`, which gilsim leaves to python3."""
    t = node.test if isinstance(node, ast.If) else None
    return (isinstance(t, ast.Compare) and isinstance(t.left, ast.Name) and t.left.id == "__name__"
            and len(t.ops) == 1 and isinstance(t.ops[0], ast.Eq) and isinstance(t.comparators[0], ast.Constant)
            and t.comparators[0].value == "__main__")


def check_subset(tree):
    """Refuses a tree with anything gilsim's subset lacks: another node,
    an import, a name the file does not define (or one beginning with _),
    an attribute other than the module calls and a lock's acquire and
    release, a constant that is not a number, a keyword argument, a
    decorator or a default."""
    defined = {"range"}
    locks = set()
    docstrings = {id(n.value) for n in ast.walk(tree)  # a lone string is a statement that does nothing
                  if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)}
    for n in ast.walk(tree):
        if isinstance(n, ast.FunctionDef):
            defined.add(n.name)
            defined.update(a.arg for a in n.args.args)
        elif isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
            defined.add(n.id)
        elif isinstance(n, ast.alias):
            defined.add(n.name)
    for n in tree.body:
        if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call) and module_call(n.value) == ("threading", "Lock"):
            locks.update(t.id for t in n.targets if isinstance(t, ast.Name))
    for n in ast.walk(tree):
        line = getattr(n, "lineno", 0)
        why = None
        if not isinstance(n, NODES):
            why = type(n).__name__
        elif isinstance(n, ast.Import):
            why = next((a.name for a in n.names if a.name not in MODULES or a.asname), None)
        elif isinstance(n, ast.Name) and (n.id.startswith("_") or n.id not in defined):
            why = n.id
        elif isinstance(n, ast.Attribute):
            v = n.value
            if not (isinstance(v, ast.Name) and ((v.id, n.attr) in MODULE_CALLS
                                                 or (v.id in locks and n.attr in ("acquire", "release")))):
                why = "." + n.attr
        elif isinstance(n, ast.Constant) and id(n) not in docstrings and (
                isinstance(n.value, (str, bytes)) or n.value is None or n.value is Ellipsis
                or isinstance(n.value, complex)):
            why = repr(n.value)[:40]
        elif isinstance(n, ast.Call) and n.keywords:
            why = "a keyword argument"
        elif isinstance(n, ast.FunctionDef) and (n.decorator_list or n.returns or n.args.defaults
                                                 or n.args.vararg or n.args.kwarg or n.args.kwonlyargs
                                                 or n.args.posonlyargs):
            why = "def " + n.name
        if why:
            raise NotTheSubset("line %d: %s is not in gilsim's subset; nothing of the file was run" % (line, why))


def load(path, coroutines, latency):
    with open(path, encoding="utf-8") as f:  # as gilsim read it: UTF-8, universal newlines
        source = f.read()
    tree = ast.parse(source, path)
    tree.body = [n for n in tree.body if not is_main_guard(n)]
    check_subset(tree)
    tree = SleepFor(latency).visit(tree)
    if coroutines:  # the functions, and the locks
        make = Coroutines({n.name for n in tree.body if isinstance(n, ast.FunctionDef)})
        tree.body = [make.visit(n) if isinstance(n, (ast.FunctionDef, ast.Assign)) else n for n in tree.body]
        tree.body.insert(0, ast.Import(names=[ast.alias(name="asyncio")]))
        ast.fix_missing_locations(tree)
    module = type(sys)("work")
    module.__file__ = path
    exec(compile(tree, path, "exec"), module.__dict__)
    return module


def die_with_parent():
    """This process dies when the one that started it does (Linux)."""
    try:
        ctypes.CDLL(None).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
    except (OSError, AttributeError):
        pass


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


def calls(main, first, count, size):
    """main's calls for a worker's share: one with the share, or, where main
    takes no count (gilsim gives each worker one unit of such a program,
    which it runs all of), one for each unit, so that one worker's run does
    the work of many."""
    n = len(inspect.signature(main).parameters)
    if n >= 2:
        return [(first, count, size)[:n]]
    return [(first + k, count, size)[:n] for k in range(count)]


def share(main, first, count, size):
    return sum(main(*args) for args in calls(main, first, count, size))


async def share_async(main, first, count, size):
    total = 0
    for args in calls(main, first, count, size):
        total += await main(*args)
    return total


def in_child(path, first, count, size, latency, results):
    die_with_parent()
    module = load(path, False, latency)
    began = time.perf_counter()  # CLOCK_MONOTONIC on Linux: the parent's clock too
    results.put((share(module.main, first, count, size), began))


def run(a, workers):
    """Wall seconds, the checksum of the work done by so many workers, and
    the seconds until the last of them began its share: what starting
    them took, which a short run's wall is mostly made of."""
    parts = [split(a.work, workers, k) for k in range(workers)]
    t0 = time.perf_counter()
    if a.mode == "threads":
        module = load(a.file, False, a.io_latency)
        results = [0] * workers
        began = [t0] * workers
        gate = threading.Event()  # as gilsim's threads wait at theirs until all exist (sched/runners/gate.h)

        def worker(k):
            gate.wait()
            began[k] = time.perf_counter()
            results[k] = share(module.main, parts[k][0], parts[k][1], a.unit_size)

        threads = [threading.Thread(target=worker, args=(k,)) for k in range(workers)]
        for t in threads:
            t.start()
        gate.set()
        for t in threads:
            t.join()
        checksum = sum(results)
    elif a.mode == "processes":
        results = multiprocessing.get_context("fork").Queue()
        children = [multiprocessing.get_context("fork").Process(
            target=in_child, args=(a.file, first, count, a.unit_size, a.io_latency, results)) for first, count in parts]
        for c in children:
            c.start()
        answers = [results.get() for _ in children]
        checksum, began = sum(sum_ for sum_, _ in answers), [at for _, at in answers]
        for c in children:
            c.join()
    else:
        module = load(a.file, True, a.io_latency)
        began = [t0] * workers

        async def one(k):
            began[k] = time.perf_counter()
            return await share_async(module.main, parts[k][0], parts[k][1], a.unit_size)

        async def tasks():  # a thread for each task's pipe or file I/O: none waits for another's
            asyncio.get_running_loop().set_default_executor(concurrent.futures.ThreadPoolExecutor(workers))
            return await asyncio.gather(*(one(k) for k in range(workers)))

        checksum = sum(asyncio.run(tasks()))
    return time.perf_counter() - t0, checksum, max(began) - t0


def main():
    die_with_parent()
    p = argparse.ArgumentParser()
    p.add_argument("file")
    p.add_argument("--gilsim-module", help="gilsim.py's source, when it is not beside this file")
    p.add_argument("--mode", choices=("threads", "processes", "async"), default="threads")
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--work", type=int, default=1)
    p.add_argument("--unit-size", type=int, default=0)
    p.add_argument("--switch-interval", type=float, default=0.005)
    p.add_argument("--io-latency", type=float, default=0.001)
    p.add_argument("--no-baseline", action="store_true", help="skip the 1-worker run")
    a = p.parse_args()
    if a.gilsim_module is not None:
        gilsim = types.ModuleType("gilsim")
        exec(compile(a.gilsim_module, "gilsim.py", "exec"), gilsim.__dict__)
        sys.modules["gilsim"] = gilsim
    else:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # gilsim.py beside this file
        import gilsim
    gilsim.latency = a.io_latency
    try:
        load(a.file, False, a.io_latency)  # the check, before any worker starts
    except NotTheSubset as e:
        sys.exit("%s: %s" % (a.file, e))
    sys.setswitchinterval(a.switch_interval)
    base_s, base_sum, base_start_s = (None, None, None) if a.no_baseline else run(a, 1)
    wall_s, checksum, start_s = run(a, a.workers)
    print(json.dumps({"python": sys.version.split()[0], "mode": a.mode, "workers": a.workers,
                      "base_s": base_s, "wall_s": wall_s, "base_checksum": base_sum, "checksum": checksum,
                      "base_start_s": base_start_s, "start_s": start_s}))


if __name__ == "__main__":
    main()
