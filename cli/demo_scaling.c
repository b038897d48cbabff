/* demo_scaling.c - the demonstrations of how the ways to run work scale:
 * CPU-bound threads against processes, I/O-bound threads, the three ways
 * on I/O-bound and mixed work, free threading (see demo.h). */
#include <string.h>

#include "demo.h"

uint32_t demo_tvp_runs(const demo_ctx *d) { return 2 * demo_ncounts(d); }

int demo_tvp_run(demo_ctx *d)
{
    gs_workload wl;
    if (demo_load(&wl, GS_WL_COUNTDOWN) != 0)
        return GS_ERR_FAILED;
    gs_sweep s;
    uint64_t work = d->quick ? 500 : 5000; /* about 0.2 s for one worker */
    if (d->sim && !d->quick && work < 1250ull * demo_top_count(d))
        work = 1250ull * demo_top_count(d); /* 50 ms a process at the top, so that starting them matters little */
    demo_sweep_setup(d, &s, &wl, work);
    s.modes[s.nmodes++] = GS_MODE_THREADS;
    s.modes[s.nmodes++] = GS_MODE_PROCESSES;
    int rc = demo_sweep(d, &s) == 0 ? GS_OK : GS_ERR_FAILED;
    if (rc == GS_OK) {
        gs_progress_end(d->shown);
        demo_sweep_report(d, &s);
        const gs_sweep_point *t = demo_last_point(&s, GS_MODE_THREADS), *p = demo_last_point(&s, GS_MODE_PROCESSES);
        if (demo_means(d))
            gs_conclude_threads_vs_processes(stdout, &(gs_tvp_figures){
            .cores = demo_cores(d), .threads = t->workers, .thread_speedup = t->speedup,
            .held_fraction = t->median.held_fraction, .processes = p->workers, .process_speedup = p->speedup,
            .process_wall_s = p->median.wall_s, .process_spawn_s = p->median.spawn_s});
        if (demo_write_plot(d, &s) != 0)
            rc = GS_ERR_FAILED;
    }
    gs_sweep_free(&s);
    gs_workload_free(&wl);
    return rc;
}

uint32_t demo_io_runs(const demo_ctx *d) { return demo_ncounts(d); }

int demo_io_run(demo_ctx *d)
{
    gs_workload wl;
    if (demo_load(&wl, GS_WL_IO_BOUND) != 0)
        return GS_ERR_FAILED;
    gs_sweep s;
    demo_sweep_setup(d, &s, &wl, d->quick ? 40 : 400);
    s.modes[s.nmodes++] = GS_MODE_THREADS;
    int rc = demo_sweep(d, &s) == 0 ? GS_OK : GS_ERR_FAILED;
    if (rc == GS_OK) {
        gs_progress_end(d->shown);
        demo_sweep_report(d, &s);
        const gs_sweep_point *t = demo_last_point(&s, GS_MODE_THREADS);
        if (demo_means(d))
            gs_conclude_io_bound(stdout, &(gs_io_figures){.cores = demo_cores(d), .threads = t->workers,
                                                      .speedup = t->speedup,
                                                      .held_fraction = t->median.held_fraction});
        if (demo_write_plot(d, &s) != 0)
            rc = GS_ERR_FAILED;
    }
    gs_sweep_free(&s);
    gs_workload_free(&wl);
    return rc;
}

/* ---- free-threading: the default build, 3.13t and 3.14t, processes and
 * interpreters, on independent work and on work that meets at a shared
 * variable; then counter += 1 with and without the lock ---- */

/* The ways, a column each.  In real time the build's dearer bytecode
 * cannot be had (gilsim's interpreter is what it is), so one
 * free-threaded column stands for both builds. */
enum { FT_GIL, FT_313, FT_314, FT_PROCESSES, FT_INTERPRETERS, FT_WAYS };
static const char *const ft_heads[FT_WAYS] = {"threads, GIL", "3.13t threads", "3.14t threads", "processes",
                                              "interpreters"};

static bool ft_way_runs(const demo_ctx *d, int way) { return d->sim || way != FT_313; }

static uint32_t ft_ways(const demo_ctx *d) { return d->sim ? FT_WAYS : FT_WAYS - 1; }

uint32_t demo_ft_runs(const demo_ctx *d) { return 2 * ft_ways(d) * demo_ncounts(d) + 2; }

