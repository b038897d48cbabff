/* runner.h - the runners' entry points (private to sched/): the one that
 * runs a configuration on a given machine, which run.c dispatches to the
 * runner of the mode, and one worker's result set up.  What the runners
 * share as they run is gate.h's and worker.h's; run.c uses none of it, so
 * no runner and run.c depend on each other both ways. */
#ifndef GS_RUNNER_H
#define GS_RUNNER_H

#include "../machine/machine.h"
#include "../run.h"

/* gs_run on the machine os (the real one, a simulated one, or a test's). */
int gs_run_on(gs_os *os, const gs_run_config *cfg, gs_run_result *out);

/* The runners of the three modes, each on the machine os. */
int gs_threads_run(gs_os *os, const gs_run_config *cfg, gs_run_result *out);
int gs_processes_run(gs_os *os, const gs_run_config *cfg, gs_run_result *out);
int gs_async_run(gs_os *os, const gs_run_config *cfg, gs_run_result *out);

#endif
