/* bench_sim.c - gilsim-bench, sim section: what the simulated machine's
 * machinery costs, in real time (issue "Virtual time").
 *
 *   instruction rate  simulated instructions per real second of a 1-thread
 *                     CPU-bound run, against the interpreter alone on the
 *                     same work; the overhead in % (target: at most 25%);
 *   fiber switches    two fibers handing over to each other, per real
 *                     second (target: at least 2 million);
 *   hand-offs         lock hand-offs per real second, 2 CPU-bound threads
 *                     at a 10 us interval;
 *   scale             1,000 threads on 64 modelled cores, and 10,000 async
 *                     tasks, each one small unit: real wall time and peak
 *                     memory per worker;
 *   default sweep     gilsim sweep's default on 16 modelled cores, one point
 *                     at a time and two at once (-j 2). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench.h"
#include "machine/sim/fiber.h"
#include "sim.h"
#include "summary.h"

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

static double switches_per_s(void)
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
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    gs_fiber_switch(main, a.self);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    gs_fiber_free(a.self);
    gs_fiber_free(b.self);
    gs_fiber_free(main);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    return SWITCHES / s / 1e6;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Runs cfg on the default model; returns real seconds and fills s. */
static double sim_run(gs_run_config *cfg, gs_run_summary *s)
{
    gs_sim_model m = GS_SIM_MODEL_DEFAULT;
    cfg->sim = &m;
    gs_run_result r;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (gs_run(cfg, &r) != 0 || r.failed) {
        fprintf(stderr, "gilsim-bench: simulated run failed: %s\n", r.error);
        exit(1);
    }
    double real = seconds_since(&t0);
    gs_summarize(&r, s);
    gs_run_result_free(&r);
    return real;
}

void bench_sim(bench_report *rep)
{
    static gs_run_summary s;
    gs_workload w = bench_workload(GS_WL_COUNTDOWN);
    const uint64_t work = 4000;
    double alone[BENCH_REPS], rate[BENCH_REPS], overhead[BENCH_REPS], switches[BENCH_REPS], handoffs[BENCH_REPS];
    for (int r = 0; r < BENCH_REPS; r++) { /* interleaved: drift hits both */
        int64_t sum;
        char err[GS_ERRMSG_MAX];
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (gs_workload_sequential(&w, 0, work, &sum, err) != 0)
            exit(1);
        double interp = seconds_since(&t0);
        gs_run_config one = {.mode = GS_MODE_THREADS, .workers = 1, .workload = &w, .work = work,
                             .gil = {.interval_ns = GS_INTERVAL_DEFAULT_NS, .force_switching = true}};
        double simulated = sim_run(&one, &s);
        alone[r] = (double)s.instructions / interp / 1e6;
        rate[r] = (double)s.instructions / simulated / 1e6;
        overhead[r] = (simulated / interp - 1) * 100;
        switches[r] = switches_per_s();
        gs_run_config two = one;
        two.workers = 2;
        two.gil.interval_ns = 10000;
        double real = sim_run(&two, &s);
        handoffs[r] = (double)s.lock.switches_in / real;
    }
    bench_figure f;
    bench_summarize(&f, alone, BENCH_REPS);
    bench_add(rep, "sim", "instructions per real second, interpreter alone", "M", &f);
    bench_summarize(&f, rate, BENCH_REPS);
    bench_add(rep, "sim", "instructions per real second, simulated", "M", &f);
    bench_summarize(&f, overhead, BENCH_REPS);
    bench_add(rep, "sim", "simulator overhead, 1 CPU thread (paired)", "%", &f);
    bench_summarize(&f, switches, BENCH_REPS);
    bench_add(rep, "sim", "fiber switches per real second", "M", &f);
    bench_summarize(&f, handoffs, BENCH_REPS);
    bench_add(rep, "sim", "lock hand-offs per real second, 10 us interval", "", &f);
    gs_workload_free(&w);

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
        double wall[BENCH_REPS], mem[BENCH_REPS];
        for (int r = 0; r < BENCH_REPS; r++) {
            scale_result sc = bench_scale_once(scales[k].mode, scales[k].workers, &wide);
            if (!sc.ok) {
                fprintf(stderr, "gilsim-bench: %s did not complete\n", scales[k].wall_name);
                exit(1);
            }
            wall[r] = sc.wall_s * 1e3;
            mem[r] = sc.kib_per_worker;
        }
        bench_summarize(&f, wall, BENCH_REPS);
        bench_add(rep, "sim", scales[k].wall_name, "ms", &f);
        bench_summarize(&f, mem, BENCH_REPS);
        bench_add(rep, "sim", scales[k].mem_name, "KiB", &f);
    }
    wide.cores = 16;
    for (uint32_t jobs = 1; jobs <= 2; jobs++) {
        double secs[3];
        for (int r = 0; r < 3; r++)
            secs[r] = bench_default_sweep_s(&wide, jobs);
        bench_summarize(&f, secs, 3);
        bench_add(rep, "sim", jobs == 1 ? "default sweep, 16 modelled cores, -j 1 (median of 3)"
                                        : "default sweep, 16 modelled cores, -j 2 (median of 3)", "s", &f);
    }
}
