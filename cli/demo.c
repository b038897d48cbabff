/* demo.c - `gilsim demo [NAME]`: classroom demonstrations.
 *
 * Each demonstration says in a few sentences what it will show, runs its
 * experiments on the spot (with a progress bar on a terminal), prints the
 * figures side by side, and ends with what they mean.  The closing words
 * are computed from the figures just measured: where a figure did not show
 * the expected effect the demo says so, with the numbers, rather than
 * printing the textbook claim.  --quick runs every demo small (for tests
 * and impatient classrooms). */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../reports/report.h"
#include "cli.h"
#include "conclusions.h"
#include "options.h"
#include "parse.h"
#include "progress.h"

typedef struct {
    bool quick;
    const char *plot, *trace;
    bool sim;               /* --sim: on model, in virtual time */
    gs_sim_model model;
    gs_host host;
    gs_progress bar, *shown;
    uint32_t done, total;   /* runs, for the progress bar */
} demo_ctx;

typedef struct {
    const char *name;
    const char *about;      /* one line, for the list */
    const char *intro;      /* what it will show */
    bool plots, traces;     /* whether --plot / --trace mean something */
    uint32_t (*runs)(const demo_ctx *); /* how many runs, for progress */
    int (*run)(demo_ctx *);
} demo;

/* ---- running experiments ---- */

static void advance(uint32_t done, uint32_t total, void *arg)
{
    (void)total;
    demo_ctx *d = arg;
    gs_progress_update(d->done + done, d->total, d->shown);
}

static gs_run_config base_config(const demo_ctx *d, gs_mode mode, const gs_workload *wl, uint32_t workers,
                                 uint64_t work)
{
    return (gs_run_config){.mode = mode, .workers = workers, .workload = wl, .work = work,
                           .gil = {.policy = GS_GIL_CPYTHON, .interval_ns = GS_INTERVAL_DEFAULT_NS,
                                   .force_switching = true, .check_interval = GS_CHECK_INTERVAL_DEFAULT},
                           .io_latency_ns = 1000000, .event_cap = GS_DEFAULT_EVENTS,
                           .sim = d->sim ? &d->model : NULL};
}

/* The cores the demo's machine has: the modelled ones in virtual time. */
static long cores_of(const demo_ctx *d)
{
    return d->sim ? (long)d->model.cores : d->host.cores;
}

/* Runs cfg once (the demos' figures are large effects, not fine ones) and
 * keeps the run in e for the caller to read and free.  Returns 0, or -1
 * after saying why. */
static int measure(demo_ctx *d, const gs_run_config *cfg, gs_experiment *e)
{
    *e = (gs_experiment){.cfg = *cfg, .repeat = 1};
    char err[256];
    int rc = gs_experiment_run(e, err, advance, d);
    d->done += 1;
    if (rc != 0) {
        gs_progress_end(d->shown);
        fprintf(stderr, "gilsim: %s\n", err);
    }
    return rc;
}

static const gs_run_summary *summary(const gs_experiment *e) { return &e->summaries[e->median]; }
static const gs_run_result *result(const gs_experiment *e) { return &e->runs[e->median]; }

static int sweep(demo_ctx *d, gs_sweep *s)
{
    char err[256];
    uint32_t base = d->done;
    int rc = gs_sweep_run(s, err, advance, d);
    d->done = base + gs_sweep_total_runs(s);
    if (rc != 0) {
        gs_progress_end(d->shown);
        fprintf(stderr, "gilsim: %s\n", err);
    }
    return rc;
}

static int load(gs_workload *wl, gs_workload_kind kind)
{
    char err[GS_ERRMSG_MAX];
    gs_workload_spec spec = {.kind = kind, .io_kind = GS_IO_SLEEP, .io_latency_ns = 1000000};
    if (gs_workload_load(wl, &spec, err) != 0) {
        fprintf(stderr, "gilsim: %s\n", err);
        return -1;
    }
    return 0;
}

