/* run.c - what every mode shares: setting up results, the stop flag, and
 * dispatching to the runner of the mode. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "run.h"

const char *const gs_mode_names[GS_MODE_COUNT] = {
#define GS_MODE_NAME(e, name, one, what) [GS_MODE_##e] = name,
    GS_MODES(GS_MODE_NAME)
#undef GS_MODE_NAME
};

const char *const gs_mode_singular[GS_MODE_COUNT] = {
#define GS_MODE_ONE(e, name, one, what) [GS_MODE_##e] = one,
    GS_MODES(GS_MODE_ONE)
#undef GS_MODE_ONE
};

static atomic_bool stop_requested;

void gs_run_stop(void) { atomic_store(&stop_requested, true); }
bool gs_run_stopping(void) { return atomic_load(&stop_requested); }

int gs_worker_result_init(gs_worker_result *w, const gs_run_config *cfg, uint32_t id, uint32_t nworkers)
{
    memset(w, 0, sizeof *w);
    w->id = id;
    if (cfg->weak) {
        w->first_unit = (uint64_t)id * cfg->work;
        w->units = cfg->work;
    } else {
        gs_workload_split(cfg->work, nworkers, id, &w->first_unit, &w->units);
    }
    gs_lock_stats_init(&w->lock);
    gs_hist_init(&w->io_latency);
    uint32_t cap = cfg->event_cap / nworkers;
    if (cap) {
        w->rec.events = malloc((size_t)cap * sizeof *w->rec.events);
        if (!w->rec.events)
            return -1;
        w->rec.cap = cap;
    }
    return 0;
}

int gs_run(const gs_run_config *cfg, gs_run_result *out)
{
    memset(out, 0, sizeof *out);
    out->cfg = *cfg;
    out->nworkers = cfg->workers;
    out->workers = calloc(cfg->workers, sizeof *out->workers);
    if (!out->workers) {
        snprintf(out->error, sizeof out->error, "out of memory for %u workers", cfg->workers);
        return -1;
    }
    for (uint32_t i = 0; i < cfg->workers; i++) {
        if (gs_worker_result_init(&out->workers[i], cfg, i, cfg->workers) != 0) {
            snprintf(out->error, sizeof out->error, "out of memory for the event buffers");
            return -1;
        }
    }
    switch (cfg->mode) {
    case GS_MODE_THREADS:
        return gs_threads_run(cfg, out);
    default:
        snprintf(out->error, sizeof out->error, "mode %s is not available yet", gs_mode_names[cfg->mode]);
        return -1;
    }
}

void gs_run_result_free(gs_run_result *r)
{
    for (uint32_t i = 0; r->workers && i < r->nworkers; i++)
        free(r->workers[i].rec.events);
    free(r->workers);
    memset(r, 0, sizeof *r);
}
