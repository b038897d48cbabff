/* demo_scaling.c - the demonstrations of how the ways to run work scale:
 * CPU-bound threads against processes, I/O-bound threads, the three ways
 * on I/O-bound and mixed work, free threading (see demo.h). */
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

uint32_t demo_ft_runs(const demo_ctx *d) { return 2 * demo_ncounts(d); }

int demo_ft_run(demo_ctx *d)
{
    gs_workload wl;
    if (demo_load(&wl, GS_WL_COUNTDOWN) != 0)
        return GS_ERR_FAILED;
    gs_sweep with_lock, without;
    demo_sweep_setup(d, &with_lock, &wl, d->quick ? 500 : 5000);
    with_lock.modes[with_lock.nmodes++] = GS_MODE_THREADS;
    without = with_lock;
    without.cfg.gil.policy = GS_GIL_NONE;
    int rc = demo_sweep(d, &with_lock) == 0 && demo_sweep(d, &without) == 0 ? GS_OK : GS_ERR_FAILED;
    if (rc == GS_OK) {
        gs_progress_end(d->shown);
        gs_table t;
        gs_table_init(&t, "threads|cpython lock: speedup|no lock: speedup");
        for (uint32_t i = 0; i < with_lock.npoints && i < without.npoints; i++) {
            gs_table_cell(&t, "%u", with_lock.points[i].workers);
            gs_table_cell(&t, "%.2fx", with_lock.points[i].speedup);
            gs_table_cell(&t, "%.2fx", without.points[i].speedup);
        }
        demo_table(d, &t);
        const gs_sweep_point *a = demo_last_point(&with_lock, GS_MODE_THREADS), *b = demo_last_point(&without, GS_MODE_THREADS);
        demo_figure(d, "threads, CPython's lock", "%.2fx", a->speedup);
        demo_figure(d, "threads, no lock", "%.2fx", b->speedup);
        if (demo_means(d))
            gs_conclude_free_threading(stdout, &(gs_ft_figures){.cores = demo_cores(d), .threads = b->workers,
                                                            .lock_speedup = a->speedup,
                                                            .nolock_speedup = b->speedup});
    }
    gs_sweep_free(&with_lock);
    gs_sweep_free(&without);
    gs_workload_free(&wl);
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
