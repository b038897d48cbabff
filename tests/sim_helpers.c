/* sim_helpers.c - what the tests of virtual time share (sim_helpers.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "helpers.h"
#include "sim_helpers.h"

gs_sim_model sim_model(uint32_t cores, uint64_t seed)
{
    gs_sim_model m = GS_SIM_MODEL_DEFAULT;
    m.cores = cores;
    m.seed = seed;
    return m;
}

gs_run_config sim_config(const gs_workload *w, gs_gil_policy policy, uint32_t workers, uint64_t work, bool weak,
                         const gs_sim_model *m)
{
    gs_run_config cfg = run_config(GS_MODE_THREADS, w, workers, work);
    cfg.weak = weak;
    cfg.gil.policy = policy;
    cfg.gil.interval_ns = SIM_INTERVAL_NS;
    cfg.gil.check_interval = GS_CHECK_INTERVAL_DEFAULT;
    cfg.io_latency_ns = 1000000;
    cfg.event_cap = 1u << 20;
    cfg.sim = m;
    return cfg;
}

void sim_run(const gs_workload *w, gs_gil_policy policy, uint32_t workers, uint64_t work, bool weak,
             const gs_sim_model *m, gs_run_result *r)
{
    gs_run_config cfg = sim_config(w, policy, workers, work, weak, m);
    if (gs_run(&cfg, r) != 0)
        fail_msg("%s", r->error);
    check_consistent(r, weak ? work * workers : work);
}

double io_wall(gs_mode mode, const gs_workload *w, uint32_t workers, uint64_t work, const gs_sim_model *m,
               gs_run_summary *s)
{
    gs_run_config cfg = run_config(mode, w, workers, work);
    cfg.io_latency_ns = 1000000;
    cfg.sim = m;
    gs_run_result r;
    if (gs_run(&cfg, &r) != 0)
        fail_msg("%s", r.error);
    check_consistent(&r, work);
    if (s)
        gs_summarize(&r, s);
    double wall = (double)(r.end_ns - r.start_ns);
    gs_run_result_free(&r);
    return wall;
}
