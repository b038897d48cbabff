/* run.c - what every mode shares: setting up results, the stop flag, and
 * dispatching to the runner of the mode. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner.h"
#include "../sim.h"

const char *const gs_mode_names[GS_MODE_COUNT] = {
#define GS_MODE_NAME(e, name, one, many, max, sim_max) [GS_MODE_##e] = name,
    GS_MODES(GS_MODE_NAME)
#undef GS_MODE_NAME
};

const char *const gs_mode_singular[GS_MODE_COUNT] = {
#define GS_MODE_ONE(e, name, one, many, max, sim_max) [GS_MODE_##e] = one,
    GS_MODES(GS_MODE_ONE)
#undef GS_MODE_ONE
};

const char *const gs_mode_plural[GS_MODE_COUNT] = {
#define GS_MODE_MANY(e, name, one, many, max, sim_max) [GS_MODE_##e] = many,
    GS_MODES(GS_MODE_MANY)
#undef GS_MODE_MANY
};

const uint32_t gs_mode_max_workers[GS_MODE_COUNT] = {
#define GS_MODE_MAX(e, name, one, many, max, sim_max) [GS_MODE_##e] = max,
    GS_MODES(GS_MODE_MAX)
#undef GS_MODE_MAX
};

const uint32_t gs_mode_max_simulated[GS_MODE_COUNT] = {
#define GS_MODE_SIM_MAX(e, name, one, many, max, sim_max) [GS_MODE_##e] = sim_max,
    GS_MODES(GS_MODE_SIM_MAX)
#undef GS_MODE_SIM_MAX
};

static atomic_bool stop_requested;

void gs_run_stop(void) { atomic_store(&stop_requested, true); }
bool gs_run_stopping(void) { return atomic_load(&stop_requested); }
const char *gs_run_stop_reason(void) { return gs_run_stopping() ? "interrupted" : "stopped by --timeout"; }

/* Sets up worker id's result in zeroed memory, its recorder on cap events
 * at events, gap other workers' chunks between two of its own (cap 0:
 * none). */
static void worker_result_init(gs_worker_result *w, const gs_run_config *cfg, uint32_t id, gs_event *events,
                               uint32_t cap, uint32_t gap, gs_worker_rare *rare)
{
    /* w is zeroed memory: its counters and histograms are ready, and a
     * histogram a worker never adds to (a task's lock figures) costs no
     * memory at all */
    w->id = id;
    if (cfg->weak) {
        w->first_unit = (uint64_t)id * cfg->work;
        w->units = cfg->work;
    } else {
        gs_workload_split(cfg->work, cfg->workers, id, &w->first_unit, &w->units);
    }
    w->rec = (gs_recorder){.events = events, .cap = cap, .gap = gap};
    w->rare = rare;
}

uint32_t gs_cpus_allowed(void)
{
    gs_os *os = gs_os_real();
    return os->ops->cpus(os);
}

/* Counts the failed workers and the time spent collecting results. */
static int finish(gs_run_result *out)
{
    uint64_t last_end = out->start_ns;
    for (uint32_t i = 0; i < out->nworkers; i++) {
        out->failed += out->workers[i].failed;
        if (out->workers[i].end_ns > last_end)
            last_end = out->workers[i].end_ns;
    }
    out->collect_ns = out->end_ns > last_end ? out->end_ns - last_end : 0;
    return 0;
}

int gs_run_on(gs_os *os, const gs_run_config *cfg, gs_run_result *out)
{
    memset(out, 0, sizeof *out);
    out->cfg = *cfg;
    out->nworkers = cfg->workers;
    uint32_t max = (cfg->sim ? gs_mode_max_simulated : gs_mode_max_workers)[cfg->mode];
    if (cfg->workers < 1 || cfg->workers > max) {
        snprintf(out->error, sizeof out->error, "%s: %u workers; allowed 1..%u", gs_mode_names[cfg->mode],
                 cfg->workers, max);
        return -1;
    }
    out->workers = calloc(cfg->workers, sizeof *out->workers);
    out->rare = calloc(cfg->workers, sizeof *out->rare);
    if (!out->workers || !out->rare) {
        snprintf(out->error, sizeof out->error, "out of memory for %u workers", cfg->workers);
        return -1;
    }
    /* The workers' events in one block: a few workers' buffers are large,
     * and one each would be a mapping each to make and unmap (16 threads'
     * cost 80 us, five times what simulating one takes); pages nobody
     * records into are never touched.  Their chunks interleave (recorder.h)
     * where each has room for a chunk or more. */
    uint32_t cap = cfg->event_cap / cfg->workers;
    bool interleaved = cfg->workers > 1 && cap >= GS_REC_CHUNK;
    size_t slots = interleaved ? (size_t)(cap + GS_REC_CHUNK - 1) / GS_REC_CHUNK * GS_REC_CHUNK : cap; /* a worker's */
    size_t bytes = (slots * cfg->workers * sizeof *out->events + 127) / 128 * 128;
    if (cap && !(out->events = aligned_alloc(128, bytes))) {
        snprintf(out->error, sizeof out->error, "out of memory for the event buffers");
        return -1;
    }
    for (uint32_t i = 0; i < cfg->workers; i++)
        worker_result_init(&out->workers[i], cfg, i,
                           !cap ? NULL : out->events + (size_t)i * (interleaved ? GS_REC_CHUNK : cap), cap,
                           interleaved ? cfg->workers - 1 : 0, &out->rare[i]);
    /* Every thread the runner's thread creates and every process it starts
     * inherits its mask, so pinning it for the length of the run pins every
     * worker: Beazley's "one core disabled" experiment. */
    if (cfg->cores && os->ops->pin(os, cfg->cores, out->error) != 0)
        return -1;
    int64_t others0 = 0, others1 = 0;
    uint64_t error = 0;
    bool others = os->ops->others_cpu_ns(os, &others0, &error);
    int rc = -1;
    switch (cfg->mode) {
    case GS_MODE_THREADS:   rc = gs_threads_run(os, cfg, out); break;
    case GS_MODE_PROCESSES: rc = gs_processes_run(os, cfg, out); break;
    case GS_MODE_ASYNC:     rc = gs_async_run(os, cfg, out); break;
    default: snprintf(out->error, sizeof out->error, "unknown mode %d", (int)cfg->mode); break;
    }
    out->others_known = others && os->ops->others_cpu_ns(os, &others1, &error);
    /* what is surely theirs: less what the counters' ticks may add; and
     * the most that may be theirs */
    out->others_cpu_ns = out->others_known && others1 - others0 > (int64_t)(2 * error) ? others1 - others0 - (int64_t)(2 * error) : 0;
    out->others_cpu_max_ns = out->others_known && others1 - others0 + (int64_t)(2 * error) > 0
                                 ? others1 - others0 + (int64_t)(2 * error) : 0;
    if (cfg->cores)
        os->ops->pin(os, 0, out->error); /* the mask it had: cannot fail */
    return rc != 0 ? rc : finish(out);
}