static int write_trace(const demo_ctx *d, const gs_experiment *e)
{
    char err[256];
    if (!d->trace)
        return 0;
    if (gs_report_trace(d->trace, result(e), err) != 0) {
        fprintf(stderr, "gilsim: %s\n", err);
        return -1;
    }
    printf("\nThe trace of %u %s is in %s: open it in ui.perfetto.dev.\n", result(e)->nworkers,
           gs_mode_plural[result(e)->cfg.mode], d->trace);
    return 0;
}

static int write_plot(const demo_ctx *d, const gs_sweep *s)
{
    char err[512];
    if (!d->plot)
        return 0;
    if (gs_report_plot(d->plot, GS_PLOT_SPEEDUP, s, &d->host, err) != 0) {
        fprintf(stderr, "gilsim: %s\n", err);
        return -1;
    }
    printf("\nThe scaling curves are in %s.\n", d->plot);
    return 0;
}

/* The speedup of the sweep's point for mode at the most workers. */
static const gs_sweep_point *last_point(const gs_sweep *s, gs_mode mode)
{
    const gs_sweep_point *found = NULL;
    for (uint32_t i = 0; i < s->npoints; i++)
        if (s->points[i].mode == mode)
            found = &s->points[i];
    return found;
}

/* ---- threads-vs-processes, io-bound, free-threading: sweeps ---- */

/* The most workers a sweep demo runs: 8 (4 with --quick), or the modelled
 * machine's cores in virtual time (at most 64). */
static uint32_t top_count(const demo_ctx *d)
{
    if (d->sim)
        return d->model.cores < 64 ? d->model.cores : 64;
    return d->quick ? 4 : 8;
}

/* The worker counts of a sweep demo: powers of two up to top_count, and
 * top_count itself.  Returns how many. */
static uint32_t sweep_counts(const demo_ctx *d, uint32_t counts[GS_SWEEP_MAX_COUNTS])
{
    uint32_t n = 0, top = top_count(d);
    for (uint32_t w = 1; w < top; w *= 2)
        counts[n++] = w;
    counts[n++] = top;
    return n;
}

static void sweep_setup(const demo_ctx *d, gs_sweep *s, const gs_workload *wl, uint64_t work)
{
    *s = (gs_sweep){.cfg = base_config(d, GS_MODE_THREADS, wl, 1, work), .nworkloads = 1, .repeat = 1};
    s->cfg.event_cap = 0;
    s->jobs = d->sim ? gs_cpus_allowed() : 1; /* virtual time: points at once, the same figures */
    s->workloads[0] = wl;
    s->ncounts = sweep_counts(d, s->counts);
}

static uint32_t ncounts(const demo_ctx *d)
{
    uint32_t counts[GS_SWEEP_MAX_COUNTS];
    return sweep_counts(d, counts);
}

static uint32_t tvp_runs(const demo_ctx *d) { return 2 * ncounts(d); }

static int tvp_run(demo_ctx *d)
{
    gs_workload wl;
    if (load(&wl, GS_WL_COUNTDOWN) != 0)
        return GS_EXIT_FAILURE;
    gs_sweep s;
    uint64_t work = d->quick ? 500 : 5000; /* about 0.2 s for one worker */
    if (d->sim && !d->quick && work < 1250ull * top_count(d))
        work = 1250ull * top_count(d); /* 50 ms a process at the top, so that starting them matters little */
    sweep_setup(d, &s, &wl, work);
    s.modes[s.nmodes++] = GS_MODE_THREADS;
    s.modes[s.nmodes++] = GS_MODE_PROCESSES;
    int rc = sweep(d, &s) == 0 ? GS_EXIT_OK : GS_EXIT_FAILURE;
    if (rc == GS_EXIT_OK) {
        gs_progress_end(d->shown);
        gs_report_sweep_text(stdout, &s, &d->host);
        const gs_sweep_point *t = last_point(&s, GS_MODE_THREADS), *p = last_point(&s, GS_MODE_PROCESSES);
        printf("\nWhat it means:\n");
        gs_conclude_threads_vs_processes(stdout, &(gs_tvp_figures){
            .cores = cores_of(d), .threads = t->workers, .thread_speedup = t->speedup,
            .held_fraction = t->median.held_fraction, .processes = p->workers, .process_speedup = p->speedup,
            .process_wall_s = p->median.wall_s, .process_spawn_s = p->median.spawn_s});
        if (write_plot(d, &s) != 0)
            rc = GS_EXIT_FAILURE;
    }
    gs_sweep_free(&s);
    gs_workload_free(&wl);
    return rc;
}

