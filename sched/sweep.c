/* sweep.c - experiments over worker counts, modes and workloads (see
 * sweep.h).  Runs are kept only as long as it takes to read their figures,
 * so a long sweep holds one experiment's runs at a time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sweep.h"

typedef struct {
    void (*progress)(uint32_t, uint32_t, void *);
    void *arg;
    uint32_t done, total;
} progress_relay;

/* An experiment's own progress counts its runs from 1; the sweep's counts
 * from where the sweep is. */
static void relay(uint32_t done, uint32_t total, void *arg)
{
    (void)total;
    progress_relay *p = arg;
    if (p->progress)
        p->progress(p->done + done, p->total, p->arg);
}

uint32_t gs_sweep_total_runs(const gs_sweep *s)
{
    uint32_t per_mode = s->ncounts;
    if (s->ncounts == 0 || s->counts[0] != 1)
        per_mode++; /* the baseline is a run of its own */
    return s->nworkloads * s->nmodes * per_mode * s->repeat;
}

/* Runs one experiment without a baseline of its own.  Returns 0, or -1. */
static int run_point(const gs_sweep *s, gs_experiment *e, const gs_workload *wl, gs_mode mode, uint32_t workers,
                     char err[256], progress_relay *p)
{
    memset(e, 0, sizeof *e);
    e->cfg = s->cfg;
    e->cfg.mode = mode;
    e->cfg.workload = wl;
    e->cfg.workers = workers;
    e->repeat = s->repeat;
    int rc = gs_experiment_run(e, err, relay, p);
    p->done += s->repeat;
    return rc;
}

static void fill_point(gs_sweep_point *pt, const gs_experiment *e)
{
    const gs_run_result *m = &e->runs[e->median];
    *pt = (gs_sweep_point){.mode = e->cfg.mode, .workload = e->cfg.workload, .workers = e->cfg.workers,
                           .runs = e->nruns, .wall_min_s = e->wall_min_s, .wall_max_s = e->wall_max_s,
                           .median = e->summaries[e->median], .speedup = e->speedup,
                           .efficiency = e->efficiency, .failed = m->failed, .stopped = m->stopped,
                           .checksum_ok = e->checksum_ok};
}

uint32_t gs_sweep_points_of(const gs_experiment *e, gs_sweep_point out[2])
{
    uint32_t n = 0;
    if (e->baseline && e->cfg.workers > 1) {
        const gs_run_summary *b = &e->base_summary;
        bool ok = e->have_baseline;
        out[n++] = (gs_sweep_point){.mode = e->cfg.mode, .workload = e->cfg.workload, .workers = 1, .runs = 1,
                                    .wall_min_s = b->wall_s, .wall_max_s = b->wall_s, .median = *b,
                                    .speedup = ok ? 1 : 0, .efficiency = ok ? 1 : 0, .failed = e->base.failed,
                                    .stopped = e->base.stopped, .checksum_ok = ok && !e->cfg.weak ? 1 : -1};
    }
    if (e->nruns > 0)
        fill_point(&out[n++], e);
    return n;
}

int gs_sweep_run(gs_sweep *s, char err[256], void (*progress)(uint32_t, uint32_t, void *), void *arg)
{
    s->points = calloc((size_t)s->nworkloads * s->nmodes * s->ncounts, sizeof *s->points);
    s->npoints = 0;
    if (!s->points) {
        snprintf(err, 256, "out of memory for the sweep's points");
        return -1;
    }
    progress_relay p = {progress, arg, 0, gs_sweep_total_runs(s)};
    s->interrupted = false;
    for (uint32_t w = 0; w < s->nworkloads; w++) {
        for (uint32_t m = 0; m < s->nmodes; m++) {
            gs_experiment base;
            if (run_point(s, &base, s->workloads[w], s->modes[m], 1, err, &p) != 0) {
                gs_experiment_free(&base);
                s->interrupted = gs_run_stopping();
                return -1;
            }
            bool base_ok = base.runs[base.median].failed == 0 && !base.runs[base.median].stopped;
            for (uint32_t c = 0; c < s->ncounts; c++) {
                if (gs_run_stopping()) {
                    gs_experiment_free(&base);
                    s->interrupted = true;
                    snprintf(err, 256, "interrupted");
                    return -1;
                }
                gs_sweep_point *pt = &s->points[s->npoints];
                if (s->counts[c] == 1) {
                    if (base_ok)
                        gs_experiment_compare(&base, &base.summaries[base.median]);
                    fill_point(pt, &base);
                } else {
                    gs_experiment e;
                    int rc = run_point(s, &e, s->workloads[w], s->modes[m], s->counts[c], err, &p);
                    if (rc == 0 && base_ok)
                        gs_experiment_compare(&e, &base.summaries[base.median]);
                    if (rc == 0)
                        fill_point(pt, &e);
                    gs_experiment_free(&e);
                    if (rc != 0) {
                        gs_experiment_free(&base);
                        s->interrupted = gs_run_stopping();
                        return -1;
                    }
                }
                s->npoints++;
            }
            gs_experiment_free(&base);
        }
    }
    return 0;
}

void gs_sweep_free(gs_sweep *s)
{
    free(s->points);
    s->points = NULL;
    s->npoints = 0;
}
