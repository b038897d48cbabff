/* sweep.c - experiments over worker counts, modes and workloads (see
 * sweep.h).  Runs are kept only as long as it takes to read their figures,
 * so a long sweep holds one experiment's runs at a time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../machine/machine.h"
#include "../sweep.h"

typedef struct {
    void (*progress)(uint32_t, uint32_t, void *);
    void *arg;
    uint32_t done, total;
    gs_mutex *mutex;            /* parallel sweeps (on the real machine's threads):
                                   guards done and the callback */
} progress_relay;

/* An experiment's own progress counts its runs from 1; the sweep's counts
 * from where the sweep is (in a parallel sweep, only whole experiments). */
static void relay(uint32_t done, uint32_t total, void *arg)
{
    (void)total;
    progress_relay *p = arg;
    if (p->progress && !p->mutex)
        p->progress(p->done + done, p->total, p->arg);
}

void gs_point_figures_of(const gs_run_summary *s, gs_point_figures *f)
{
    *f = (gs_point_figures){.wall_s = s->wall_s, .spawn_s = s->spawn_s, .throughput = s->throughput,
                            .held_fraction = s->held_fraction, .wait_fraction = s->wait_fraction,
                            .switches_per_s = s->switches_per_s, .cpu_ns = s->cpu_ns,
                            .core_wait_known = s->core_wait_known, .others_known = s->others_known,
                            .core_wait_share = s->core_wait_share, .others_share = s->others_share,
                            .handoffs = s->lock.handoff.count,
                            .handoff_p50 = gs_hist_percentile(&s->lock.handoff, 50),
                            .handoff_p99 = gs_hist_percentile(&s->lock.handoff, 99), .io_ops = s->io_ops,
                            .io_p50 = gs_hist_percentile(&s->io_latency, 50),
                            .io_p99 = gs_hist_percentile(&s->io_latency, 99), .lags = s->loop_lag.count,
                            .lag_p99 = gs_hist_percentile(&s->loop_lag, 99), .has_race = s->has_race,
                            .lost_updates = s->lost_updates, .native_calls = s->native_calls,
                            .native_ns = s->native_ns, .native_max = s->native_max,
                            .transfer_bytes = s->transfer_bytes, .transfer_ns = s->transfer_ns};
    for (uint32_t i = 0; i < s->nulocks; i++) {
        f->ulock_takes += s->ulocks[i].counts.acquisitions;
        f->ulock_contended += s->ulocks[i].counts.contended;
        f->ulock_wait_p99 = s->ulocks[i].wait_p99 > f->ulock_wait_p99 ? s->ulocks[i].wait_p99 : f->ulock_wait_p99;
    }
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
                     char err[GS_ERRMSG_MAX], progress_relay *p)
{
    memset(e, 0, sizeof *e);
    e->cfg = s->cfg;
    e->cfg.mode = mode;
    e->cfg.workload = wl;
    e->cfg.workers = workers;
    for (uint32_t w = 0; w < s->nworkloads; w++)
        if (s->workloads[w] == wl && s->work[w])
            e->cfg.work = s->work[w];
    e->repeat = s->repeat;
    int rc = gs_experiment_run(e, err, relay, p);
    gs_os *os = gs_os_real();
    if (p->mutex)
        gs_os_lock(os, p->mutex);
    p->done += s->repeat;
    if (p->mutex && p->progress)
        p->progress(p->done, p->total, p->arg);
    if (p->mutex)
        gs_os_unlock(os, p->mutex);
    return rc;
}

static void fill_point(gs_sweep_point *pt, const gs_experiment *e)
{
    const gs_run_result *m = &e->runs[e->median];
    *pt = (gs_sweep_point){.mode = e->cfg.mode, .workload = e->cfg.workload, .work = e->cfg.work,
                           .workers = e->cfg.workers,
                           .runs = e->nruns, .wall_min_s = e->wall_min_s, .wall_max_s = e->wall_max_s,
                           .speedup = e->speedup,
                           .efficiency = e->efficiency, .failed = m->failed, .stopped = m->stopped,
                           .checksum_ok = e->checksum_ok, .speedup_min = e->speedup_min,
                           .speedup_max = e->speedup_max, .shared_lost = -1};
    gs_point_figures_of(&e->summaries[e->median], &pt->median);
    gs_judge(e, &pt->verdict);
    double lost;
    if (gs_experiment_shared_differs(e, 0, &lost) >= 0)
        pt->shared_lost = lost;
}

