/* demo_lock.c - the demonstrations of the lock's own behaviour: the
 * convoy, the switch interval, Python 2's battle on multicore, and async
 * tasks on one loop (see demo.h). */
#include "demo.h"

/* ---- convoy and switch-interval: one I/O thread among CPU threads ---- */

/* Runs one I/O thread beside k CPU threads, each of which computes for
 * about as long alone as the I/O thread's operations take alone; taking
 * turns, the CPU threads run for k times that, so the window of
 * gs_summarize_convoy_io() is long for every k. */
static int convoy_measure(demo_ctx *d, gs_workload *wl, uint32_t k, uint64_t interval_ns, gs_convoy_io *row,
                          gs_experiment *keep)
{
    uint64_t ops = d->quick ? 100 : 300; /* 1 ms each */
    wl->unit_size = gs_countdown_unit_size(ops, ops * 1000000u, d->sim ? d->model.instruction_ns : 0);
    gs_run_config cfg = demo_config(d, GS_MODE_THREADS, wl, k + 1, ops);
    cfg.weak = true;
    cfg.gil.interval_ns = interval_ns;
    gs_experiment e;
    if (demo_measure(d, &cfg, &e) != 0) {
        gs_experiment_free(&e);
        return -1;
    }
    gs_summarize_convoy_io(demo_result(&e), row);
    if (keep)
        *keep = e;
    else
        gs_experiment_free(&e);
    return 0;
}

uint32_t demo_convoy_runs(const demo_ctx *d) { (void)d; return 4; }

int demo_convoy_run(demo_ctx *d)
{
    gs_workload wl;
    if (demo_load(&wl, GS_WL_CONVOY) != 0)
        return GS_ERR_FAILED;
    static const uint32_t ks[] = {0, 1, 2, 4};
    uint32_t n = 4;
    gs_convoy_io rows[4];
    gs_experiment traced = {0};
    int rc = GS_OK;
    for (uint32_t i = 0; i < n && rc == GS_OK; i++)
        if (convoy_measure(d, &wl, ks[i], GS_INTERVAL_DEFAULT_NS, &rows[i], ks[i] == 2 ? &traced : NULL) != 0)
            rc = GS_ERR_FAILED;
    gs_progress_end(d->shown);
    if (rc == GS_OK) {
        char a[32];
        gs_table t;
        gs_table_init(&t, "CPU threads|I/O thread ops/s|I/O p50|I/O p99|lock wait p99");
        for (uint32_t i = 0; i < n; i++) {
            gs_table_cell(&t, "%u", ks[i]);
            gs_table_cell(&t, "%.0f", rows[i].io_per_s);
            bool none = rows[i].ops == 0; /* no operation in the window: no latency to show */
            gs_table_cell(&t, "%s", none ? "-" : gs_fmt_ns((double)rows[i].io_p50, a));
            gs_table_cell(&t, "%s", none ? "-" : gs_fmt_ns((double)rows[i].io_p99, a));
            gs_table_cell(&t, "%s", none ? "-" : gs_fmt_ns((double)rows[i].wait_p99, a));
        }
        demo_table(d, &t);
        printf("(counted while every CPU thread was running)\n");
        demo_figure(d, "I/O ops/s, alone", "%.0f", rows[0].io_per_s);
        for (uint32_t i = 1; i < n; i++) {
            char label[64];
            snprintf(label, sizeof label, "beside %u CPU thread%s", ks[i], ks[i] == 1 ? "" : "s");
            demo_figure(d, label, "%.0f", rows[i].io_per_s);
        }
        bool means = demo_means(d);
        gs_convoy_figures f = {.nrows = n};
        for (uint32_t i = 0; i < n; i++)
            f.rows[i] = (gs_convoy_row){.cpu_threads = ks[i], .io_per_s = rows[i].io_per_s, .ops = rows[i].ops,
                                        .window_ns = rows[i].window_ns, .io_p50_ns = rows[i].io_p50,
                                        .forced = rows[i].forced, .to_asker = rows[i].to_asker,
                                        .io_took = rows[i].io_took, .cpu_took = rows[i].cpu_took};
        if (means)
            gs_conclude_convoy(stdout, &f);
        if (demo_write_trace(d, &traced, "The run of the I/O thread (thread 0) beside 2 CPU-bound threads "
                             "(threads 1 and 2), at CPython's 5 ms switch interval.") != 0)
            rc = GS_ERR_FAILED;
    }
    gs_experiment_free(&traced);
    gs_workload_free(&wl);
    return rc;
}

static const uint64_t intervals[] = {100000, 1000000, 5000000, 50000000};

