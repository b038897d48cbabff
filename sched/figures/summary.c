/* summary.c - derived figures of one run (see summary.h). */
#include <stdlib.h>
#include <string.h>

#include "../sim.h"
#include "../summary.h"

const char *const gs_lock_scope_names[GS_SCOPE_COUNT] = {
    [GS_SCOPE_SHARED] = "shared", [GS_SCOPE_PER_WORKER] = "per-worker",
    [GS_SCOPE_NONE] = "none", [GS_SCOPE_LOOP] = "loop-thread",
};

gs_lock_scope gs_lock_scope_of(const gs_run_config *cfg)
{
    gs_lock_scope among_threads = gs_gil_policy_scope[cfg->gil.policy];
    if (cfg->mode == GS_MODE_ASYNC)
        return GS_SCOPE_LOOP;
    if (cfg->mode == GS_MODE_PROCESSES && among_threads == GS_SCOPE_SHARED)
        return GS_SCOPE_PER_WORKER; /* each process has its own */
    return among_threads;
}

double gs_jain_index(const double *x, uint32_t n)
{
    double sum = 0, sq = 0;
    for (uint32_t i = 0; i < n; i++) {
        sum += x[i];
        sq += x[i] * x[i];
    }
    return sq > 0 ? sum * sum / ((double)n * sq) : 1;
}

/* The cores a run could use: the modelled ones, those it was pinned to,
 * or those the machine let its workers use. */
static uint32_t run_cores(const gs_run_result *r)
{
    if (r->cfg.sim)
        return r->cfg.sim->cores;
    if (r->cfg.cores)
        return r->cfg.cores;
    return r->nworkers && r->workers[0].cpus ? r->workers[0].cpus : 1;
}

/* Where the time went: on a CPU, waiting for a core, for the lock, in
 * I/O; and how much of the cores other programs used meanwhile. */
static void core_figures(const gs_run_result *r, gs_run_summary *s)
{
    bool loop = r->cfg.mode == GS_MODE_ASYNC;
    uint64_t cpu = loop ? r->loop_cpu_ns : s->cpu_ns;
    s->cores = run_cores(r);
    s->core_wait_known = loop ? r->loop_core_wait_known : r->nworkers > 0;
    for (uint32_t i = 0; i < r->nworkers; i++) {
        const gs_worker_result *w = &r->workers[i];
        s->core_wait_known &= loop || w->core_wait_known;
        s->core_wait_ns += loop ? 0 : w->core_wait_ns;
        s->lock_wait_ns += w->lock.wait_ns;
        s->io_ns += w->io_latency.sum;
    }
    if (loop) {
        s->core_wait_ns = r->loop_core_wait_ns;
        s->lock_wait_ns = r->loop_lock.wait_ns;
    }
    double wanted = (double)cpu + (double)s->core_wait_ns;
    s->core_wait_share = s->core_wait_known && wanted > 0 ? (double)s->core_wait_ns / wanted : 0;
    double lives = 0;
    for (uint32_t i = 0; i < r->nworkers && !loop; i++)
        lives += r->workers[i].end_ns > r->workers[i].start_ns ? (double)(r->workers[i].end_ns - r->workers[i].start_ns) : 0;
    if (loop)
        lives = (double)(r->end_ns - r->start_ns);
    s->off_cpu_share = lives > (double)cpu ? 1 - (double)cpu / lives : 0;
    double others = (double)r->others_cpu_ns, most = (double)r->others_cpu_max_ns;
    if (others > (double)s->core_wait_ns) /* they ran on cores the threads did not want */
        others = (double)s->core_wait_ns;
    if (most > (double)s->core_wait_ns)
        most = (double)s->core_wait_ns;
    s->others_known = r->others_known && s->core_wait_known;
    s->others_share = s->others_known && wanted > 0 ? others / wanted : 0;
    s->others_max_share = s->others_known && wanted > 0 ? most / wanted : 0;
}

