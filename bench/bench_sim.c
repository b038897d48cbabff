/* bench_sim.c - gilsim-bench, sim section: what the simulated machine's
 * machinery costs, in real time (issue "Virtual time").
 *
 *   instruction rate  simulated instructions per real second of a 1-thread
 *                     CPU-bound run, against the interpreter alone on the
 *                     same work, with the loop virtual time runs (no breaker
 *                     polls); the overhead in % (target: at most 25%);
 *   fiber switches    two fibers handing over to each other, per real
 *                     second (target: at least 2 million);
 *   hand-offs         lock hand-offs per real second, 2 CPU-bound threads
 *                     at a 10 us interval (target: at least 25,000);
 *   pace              simulated seconds per real second, 8 CPU-bound
 *                     threads on 8 modelled cores at 5 ms (target: at
 *                     least 2);
 *   growth            the simulator's CPU time per simulated thread, each
 *                     doing one small unit with no lock (so that the model
 *                     adds no work of its own as threads are added), each
 *                     run in a fresh process (so that every count pays for
 *                     its memory alike), from 16 to 16,384 threads on 8
 *                     and on 1,024 modelled cores: a run's CPU time less
 *                     that of a 1-thread run on as many cores just before
 *                     it, over the threads
 *                     beyond the first (what each thread adds: a run's own
 *                     costs, making the machine and its 1,024 cores, are
 *                     paid once, and over 16 threads they read as 40% more
 *                     a thread); and the largest over the smallest (target:
 *                     at most 1.2, as O(events x log threads) keeps it);
 *                     beside them, each row's page faults a thread past
 *                     the first (what memory costs: a fresh page is 1.3
 *                     to 2.5 us here, as much as the rest of a thread),
 *                     the largest count's C stacks (as many as ran at
 *                     once: sim.c, "Start gates"), and, where valgrind is
 *                     installed, each row's instructions a thread past the
 *                     first, counted by callgrind (user space only: the
 *                     simulator's own work, which the growth target is
 *                     about, without the kernel's pages and the caches'
 *                     misses that the CPU time includes), with their
 *                     largest over smallest; 1,024
 *                     processes on 1,024 modelled cores (target: under
 *                     0.3 s of CPU);
 *   scale             1,000 threads on 64 modelled cores, and 10,000 async
 *                     tasks, each one small unit: real wall time and peak
 *                     memory per worker;
 *   default sweep     gilsim sweep's default on 16 modelled cores, one point
 *                     at a time and two at once (-j 2). */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "machine/sim/fiber.h"
#include "sim.h"
#include "summary.h"
#include "vm.h"

enum { SWITCHES = 2000000 };

typedef struct {
    gs_fiber *self, *other, *main;
    long left;
} pinger;

static void ping(void *arg)
{
    pinger *p = arg;
    while (p->left-- > 0)
        gs_fiber_switch(p->self, p->other);
    gs_fiber_switch(p->self, p->main);
}

/* Fiber switches per real second, in millions: wall and CPU. */
static bench_mark switches_per_s(void)
{
    gs_fiber *main = gs_fiber_main();
    pinger a = {.main = main, .left = SWITCHES / 2}, b = {.main = main, .left = SWITCHES / 2};
    a.self = gs_fiber_new(64 * 1024, ping, &a, main);
    b.self = gs_fiber_new(64 * 1024, ping, &b, main);
    if (!main || !a.self || !b.self) {
        fprintf(stderr, "gilsim-bench: out of memory for fibers\n");
        exit(1);
    }
    a.other = b.self;
    b.other = a.self;
    bench_mark t0 = bench_now();
    gs_fiber_switch(main, a.self);
    bench_mark t1 = bench_now();
    gs_fiber_free(a.self);
    gs_fiber_free(b.self);
    gs_fiber_free(main);
    return (bench_mark){.wall = SWITCHES / (t1.wall - t0.wall) / 1e6, .cpu = SWITCHES / (t1.cpu - t0.cpu) / 1e6};
}

/* Runs cfg on model m (NULL: the default); fills s and returns its real
 * time (wall and CPU seconds). */
static bench_mark sim_run(gs_run_config *cfg, const gs_sim_model *model, gs_run_summary *s)
{
    gs_sim_model m = model ? *model : GS_SIM_MODEL_DEFAULT;
    cfg->sim = &m;
    gs_run_result r;
    bench_mark t0 = bench_now();
    if (gs_run(cfg, &r) != 0 || r.failed) {
        fprintf(stderr, "gilsim-bench: simulated run failed: %s\n", r.error);
        exit(1);
    }
    bench_mark t1 = bench_now();
    gs_summarize(&r, s);
    gs_run_result_free(&r);
    return (bench_mark){.wall = t1.wall - t0.wall, .cpu = t1.cpu - t0.cpu};
}