uint32_t demo_si_runs(const demo_ctx *d) { return 2 * (d->quick ? 2 : 4); }

int demo_si_run(demo_ctx *d)
{
    gs_workload cpu, convoy;
    if (demo_load(&cpu, GS_WL_COUNTDOWN) != 0)
        return GS_ERR_FAILED;
    if (demo_load(&convoy, GS_WL_CONVOY) != 0) {
        gs_workload_free(&cpu);
        return GS_ERR_FAILED;
    }
    uint32_t n = d->quick ? 2 : 4;
    const uint64_t *iv = d->quick ? intervals + 1 : intervals;
    double wall[4], switches[4];
    gs_convoy_io rows[4];
    int rc = GS_OK;
    for (uint32_t i = 0; i < n && rc == GS_OK; i++) {
        gs_run_config cfg = demo_config(d, GS_MODE_THREADS, &cpu, 2, d->quick ? 500 : 5000);
        cfg.gil.interval_ns = iv[i];
        cfg.event_cap = 0;
        gs_experiment e;
        if (demo_measure(d, &cfg, &e) != 0) {
            rc = GS_ERR_FAILED;
        } else {
            wall[i] = demo_summary(&e)->wall_s;
            switches[i] = demo_summary(&e)->switches_per_s;
        }
        gs_experiment_free(&e);
        if (rc == GS_OK && convoy_measure(d, &convoy, 1, iv[i], &rows[i], NULL) != 0)
            rc = GS_ERR_FAILED;
    }
    gs_progress_end(d->shown);
    if (rc == GS_OK) {
        char a[32];
        gs_table t;
        gs_table_init(&t, "interval|2 CPU threads: wall|switches/s|I/O thread latency p50");
        for (uint32_t i = 0; i < n; i++) {
            gs_table_cell(&t, "%s", gs_fmt_ns((double)iv[i], a));
            gs_table_cell(&t, "%s", gs_fmt_ns(wall[i] * 1e9, a));
            gs_table_cell(&t, "%.0f", switches[i]);
            gs_table_cell(&t, "%s", rows[i].ops ? gs_fmt_ns((double)rows[i].io_p50, a) : "-");
        }
        demo_table(d, &t);
        for (uint32_t i = 0; i < n; i = i + 1 < n - 1 ? n - 1 : i + 1) { /* the first and the last */
            char label[64];
            snprintf(label, sizeof label, "I/O latency p50 at %s", gs_fmt_ns((double)iv[i], a));
            demo_figure(d, label, "%s", gs_fmt_ns((double)rows[i].io_p50, a));
        }
        demo_figure(d, "switches/s at the shortest", "%.0f", switches[0]);
        bool means = demo_means(d);
        gs_interval_figures f = {.nrows = n};
        for (uint32_t i = 0; i < n; i++)
            f.rows[i] = (gs_interval_row){.interval_ns = iv[i], .wall_s = wall[i], .switches_per_s = switches[i],
                                          .io_p50_ns = rows[i].io_p50, .io_ops = rows[i].ops};
        if (means)
            gs_conclude_switch_interval(stdout, &f);
    }
    gs_workload_free(&cpu);
    gs_workload_free(&convoy);
    return rc;
}

/* ---- legacy-battle ---- */

/* Beazley's experiment: 2 threads on 1, 2 and 4 cores (the modelled
 * machine's count set per run; in real time, pinned, as far as this
 * machine has cores). */
uint32_t demo_lb_cores(const demo_ctx *d, uint32_t cores[GS_SWEEP_MAX_COUNTS])
{
    static const uint32_t wanted[GS_LEGACY_ROWS] = {1, 2, 4};
    uint32_t n = 0;
    for (uint32_t i = 0; i < GS_LEGACY_ROWS; i++)
        if (wanted[i] <= (d->sim ? d->model.cores : d->pinned ? d->pinned : gs_cpus_allowed()))
            cores[n++] = wanted[i];
    return n;
}

uint32_t demo_lb_runs(const demo_ctx *d)
{
    uint32_t cores[GS_SWEEP_MAX_COUNTS];
    return 3 + demo_lb_cores(d, cores);
}

/* One run of the battle's work: policy, threads, on cores (0: as the demo's
 * machine is). */
static int lb_measure(demo_ctx *d, const gs_workload *wl, gs_gil_policy policy, uint32_t threads, uint32_t cores,
                      gs_experiment *e)
{
    gs_run_config cfg = demo_config(d, GS_MODE_THREADS, wl, threads, d->quick ? 300 : 8000);
    cfg.gil.policy = policy;
    gs_sim_model m = d->model;
    if (cores && d->sim) {
        m.cores = cores;
        cfg.sim = &m;
    } else {
        cfg.cores = cores;
    }
    return demo_measure(d, &cfg, e);
}

