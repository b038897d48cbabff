/* bench_interp.c - gilsim-bench, interp section: what gilsim's own machinery costs.
 *
 * Every figure is the median of REPS runs, with min and max, and every ratio
 * is taken between figures measured in this same run, so a noisy shared
 * machine moves both sides alike.  It never passes or fails on time.
 *
 * Sections:
 *   interp   ns per instruction and per loop iteration for countdown and fib,
 *            python3's countdown and Lua 5.4's countdown and fib (where
 *            lua5.4 is installed) for comparison, and the eval breaker's
 *            cost (gs_vm_run against gs_vm_run_unpolled, the same loop
 *            that never looks). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "pyc.h"
#include "vm.h"
#include "workload.h"

typedef gs_stop (*run_fn)(gs_vm *, uint64_t);

/* A program's time, in wall and CPU nanoseconds. */
typedef struct {
    double wall, cpu;
} took;

/* Runs prog's main(0, 1, size) once; returns its time and sets
 * *instructions. */
bench_mark bench_time_vm(const gs_program *p, const int64_t *args, uint32_t nargs,
                         gs_stop (*run)(gs_vm *, uint64_t), uint64_t *instructions)
{
    static gs_vm vm;
    char err[GS_ERRMSG_MAX];
    if (gs_vm_init(&vm, p, args, nargs, err) != 0) {
        fprintf(stderr, "gilsim-bench: %s\n", err);
        exit(1);
    }
    bench_mark a = bench_now();
    gs_stop s = run(&vm, UINT64_MAX);
    bench_mark b = bench_now();
    if (s != GS_STOP_DONE) {
        fprintf(stderr, "gilsim-bench: program stopped with %d\n", (int)s);
        exit(1);
    }
    *instructions = vm.instructions;
    return (bench_mark){.wall = b.wall - a.wall, .cpu = b.cpu - a.cpu};
}

/* Countdown-shaped program p of size: its time in nanoseconds. */
static took time_program(const gs_program *p, int64_t size, run_fn run, uint64_t *instructions)
{
    int64_t args[3] = {0, 1, size};
    bench_mark t = bench_time_vm(p, args, 3, run, instructions);
    return (took){t.wall * 1e9, t.cpu * 1e9};
}

/* A figure from REPS values, and its twin from CPU time. */
typedef struct {
    double wall[BENCH_REPS], cpu[BENCH_REPS];
} pair;

static void add_pair(bench_report *rep, const char *name, const char *unit, pair *v)
{
    bench_figure w, c;
    bench_summarize(&w, v->wall, BENCH_REPS);
    bench_summarize(&c, v->cpu, BENCH_REPS);
    bench_add_timed(rep, "interp", name, unit, &w, &c);
}

/* ns per instruction and per iteration of the countdown loop, as
 * gs_vm_run runs it (looking at the breaker every 1,024 instructions:
 * real time's loop) and as gs_vm_run_unpolled does (the same code in one
 * chunk: virtual time's), run in turns (poll, no poll, poll, ...) so that
 * drift on the machine hits both alike; cost is the median of the pairs'
 * ratios, in percent. */
static void bench_countdown(const gs_workload *w, pair *per_instr, pair *per_iter, pair *nopoll_instr, pair *cost)
{
    const int64_t n = 50 * 1000 * 1000;
    for (int r = 0; r < BENCH_REPS; r++) {
        uint64_t count, count_np;
        took t = time_program(&w->prog, n, gs_vm_run, &count);
        took np = time_program(&w->prog, n, gs_vm_run_unpolled, &count_np);
        per_instr->wall[r] = t.wall / (double)count, per_instr->cpu[r] = t.cpu / (double)count;
        per_iter->wall[r] = t.wall / (double)n, per_iter->cpu[r] = t.cpu / (double)n;
        nopoll_instr->wall[r] = np.wall / (double)count_np, nopoll_instr->cpu[r] = np.cpu / (double)count_np;
        cost->wall[r] = (t.wall / np.wall - 1) * 100, cost->cpu[r] = (t.cpu / np.cpu - 1) * 100;
    }
}

/* Runs the shell command `script` (a %d in it: BENCH_REPS) and reads
 * BENCH_REPS lines of two figures, into a and b.  Returns 0, or -1 when the
 * interpreter it names is missing or fails. */
static int read_pairs(const char *script, double a[BENCH_REPS], double b[BENCH_REPS])
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, script, BENCH_REPS);
    FILE *f = popen(cmd, "r");
    if (!f)
        return -1;
    int n = 0;
    while (n < BENCH_REPS && fscanf(f, "%lf %lf", &a[n], &b[n]) == 2)
        n++;
    int rc = pclose(f);
    return n == BENCH_REPS && rc == 0 ? 0 : -1;
}

/* Times CPython's `while n > 0: n -= 1` in a function (fast locals), the
 * same loop, measured inside python3 so start-up is not counted. */
static int bench_python(pair *per_iter)
{
    const char *script =
        "python3 -c 'import time\n"
        "def countdown(n):\n"
        "    while n > 0:\n"
        "        n -= 1\n"
        "N = 10000000\n"
        "for _ in range(%d):\n"
        "    t = time.perf_counter(); c = time.process_time(); countdown(N)\n"
        "    print((time.perf_counter() - t) / N * 1e9, (time.process_time() - c) / N * 1e9)\n' 2>/dev/null";
    return read_pairs(script, per_iter->wall, per_iter->cpu);
}