enum { ALONE, RATE, OVERHEAD, SWITCH, HANDOFFS, PACE, NFIGURES };

/* Units 0..count of the countdown, by the interpreter alone with the
 * loop virtual time runs (no breaker polls: interp/vm_eval.c), so that
 * the overhead is the simulator's own.  Its wall and CPU time. */
static bench_mark interp_alone(const gs_workload *w, uint64_t count)
{
    int64_t args[3];
    uint32_t nargs = gs_workload_args(w, 0, count, args);
    uint64_t instructions;
    return bench_time_vm(&w->prog, args, nargs, gs_vm_run_unpolled, &instructions);
}

/* The simulator's growth (see the header).  Runs of each growth row: a
 * run of the largest takes a quarter of a second, and with 3 a row's
 * median still moved by a fifth between runs of the bench on a quiet
 * machine.  The small rows take 31: a 16-thread run adds about 180 us to
 * a 1-thread run of 45 to 95 us.  Each run of n threads is paired with a
 * 1-thread run just before it, a row is the median of its pairs'
 * differences, and the rows' pairs are taken in rounds, one of each row a
 * round: with each row's runs back to back, after all the 1-thread runs,
 * a slow minute of the host's fell on one row (a different one each run
 * of the bench: the 16-thread row at 17 us a thread, then the 4,096-thread
 * row at 17, where the others read 11 to 15; 2026-12-06). */
enum { GROWTH_REPS = 7, GROWTH_REPS_SMALL = 31, GROWTH_SMALL = 256 };

/* One run of n simulated threads on m in a fresh process: its wall and
 * CPU time in microseconds, and its page faults in *faults. */
static bench_mark growth_run(uint32_t n, const gs_sim_model *m, double *faults, double *stacks)
{
    scale_result sc = bench_scale_once(GS_MODE_THREADS, n, m, GS_GIL_NONE);
    if (!sc.ok) {
        fprintf(stderr, "gilsim-bench: %u simulated threads did not complete\n", n);
        exit(1);
    }
    *faults = sc.page_faults;
    *stacks = sc.sim_stacks;
    return (bench_mark){.wall = sc.wall_s * 1e6, .cpu = sc.cpu_s * 1e6};
}

/* The growth rows again in instructions, counted by callgrind, one run
 * each (a count moves by a few instructions a thread between runs, with
 * what the process starts with): the simulator's own work a thread, without
 * the kernel's fresh pages and the caches' misses, which the CPU time
 * includes.  Skipped, with a note, where valgrind is not installed.
 * names: room for nt x nc names of `size` bytes. */
static void add_growth_instructions(bench_report *rep, const uint32_t *threads, const uint32_t *cores, int nt,
                                    int nc, char *names, size_t size)
{
    double lo = 0, hi = 0;
    for (int c = 0; c < nc; c++) {
        gs_sim_model m = GS_SIM_MODEL_DEFAULT;
        m.cores = cores[c];
        double one;
        if (!bench_scale_instructions(GS_MODE_THREADS, 1, &m, GS_GIL_NONE, &one)) {
            bench_note(rep, "growth in instructions: skipped, valgrind (callgrind) could not be run");
            return;
        }
        for (int t = 0; t < nt; t++) {
            double many;
            if (!bench_scale_instructions(GS_MODE_THREADS, threads[t], &m, GS_GIL_NONE, &many)) {
                bench_note(rep, "growth in instructions: skipped, a run under callgrind failed");
                return;
            }
            double each = (many - one) / (threads[t] - 1);
            char *name = names + (size_t)(c * nt + t) * size;
            snprintf(name, size, "%u threads on %u modelled cores: instructions a thread (callgrind)", threads[t],
                     cores[c]);
            bench_add_ratio(rep, "sim", name, each, "instr", NULL); /* one value, from one run */
            lo = lo && lo < each ? lo : each;
            hi = hi > each ? hi : each;
        }
    }
    bench_add_ratio(rep, "sim", "instructions a thread: largest over smallest", hi / lo, "x", "at most 1.2");
}