/* A point from its experiment, compared with its mode's 1-worker median
 * when that ran whole (base_ok).  Every path to a point goes through here,
 * so a sweep run serially, in parallel or point by point (a plan) gives
 * the same bytes. */
static void point_of(gs_sweep_point *pt, gs_experiment *e, bool base_ok, const gs_run_summary *base)
{
    if (base_ok)
        gs_experiment_compare(e, base);
    fill_point(pt, e);
}

static bool ran_whole(const gs_experiment *e)
{
    return e->runs[e->median].failed == 0 && !e->runs[e->median].stopped;
}

uint32_t gs_sweep_points_of(const gs_experiment *e, gs_sweep_point out[2])
{
    uint32_t n = 0;
    if (e->baseline && e->cfg.workers > 1) {
        const gs_run_summary *b = &e->base_summary;
        bool ok = e->have_baseline;
        out[n] = (gs_sweep_point){.mode = e->cfg.mode, .workload = e->cfg.workload, .work = e->cfg.work,
                                  .workers = 1, .runs = e->nbase ? e->nbase : 1,
                                  .wall_min_s = e->nbase ? e->base_wall_min_s : b->wall_s,
                                  .wall_max_s = e->nbase ? e->base_wall_max_s : b->wall_s,
                                  .speedup = ok ? 1 : 0, .efficiency = ok ? 1 : 0, .failed = e->base.failed,
                                  .stopped = e->base.stopped, .checksum_ok = ok && !e->cfg.weak ? 1 : -1,
                                  .speedup_min = ok ? 1 : 0, .speedup_max = ok ? 1 : 0, .shared_lost = -1};
        gs_point_figures_of(b, &out[n].median);
        gs_judge(e, &out[n++].verdict); /* the experiment's: its baseline is this point */
    }
    if (e->nruns > 0)
        fill_point(&out[n++], e);
    return n;
}

/* A parallel sweep: every experiment (each mode's 1-worker one too) is a
 * job; `jobs` threads take them in order, each running its simulations on
 * its own fibers.  A point is made as soon as its experiment and its
 * mode's baseline have both run, and its experiment let go, so the sweep
 * holds the baselines and the few experiments still waiting for theirs,
 * not every run it made.  Each point is made by point_of, as in the
 * serial sweep, so the outputs are the same bytes as with one job. */
typedef struct {
    gs_sweep *s;
    gs_experiment *exps;        /* per (workload, mode): the baseline, then each count */
    int *rc;                    /* each job's: -2 not run, 1 the baseline stands for it; guarded by mutex */
    bool *made;                 /* its point made; guarded by mutex */
    char (*errs)[GS_ERRMSG_MAX];
    uint32_t next, njobs;       /* guarded by mutex */
    gs_mutex *mutex;
    progress_relay *p;
} parallel;

static void job_of(const gs_sweep *s, uint32_t j, uint32_t *w, uint32_t *m, uint32_t *workers)
{
    uint32_t per_mode = s->ncounts + 1;
    *w = j / (s->nmodes * per_mode);
    *m = j / per_mode % s->nmodes;
    uint32_t k = j % per_mode;
    *workers = k == 0 ? 1 : s->counts[k - 1];
}

/* With the mutex held: makes job j's point if it and its baseline have
 * both run well (a failure is the final pass's to say). */
static void make_point(parallel *par, uint32_t j)
{
    uint32_t per_mode = par->s->ncounts + 1, k = j % per_mode, base = j - k;
    if (k == 0 || par->made[j] || par->rc[base] != 0 || (par->rc[j] != 0 && par->rc[j] != 1))
        return;
    gs_experiment *b = &par->exps[base], *e = par->rc[j] == 1 ? b : &par->exps[j];
    point_of(&par->s->points[j / per_mode * par->s->ncounts + k - 1], e, ran_whole(b), &b->summaries[b->median]);
    if (e != b)
        gs_experiment_free(e);
    par->made[j] = true;
}