static uint32_t io_runs(const demo_ctx *d) { return ncounts(d); }

static int io_run(demo_ctx *d)
{
    gs_workload wl;
    if (load(&wl, GS_WL_IO_BOUND) != 0)
        return GS_EXIT_FAILURE;
    gs_sweep s;
    sweep_setup(d, &s, &wl, d->quick ? 40 : 400);
    s.modes[s.nmodes++] = GS_MODE_THREADS;
    int rc = sweep(d, &s) == 0 ? GS_EXIT_OK : GS_EXIT_FAILURE;
    if (rc == GS_EXIT_OK) {
        gs_progress_end(d->shown);
        gs_report_sweep_text(stdout, &s, &d->host);
        const gs_sweep_point *t = last_point(&s, GS_MODE_THREADS);
        printf("\nWhat it means:\n");
        gs_conclude_io_bound(stdout, &(gs_io_figures){.cores = cores_of(d), .threads = t->workers,
                                                      .speedup = t->speedup,
                                                      .held_fraction = t->median.held_fraction});
        if (write_plot(d, &s) != 0)
            rc = GS_EXIT_FAILURE;
    }
    gs_sweep_free(&s);
    gs_workload_free(&wl);
    return rc;
}

static uint32_t ft_runs(const demo_ctx *d) { return 2 * ncounts(d); }

static int ft_run(demo_ctx *d)
{
    gs_workload wl;
    if (load(&wl, GS_WL_COUNTDOWN) != 0)
        return GS_EXIT_FAILURE;
    gs_sweep with_lock, without;
    sweep_setup(d, &with_lock, &wl, d->quick ? 500 : 5000);
    with_lock.modes[with_lock.nmodes++] = GS_MODE_THREADS;
    without = with_lock;
    without.cfg.gil.policy = GS_GIL_NONE;
    int rc = sweep(d, &with_lock) == 0 && sweep(d, &without) == 0 ? GS_EXIT_OK : GS_EXIT_FAILURE;
    if (rc == GS_EXIT_OK) {
        gs_progress_end(d->shown);
        printf("%7s %22s %22s\n", "threads", "cpython lock: speedup", "no lock: speedup");
        for (uint32_t i = 0; i < with_lock.npoints && i < without.npoints; i++)
            printf("%7u %21.2fx %21.2fx\n", with_lock.points[i].workers, with_lock.points[i].speedup,
                   without.points[i].speedup);
        const gs_sweep_point *a = last_point(&with_lock, GS_MODE_THREADS), *b = last_point(&without, GS_MODE_THREADS);
        printf("\nWhat it means:\n");
        gs_conclude_free_threading(stdout, &(gs_ft_figures){.cores = cores_of(d), .threads = b->workers,
                                                            .lock_speedup = a->speedup,
                                                            .nolock_speedup = b->speedup});
    }
    gs_sweep_free(&with_lock);
    gs_sweep_free(&without);
    gs_workload_free(&wl);
    return rc;
}

/* ---- convoy and switch-interval: one I/O thread among CPU threads ---- */

/* Runs one I/O thread beside k CPU threads, each of which computes for
 * about as long alone as the I/O thread's operations take alone; taking
 * turns, the CPU threads run for k times that, so the window of
 * gs_summarize_convoy_io() is long for every k. */
static int convoy_measure(demo_ctx *d, gs_workload *wl, uint32_t k, uint64_t interval_ns, gs_convoy_io *row,
                          gs_experiment *keep)
{
    uint64_t ops = d->quick ? 100 : 300; /* 1 ms each */
    wl->unit_size = gs_countdown_unit_size(ops, ops * 1000000u);
    gs_run_config cfg = base_config(d, GS_MODE_THREADS, wl, k + 1, ops);
    cfg.weak = true;
    cfg.gil.interval_ns = interval_ns;
    gs_experiment e;
    if (measure(d, &cfg, &e) != 0) {
        gs_experiment_free(&e);
        return -1;
    }
    gs_summarize_convoy_io(result(&e), row);
    if (keep)
        *keep = e;
    else
        gs_experiment_free(&e);
    return 0;
}

