/* bench_calibration.c - gilsim-bench, calibration section: real mode beside
 * virtual time on this machine as `gilsim calibrate` measures it (issue
 * "Virtual time (2 of 2)").  It prints docs/calibration.md's table.
 *
 * Real figures are medians of REPEAT runs; virtual ones come from one run,
 * seed 1 (they do not vary).  Both measure the same configuration through
 * the same runner; only cfg.sim differs.  A row is within 20% when
 * virtual / real is in 0.8..1.2. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "calibrate.h"
#include "experiment.h"
#include "summary.h"

enum { REPEAT = 5 };

typedef enum { SPEEDUP, IO_OPS, HOLD } figure_kind;

typedef struct {
    const char *scenario, *command;
    figure_kind kind;
    gs_mode mode;
    gs_workload_kind workload;
    gs_gil_policy policy;
    uint32_t workers;
    uint64_t work, interval_ns;
} scenario;

/* The work sizes keep the whole section near a minute on 2 cores. */
static const scenario scenarios[] = {
    {"CPU-bound threads, W=2", "--threads 2 --cpu-bound --work 6000", SPEEDUP, GS_MODE_THREADS, GS_WL_COUNTDOWN,
     GS_GIL_CPYTHON, 2, 6000, 5000000},
    {"CPU-bound threads, W=4", "--threads 4 --cpu-bound --work 6000", SPEEDUP, GS_MODE_THREADS, GS_WL_COUNTDOWN,
     GS_GIL_CPYTHON, 4, 6000, 5000000},
    {"CPU-bound threads, W=8", "--threads 8 --cpu-bound --work 6000", SPEEDUP, GS_MODE_THREADS, GS_WL_COUNTDOWN,
     GS_GIL_CPYTHON, 8, 6000, 5000000},
    {"CPU-bound processes, W=2", "--processes 2 --cpu-bound --work 6000", SPEEDUP, GS_MODE_PROCESSES,
     GS_WL_COUNTDOWN, GS_GIL_CPYTHON, 2, 6000, 5000000},
    {"I/O-bound threads, W=8 (1 ms sleep)", "--threads 8 --io-bound --work 640", SPEEDUP, GS_MODE_THREADS,
     GS_WL_IO_BOUND, GS_GIL_CPYTHON, 8, 640, 5000000},
    {"I/O-bound threads, W=32 (1 ms sleep)", "--threads 32 --io-bound --work 640", SPEEDUP, GS_MODE_THREADS,
     GS_WL_IO_BOUND, GS_GIL_CPYTHON, 32, 640, 5000000},
    {"convoy: I/O thread beside 1 CPU thread, 5 ms", "demo convoy", IO_OPS, GS_MODE_THREADS, GS_WL_CONVOY,
     GS_GIL_CPYTHON, 2, 100, 5000000},
    {"convoy: I/O thread beside 2 CPU threads, 5 ms", "demo convoy", IO_OPS, GS_MODE_THREADS, GS_WL_CONVOY,
     GS_GIL_CPYTHON, 3, 100, 5000000},
    {"convoy: I/O thread beside 4 CPU threads, 5 ms", "demo convoy", IO_OPS, GS_MODE_THREADS, GS_WL_CONVOY,
     GS_GIL_CPYTHON, 5, 100, 5000000},
    {"convoy: I/O thread beside 1 CPU thread, 0.5 ms", "demo convoy", IO_OPS, GS_MODE_THREADS, GS_WL_CONVOY,
     GS_GIL_CPYTHON, 2, 100, 500000},
    {"convoy: I/O thread beside 2 CPU threads, 0.5 ms", "demo convoy", IO_OPS, GS_MODE_THREADS, GS_WL_CONVOY,
     GS_GIL_CPYTHON, 3, 100, 500000},
    {"convoy: I/O thread beside 4 CPU threads, 0.5 ms", "demo convoy", IO_OPS, GS_MODE_THREADS, GS_WL_CONVOY,
     GS_GIL_CPYTHON, 5, 100, 500000},
    {"hold time, 2 CPU threads, 0.5 ms", "--threads 2 --cpu-bound --work 3000 --switch-interval 0.5ms", HOLD,
     GS_MODE_THREADS, GS_WL_COUNTDOWN, GS_GIL_CPYTHON, 2, 3000, 500000},
    {"hold time, 2 CPU threads, 5 ms", "--threads 2 --cpu-bound --work 6000 --switch-interval 5ms", HOLD,
     GS_MODE_THREADS, GS_WL_COUNTDOWN, GS_GIL_CPYTHON, 2, 6000, 5000000},
    {"hold time, 2 CPU threads, 50 ms", "--threads 2 --cpu-bound --work 30000 --switch-interval 50ms", HOLD,
     GS_MODE_THREADS, GS_WL_COUNTDOWN, GS_GIL_CPYTHON, 2, 30000, 50000000},
    {"legacy, 2 CPU threads on 2 cores", "--threads 2 --cpu-bound --work 6000 --gil legacy", SPEEDUP,
     GS_MODE_THREADS, GS_WL_COUNTDOWN, GS_GIL_LEGACY, 2, 6000, 5000000},
};

