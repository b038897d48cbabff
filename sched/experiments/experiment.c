/* experiment.c - repeats, median, baseline, speedup (see experiment.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../experiment.h"

static int run_one(const gs_run_config *cfg, gs_run_result *r, gs_run_summary *s, char err[GS_ERRMSG_MAX])
{
    if (gs_run(cfg, r) != 0) {
        snprintf(err, GS_ERRMSG_MAX, "%s", r->error);
        return -1;
    }
    gs_summarize(r, s);
    return 0;
}

static int cmp_wall(const void *a, const void *b, void *arg)
{
    const gs_run_summary *s = arg;
    double x = s[*(const uint32_t *)a].wall_s, y = s[*(const uint32_t *)b].wall_s;
    return (x > y) - (x < y);
}

/* Speedup, efficiency and the checksum check against e->base_summary. */
static void compare(gs_experiment *e)
{
    const gs_run_summary *m = &e->summaries[e->median];
    if (e->base_summary.throughput <= 0)
        return;
    e->speedup = m->throughput / e->base_summary.throughput;
    e->efficiency = e->speedup / e->cfg.workers;
    if (!e->cfg.weak && e->runs[e->median].failed == 0 && !e->runs[e->median].stopped)
        e->checksum_ok = m->checksum == e->base_summary.checksum;
}

int gs_experiment_run(gs_experiment *e, char err[GS_ERRMSG_MAX], void (*progress)(uint32_t, uint32_t, void *), void *arg)
{
    uint32_t total = e->repeat + (e->baseline ? 1 : 0), done = 0;
    e->runs = calloc(e->repeat, sizeof *e->runs);
    e->summaries = calloc(e->repeat, sizeof *e->summaries);
    e->models = e->cfg.sim ? calloc(e->repeat, sizeof *e->models) : NULL;
    e->checksum_ok = -1;
    if (!e->runs || !e->summaries || (e->cfg.sim && !e->models)) {
        snprintf(err, GS_ERRMSG_MAX, "out of memory");
        return -1;
    }
    if (!e->cfg.sim && gs_run_reserve_fds(&e->cfg, err) != 0) /* before the baseline, not after */
        return -1;
    if (e->baseline) {
        gs_run_config b = e->cfg;
        b.workers = 1;
        if (e->cfg.weak)
            b.work = e->cfg.work;
        if (run_one(&b, &e->base, &e->base_summary, err) != 0)
            return -1;
        e->have_baseline = e->base.failed == 0 && !e->base.stopped;
        if (progress)
            progress(++done, total, arg);
    }
    for (uint32_t i = 0; i < e->repeat && !gs_run_stopping(); i++) {
        gs_run_config cfg = e->cfg;
        if (cfg.sim) {
            e->models[i] = *cfg.sim;
            e->models[i].seed += i;
            cfg.sim = &e->models[i];
        }
        if (run_one(&cfg, &e->runs[i], &e->summaries[i], err) != 0)
            return e->nruns ? 0 : -1;
        e->nruns++;
        if (progress)
            progress(++done, total, arg);
    }
    if (e->nruns == 0) {
        snprintf(err, GS_ERRMSG_MAX, "interrupted before any run finished");
        return -1;
    }
    uint32_t *order = malloc(e->nruns * sizeof *order);
    if (!order) {
        snprintf(err, GS_ERRMSG_MAX, "out of memory");
        return -1;
    }
    for (uint32_t i = 0; i < e->nruns; i++)
        order[i] = i;
    qsort_r(order, e->nruns, sizeof *order, cmp_wall, e->summaries);
    e->median = order[(e->nruns - 1) / 2];
    e->wall_min_s = e->summaries[order[0]].wall_s;
    e->wall_max_s = e->summaries[order[e->nruns - 1]].wall_s;
    free(order);

    if (e->have_baseline)
        compare(e);
    return 0;
}

void gs_experiment_compare(gs_experiment *e, const gs_run_summary *base)
{
    e->base_summary = *base;
    e->have_baseline = true;
    compare(e);
}

void gs_experiment_free(gs_experiment *e)
{
    for (uint32_t i = 0; e->runs && i < e->repeat; i++)
        gs_run_result_free(&e->runs[i]);
    free(e->runs);
    free(e->summaries);
    free(e->models);
    if (e->baseline)
        gs_run_result_free(&e->base);
}