static uint32_t convoy_runs(const demo_ctx *d) { return d->quick ? 3 : 4; }

static int convoy_run(demo_ctx *d)
{
    gs_workload wl;
    if (load(&wl, GS_WL_CONVOY) != 0)
        return GS_EXIT_FAILURE;
    static const uint32_t ks[] = {0, 1, 2, 4};
    uint32_t n = d->quick ? 3 : 4;
    gs_convoy_io rows[4];
    gs_experiment traced = {0};
    int rc = GS_EXIT_OK;
    for (uint32_t i = 0; i < n && rc == GS_EXIT_OK; i++)
        if (convoy_measure(d, &wl, ks[i], GS_INTERVAL_DEFAULT_NS, &rows[i], ks[i] == 2 ? &traced : NULL) != 0)
            rc = GS_EXIT_FAILURE;
    gs_progress_end(d->shown);
    if (rc == GS_EXIT_OK) {
        char a[32], b[32], c[32];
        printf("%11s %16s %12s %12s %14s\n", "CPU threads", "I/O thread ops/s", "I/O p50", "I/O p99",
               "lock wait p99");
        for (uint32_t i = 0; i < n; i++)
            printf("%11u %16.0f %12s %12s %14s\n", ks[i], rows[i].io_per_s,
                   gs_fmt_ns((double)rows[i].io_p50, a), gs_fmt_ns((double)rows[i].io_p99, b),
                   gs_fmt_ns((double)rows[i].wait_p99, c));
        printf("(counted while every CPU thread was running)\n\nWhat it means:\n");
        gs_convoy_figures f = {.nrows = n};
        for (uint32_t i = 0; i < n; i++)
            f.rows[i] = (gs_convoy_row){.cpu_threads = ks[i], .io_per_s = rows[i].io_per_s,
                                                .io_p50_ns = rows[i].io_p50};
        gs_conclude_convoy(stdout, &f);
        if (write_trace(d, &traced) != 0)
            rc = GS_EXIT_FAILURE;
    }
    gs_experiment_free(&traced);
    gs_workload_free(&wl);
    return rc;
}

static const uint64_t intervals[] = {100000, 1000000, 5000000, 50000000};

static uint32_t si_runs(const demo_ctx *d) { return 2 * (d->quick ? 2 : 4); }