int gs_run(const gs_run_config *cfg, gs_run_result *out)
{
    if (!cfg->sim)
        return gs_run_on(gs_os_real(), cfg, out);
    gs_os *os = gs_os_sim_new(cfg->sim);
    if (!os) {
        memset(out, 0, sizeof *out);
        snprintf(out->error, sizeof out->error, "out of memory for the simulated machine");
        return -1;
    }
    int rc = gs_run_on(os, cfg, out);
    out->sim_stacks = gs_os_sim_stacks(os);
    gs_os_sim_free(os);
    return rc;
}

int gs_run_reserve(const gs_run_config *cfg, char err[GS_ERRMSG_MAX])
{
    unsigned kinds = gs_program_io_kinds(&cfg->workload->prog);
    uint64_t n = cfg->workers, pipes = kinds & (1u << GS_IO_PIPE) ? 1 : 0;
    uint64_t run = 2 + (kinds & (1u << GS_IO_FILE) ? 1 : 0); /* the stop's eventfd, the file */
    switch (cfg->mode) {
    case GS_MODE_THREADS:   run += 2 * pipes * n; break;   /* a socketpair a worker */
    case GS_MODE_PROCESSES: run += n + 4 + 2 * pipes; break; /* a result pipe a child; the gate;
                                                                a child's own socketpair */
    case GS_MODE_ASYNC:     run += 3 * pipes * n + 8; break; /* a socketpair and libuv's copy a task;
                                                                the loop's own */
    default: break;
    }
    /* tasks: a thread a worker (or a process), an echo peer a worker with
     * pipe I/O, an async run's loop and libuv's 4 pool threads */
    uint64_t tasks = (cfg->mode == GS_MODE_ASYNC ? 1 + 4 : n) + pipes * n;
    gs_os *os = gs_os_real(); /* a modelled run opens none: only real ones are counted */
    uint64_t need = 0, limit = 0;
    const char *many = n == 1 ? gs_mode_singular[cfg->mode] : gs_mode_plural[cfg->mode];
    if (cfg->sim)
        return 0;
    if (os->ops->reserve_fds(os, run + 16, &need, &limit) != 0) { /* 16: the libraries' */
        snprintf(err, GS_ERRMSG_MAX, "%llu %s need about %llu open files at once; the limit is %llu (see ulimit -n)",
                 (unsigned long long)n, many, (unsigned long long)need, (unsigned long long)limit);
        return -1;
    }
    if (os->ops->reserve_tasks(os, tasks, &need, &limit) != 0) {
        snprintf(err, GS_ERRMSG_MAX, "%llu %s need about %llu threads and processes at once; this user may have "
                 "%llu (see ulimit -u)", (unsigned long long)n, many, (unsigned long long)need,
                 (unsigned long long)limit);
        return -1;
    }
    return 0;
}

void gs_worker_hists(gs_worker_result *w, gs_worker_hist *out[GS_WORKER_HISTS])
{
    out[0] = &w->lock.wait;
    out[1] = &w->lock.hold;
    out[2] = &w->lock.handoff;
    out[3] = &w->io_latency;
    out[4] = &w->loop_lag;
}

void gs_worker_result_free(gs_worker_result *w)
{
    gs_worker_hist *h[GS_WORKER_HISTS];
    gs_worker_hists(w, h);
    for (int i = 0; i < GS_WORKER_HISTS; i++)
        gs_worker_hist_free(h[i]);
}

void gs_run_result_free(gs_run_result *r)
{
    for (uint32_t i = 0; r->workers && i < r->nworkers; i++)
        gs_worker_result_free(&r->workers[i]);
    free(r->events);
    gs_lock_stats_free(&r->loop_lock);
    free(r->workers);
    free(r->rare);
    free(r->ulock_wait);
    memset(r, 0, sizeof *r);
}