static void add_growth(bench_report *rep)
{
    static const uint32_t threads[] = {16, 256, 4096, 16384}, cores[] = {8, 1024};
    enum { NT = sizeof threads / sizeof threads[0], NC = sizeof cores / sizeof cores[0] };
    /* a row per count and core count for the CPU time, the faults and the
     * instructions; the 1-thread runs', the stacks' */
    static char names[3 * NC * NT + 2 * NC][80];
    /* per row: each pair's time and page faults a thread beyond the first,
     * and its 1-thread run's time */
    static double wall[NC][NT][GROWTH_REPS_SMALL], cpu[NC][NT][GROWTH_REPS_SMALL];
    static double faults[NC][NT][GROWTH_REPS_SMALL];
    static double one_wall[NC][GROWTH_REPS_SMALL], one_cpu[NC][GROWTH_REPS_SMALL];
    static double stacks[NC][GROWTH_REPS]; /* the largest count's C stacks (sim_stacks) */
    for (int r = 0; r < GROWTH_REPS_SMALL; r++)
        for (int c = 0; c < NC; c++) {
            gs_sim_model m = GS_SIM_MODEL_DEFAULT;
            m.cores = cores[c];
            for (int t = 0; t < NT; t++) {
                if (threads[t] > GROWTH_SMALL && r >= GROWTH_REPS)
                    continue;
                double one_faults, many_faults, one_stacks, many_stacks;
                bench_mark one = growth_run(1, &m, &one_faults, &one_stacks),
                           many = growth_run(threads[t], &m, &many_faults, &many_stacks);
                if (t == 0) /* the smallest row's 1-thread runs, which are the most */
                    one_wall[c][r] = one.wall, one_cpu[c][r] = one.cpu;
                if (t == NT - 1)
                    stacks[c][r] = many_stacks;
                faults[c][t][r] = (many_faults - one_faults) / (threads[t] - 1);
                wall[c][t][r] = (many.wall - one.wall) / (threads[t] - 1);
                cpu[c][t][r] = (many.cpu - one.cpu) / (threads[t] - 1);
            }
        }
    double lo = 0, hi = 0;
    for (int c = 0; c < NC; c++) {
        bench_figure fw, fc;
        bench_summarize(&fw, one_wall[c], GROWTH_REPS_SMALL);
        bench_summarize(&fc, one_cpu[c], GROWTH_REPS_SMALL);
        snprintf(names[3 * NC * NT + c], sizeof names[0], "a 1-thread run on %u modelled cores", cores[c]);
        bench_add_timed(rep, "sim", names[3 * NC * NT + c], "us", &fw, &fc);
        for (int t = 0; t < NT; t++) {
            int reps = threads[t] > GROWTH_SMALL ? GROWTH_REPS : GROWTH_REPS_SMALL;
            bench_summarize(&fw, wall[c][t], reps);
            bench_summarize(&fc, cpu[c][t], reps);
            char *name = names[c * NT + t];
            snprintf(name, sizeof names[0], "%u threads on %u modelled cores: per thread past the first",
                     threads[t], cores[c]);
            bench_add_timed(rep, "sim", name, "us", &fw, &fc);
            lo = lo && lo < fc.median ? lo : fc.median;
            hi = hi > fc.median ? hi : fc.median;
            bench_summarize(&fw, faults[c][t], reps);
            name = names[NC * NT + c * NT + t];
            snprintf(name, sizeof names[0], "%u threads on %u modelled cores: page faults a thread", threads[t],
                     cores[c]);
            bench_add(rep, "sim", name, "pages", &fw);
        }
        bench_summarize(&fw, stacks[c], GROWTH_REPS);
        snprintf(names[3 * NC * NT + NC + c], sizeof names[0], "%u threads on %u modelled cores: C stacks made",
                 threads[NT - 1], cores[c]);
        bench_add(rep, "sim", names[3 * NC * NT + NC + c], "stacks", &fw);
    }
    bench_add_ratio(rep, "sim", "CPU per thread: largest over smallest", hi / lo, "x", "at most 1.2");
    add_growth_instructions(rep, threads, cores, NT, NC, names[2 * NC * NT], sizeof names[0]);
}

/* 1,024 processes on 1,024 modelled cores (see the header). */
static void add_wide_processes(bench_report *rep)
{
    static gs_run_summary s;
    gs_workload w = bench_workload(GS_WL_COUNTDOWN);
    double wall[BENCH_REPS], cpu[BENCH_REPS];
    for (int r = 0; r < 3; r++) {
        gs_sim_model m = GS_SIM_MODEL_DEFAULT;
        m.cores = 1024;
        gs_run_config cfg = {.mode = GS_MODE_PROCESSES, .workers = 1024, .workload = &w, .work = 1, .weak = true,
                             .gil = {.policy = GS_GIL_CPYTHON, .interval_ns = GS_INTERVAL_DEFAULT_NS,
                                     .force_switching = true}};
        bench_mark real = sim_run(&cfg, &m, &s);
        wall[r] = real.wall, cpu[r] = real.cpu;
    }
    bench_figure fw, fc;
    bench_summarize(&fw, wall, 3);
    bench_summarize(&fc, cpu, 3);
    bench_add_timed(rep, "sim", "1,024 processes on 1,024 modelled cores", "s", &fw, &fc);
    gs_workload_free(&w);
}

