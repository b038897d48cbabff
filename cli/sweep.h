/* sweep.h - what gilsim sweep, its points and gilsim merge share (private
 * to cli/): a sweep made from its command line, and its outputs. */
#ifndef GS_CLI_SWEEP_H
#define GS_CLI_SWEEP_H

#include "cli.h"
#include "options.h"

typedef struct {
    gs_cli_options o;
    gs_workload wl[GS_SWEEP_MAX_WORKLOADS];
    uint32_t loaded;
    gs_sweep s;
} gs_cli_sweep_setup;

/* Parses a sweep's command line (argv[0] "sweep") and loads its
 * workloads into u->s, ready to run.  Returns 0; 1 when --help or
 * --version was answered; or -1 with *status the error (already said). */
int gs_cli_sweep_prepare(gs_cli_sweep_setup *u, int argc, char **argv, gs_status *status);
void gs_cli_sweep_release(gs_cli_sweep_setup *u);

/* Writes the terminal report and every output asked for, of the points
 * there are (complete: all of them).  Returns the command's status. */
gs_status gs_cli_sweep_outputs(gs_cli_options *o, const gs_sweep *s, bool complete);

/* sweep --plan and --point (plan.c). */
gs_status gs_cli_sweep_plan(gs_cli_sweep_setup *u);
gs_status gs_cli_sweep_point(gs_cli_sweep_setup *u);

#endif