/* The sweep of one way on wl; model: the build's, in virtual time. */
static int ft_sweep(demo_ctx *d, int way, const gs_workload *wl, gs_sim_model *model, gs_sweep *s)
{
    demo_sweep_setup(d, s, wl, d->quick ? 200 : 1000);
    s->modes[s->nmodes++] = way == FT_PROCESSES ? GS_MODE_PROCESSES : GS_MODE_THREADS;
    s->cfg.gil.policy = way == FT_313 || way == FT_314 ? GS_GIL_FREE_THREADED
                        : way == FT_INTERPRETERS         ? GS_GIL_PER_INTERPRETER
                                                          : GS_GIL_CPYTHON;
    s->cfg.gil.ft_build = way == FT_313 ? GS_FT_313 : GS_FT_314;
    if (d->sim) {
        *model = d->model;
        if (s->cfg.gil.policy == GS_GIL_FREE_THREADED)
            model->instruction_ns *= gs_ft_build_factor[s->cfg.gil.ft_build];
        s->cfg.sim = model;
    }
    return demo_sweep(d, s);
}

/* The table of one workload's sweeps: each point against one thread of
 * the default build under its lock (the same work), so that a build's
 * slower thread shows.  speed[way][count] gets the figures. */
static void ft_table(demo_ctx *d, gs_sweep sw[FT_WAYS], double speed[FT_WAYS][GS_SWEEP_MAX_COUNTS])
{
    char head[160] = "workers";
    for (int w = 0; w < FT_WAYS; w++)
        if (ft_way_runs(d, w))
            snprintf(head + strlen(head), sizeof head - strlen(head), "|%s",
                     w == FT_314 && !d->sim ? "free-threaded threads" : ft_heads[w]);
    gs_table t;
    gs_table_init(&t, head);
    double one = sw[FT_GIL].points[0].median.wall_s;
    for (uint32_t c = 0; c < sw[FT_GIL].npoints; c++) {
        gs_table_cell(&t, "%u", sw[FT_GIL].points[c].workers);
        for (int w = 0; w < FT_WAYS; w++) {
            if (!ft_way_runs(d, w))
                continue;
            double wall = sw[w].points[c].median.wall_s;
            speed[w][c] = wall > 0 ? one / wall : 0;
            gs_table_cell(&t, "%.2fx", speed[w][c]);
        }
    }
    demo_table(d, &t);
}

/* counter += 1 by the most threads, under the lock and free-threaded:
 * the share of updates lost. */
static int ft_race(demo_ctx *d, uint32_t threads, double lost[2])
{
    gs_workload wl;
    if (demo_load_spec(&wl, (gs_workload_spec){.kind = GS_WL_RACE, .race = GS_RACE_INPLACE}) != 0)
        return -1;
    int rc = 0;
    for (int k = 0; k < 2 && rc == 0; k++) {
        gs_run_config cfg = demo_config(d, GS_MODE_THREADS, &wl, threads, d->quick ? 200 : 1000);
        cfg.gil.policy = k ? GS_GIL_FREE_THREADED : GS_GIL_CPYTHON;
        cfg.event_cap = 0;
        gs_sim_model model;
        if (d->sim && k) {
            model = d->model;
            model.instruction_ns *= gs_ft_build_factor[GS_FT_314];
            cfg.sim = &model;
        }
        gs_experiment e;
        if (demo_measure(d, &cfg, &e) != 0) {
            rc = -1;
        } else {
            const gs_run_summary *s = demo_summary(&e);
            lost[k] = s->updates_expected ? 100.0 * (double)s->lost_updates / (double)s->updates_expected : 0;
        }
        gs_experiment_free(&e);
    }
    gs_workload_free(&wl);
    return rc;
}