static void *parallel_worker(void *arg)
{
    parallel *par = arg;
    gs_os *os = gs_os_real();
    uint32_t per_mode = par->s->ncounts + 1;
    for (;;) {
        gs_os_lock(os, par->mutex);
        uint32_t j = par->next < par->njobs && !gs_run_stopping() ? par->next++ : UINT32_MAX;
        gs_os_unlock(os, par->mutex);
        if (j == UINT32_MAX)
            return NULL;
        uint32_t w, m, workers;
        job_of(par->s, j, &w, &m, &workers);
        int rc = 1; /* a 1-worker point is the baseline */
        if (workers != 1 || j % per_mode == 0)
            rc = run_point(par->s, &par->exps[j], par->s->workloads[w], par->s->modes[m], workers, par->errs[j],
                           par->p);
        gs_os_lock(os, par->mutex);
        par->rc[j] = rc;
        if (j % per_mode == 0) /* a baseline: the points of its mode that waited for it */
            for (uint32_t k = 1; k < per_mode; k++)
                make_point(par, j + k);
        else
            make_point(par, j);
        gs_os_unlock(os, par->mutex);
    }
}

static int sweep_parallel(gs_sweep *s, char err[GS_ERRMSG_MAX], progress_relay *p)
{
    parallel par = {.s = s, .njobs = s->nworkloads * s->nmodes * (s->ncounts + 1), .p = p};
    par.exps = calloc(par.njobs, sizeof *par.exps);
    par.rc = calloc(par.njobs, sizeof *par.rc);
    par.made = calloc(par.njobs, sizeof *par.made);
    par.errs = calloc(par.njobs, sizeof *par.errs);
    gs_os *os = gs_os_real(); /* the jobs' threads: each job's runs are on machines of their own */
    gs_thread **threads = calloc(s->jobs, sizeof *threads);
    if (!par.exps || !par.rc || !par.made || !par.errs || !threads) {
        free(par.exps), free(par.rc), free(par.made), free(par.errs), free(threads);
        snprintf(err, GS_ERRMSG_MAX, "out of memory for the sweep's jobs");
        return -1;
    }
    for (uint32_t j = 0; j < par.njobs; j++)
        par.rc[j] = -2; /* not run */
    par.mutex = gs_os_mutex(os);
    p->mutex = par.mutex;
    uint32_t started = 0;
    for (; started < s->jobs; started++)
        if (os->ops->thread_start(os, &threads[started], 0, parallel_worker, &par, NULL) != 0)
            break;
    if (started == 0)
        parallel_worker(&par); /* no thread to be had: this one does it all */
    for (uint32_t t = 0; t < started; t++)
        os->ops->thread_join(os, threads[t]);
    p->mutex = NULL;
    os->ops->mutex_free(os, par.mutex);
    int rc = 0;
    uint32_t per_mode = s->ncounts + 1;
    for (uint32_t j = 0; j < par.njobs && rc == 0; j++) { /* the points made, in order, up to the first not */
        uint32_t k = j % per_mode, base = j - k;
        if (k == 0)
            continue;
        if (!par.made[j]) {
            snprintf(err, GS_ERRMSG_MAX, "%s", par.rc[base] == -2 || par.rc[j] == -2 ? "interrupted"
                                     : par.errs[par.rc[base] != 0 ? base : j]);
            s->interrupted = gs_run_stopping();
            rc = -1;
            break;
        }
        s->npoints++;
    }
    for (uint32_t j = 0; j < par.njobs; j++) /* the baselines, and experiments whose point was not made */
        if (par.rc[j] != -2 && par.rc[j] != 1 && (j % per_mode == 0 || !par.made[j]))
            gs_experiment_free(&par.exps[j]);
    free(par.exps), free(par.rc), free(par.made), free(par.errs), free(threads);
    return rc;
}

