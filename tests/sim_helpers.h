/* sim_helpers.h - what the tests of virtual time share (test_sim.c,
 * test_sim_locks.c, test_sim_runners.c): a model, a threads run on it, an
 * I/O-bound run. */
#ifndef GS_TEST_SIM_HELPERS_H
#define GS_TEST_SIM_HELPERS_H

#include "run.h"
#include "sim.h"
#include "summary.h"

/* The switch interval of sim_config's runs: CPython's 5 ms. */
#define SIM_INTERVAL_NS 5000000ull

/* The default model with cores cores and this seed. */
gs_sim_model sim_model(uint32_t cores, uint64_t seed);

/* Workers threads of w under policy on m; the total work split among
 * them (per worker when weak). */
gs_run_config sim_config(const gs_workload *w, gs_gil_policy policy, uint32_t workers, uint64_t work, bool weak,
                         const gs_sim_model *m);

/* Runs sim_config's run.  Fills r, checked for consistency. */
void sim_run(const gs_workload *w, gs_gil_policy policy, uint32_t workers, uint64_t work, bool weak,
             const gs_sim_model *m, gs_run_result *r);

/* The virtual wall time of `work` I/O-bound units (1 ms sleeps) split
 * over `workers` of mode on m, checked for consistency; s, when not NULL,
 * gets the run's summary. */
double io_wall(gs_mode mode, const gs_workload *w, uint32_t workers, uint64_t work, const gs_sim_model *m,
               gs_run_summary *s);

#endif
