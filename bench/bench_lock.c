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
 *   legacy          Python 2's lock at its default pace (gil_legacy.c), in
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

/* Runs cfg once; returns wall seconds and fills s. */
static double run_once(const gs_run_config *cfg, gs_run_summary *s)
{
    gs_run_result r;
    if (gs_run(cfg, &r) != 0 || r.failed) {
        fprintf(stderr, "gilsim-bench: run failed: %s\n", r.error);
        exit(1);
    }
    gs_summarize(&r, s);
    gs_run_result_free(&r);
    return s->wall_s;
}

static double interp_alone(const gs_workload *w, uint64_t work)
{
    struct timespec a, b;
    int64_t sum;
    char err[GS_ERRMSG_MAX];
    clock_gettime(CLOCK_MONOTONIC, &a);
    if (gs_workload_sequential(w, 0, work, &sum, err) != 0)
        exit(1);
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

static void costs(bench_report *rep, const gs_workload *w)
{
    static gs_run_summary s;
    const uint64_t work = 4000; /* about 0.15 s */
    double alone[BENCH_REPS], locked[BENCH_REPS], no_events[BENCH_REPS], lock_cost[BENCH_REPS],
        rec_cost[BENCH_REPS];
    gs_run_config with = config(w, 1, work, 5000000), without = with;
    without.event_cap = 0;
    for (int r = 0; r < BENCH_REPS; r++) { /* interleaved: drift hits all three; costs from each triple */
        alone[r] = interp_alone(w, work);
        locked[r] = run_once(&with, &s);
        no_events[r] = run_once(&without, &s);
        lock_cost[r] = (no_events[r] / alone[r] - 1) * 100;
        rec_cost[r] = (locked[r] / no_events[r] - 1) * 100;
    }
    bench_figure a, l, n;
    bench_summarize(&a, alone, BENCH_REPS);
    bench_summarize(&l, locked, BENCH_REPS);
    bench_summarize(&n, no_events, BENCH_REPS);
    bench_add(rep, "lock", "1 thread, interpreter alone (s)", "s", &a);
    bench_add(rep, "lock", "1 thread under the lock, events on (s)", "s", &l);
    bench_add(rep, "lock", "1 thread under the lock, events off (s)", "s", &n);
    bench_summarize(&a, lock_cost, BENCH_REPS);
    bench_add(rep, "lock", "lock cost for one thread (paired runs)", "%", &a);
    bench_summarize(&a, rec_cost, BENCH_REPS);
    bench_add(rep, "lock", "recording cost (paired runs)", "%", &a);
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
    double p50 = (double)gs_hist_percentile(&r.workers[0].io_latency, 50) / 1e6;
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
        double c = run_once(&cpython, &s), l1 = run_once(&one, &s), l2 = run_once(&two, &s);
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
