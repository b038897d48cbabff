/* demo_scaling.c - the demonstrations of scaling curves: CPU-bound threads
 * against processes, I/O-bound threads, free threading (see demo.h). */
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