int demo_lb_run(demo_ctx *d)
{
    gs_workload wl;
    if (demo_load(&wl, GS_WL_COUNTDOWN) != 0)
        return GS_ERR_FAILED;
    gs_legacy_figures f = {.check_interval = GS_CHECK_INTERVAL_DEFAULT};
    uint32_t cores[GS_SWEEP_MAX_COUNTS];
    f.nrows = demo_lb_cores(d, cores);
    memcpy(f.cores, cores, f.nrows * sizeof *cores);
    uint32_t top = f.cores[f.nrows - 1];
    gs_experiment e, traced = {0};
    int rc = lb_measure(d, &wl, GS_GIL_LEGACY, 1, top, &e);
    if (rc == 0) {
        f.legacy_one_s = demo_summary(&e)->wall_s;
        f.ticks_alone = demo_summary(&e)->lock.tick_drops;
    }
    gs_experiment_free(&e);
    bool have_battle = false;
    for (uint32_t i = 0; i < f.nrows && rc == 0; i++) {
        rc = lb_measure(d, &wl, GS_GIL_LEGACY, 2, f.cores[i], &e);
        if (rc == 0) {
            f.legacy_two_s[i] = demo_summary(&e)->wall_s;
            if (f.cores[i] >= 2 && !have_battle) {
                f.tick_drops = demo_summary(&e)->lock.tick_drops;
                f.futile_wakeups = demo_summary(&e)->lock.futile_wakeups;
                traced = e;
                have_battle = true;
                continue;
            }
        }
        gs_experiment_free(&e);
    }
    for (uint32_t w = 1; w <= 2 && rc == 0; w++) {
        rc = lb_measure(d, &wl, GS_GIL_CPYTHON, w, top, &e);
        if (rc == 0)
            f.cpython_wall_s[w - 1] = demo_summary(&e)->wall_s;
        gs_experiment_free(&e);
    }
    gs_progress_end(d->shown);
    if (rc == 0) {
        char a[32];
        gs_table t;
        gs_table_init(&t, "<lock|cores|1 thread|2 threads|2 threads vs 1");
        for (uint32_t i = 0; i <= f.nrows; i++) {
            bool legacy = i < f.nrows;
            double one = legacy ? f.legacy_one_s : f.cpython_wall_s[0];
            double two = legacy ? f.legacy_two_s[i] : f.cpython_wall_s[1];
            gs_table_cell(&t, "%s", legacy ? "legacy" : "cpython");
            gs_table_cell(&t, "%u", legacy ? f.cores[i] : top);
            gs_table_cell(&t, "%s", gs_fmt_ns(one * 1e9, a));
            gs_table_cell(&t, "%s", gs_fmt_ns(two * 1e9, a));
            gs_table_cell(&t, "%.2fx", two / one);
            char label[64];
            snprintf(label, sizeof label, "2 threads vs 1, %s lock, %u core%s", legacy ? "Python 2's" : "CPython's",
                     legacy ? f.cores[i] : top, (legacy ? f.cores[i] : top) == 1 ? "" : "s");
            demo_figure(d, label, "%.2fx", two / one);
        }
        demo_table(d, &t);
        printf("Beazley, Python 2.6 on a dual core (2009): 1 thread 24.6 s; 2 threads 45.5 s on\n"
               "2 cores (1.85x), 38.0 s on 1 core (1.54x).  Python 2.7.18 on Linux (2026, the\n"
               "development VM): 1.6x to 1.9x on 2 cores, 1.0x on 1 core.\n");
        /* two threads that only compute under one lock run one at a time:
         * a 1-thread run slower than them was slowed by something else */
        if (f.cpython_wall_s[1] * GS_ONE_LOCK_SPEEDUP_MAX < f.cpython_wall_s[0])
            demo_doubt(d, "under CPython's lock 2 threads took %.2fx as long as 1, but two threads that only "
                       "compute under one lock cannot be much faster than one: the 1-thread run was slowed by "
                       "something else", f.cpython_wall_s[1] / f.cpython_wall_s[0]);
        if (demo_means(d))
            gs_conclude_legacy_battle(stdout, &f);
        char caption[256];
        snprintf(caption, sizeof caption, "The run of 2 threads under Python 2's lock on %u cores: both only "
                 "compute, and fight for the lock at every release, each check interval.",
                 have_battle ? demo_result(&traced)->cfg.sim ? demo_result(&traced)->cfg.sim->cores
                                                             : demo_result(&traced)->cfg.cores : 0);
        if (have_battle && demo_write_trace(d, &traced, caption) != 0)
            rc = GS_ERR_FAILED;
    }
    gs_experiment_free(&traced);
    gs_workload_free(&wl);
    return rc == 0 ? GS_OK : GS_ERR_FAILED;
}