static int si_run(demo_ctx *d)
{
    gs_workload cpu, convoy;
    if (load(&cpu, GS_WL_COUNTDOWN) != 0)
        return GS_EXIT_FAILURE;
    if (load(&convoy, GS_WL_CONVOY) != 0) {
        gs_workload_free(&cpu);
        return GS_EXIT_FAILURE;
    }
    uint32_t n = d->quick ? 2 : 4;
    const uint64_t *iv = d->quick ? intervals + 1 : intervals;
    double wall[4], switches[4];
    gs_convoy_io rows[4];
    int rc = GS_EXIT_OK;
    for (uint32_t i = 0; i < n && rc == GS_EXIT_OK; i++) {
        gs_run_config cfg = base_config(d, GS_MODE_THREADS, &cpu, 2, d->quick ? 500 : 5000);
        cfg.gil.interval_ns = iv[i];
        cfg.event_cap = 0;
        gs_experiment e;
        if (measure(d, &cfg, &e) != 0) {
            rc = GS_EXIT_FAILURE;
        } else {
            wall[i] = summary(&e)->wall_s;
            switches[i] = summary(&e)->switches_per_s;
        }
        gs_experiment_free(&e);
        if (rc == GS_EXIT_OK && convoy_measure(d, &convoy, 1, iv[i], &rows[i], NULL) != 0)
            rc = GS_EXIT_FAILURE;
    }
    gs_progress_end(d->shown);
    if (rc == GS_EXIT_OK) {
        char a[32], b[32], c[32];
        printf("%9s %20s %12s %24s\n", "interval", "2 CPU threads: wall", "switches/s", "I/O thread latency p50");
        for (uint32_t i = 0; i < n; i++)
            printf("%9s %20s %12.0f %24s\n", gs_fmt_ns((double)iv[i], a), gs_fmt_ns(wall[i] * 1e9, b), switches[i],
                   gs_fmt_ns((double)rows[i].io_p50, c));
        printf("\nWhat it means:\n");
        gs_interval_figures f = {.nrows = n};
        for (uint32_t i = 0; i < n; i++)
            f.rows[i] = (gs_interval_row){.interval_ns = iv[i], .wall_s = wall[i],
                                                .switches_per_s = switches[i], .io_p50_ns = rows[i].io_p50};
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
static uint32_t lb_cores(const demo_ctx *d, uint32_t cores[GS_LEGACY_ROWS])
{
    static const uint32_t wanted[GS_LEGACY_ROWS] = {1, 2, 4};
    uint32_t n = 0;
    for (uint32_t i = 0; i < GS_LEGACY_ROWS; i++)
        if (d->sim || wanted[i] <= gs_cpus_allowed())
            cores[n++] = wanted[i];
    return n;
}

static uint32_t lb_runs(const demo_ctx *d)
{
    uint32_t cores[GS_LEGACY_ROWS];
    return 3 + lb_cores(d, cores);
}

/* One run of the battle's work: policy, threads, on cores (0: as the demo's
 * machine is). */
static int lb_measure(demo_ctx *d, const gs_workload *wl, gs_gil_policy policy, uint32_t threads, uint32_t cores,
                      gs_experiment *e)
{
    gs_run_config cfg = base_config(d, GS_MODE_THREADS, wl, threads, d->quick ? 300 : 8000);
    cfg.gil.policy = policy;
    gs_sim_model m = d->model;
    if (cores && d->sim) {
        m.cores = cores;
        cfg.sim = &m;
    } else {
        cfg.cores = cores;
    }
    return measure(d, &cfg, e);
}

static int lb_run(demo_ctx *d)
{
    gs_workload wl;
    if (load(&wl, GS_WL_COUNTDOWN) != 0)
        return GS_EXIT_FAILURE;
    gs_legacy_figures f = {.check_interval = GS_CHECK_INTERVAL_DEFAULT};
    f.nrows = lb_cores(d, f.cores);
    uint32_t top = f.cores[f.nrows - 1];
    gs_experiment e, traced = {0};
    int rc = lb_measure(d, &wl, GS_GIL_LEGACY, 1, top, &e);
    if (rc == 0) {
        f.legacy_one_s = summary(&e)->wall_s;
        f.ticks_alone = summary(&e)->lock.tick_drops;
    }
    gs_experiment_free(&e);
    bool have_battle = false;
    for (uint32_t i = 0; i < f.nrows && rc == 0; i++) {
        rc = lb_measure(d, &wl, GS_GIL_LEGACY, 2, f.cores[i], &e);
        if (rc == 0) {
            f.legacy_two_s[i] = summary(&e)->wall_s;
            if (f.cores[i] >= 2 && !have_battle) {
                f.tick_drops = summary(&e)->lock.tick_drops;
                f.futile_wakeups = summary(&e)->lock.futile_wakeups;
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
            f.cpython_wall_s[w - 1] = summary(&e)->wall_s;
        gs_experiment_free(&e);
    }
    gs_progress_end(d->shown);
    if (rc == 0) {
        char a[32], b[32];
        printf("%-8s %6s %12s %12s %16s\n", "lock", "cores", "1 thread", "2 threads", "2 threads vs 1");
        for (uint32_t i = 0; i < f.nrows; i++)
            printf("%-8s %6u %12s %12s %15.2fx\n", "legacy", f.cores[i], gs_fmt_ns(f.legacy_one_s * 1e9, a),
                   gs_fmt_ns(f.legacy_two_s[i] * 1e9, b), f.legacy_two_s[i] / f.legacy_one_s);
        printf("%-8s %6u %12s %12s %15.2fx\n", "cpython", top, gs_fmt_ns(f.cpython_wall_s[0] * 1e9, a),
               gs_fmt_ns(f.cpython_wall_s[1] * 1e9, b), f.cpython_wall_s[1] / f.cpython_wall_s[0]);
        printf("Beazley, Python 2.6 on a dual core (2009): 1 thread 24.6 s; 2 threads 45.5 s on\n"
               "2 cores (1.85x), 38.0 s on 1 core (1.54x).\n");
        printf("\nWhat it means:\n");
        gs_conclude_legacy_battle(stdout, &f);
        if (have_battle && write_trace(d, &traced) != 0)
            rc = GS_EXIT_FAILURE;
    }
    gs_experiment_free(&traced);
    gs_workload_free(&wl);
    return rc == 0 ? GS_EXIT_OK : GS_EXIT_FAILURE;
}

/* ---- async ---- */

static uint32_t async_runs(const demo_ctx *d) { (void)d; return 4; }

static int async_run(demo_ctx *d)
{
    gs_workload io, convoy;
    if (load(&io, GS_WL_IO_BOUND) != 0)
        return GS_EXIT_FAILURE;
    if (load(&convoy, GS_WL_CONVOY) != 0) {
        gs_workload_free(&io);
        return GS_EXIT_FAILURE;
    }
    double wall[2];
    uint64_t lag[2], io_max[2], computed = 0;
    gs_experiment traced = {0};
    int rc = GS_EXIT_OK;
    uint64_t units = d->quick ? 40 : 400;
    for (uint32_t i = 0; i < 2 && rc == GS_EXIT_OK; i++) {
        gs_run_config cfg = base_config(d, GS_MODE_ASYNC, &io, i ? 8 : 1, units);
        gs_experiment e;
        rc = measure(d, &cfg, &e) == 0 ? GS_EXIT_OK : GS_EXIT_FAILURE;
        if (rc == GS_EXIT_OK)
            wall[i] = summary(&e)->wall_s;
        gs_experiment_free(&e);
    }
    uint64_t ops = d->quick ? 15 : 40;
    for (uint32_t k = 0; k < 2 && rc == GS_EXIT_OK; k++) {
        convoy.unit_size = gs_countdown_unit_size(ops, 10000000u * ops); /* 10 ms of computing per unit, no pause */
        gs_run_config cfg = base_config(d, GS_MODE_ASYNC, &convoy, 1 + k, ops);
        cfg.weak = true;
        gs_experiment e;
        rc = measure(d, &cfg, &e) == 0 ? GS_EXIT_OK : GS_EXIT_FAILURE;
        if (rc == GS_EXIT_OK) {
            const gs_worker_result *w = &result(&e)->workers[0];
            lag[k] = gs_hist_percentile(&w->loop_lag, 99);
            io_max[k] = w->io_latency.max;
            if (k == 1)
                computed = result(&e)->workers[1].cpu_ns;
        }
        if (rc == GS_EXIT_OK && k == 1)
            traced = e;
        else
            gs_experiment_free(&e);
    }
    gs_progress_end(d->shown);
    if (rc == GS_EXIT_OK) {
        char a[32], b[32], c[32], x[32];
        printf("%-44s %10s\n", "I/O-bound tasks, the same work in all", "wall");
        printf("%-44s %10s\n", "1 task", gs_fmt_ns(wall[0] * 1e9, a));
        printf("%-44s %10s\n\n", "8 tasks", gs_fmt_ns(wall[1] * 1e9, a));
        printf("%-30s %14s %18s\n", "one task doing 1 ms sleeps", "loop lag p99", "longest sleep");
        printf("%-30s %14s %18s\n", "alone", gs_fmt_ns((double)lag[0], a), gs_fmt_ns((double)io_max[0], b));
        printf("%-30s %14s %18s\n", "beside a task that computes", gs_fmt_ns((double)lag[1], c),
               gs_fmt_ns((double)io_max[1], x));
        printf("\nWhat it means:\n");
        gs_conclude_async(stdout, &(gs_async_figures){.wall_s = {wall[0], wall[1]},
                                                      .lag_p99_ns = {lag[0], lag[1]}, .computed_ns = computed});
        if (write_trace(d, &traced) != 0)
            rc = GS_EXIT_FAILURE;
    }
    gs_experiment_free(&traced);
    gs_workload_free(&io);
    gs_workload_free(&convoy);
    return rc;
}

/* ---- the list ---- */

static const demo demos[] = {
    {"threads-vs-processes", "CPU-bound threads versus processes: scaling curves",
     "Threads share one lock and take turns; processes have a lock each and run side by "
     "side. This runs the same CPU-bound work as 1, 2, 4 and more of each, up to 8 (or the "
     "modelled machine's cores), and compares each with one worker.",
     true, false, tvp_runs, tvp_run},
    {"io-bound", "threads scale when the work is I/O",
     "A thread that blocks in I/O gives the lock back. This runs I/O-bound work (a little "
     "computing, then a 1 ms wait, per unit) as 1, 2, 4 and 8 threads.",
     true, false, io_runs, io_run},
    {"convoy", "an I/O thread beside CPU-bound threads: its I/O collapses",
     "One thread does I/O, nothing else; first alone, then beside 1, 2 and 4 CPU-bound "
     "threads. Watch how many I/O operations a second it manages, and how long each one "
     "takes from request to running again.",
     false, true, convoy_runs, convoy_run},
    {"switch-interval", "0.1 to 50 ms: hand-off cost versus I/O latency",
     "The switch interval is how long a waiting thread lets the holder run before asking "
     "for the lock. This runs two CPU-bound threads, then an I/O thread beside a CPU-bound "
     "one, at intervals from 0.1 ms to 50 ms.",
     false, false, si_runs, si_run},
    {"legacy-battle", "Python 2's lock on multicore, then CPython 3.2's",
     "Python 2's lock was released every 100 bytecodes and taken straight back. This "
     "repeats David Beazley's experiment of 2009: the same CPU-bound work as 1 thread, then as 2 "
     "threads on 1, 2 and 4 cores, under that lock; then under CPython's lock since 3.2.",
     false, true, lb_runs, lb_run},
    {"async", "I/O tasks overlap; one CPU-bound task stalls them all",
     "Async tasks share one thread and one event loop. This runs I/O-bound work as 1 and 8 "
     "tasks, then a task doing 1 ms sleeps alone and beside a task that computes without "
     "pausing, as a coroutine that never awaits does.",
     false, true, async_runs, async_run},
    {"free-threading", "CPU-bound threads with the lock and with no lock",
     "Free-threaded CPython (3.13t) runs threads without a global lock. This runs CPU-bound "
     "work as 1, 2, 4 and 8 threads with the lock and without it.",
     false, false, ft_runs, ft_run},
};
#define NDEMOS (sizeof demos / sizeof demos[0])

const char *gs_cli_demo_name(size_t i)
{
    return i < NDEMOS ? demos[i].name : NULL;
}

static void list_demos(void)
{
    printf("gilsim demo NAME [--quick] [--plot FILE] [--trace FILE] [--sim [--cores N] [--seed N]]\n\n"
           "Demonstrations:\n");
    for (size_t i = 0; i < NDEMOS; i++)
        printf("  %-21s %s\n", demos[i].name, demos[i].about);
    printf("\nEach takes under 30 seconds; --quick runs it small. --plot saves the scaling\n"
           "curves (threads-vs-processes, io-bound); --trace saves a run for ui.perfetto.dev\n"
           "(convoy, legacy-battle, async). --sim runs it on a modelled machine of --cores N\n"
           "cores (default 8) in virtual time: the same figures every run, for a --seed.\n"
           "The model's options of gilsim run apply too (--wake-latency D, ...); gilsim\n"
           "calibrate prints this machine's: gilsim demo NAME --sim $(gilsim calibrate -q).\n");
}

static int usage(const char *fmt, const char *arg)
{
    fputs("gilsim: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs(" (see gilsim demo)\n", stderr);
    return GS_EXIT_USAGE;
}

int gs_cli_demo(int argc, char **argv)
{
    enum { OWN = 7, MODEL = 16, MODEL_OPT = 1000 };
    struct option longopts[OWN + MODEL + 1] = {
        {"quick", no_argument, NULL, 'q'}, {"plot", required_argument, NULL, 'p'},
        {"trace", required_argument, NULL, 't'}, {"help", no_argument, NULL, 'h'},
        {"sim", no_argument, NULL, 's'},          {"cores", required_argument, NULL, 'c'},
        {"seed", required_argument, NULL, 'S'},
    };
    for (size_t i = 0; gs_model_option_name(i) && i < MODEL; i++) /* as run and sweep take them */
        longopts[OWN + i] = (struct option){gs_model_option_name(i) + 2, required_argument, NULL, MODEL_OPT + (int)i};
    demo_ctx d = {.model = GS_SIM_MODEL_DEFAULT};
    const char *sim_only = NULL;
    uint64_t n;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        if (c >= MODEL_OPT) {
            if (gs_parse_model_option((size_t)(c - MODEL_OPT), optarg, &d.model) != 0)
                return GS_EXIT_USAGE;
            sim_only = gs_model_option_name((size_t)(c - MODEL_OPT));
            continue;
        }
        switch (c) {
        case 'q': d.quick = true; break;
        case 'p': d.plot = optarg; break;
        case 't': d.trace = optarg; break;
        case 's': d.sim = true; break;
        case 'c':
            if (gs_parse_count("--cores", optarg, 1, GS_MAX_CORES, &n) != 0)
                return GS_EXIT_USAGE;
            d.model.cores = (uint32_t)n;
            sim_only = "--cores";
            break;
        case 'S':
            if (gs_parse_count("--seed", optarg, 0, UINT64_MAX, &d.model.seed) != 0)
                return GS_EXIT_USAGE;
            sim_only = "--seed";
            break;
        case 'h': list_demos(); return GS_EXIT_OK;
        case ':': return usage("%s needs a value", argv[optind - 1]);
        default:  return usage("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind == argc) {
        list_demos();
        return GS_EXIT_OK;
    }
    if (optind + 1 < argc)
        return usage("one demonstration at a time: unexpected '%s'", argv[optind + 1]);
    const demo *dm = NULL;
    for (size_t i = 0; i < NDEMOS; i++)
        if (strcmp(demos[i].name, argv[optind]) == 0)
            dm = &demos[i];
    if (!dm)
        return usage("'%s' is not a demonstration: gilsim demo lists them", argv[optind]);
    if (sim_only && !d.sim)
        return usage("%s applies only with --sim: a demonstration in real time uses this machine's cores",
                     sim_only);
    if (d.plot && !dm->plots)
        return usage("--plot: the %s demonstration draws no curves (threads-vs-processes and io-bound do)",
                     dm->name);
    if (d.trace && !dm->traces)
        return usage("--trace: the %s demonstration keeps no trace (convoy, legacy-battle and async do)",
                     dm->name);
    if (d.plot && (gs_check_output("--plot", d.plot) != 0 || gs_check_plot_name(d.plot) != 0))
        return GS_EXIT_USAGE;
    if (d.trace && gs_check_output("--trace", d.trace) != 0)
        return GS_EXIT_USAGE;

    gs_host_detect(&d.host);
    printf("%s\n\n", dm->name);
    if (d.sim)
        printf("On a modelled %u-core machine, in virtual time (seed %llu): the same figures\n"
               "every run, the model's rather than this machine's.\n\n",
               d.model.cores, (unsigned long long)d.model.seed);
    gs_wrap(stdout, "", dm->intro);
    putchar('\n');
    fflush(stdout);
    gs_cli_catch_interrupts();
    d.total = dm->runs(&d);
    d.shown = gs_progress_start(&d.bar, false);
    int rc = dm->run(&d);
    gs_progress_end(d.shown);
    return gs_run_stopping() ? GS_EXIT_INTERRUPTED : rc;
}
