/* bench_interp.c - gilsim-bench, interp section: what gilsim's own machinery costs.
 *
 * Every figure is the median of REPS runs, with min and max, and every ratio
 * is taken between figures measured in this same run, so a noisy shared
 * machine moves both sides alike.  It never passes or fails on time.
 *
 * Sections:
 *   interp   ns per instruction and per loop iteration for countdown and fib,
 *            python3's countdown for comparison, and the eval breaker's cost
 *            (the loop built with and without polling). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "pyc.h"
#include "vm.h"
#include "workload.h"

/* The eval loop compiled with -DGS_VM_POLL=0 (see bench/CMakeLists.txt). */
gs_stop gs_vm_run_nopoll(gs_vm *vm, uint64_t budget);

typedef gs_stop (*run_fn)(gs_vm *, uint64_t);

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Runs prog's main(0, 1, size) once; returns ns and sets *instructions. */
static double time_program(const gs_program *p, int64_t size, run_fn run, uint64_t *instructions)
{
    static gs_vm vm;
    char err[GS_ERRMSG_MAX];
    int64_t args[3] = {0, 1, size};
    if (gs_vm_init(&vm, p, args, 3, err) != 0) {
        fprintf(stderr, "gilsim-bench: %s\n", err);
        exit(1);
    }
    uint64_t t0 = now_ns();
    gs_stop s = run(&vm, UINT64_MAX);
    uint64_t t1 = now_ns();
    if (s != GS_STOP_DONE) {
        fprintf(stderr, "gilsim-bench: program stopped with %d\n", (int)s);
        exit(1);
    }
    *instructions = vm.instructions;
    return (double)(t1 - t0);
}

/* ns per instruction and per iteration of the countdown loop, with the
 * eval loop that polls the breaker and with the one that does not, run in
 * turns (poll, no poll, poll, ...) so that drift on the machine hits both
 * alike; cost is the median of the pairs' ratios, in percent. */
static void bench_countdown(const gs_workload *w, bench_figure *per_instr, bench_figure *per_iter,
                            bench_figure *nopoll_instr, bench_figure *cost)
{
    const int64_t n = 50 * 1000 * 1000;
    double instr[BENCH_REPS], iter[BENCH_REPS], instr_np[BENCH_REPS], ratio[BENCH_REPS];
    for (int r = 0; r < BENCH_REPS; r++) {
        uint64_t count, count_np;
        double ns = time_program(&w->prog, n, gs_vm_run, &count);
        double ns_np = time_program(&w->prog, n, gs_vm_run_nopoll, &count_np);
        instr[r] = ns / (double)count;
        iter[r] = ns / (double)n;
        instr_np[r] = ns_np / (double)count_np;
        ratio[r] = (ns / ns_np - 1) * 100;
    }
    bench_summarize(per_instr, instr, BENCH_REPS);
    bench_summarize(per_iter, iter, BENCH_REPS);
    bench_summarize(nopoll_instr, instr_np, BENCH_REPS);
    bench_summarize(cost, ratio, BENCH_REPS);
}

/* Times CPython's `while n > 0: n -= 1` in a function (fast locals), the
 * same loop, measured inside python3 so start-up is not counted. */
static int bench_python(bench_figure *per_iter)
{
    const char *script =
        "python3 -c 'import time\n"
        "def countdown(n):\n"
        "    while n > 0:\n"
        "        n -= 1\n"
        "N = 10000000\n"
        "for _ in range(%d):\n"
        "    t = time.perf_counter(); countdown(N)\n"
        "    print((time.perf_counter() - t) / N * 1e9)\n' 2>/dev/null";
    char cmd[512];
    snprintf(cmd, sizeof cmd, script, BENCH_REPS);
    FILE *f = popen(cmd, "r");
    if (!f)
        return -1;
    double v[BENCH_REPS];
    int n = 0;
    while (n < BENCH_REPS && fscanf(f, "%lf", &v[n]) == 1)
        n++;
    int rc = pclose(f);
    if (n != BENCH_REPS || rc != 0)
        return -1;
    bench_summarize(per_iter, v, n);
    return 0;
}

void bench_interp(bench_report *rep)
{
    gs_workload countdown = bench_workload(GS_WL_COUNTDOWN), fib = bench_workload(GS_WL_FIB);

    bench_figure poll_instr, poll_iter, nopoll_instr, poll_cost;
    bench_countdown(&countdown, &poll_instr, &poll_iter, &nopoll_instr, &poll_cost);
    bench_add(rep, "interp", "countdown ns/instruction", "ns", &poll_instr);
    bench_add(rep, "interp", "countdown ns/iteration", "ns", &poll_iter);

    double fib_instr[BENCH_REPS], fib_call[BENCH_REPS];
    const int64_t fn = 30;
    const double calls = 2692537; /* fib(30) makes 2*fib(31)-1 calls */
    for (int r = 0; r < BENCH_REPS; r++) {
        uint64_t count;
        double ns = time_program(&fib.prog, fn, gs_vm_run, &count);
        fib_instr[r] = ns / (double)count;
        fib_call[r] = ns / calls;
    }
    bench_figure f;
    bench_summarize(&f, fib_instr, BENCH_REPS);
    bench_add(rep, "interp", "fib(30) ns/instruction", "ns", &f);
    bench_summarize(&f, fib_call, BENCH_REPS);
    bench_add(rep, "interp", "fib(30) ns/call", "ns", &f);

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
    double py_iter[BENCH_REPS], vs_hand[BENCH_REPS];
    const int64_t loops = 50 * 1000 * 1000;
    for (int r = 0; r < BENCH_REPS; r++) {
        uint64_t count;
        double hand = time_program(&countdown.prog, loops, gs_vm_run, &count);
        double ns = time_program(&compiled, loops, gs_vm_run, &count);
        py_iter[r] = ns / (double)loops;
        vs_hand[r] = ns / hand;
    }
    bench_figure compiled_iter, compiled_ratio;
    bench_summarize(&compiled_iter, py_iter, BENCH_REPS);
    bench_summarize(&compiled_ratio, vs_hand, BENCH_REPS);
    bench_add(rep, "interp", "countdown.py compiled ns/iteration", "ns", &compiled_iter);
    bench_add_ratio(rep, "interp", "compiled / hand-written per iteration (paired)", compiled_ratio.median, "x",
                    "target <= 1.5");
    gs_program_free(&compiled);

    bench_figure py;
    if (bench_python(&py) == 0) {
        bench_add(rep, "interp", "python3 countdown ns/iteration", "ns", &py);
        bench_add_ratio(rep, "interp", "python3 / gilsim per iteration", py.median / poll_iter.median, "x",
                        "target >= 5");
    } else {
        bench_note(rep, "python3 not found: no CPython comparison");
    }
    bench_add(rep, "interp", "countdown ns/instruction, no polling", "ns", &nopoll_instr);
    bench_add(rep, "interp", "breaker polling cost (paired runs)", "%", &poll_cost);
    gs_workload_free(&countdown);
    gs_workload_free(&fib);
}