int demo_ft_run(demo_ctx *d)
{
    gs_workload wl[2];
    if (demo_load(&wl[0], GS_WL_COUNTDOWN) != 0)
        return GS_ERR_FAILED;
    if (demo_load(&wl[1], GS_WL_SHARED) != 0) {
        gs_workload_free(&wl[0]);
        return GS_ERR_FAILED;
    }
    static gs_sweep sw[2][FT_WAYS];
    static gs_sim_model models[2][FT_WAYS];
    static double speed[2][FT_WAYS][GS_SWEEP_MAX_COUNTS];
    memset(sw, 0, sizeof sw);
    int rc = GS_OK;
    for (int k = 0; k < 2 && rc == GS_OK; k++)
        for (int w = 0; w < FT_WAYS && rc == GS_OK; w++)
            if (ft_way_runs(d, w) && ft_sweep(d, w, &wl[k], &models[k][w], &sw[k][w]) != 0)
                rc = GS_ERR_FAILED;
    uint32_t n = sw[0][FT_GIL].npoints, top = n ? sw[0][FT_GIL].points[n - 1].workers : 0;
    double lost[2] = {0};
    if (rc == GS_OK && ft_race(d, top, lost) != 0)
        rc = GS_ERR_FAILED;
    if (rc == GS_OK) {
        gs_progress_end(d->shown);
        printf("Independent work (countdown), as fast as one thread of the default build:\n");
        ft_table(d, sw[0], speed[0]);
        printf("\nThe same, adding to one shared variable every 32 steps (processes and\n"
               "interpreters each add to their own):\n");
        ft_table(d, sw[1], speed[1]);
        gs_table t;
        char head[64];
        snprintf(head, sizeof head, "<counter += 1, %u threads|updates lost", top);
        gs_table_init(&t, head);
        gs_table_cell(&t, "under the GIL");
        gs_table_cell(&t, "%.1f%%", lost[0]);
        gs_table_cell(&t, "free-threaded");
        gs_table_cell(&t, "%.1f%%", lost[1]);
        printf("\n");
        demo_table(d, &t);
        const int ft = FT_314; /* in real time, the free-threaded column */
        uint32_t peak = 0;
        for (uint32_t c = 1; c < n; c++)
            peak = speed[1][ft][c] > speed[1][ft][peak] ? c : peak;
        demo_figure(d, "free-threaded, independent", "%.2fx", speed[0][ft][n - 1]);
        demo_figure(d, "free-threaded, shared", "%.2fx", speed[1][ft][n - 1]);
        demo_figure(d, "interpreters, shared", "%.2fx", speed[1][FT_INTERPRETERS][n - 1]);
        if (demo_means(d))
            gs_conclude_free_threading(stdout, &(gs_ft_figures){
            .cores = demo_cores(d), .workers = top, .virtual_time = d->sim,
            .one_313 = speed[0][FT_313][0], .one_314 = speed[0][FT_314][0],
            .gil = speed[0][FT_GIL][n - 1], .ft = speed[0][ft][n - 1],
            .processes = speed[0][FT_PROCESSES][n - 1], .interpreters = speed[0][FT_INTERPRETERS][n - 1],
            .shared_peak = speed[1][ft][peak], .shared_peak_workers = sw[1][ft].points[peak].workers,
            .shared_last = speed[1][ft][n - 1], .shared_interpreters = speed[1][FT_INTERPRETERS][n - 1],
            .lost_gil = lost[0], .lost_ft = lost[1]});
    }
    for (int k = 0; k < 2; k++)
        for (int w = 0; w < FT_WAYS; w++)
            gs_sweep_free(&sw[k][w]);
    gs_workload_free(&wl[0]);
    gs_workload_free(&wl[1]);
    return rc;
}


/* ---- three-ways: threads, processes and async tasks on the same work ---- */

/* A unit's data: 64 KiB, about what a result of a few thousand Python
 * objects pickles to. */
#define WAYS_TRANSFER (64 * 1024)
#define WAYS_CPU_SHARE 0.5

static uint32_t ways_workers(const demo_ctx *d) { return d->quick ? 4 : 8; }

uint32_t demo_ways_counts(const demo_ctx *d, uint32_t counts[GS_SWEEP_MAX_COUNTS])
{
    counts[0] = 1;
    counts[1] = ways_workers(d);
    return 2;
}

uint32_t demo_ways_runs(const demo_ctx *d) { (void)d; return GS_WAYS_WORKLOADS * GS_WAYS_MODES * 2; }