int gs_sweep_run(gs_sweep *s, char err[GS_ERRMSG_MAX], void (*progress)(uint32_t, uint32_t, void *), void *arg)
{
    s->points = calloc((size_t)s->nworkloads * s->nmodes * s->ncounts, sizeof *s->points);
    s->npoints = 0;
    if (!s->points) {
        snprintf(err, GS_ERRMSG_MAX, "out of memory for the sweep's points");
        return -1;
    }
    progress_relay p = {progress, arg, 0, gs_sweep_total_runs(s), NULL};
    s->interrupted = false;
    for (uint32_t w = 0; w < s->nworkloads && !s->cfg.sim; w++) /* the largest points, before the first */
        for (uint32_t m = 0; m < s->nmodes; m++) {
            gs_run_config largest = s->cfg;
            largest.mode = s->modes[m];
            largest.workload = s->workloads[w];
            largest.workers = s->counts[s->ncounts - 1];
            largest.work = s->work[w] ? s->work[w] : s->cfg.work;
            if (gs_run_reserve(&largest, err) != 0)
                return -1;
        }
    if (s->jobs > 1 && s->cfg.sim)
        return sweep_parallel(s, err, &p);
    for (uint32_t w = 0; w < s->nworkloads; w++) {
        for (uint32_t m = 0; m < s->nmodes; m++) {
            gs_experiment base;
            if (run_point(s, &base, s->workloads[w], s->modes[m], 1, err, &p) != 0) {
                gs_experiment_free(&base);
                s->interrupted = gs_run_stopping();
                return -1;
            }
            bool base_ok = ran_whole(&base);
            for (uint32_t c = 0; c < s->ncounts; c++) {
                if (gs_run_stopping()) {
                    gs_experiment_free(&base);
                    s->interrupted = true;
                    snprintf(err, GS_ERRMSG_MAX, "interrupted");
                    return -1;
                }
                gs_sweep_point *pt = &s->points[s->npoints];
                if (s->counts[c] == 1) {
                    point_of(pt, &base, base_ok, &base.summaries[base.median]);
                } else {
                    gs_experiment e;
                    int rc = run_point(s, &e, s->workloads[w], s->modes[m], s->counts[c], err, &p);
                    if (rc == 0)
                        point_of(pt, &e, base_ok, &base.summaries[base.median]);
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

uint32_t gs_sweep_npoints(const gs_sweep *s) { return s->nworkloads * s->nmodes * s->ncounts; }

void gs_sweep_point_at(const gs_sweep *s, uint32_t k, uint32_t *w, uint32_t *m, uint32_t *c)
{
    *c = k % s->ncounts;
    *m = k / s->ncounts % s->nmodes;
    *w = k / s->ncounts / s->nmodes;
}

int gs_sweep_run_point(const gs_sweep *s, uint32_t k, gs_sweep_baseline *base, gs_sweep_point *out,
                       char err[GS_ERRMSG_MAX])
{
    uint32_t w, m, c;
    gs_sweep_point_at(s, k, &w, &m, &c);
    progress_relay quiet = {0};
    bool one = s->counts[c] == 1;
    if (!base->have || one) {
        gs_experiment b;
        int rc = run_point(s, &b, s->workloads[w], s->modes[m], 1, err, &quiet);
        if (rc == 0) {
            *base = (gs_sweep_baseline){.have = true, .whole = ran_whole(&b), .median = b.summaries[b.median]};
            if (one)
                point_of(out, &b, base->whole, &base->median);
        }
        gs_experiment_free(&b);
        if (rc != 0 || one)
            return rc;
    }
    gs_experiment e;
    int rc = run_point(s, &e, s->workloads[w], s->modes[m], s->counts[c], err, &quiet);
    if (rc == 0)
        point_of(out, &e, base->whole, &base->median);
    gs_experiment_free(&e);
    return rc;
}

void gs_sweep_free(gs_sweep *s)
{
    free(s->points);
    s->points = NULL;
    s->npoints = 0;
}
