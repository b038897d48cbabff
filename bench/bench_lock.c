/* bench_lock.c - gilsim-bench, lock section: what the lock and the
 * recorder cost.
 *
 *   lock cost       one thread under the lock (threads runner, 1 worker)
 *                   versus the interpreter alone on the same work;
 *   recording cost  the same 1-thread run with events on versus off;
 *   hand-off        p50/p99 of release-to-acquire with 2 and 8 CPU-bound
 *                   threads at the default 5 ms interval;
 *   hold time       mean and p99 hold over the interval, 2 CPU-bound threads,
 *                   at 1, 5 and 20 ms;
 *   legacy          Python 2's lock at its default pace (lock/legacy.c), in
 *                   one set of interleaved runs: a lone thread's cost against
 *                   cpython, two CPU threads against one (the battle, with
 *                   its futile wake-ups), and an I/O thread's latency beside
 *                   a CPU thread against alone (the starvation). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench.h"
#include "run.h"
#include "summary.h"

static gs_run_config config(const gs_workload *w, uint32_t workers, uint64_t work, uint64_t interval_ns)
{
    return (gs_run_config){.mode = GS_MODE_THREADS, .workers = workers, .workload = w, .work = work,
                           .gil = {.interval_ns = interval_ns, .force_switching = true},
                           .event_cap = GS_DEFAULT_EVENTS};
}

/* Runs cfg once; fills s and returns its time (wall and CPU seconds). */
static bench_mark run_once(const gs_run_config *cfg, gs_run_summary *s)
{
    gs_run_result r;
    bench_mark a = bench_now();
    if (gs_run(cfg, &r) != 0 || r.failed) {
        fprintf(stderr, "gilsim-bench: run failed: %s\n", r.error);
        exit(1);
    }
    bench_mark b = bench_now();
    gs_summarize(&r, s);
    gs_run_result_free(&r);
    return (bench_mark){.wall = b.wall - a.wall, .cpu = b.cpu - a.cpu};
}

static bench_mark interp_alone(const gs_workload *w, uint64_t work)
{
    int64_t sum;
    char err[GS_ERRMSG_MAX];
    bench_mark a = bench_now();
    if (gs_workload_sequential(w, 0, work, &sum, err) != 0)
        exit(1);
    bench_mark b = bench_now();
    return (bench_mark){.wall = b.wall - a.wall, .cpu = b.cpu - a.cpu};
}

enum { ALONE, LOCKED, NO_EVENTS, LOCK_COST, REC_COST, NCOSTS };

static void costs(bench_report *rep, const gs_workload *w)
{
    static gs_run_summary s;
    const uint64_t work = 4000; /* about 0.15 s */
    static const char *const names[NCOSTS][2] = {
        {"1 thread, interpreter alone (s)", "s"}, {"1 thread under the lock, events on (s)", "s"},
        {"1 thread under the lock, events off (s)", "s"}, {"lock cost for one thread (paired runs)", "%"},
        {"recording cost (paired runs)", "%"},
    };
    double wall[NCOSTS][BENCH_REPS], cpu[NCOSTS][BENCH_REPS];
    gs_run_config with = config(w, 1, work, 5000000), without = with;
    without.event_cap = 0;
    for (int r = 0; r < BENCH_REPS; r++) { /* interleaved: drift hits all three; costs from each triple */
        bench_mark t[3] = {interp_alone(w, work), run_once(&with, &s), run_once(&without, &s)};
        for (int k = ALONE; k <= NO_EVENTS; k++)
            wall[k][r] = t[k].wall, cpu[k][r] = t[k].cpu;
        wall[LOCK_COST][r] = (t[NO_EVENTS].wall / t[ALONE].wall - 1) * 100;
        cpu[LOCK_COST][r] = (t[NO_EVENTS].cpu / t[ALONE].cpu - 1) * 100;
        wall[REC_COST][r] = (t[LOCKED].wall / t[NO_EVENTS].wall - 1) * 100;
        cpu[REC_COST][r] = (t[LOCKED].cpu / t[NO_EVENTS].cpu - 1) * 100;
    }
    for (int k = 0; k < NCOSTS; k++) {
        bench_figure fw, fc;
        bench_summarize(&fw, wall[k], BENCH_REPS);
        bench_summarize(&fc, cpu[k], BENCH_REPS);
        bench_add_timed(rep, "lock", names[k][0], names[k][1], &fw, &fc);
    }
}

static void handoff(bench_report *rep, const gs_workload *w, uint32_t threads, const char *p50_name,
                    const char *p99_name)
{
    static gs_run_summary s;
    double p50[BENCH_REPS], p99[BENCH_REPS];
    gs_run_config cfg = config(w, threads, 8000, 5000000);
    for (int r = 0; r < BENCH_REPS; r++) {
        run_once(&cfg, &s);
        p50[r] = (double)gs_hist_percentile(&s.lock.handoff, 50) / 1e3;
        p99[r] = (double)gs_hist_percentile(&s.lock.handoff, 99) / 1e3;
    }
    bench_figure f;
    bench_summarize(&f, p50, BENCH_REPS);
    bench_add(rep, "lock", p50_name, "us", &f);
    bench_summarize(&f, p99, BENCH_REPS);
    bench_add(rep, "lock", p99_name, "us", &f);
}