void bench_sim(bench_report *rep)
{
    static gs_run_summary s;
    gs_workload w = bench_workload(GS_WL_COUNTDOWN);
    const uint64_t work = 4000;
    static const char *const names[NFIGURES][2] = {
        {"instructions per real second, interpreter alone", "M"},
        {"instructions per real second, simulated", "M"},
        {"simulator overhead, 1 CPU thread (paired)", "%"},
        {"fiber switches per real second", "M"},
        {"lock hand-offs per real second, 10 us interval", ""},
        {"simulated s per real s, 8 CPU threads, 8 cores", "x"},
    };
    double wall[NFIGURES][BENCH_REPS], cpu[NFIGURES][BENCH_REPS];
    for (int r = 0; r < BENCH_REPS; r++) { /* interleaved: drift hits both */
        bench_mark interp = interp_alone(&w, work);
        gs_run_config one = {.mode = GS_MODE_THREADS, .workers = 1, .workload = &w, .work = work,
                             .gil = {.interval_ns = GS_INTERVAL_DEFAULT_NS, .force_switching = true}};
        bench_mark simulated = sim_run(&one, NULL, &s);
        double instructions = (double)s.instructions;
        wall[ALONE][r] = instructions / interp.wall / 1e6, cpu[ALONE][r] = instructions / interp.cpu / 1e6;
        wall[RATE][r] = instructions / simulated.wall / 1e6, cpu[RATE][r] = instructions / simulated.cpu / 1e6;
        wall[OVERHEAD][r] = (simulated.wall / interp.wall - 1) * 100;
        cpu[OVERHEAD][r] = (simulated.cpu / interp.cpu - 1) * 100;
        bench_mark sw = switches_per_s();
        wall[SWITCH][r] = sw.wall, cpu[SWITCH][r] = sw.cpu;
        gs_run_config two = one;
        two.workers = 2;
        two.gil.interval_ns = 10000;
        bench_mark real = sim_run(&two, NULL, &s);
        wall[HANDOFFS][r] = (double)s.lock.switches_in / real.wall;
        cpu[HANDOFFS][r] = (double)s.lock.switches_in / real.cpu;
        gs_run_config eight = one; /* the classroom's run: 8 CPU threads on 8 modelled cores, 5 ms */
        eight.workers = 8;
        gs_sim_model m8 = GS_SIM_MODEL_DEFAULT;
        m8.cores = 8;
        bench_mark pace = sim_run(&eight, &m8, &s);
        wall[PACE][r] = s.wall_s / pace.wall;
        cpu[PACE][r] = s.wall_s / pace.cpu;
    }
    for (int k = 0; k < NFIGURES; k++) {
        bench_figure fw, fc;
        bench_summarize(&fw, wall[k], BENCH_REPS);
        bench_summarize(&fc, cpu[k], BENCH_REPS);
        bench_add_timed(rep, "sim", names[k][0], names[k][1], &fw, &fc);
    }
    gs_workload_free(&w);
    add_growth(rep);
    add_wide_processes(rep);

    gs_sim_model wide = GS_SIM_MODEL_DEFAULT;
    wide.cores = 64;
    static const struct {
        gs_mode mode;
        uint32_t workers;
        const char *wall_name, *mem_name;
    } scales[] = {
        {GS_MODE_THREADS, 1000, "1,000 threads on 64 modelled cores: real wall",
         "1,000 threads on 64 modelled cores: peak RSS per thread"},
        {GS_MODE_ASYNC, 10000, "10,000 async tasks, modelled: real wall", "10,000 async tasks, modelled: peak RSS per task"},
    };
    for (size_t k = 0; k < sizeof scales / sizeof scales[0]; k++) {
        double wall_ms[BENCH_REPS], cpu_ms[BENCH_REPS], mem[BENCH_REPS];
        for (int r = 0; r < BENCH_REPS; r++) {
            scale_result sc = bench_scale_once(scales[k].mode, scales[k].workers, &wide, GS_GIL_CPYTHON);
            if (!sc.ok) {
                fprintf(stderr, "gilsim-bench: %s did not complete\n", scales[k].wall_name);
                exit(1);
            }
            wall_ms[r] = sc.wall_s * 1e3;
            cpu_ms[r] = sc.cpu_s * 1e3;
            mem[r] = sc.kib_per_worker;
        }
        bench_figure f, c;
        bench_summarize(&f, wall_ms, BENCH_REPS);
        bench_summarize(&c, cpu_ms, BENCH_REPS);
        bench_add_timed(rep, "sim", scales[k].wall_name, "ms", &f, &c);
        bench_summarize(&f, mem, BENCH_REPS);
        bench_add(rep, "sim", scales[k].mem_name, "KiB", &f);
    }
    wide.cores = 16;
    bench_add_sweeps(rep, "sim", "default sweep, 16 modelled cores, -j 1 (median of 3)", &wide, 1, 3);
    bench_add_sweeps(rep, "sim", "default sweep, 16 modelled cores, -j 2 (median of 3)", &wide, 2, 3);
}