/* The figure of run i of e. */
static double figure(const scenario *sc, const gs_experiment *e, uint32_t i)
{
    const gs_run_summary *s = &e->summaries[i];
    switch (sc->kind) {
    case SPEEDUP: /* the same work: the baseline's time over this run's */
        return s->wall_s > 0 ? e->base_summary.wall_s / s->wall_s : 0;
    case HOLD:
        return (double)gs_hist_percentile(&s->lock.hold, 50) / 1e6;
    case IO_OPS: {
        gs_convoy_io io;
        gs_summarize_convoy_io(&e->runs[i], &io);
        return io.io_per_s;
    }
    }
    return 0;
}

/* Runs the scenario (on sim, or in real time) and returns the median of
 * its figure over the runs, with the smallest and largest. */
static bench_figure measure(const scenario *sc, const gs_sim_model *sim)
{
    gs_workload wl = bench_workload(sc->workload);
    gs_run_config cfg = {.mode = sc->mode, .workers = sc->workers, .workload = &wl, .work = sc->work,
                         .gil = {.policy = sc->policy, .interval_ns = sc->interval_ns, .force_switching = true,
                                 .check_interval = GS_CHECK_INTERVAL_DEFAULT},
                         .io_latency_ns = 1000000, .event_cap = GS_DEFAULT_EVENTS, .sim = sim};
    if (sc->kind == IO_OPS) { /* as the convoy demo: each CPU thread computes as long as the I/O takes */
        cfg.weak = true;
        wl.unit_size = gs_countdown_unit_size(sc->work, sc->work * 1000000u, sim ? sim->instruction_ns : 0);
    }
    gs_experiment e = {.cfg = cfg, .repeat = sim ? 1 : REPEAT, .baseline = sc->kind == SPEEDUP};
    char err[GS_ERRMSG_MAX];
    if (gs_experiment_run(&e, err, NULL, NULL) != 0 || e.nruns == 0) {
        fprintf(stderr, "gilsim-bench: calibration run '%s' failed: %s\n", sc->scenario, err);
        exit(1);
    }
    double v[REPEAT];
    for (uint32_t i = 0; i < e.nruns; i++)
        v[i] = figure(sc, &e, i);
    bench_figure f;
    bench_summarize(&f, v, (int)e.nruns);
    gs_experiment_free(&e);
    gs_workload_free(&wl);
    return f;
}

static const char *unit_of(figure_kind k)
{
    return k == SPEEDUP ? "speedup (x)" : k == HOLD ? "hold p50 (ms)" : "I/O ops/s";
}

void bench_calibration(bench_report *r)
{
    gs_calibration cal;
    bench_calibrate(&cal);
    const gs_sim_model *m = &cal.model;
    printf("| scenario | gilsim options | figure | real, median of %d [min .. max] | virtual | virtual / real |\n",
           REPEAT);
    printf("|---|---|---|---:|---:|---:|\n");
    int within = 0, n = (int)(sizeof scenarios / sizeof scenarios[0]);
    for (int i = 0; i < n; i++) {
        const scenario *sc = &scenarios[i];
        fprintf(stderr, "gilsim-bench: %s\n", sc->scenario);
        bench_figure real = measure(sc, NULL), virt = measure(sc, m);
        double ratio = real.median > 0 ? virt.median / real.median : 0;
        within += ratio >= 0.8 && ratio <= 1.2;
        printf("| %s | `%s` | %s | %.2f [%.2f .. %.2f] | %.2f | %.2f%s |\n", sc->scenario, sc->command,
               unit_of(sc->kind), real.median, real.min, real.max, virt.median, ratio,
               ratio >= 0.8 && ratio <= 1.2 ? "" : " (outside 20%)");
        fflush(stdout);
    }
    printf("\n");
    bench_add_ratio(r, "calibration", "rows within 20% of real", (double)within / n * 100, "%", "100");
}