static void hold(bench_report *rep, const gs_workload *w, uint64_t interval_ms, const char *mean_name,
                 const char *p99_name)
{
    static gs_run_summary s;
    double mean[BENCH_REPS], p99[BENCH_REPS];
    gs_run_config cfg = config(w, 2, UINT32_MAX, interval_ms * 1000000);
    cfg.timeout_ns = 30 * cfg.gil.interval_ns; /* about 30 holds, then stop */
    for (int r = 0; r < BENCH_REPS; r++) {
        gs_run_result res;
        if (gs_run(&cfg, &res) != 0)
            exit(1);
        gs_summarize(&res, &s);
        gs_run_result_free(&res);
        mean[r] = gs_hist_mean(&s.lock.hold) / (double)cfg.gil.interval_ns;
        p99[r] = (double)gs_hist_percentile(&s.lock.hold, 99) / (double)cfg.gil.interval_ns;
    }
    bench_figure f;
    bench_summarize(&f, mean, BENCH_REPS);
    bench_add(rep, "lock", mean_name, "x", &f);
    bench_summarize(&f, p99, BENCH_REPS);
    bench_add(rep, "lock", p99_name, "x", &f);
}

/* The I/O thread's latency p50, in ms, beside cpu_threads CPU threads
 * under policy: the convoy workload, the I/O thread doing ops 1 ms sleeps
 * while each CPU thread computes for 20 ms a unit, long enough to outlast
 * the sleeps however slowly they come back. */
static double io_p50_ms(const gs_workload *convoy, uint32_t cpu_threads, gs_gil_policy policy)
{
    const uint64_t ops = 30;
    gs_workload wl = *convoy;
    wl.unit_size = 20 * 1000000 / 4; /* countdown: 4 instructions of about 1 ns an iteration */
    gs_run_config cfg = config(&wl, 1 + cpu_threads, ops, 5000000);
    cfg.weak = true;
    cfg.io_latency_ns = 1000000;
    cfg.gil.policy = policy;
    cfg.gil.check_interval = GS_CHECK_INTERVAL_DEFAULT;
    gs_run_result r;
    if (gs_run(&cfg, &r) != 0 || r.failed)
        exit(1);
    double p50 = (double)gs_worker_hist_percentile(&r.workers[0].io_latency, 50) / 1e6;
    gs_run_result_free(&r);
    return p50;
}

static void legacy(bench_report *rep, const gs_workload *w)
{
    static gs_run_summary s;
    gs_workload convoy = bench_workload(GS_WL_CONVOY);
    const uint64_t work = 4000;
    enum { ALONE_COST, BATTLE, FUTILE, IO_ALONE, IO_LEGACY, IO_CPYTHON, NFIGURES };
    static const char *const names[NFIGURES][2] = {
        {"legacy: 1 thread's cost over cpython (paired)", "%"}, {"legacy: 2 CPU threads / 1 thread, wall", "x"},
        {"legacy: futile wake-ups, 2 CPU threads", ""},        {"legacy: I/O p50, I/O thread alone", "ms"},
        {"legacy: I/O p50 beside a CPU thread", "ms"},         {"cpython: I/O p50 beside a CPU thread", "ms"},
    };
    double v[NFIGURES][BENCH_REPS];
    gs_run_config cpython = config(w, 1, work, 5000000), one = cpython, two;
    one.gil.policy = GS_GIL_LEGACY;
    one.gil.check_interval = GS_CHECK_INTERVAL_DEFAULT;
    two = one;
    two.workers = 2;
    for (int r = 0; r < BENCH_REPS; r++) { /* interleaved, each figure from its own set */
        double c = (run_once(&cpython, &s), s.wall_s), l1 = (run_once(&one, &s), s.wall_s);
        double l2 = (run_once(&two, &s), s.wall_s); /* each run's own wall: start to the last worker's end */
        v[ALONE_COST][r] = (l1 / c - 1) * 100;
        v[BATTLE][r] = l2 / l1;
        v[FUTILE][r] = (double)s.lock.futile_wakeups;
        v[IO_ALONE][r] = io_p50_ms(&convoy, 0, GS_GIL_LEGACY);
        v[IO_LEGACY][r] = io_p50_ms(&convoy, 1, GS_GIL_LEGACY);
        v[IO_CPYTHON][r] = io_p50_ms(&convoy, 1, GS_GIL_CPYTHON);
    }
    for (int k = 0; k < NFIGURES; k++) {
        bench_figure f;
        bench_summarize(&f, v[k], BENCH_REPS);
        bench_add(rep, "lock", names[k][0], names[k][1], &f);
    }
    gs_workload_free(&convoy);
}

void bench_lock(bench_report *rep)
{
    gs_workload w = bench_workload(GS_WL_COUNTDOWN);
    costs(rep, &w);
    handoff(rep, &w, 2, "hand-off p50, 2 CPU threads", "hand-off p99, 2 CPU threads");
    handoff(rep, &w, 8, "hand-off p50, 8 CPU threads", "hand-off p99, 8 CPU threads");
    hold(rep, &w, 1, "hold mean / interval, 1 ms", "hold p99 / interval, 1 ms");
    hold(rep, &w, 5, "hold mean / interval, 5 ms", "hold p99 / interval, 5 ms");
    hold(rep, &w, 20, "hold mean / interval, 20 ms", "hold p99 / interval, 20 ms");
    legacy(rep, &w);
    gs_workload_free(&w);
}