/* Times Lua 5.4's `while n > 0 do n = n - 1 end` and recursive fib(30),
 * the same programs, measured inside lua5.4 in CPU time (os.clock: Lua
 * has no finer wall clock of its own).  Fills per iteration and per call. */
static int bench_lua(double iter_cpu[BENCH_REPS], double call_cpu[BENCH_REPS])
{
    const char *script =
        "lua5.4 -e '\n"
        "local function count(n) while n > 0 do n = n - 1 end return n end\n"
        "local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end\n"
        "for _ = 1, %d do\n"
        "  local c = os.clock(); count(50000000); local d = os.clock(); fib(30); local e = os.clock()\n"
        "  print((d - c) / 50000000 * 1e9, (e - d) / 2692537 * 1e9)\n"
        "end' 2>/dev/null";
    return read_pairs(script, iter_cpu, call_cpu);
}

void bench_interp(bench_report *rep)
{
    gs_workload countdown = bench_workload(GS_WL_COUNTDOWN), fib = bench_workload(GS_WL_FIB);

    static pair poll_instr, poll_iter, nopoll_instr, poll_cost;
    bench_countdown(&countdown, &poll_instr, &poll_iter, &nopoll_instr, &poll_cost);
    add_pair(rep, "countdown ns/instruction", "ns", &poll_instr);
    add_pair(rep, "countdown ns/iteration", "ns", &poll_iter);
    bench_figure iter;
    bench_summarize(&iter, poll_iter.wall, BENCH_REPS); /* sorts: kept for python3's ratio */

    static pair fib_instr, fib_call;
    const int64_t fn = 30;
    const double calls = 2692537; /* fib(30) makes 2*fib(31)-1 calls */
    for (int r = 0; r < BENCH_REPS; r++) {
        uint64_t count;
        took t = time_program(&fib.prog, fn, gs_vm_run, &count);
        fib_instr.wall[r] = t.wall / (double)count, fib_instr.cpu[r] = t.cpu / (double)count;
        fib_call.wall[r] = t.wall / calls, fib_call.cpu[r] = t.cpu / calls;
    }
    add_pair(rep, "fib(30) ns/instruction", "ns", &fib_instr);
    add_pair(rep, "fib(30) ns/call", "ns", &fib_call);

    /* the same loop written in Python and compiled (interp/pyc.c), in turns
     * with the hand-written one */
    static const char countdown_py[] = "def main(first, units, n):\n    while n > 0:\n        n -= 1\n    return n\n";
    char *gsa, err[GS_ERRMSG_MAX];
    gs_program compiled;
    if (gs_pyc_compile(countdown_py, strlen(countdown_py), "countdown.py", &gsa, err) != 0 ||
        gs_load_source(gsa, strlen(gsa), "countdown.py", &compiled, err) != 0) {
        fprintf(stderr, "gilsim-bench: %s\n", err);
        exit(1);
    }
    free(gsa);
    static pair py_iter;
    double vs_hand[BENCH_REPS];
    const int64_t loops = 50 * 1000 * 1000;
    for (int r = 0; r < BENCH_REPS; r++) {
        uint64_t count;
        took hand = time_program(&countdown.prog, loops, gs_vm_run, &count);
        took t = time_program(&compiled, loops, gs_vm_run, &count);
        py_iter.wall[r] = t.wall / (double)loops, py_iter.cpu[r] = t.cpu / (double)loops;
        vs_hand[r] = t.cpu / hand.cpu;
    }
    bench_figure compiled_ratio;
    bench_summarize(&compiled_ratio, vs_hand, BENCH_REPS);
    add_pair(rep, "countdown.py compiled ns/iteration", "ns", &py_iter);
    bench_add_ratio(rep, "interp", "compiled / hand-written, CPU (paired)", compiled_ratio.median, "x",
                    "target <= 1.5");
    gs_program_free(&compiled);

    static pair py;
    if (bench_python(&py) == 0) {
        add_pair(rep, "python3 countdown ns/iteration", "ns", &py);
        bench_figure p;
        bench_summarize(&p, py.wall, BENCH_REPS);
        bench_add_ratio(rep, "interp", "python3 / gilsim per iteration", p.median / iter.median, "x",
                        "target >= 5");
    } else {
        bench_note(rep, "python3 not found: no CPython comparison");
    }
    double lua_iter[BENCH_REPS], lua_call[BENCH_REPS];
    if (bench_lua(lua_iter, lua_call) == 0) {
        bench_figure li, lc, gi, gc;
        bench_summarize(&li, lua_iter, BENCH_REPS);
        bench_summarize(&lc, lua_call, BENCH_REPS);
        bench_summarize(&gi, poll_iter.cpu, BENCH_REPS);
        bench_summarize(&gc, fib_call.cpu, BENCH_REPS);
        bench_add(rep, "interp", "lua5.4 countdown ns/iteration, CPU", "ns", &li);
        bench_add(rep, "interp", "lua5.4 fib(30) ns/call, CPU", "ns", &lc);
        bench_add_ratio(rep, "interp", "lua5.4 / gilsim per iteration, CPU", li.median / gi.median, "x", "target > 1");
        bench_add_ratio(rep, "interp", "lua5.4 / gilsim per fib call, CPU", lc.median / gc.median, "x", "target > 1");
    } else {
        bench_note(rep, "lua5.4 not found: no Lua comparison");
    }
    add_pair(rep, "countdown ns/instruction, no polling", "ns", &nopoll_instr);
    add_pair(rep, "breaker polling cost (paired runs)", "%", &poll_cost);
    gs_workload_free(&countdown);
    gs_workload_free(&fib);
}