int demo_ways_run(demo_ctx *d)
{
    static const char *const titles[GS_WAYS_WORKLOADS] = {"<I/O-bound work", "<mixed work"};
    static const char *const rows[GS_WAYS_MODES] = {"threads", "processes", "async tasks"};
    gs_workload wl[GS_WAYS_WORKLOADS];
    gs_workload_spec specs[GS_WAYS_WORKLOADS] = {
        {.kind = GS_WL_IO_BOUND, .io_kind = GS_IO_SLEEP, .io_latency_ns = 1000000},
        {.kind = GS_WL_MIXED, .io_kind = GS_IO_SLEEP, .io_latency_ns = 1000000, .cpu_share = WAYS_CPU_SHARE,
         .instruction_ns = d->sim ? d->model.instruction_ns : 0}};
    for (int w = 0; w < GS_WAYS_WORKLOADS; w++)
        if (demo_load_spec(&wl[w], specs[w]) != 0) {
            for (int k = 0; k < w; k++)
                gs_workload_free(&wl[k]);
            return GS_ERR_FAILED;
        }
    uint32_t n = ways_workers(d);
    gs_ways_figures f = {.cores = demo_cores(d), .workers = n, .cpu_share = WAYS_CPU_SHARE,
                         .transfer_bytes = WAYS_TRANSFER};
    gs_sweep s[GS_WAYS_WORKLOADS];
    int rc = GS_OK;
    for (int w = 0; w < GS_WAYS_WORKLOADS; w++) {
        demo_sweep_setup(d, &s[w], &wl[w], d->quick ? 40 : (w == GS_WAYS_IO ? 400 : 200));
        s[w].ncounts = demo_ways_counts(d, s[w].counts);
        s[w].cfg.transfer_bytes = WAYS_TRANSFER; /* the processes' points: threads and tasks move nothing */
        s[w].modes[s[w].nmodes++] = GS_MODE_THREADS;
        s[w].modes[s[w].nmodes++] = GS_MODE_PROCESSES;
        s[w].modes[s[w].nmodes++] = GS_MODE_ASYNC;
        if (rc == GS_OK && demo_sweep(d, &s[w]) != 0)
            rc = GS_ERR_FAILED;
    }
    gs_progress_end(d->shown);
    for (int w = 0; w < GS_WAYS_WORKLOADS && rc == GS_OK; w++) {
        char a[32], title[160];
        snprintf(title, sizeof title, "%s|1 worker|%u workers|vs 1|sending data home", titles[w], n);
        gs_table t;
        gs_table_init(&t, title);
        for (int m = 0; m < GS_WAYS_MODES; m++) {
            const gs_sweep_point *one = NULL, *many = NULL;
            for (uint32_t i = 0; i < s[w].npoints; i++)
                if (s[w].points[i].mode == s[w].modes[m])
                    *(s[w].points[i].workers == 1 ? &one : &many) = &s[w].points[i];
            gs_table_cell(&t, "%s", rows[m]);
            gs_table_cell(&t, "%s", gs_fmt_ns(one->median.wall_s * 1e9, a));
            gs_table_cell(&t, "%s", gs_fmt_ns(many->median.wall_s * 1e9, a));
            gs_table_cell(&t, "%.2f%c", many->speedup, gs_verdict_trusted(&many->verdict) ? 'x' : '?');
            double sending = (double)many->median.transfer_ns / n;
            gs_table_cell(&t, "%s", many->median.transfer_bytes ? gs_fmt_ns(sending, a) : "-");
            f.speedup[w][m] = many->speedup;
            if (w == GS_WAYS_MIXED && one->median.cpu_ns > 0)
                f.bound[m] = one->median.wall_s * 1e9 / (double)one->median.cpu_ns;
            if (m == GS_WAYS_PROCESSES) {
                f.sent_mib[w] = (double)many->median.transfer_bytes / n / (1 << 20);
                f.sending_s[w] = sending / 1e9;
                f.process_wall_s[w] = many->median.wall_s;
            }
            char label[64];
            snprintf(label, sizeof label, "%u %s, %s", n, rows[m], w == GS_WAYS_IO ? "I/O-bound" : "mixed");
            demo_figure(d, label, "%.2fx", many->speedup);
        }
        demo_table(d, &t);
        putchar('\n');
    }
    if (rc == GS_OK) {
        printf("(vs 1: against one worker of the same kind; sending data home: each process's\n"
               "time to send its units' 64 KiB each home, inside the run)\n");
        if (demo_means(d))
            gs_conclude_three_ways(stdout, &f);
    }
    for (int w = 0; w < GS_WAYS_WORKLOADS; w++) {
        gs_sweep_free(&s[w]);
        gs_workload_free(&wl[w]);
    }
    return rc;
}