void gs_summarize(const gs_run_result *r, gs_run_summary *s)
{
    memset(s, 0, sizeof *s);
    gs_lock_totals_add(&s->lock, &r->loop_lock);
    s->wall_s = (double)(r->end_ns - r->start_ns) / 1e9;
    s->spawn_s = (double)r->spawn_ns / 1e9;
    s->nshared = r->nshared;
    memcpy(s->shared, r->shared, sizeof s->shared);
    double busy_ns = 0;
    double *rate = malloc((r->nworkers ? r->nworkers : 1) * sizeof *rate);
    for (uint32_t i = 0; i < r->nworkers; i++) {
        const gs_worker_result *w = &r->workers[i];
        if (!w->failed)
            s->units += w->units;
        s->instructions += w->instructions;
        s->cpu_ns += w->cpu_ns;
        s->checksum = (int64_t)((uint64_t)s->checksum + (uint64_t)w->checksum);
        gs_lock_totals_add(&s->lock, &w->lock);
        s->io_ops += w->io_ops;
        gs_hist_merge_worker(&s->io_latency, &w->io_latency);
        gs_hist_merge_worker(&s->loop_lag, &w->loop_lag);
        s->native_calls += w->native_calls;
        s->transfer_bytes += w->transfer_bytes;
        s->transfer_ns += w->transfer_ns;
        s->native_ns += w->native_ns;
        for (uint32_t l = 0; l < r->nulocks && l < GS_MAX_ULOCKS; l++) {
            gs_ulock_counts *c = &s->ulocks[l].counts;
            c->acquisitions += w->rare->ulocks[l].acquisitions;
            c->contended += w->rare->ulocks[l].contended;
            c->wait_ns += w->rare->ulocks[l].wait_ns;
            c->held_ns += w->rare->ulocks[l].held_ns;
            c->futile += w->rare->ulocks[l].futile;
        }
        s->events += w->rec.n;
        s->events_dropped += w->rec.dropped;
        double active = w->end_ns > w->start_ns ? (double)(w->end_ns - w->start_ns) : 0;
        busy_ns += active;
        if (rate)
            rate[i] = active > 0 && !w->failed ? (double)w->units / active : 0;
    }
    double wall_ns = (double)(r->end_ns - r->start_ns);
    if (wall_ns > 0) {
        s->throughput = (double)s->units / s->wall_s;
        s->held_fraction = (double)s->lock.hold_ns / wall_ns;
        s->switches_per_s = (double)s->lock.switches_in / s->wall_s;
    }
    if (r->cfg.mode == GS_MODE_ASYNC) /* one thread used the lock: its share of the wall time */
        busy_ns = wall_ns;
    s->wait_fraction = busy_ns > 0 ? (double)s->lock.wait_ns / busy_ns : 0;
    s->fairness = rate ? gs_jain_index(rate, r->nworkers) : 0;
    free(rate);
    core_figures(r, s);
    s->native_max = r->native_max;
    s->nulocks = r->nulocks;
    /* Processes and per-interpreter threads have a lock of each name each:
     * the share of the time one was held is their mean.  Their waits'
     * histograms stay in the children (no percentiles). */
    double tables = gs_lock_scope_of(&r->cfg) == GS_SCOPE_PER_WORKER ? r->nworkers : 1;
    for (uint32_t l = 0; l < r->nulocks; l++) {
        if (r->ulock_wait) {
            s->ulocks[l].wait_p50 = gs_hist_percentile(&r->ulock_wait[l], 50);
            s->ulocks[l].wait_p99 = gs_hist_percentile(&r->ulock_wait[l], 99);
        }
        double held = (double)s->ulocks[l].counts.held_ns;
        s->ulocks[l].held_fraction = wall_ns > 0 ? held / wall_ns / tables : 0;
    }
    const gs_workload *wl = r->cfg.workload;
    if (wl && wl->race_counter >= 0 && (uint32_t)wl->race_counter < r->nshared) {
        uint64_t units = 0;
        for (uint32_t i = 0; i < r->nworkers; i++)
            units += r->workers[i].units;
        s->has_race = true;
        s->updates_expected = units * (uint64_t)wl->unit_size;
        s->lost_updates = (int64_t)(s->updates_expected - (uint64_t)r->shared[wl->race_counter]);
    }
}

void gs_summarize_convoy_io(const gs_run_result *r, gs_convoy_io *out)
{
    const gs_worker_result *io = &r->workers[0];
    uint64_t from = io->start_ns, to = io->end_ns;
    for (uint32_t i = 1; i < r->nworkers; i++) {
        from = r->workers[i].start_ns > from ? r->workers[i].start_ns : from;
        to = r->workers[i].end_ns < to ? r->workers[i].end_ns : to;
    }
    gs_hist latency, wait;
    gs_hist_init(&latency);
    gs_hist_init(&wait);
    uint64_t ops = 0, started = 0, wanted = 0;
    for (uint32_t e = 0; e < io->rec.n; e++) {
        const gs_event *ev = gs_rec_event(&io->rec, e);
        if (ev->type == GS_EV_IO_START)
            started = ev->t_ns;
        else if (ev->type == GS_EV_WANT)
            wanted = ev->t_ns;
        else if (ev->type == GS_EV_GOT && started) {
            if (started >= from && ev->t_ns <= to) {
                ops++;
                gs_hist_add(&latency, ev->t_ns - started);
                gs_hist_add(&wait, ev->t_ns - wanted);
            }
            started = 0;
        }
    }
    out->ops = ops;
    out->window_ns = to > from ? to - from : 0;
    out->io_per_s = to > from ? (double)ops / ((double)(to - from) / 1e9) : 0;
    out->io_p50 = gs_hist_percentile(&latency, 50);
    out->io_p99 = gs_hist_percentile(&latency, 99);
    out->wait_p99 = gs_hist_percentile(&wait, 99);
    out->forced = out->to_asker = out->io_took = out->cpu_took = 0;
    for (uint32_t i = 0; i < r->nworkers; i++) {
        const gs_lock_stats *l = &r->workers[i].lock;
        out->forced += l->forced_drops;
        out->to_asker += l->forced_to_asker;
        *(i == 0 ? &out->io_took : &out->cpu_took) += l->forced_to_asker + l->forced_to_other;
    }
}
