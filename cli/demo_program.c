/* demo_program.c - the demonstrations of what the lock does not protect
 * and what escapes it: a counter race, and native code (see demo.h). */
#include "demo.h"

/* ---- race ---- */

/* The race's rows: how the counter is updated, under which lock. */
static const struct {
    gs_race_variant variant;
    gs_gil_policy policy;
    uint64_t interval_ns;
} race_rows[GS_RACE_ROWS] = {
    {GS_RACE_INPLACE, GS_GIL_CPYTHON, 5000000}, {GS_RACE_INPLACE, GS_GIL_LEGACY, 5000000},
    {GS_RACE_CALL, GS_GIL_CPYTHON, 1000},       {GS_RACE_CALL, GS_GIL_CPYTHON, 5000000},
    {GS_RACE_LOCK, GS_GIL_CPYTHON, 5000000},    {GS_RACE_CALL, GS_GIL_NONE, 5000000},
};

static const char *const race_code[GS_RACE_COUNT] = {
    [GS_RACE_CALL] = "c = counter; f(); counter = c + 1",
    [GS_RACE_LOCK] = "the same, with a user lock",
    [GS_RACE_INPLACE] = "counter += 1",
};

uint32_t demo_race_runs(const demo_ctx *d)
{
    (void)d;
    return GS_RACE_ROWS;
}

int demo_race_run(demo_ctx *d)
{
    gs_race_figures f = {.cores = demo_cores(d)};
    int rc = GS_OK;
    for (int i = 0; i < GS_RACE_ROWS && rc == GS_OK; i++) {
        gs_workload wl;
        gs_workload_spec spec = {.kind = GS_WL_RACE, .race = race_rows[i].variant};
        if (demo_load_spec(&wl, spec) != 0)
            return GS_ERR_FAILED;
        gs_run_config cfg = demo_config(d, GS_MODE_THREADS, &wl, 2, d->quick ? 400 : 4000);
        cfg.gil.policy = race_rows[i].policy;
        cfg.gil.interval_ns = race_rows[i].interval_ns;
        cfg.event_cap = 0;
        gs_experiment e;
        if (demo_measure(d, &cfg, &e) != 0) {
            rc = GS_ERR_FAILED;
        } else {
            const gs_run_summary *s = demo_summary(&e);
            f.rows[i] = (gs_race_row){.expected = s->updates_expected, .lost = s->lost_updates, .wall_s = s->wall_s,
                                      .waited = s->nulocks ? s->ulocks[0].counts.contended : 0};
        }
        gs_experiment_free(&e);
        gs_workload_free(&wl);
    }
    gs_progress_end(d->shown);
    if (rc != GS_OK)
        return rc;
    char a[32];
    gs_table t;
    gs_table_init(&t, "<two threads update a counter|<lock|interval|updates lost|share|wall");
    for (int i = 0; i < GS_RACE_ROWS; i++) {
        const gs_race_row *r = &f.rows[i];
        gs_gil_policy p = race_rows[i].policy;
        double share = r->expected ? 100.0 * (double)r->lost / (double)r->expected : 0;
        gs_table_cell(&t, "%s", race_code[race_rows[i].variant]);
        gs_table_cell(&t, "%s", gs_gil_policy_names[p]);
        gs_table_cell(&t, "%s", p == GS_GIL_CPYTHON ? gs_fmt_ns((double)race_rows[i].interval_ns, a) : "-");
        gs_table_cell(&t, "%" PRId64, r->lost);
        gs_table_cell(&t, "%.1f%%", share);
        gs_table_cell(&t, "%s", gs_fmt_ns(r->wall_s * 1e9, a));
        if (i == GS_RACE_CALL_5MS || i == GS_RACE_LOCKED || i == GS_RACE_NO_GIL)
            demo_figure(d, i == GS_RACE_CALL_5MS ? "lost, CPython's lock" : i == GS_RACE_LOCKED
                        ? "lost, with a user lock" : "lost, no lock at all", "%.1f%%", share);
    }
    demo_table(d, &t);
    printf("(%" PRIu64 " updates a run)\n", f.rows[0].expected);
    if (demo_means(d))
        gs_conclude_race(stdout, &f);
    return GS_OK;
}

/* ---- native ---- */

#define NATIVE_SHARE 0.9

uint32_t demo_native_runs(const demo_ctx *d) { return 2 * demo_ncounts(d); }

int demo_native_run(demo_ctx *d)
{
    gs_workload wl[2];
    for (int i = 0; i < 2; i++) {
        gs_workload_spec spec = {.kind = GS_WL_NATIVE, .native_share = i ? 0 : NATIVE_SHARE};
        if (demo_load_spec(&wl[i], spec) != 0) {
            if (i)
                gs_workload_free(&wl[0]);
            return GS_ERR_FAILED;
        }
    }
    gs_sweep s;
    demo_sweep_setup(d, &s, &wl[0], d->quick ? 100 : 1000); /* 100 us a unit */
    s.workloads[s.nworkloads++] = &wl[1];
    s.modes[s.nmodes++] = GS_MODE_THREADS;
    int rc = demo_sweep(d, &s) == 0 ? GS_OK : GS_ERR_FAILED;
    if (rc == GS_OK) {
        gs_progress_end(d->shown);
        demo_sweep_report(d, &s);
        const gs_sweep_point *native = NULL, *bytecode = NULL, *one = &s.points[0];
        for (uint32_t i = 0; i < s.npoints; i++) { /* the last point of each workload: the most threads */
            if (s.points[i].workload == &wl[0])
                native = &s.points[i];
            else
                bytecode = &s.points[i];
        }
        /* the share of time in native calls, as one thread spent it */
        double share = one->median.wall_s > 0 ? (double)one->median.native_ns / 1e9 / one->median.wall_s : 0;
        if (demo_means(d))
            gs_conclude_native(stdout, &(gs_native_figures){
            .cores = demo_cores(d), .threads = native->workers, .share = share > 1 ? 1 : share,
            .native_speedup = native->speedup, .native_max = native->median.native_max, .virtual_time = d->sim,
            .bytecode_speedup = bytecode->speedup});
        if (demo_write_plot(d, &s) != 0)
            rc = GS_ERR_FAILED;
    }
    gs_sweep_free(&s);
    gs_workload_free(&wl[0]);
    gs_workload_free(&wl[1]);
    return rc;
}