/* ---- async ---- */

uint32_t demo_async_runs(const demo_ctx *d) { (void)d; return 4; }

int demo_async_run(demo_ctx *d)
{
    gs_workload io, convoy;
    if (demo_load(&io, GS_WL_IO_BOUND) != 0)
        return GS_ERR_FAILED;
    if (demo_load(&convoy, GS_WL_CONVOY) != 0) {
        gs_workload_free(&io);
        return GS_ERR_FAILED;
    }
    double wall[2];
    uint64_t lag[2], io_max[2], computed = 0;
    gs_experiment traced = {0};
    int rc = GS_OK;
    uint64_t units = d->quick ? 40 : 400;
    for (uint32_t i = 0; i < 2 && rc == GS_OK; i++) {
        gs_run_config cfg = demo_config(d, GS_MODE_ASYNC, &io, i ? 8 : 1, units);
        gs_experiment e;
        rc = demo_measure(d, &cfg, &e) == 0 ? GS_OK : GS_ERR_FAILED;
        if (rc == GS_OK)
            wall[i] = demo_summary(&e)->wall_s;
        gs_experiment_free(&e);
    }
    uint64_t ops = d->quick ? 15 : 40;
    for (uint32_t k = 0; k < 2 && rc == GS_OK; k++) {
        /* 10 ms of computing per unit, no pause */
        convoy.unit_size = gs_countdown_unit_size(ops, 10000000u * ops, d->sim ? d->model.instruction_ns : 0);
        gs_run_config cfg = demo_config(d, GS_MODE_ASYNC, &convoy, 1 + k, ops);
        cfg.weak = true;
        gs_experiment e;
        rc = demo_measure(d, &cfg, &e) == 0 ? GS_OK : GS_ERR_FAILED;
        if (rc == GS_OK) {
            const gs_worker_result *w = &demo_result(&e)->workers[0];
            lag[k] = gs_worker_hist_percentile(&w->loop_lag, 99);
            io_max[k] = w->io_latency.max;
            if (k == 1)
                computed = demo_result(&e)->workers[1].cpu_ns;
        }
        if (rc == GS_OK && k == 1)
            traced = e;
        else
            gs_experiment_free(&e);
    }
    gs_progress_end(d->shown);
    if (rc == GS_OK) {
        char a[32];
        gs_table t;
        gs_table_init(&t, "<I/O-bound tasks, the same work in all|wall|vs 1 task");
        for (uint32_t i = 0; i < 2; i++) {
            gs_table_cell(&t, "%s", i ? "8 tasks" : "1 task");
            gs_table_cell(&t, "%s", gs_fmt_ns(wall[i] * 1e9, a));
            gs_table_cell(&t, "%.2fx", wall[i] > 0 ? wall[0] / wall[i] : 0);
        }
        demo_table(d, &t);
        putchar('\n');
        gs_table_init(&t, "<one task doing 1 ms sleeps|loop lag p99|longest sleep");
        for (uint32_t i = 0; i < 2; i++) {
            gs_table_cell(&t, "%s", i ? "beside a task that computes" : "alone");
            gs_table_cell(&t, "%s", gs_fmt_ns((double)lag[i], a));
            gs_table_cell(&t, "%s", gs_fmt_ns((double)io_max[i], a));
        }
        demo_table(d, &t);
        demo_figure(d, "8 I/O tasks vs 1", "%.2fx", wall[1] > 0 ? wall[0] / wall[1] : 0);
        demo_figure(d, "loop lag p99, alone", "%s", gs_fmt_ns((double)lag[0], a));
        demo_figure(d, "beside a task that computes", "%s", gs_fmt_ns((double)lag[1], a));
        if (demo_means(d))
            gs_conclude_async(stdout, &(gs_async_figures){.wall_s = {wall[0], wall[1]},
                                                      .lag_p99_ns = {lag[0], lag[1]}, .computed_ns = computed});
        if (demo_write_trace(d, &traced, "The run of a task doing 1 ms sleeps (task 0) beside a task that "
                             "computes without pausing (task 1), on one loop in one thread.") != 0)
            rc = GS_ERR_FAILED;
    }
    gs_experiment_free(&traced);
    gs_workload_free(&io);
    gs_workload_free(&convoy);
    return rc;
}

