/* run.c - `gilsim [run] [options]`: one experiment, from the command line
 * (options.c validates it all before any work starts) to the reports. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vs_python.h"
#include "../reports/report.h"
#include "../sched/experiment.h"
#include "cli.h"
#include "options.h"
#include "progress.h"

/* The terminal report and the files.  Returns the exit status. */
static int report(gs_cli_options *o, const gs_experiment *e)
{
    gs_host host;
    gs_host_detect(&host);
    bool stdout_taken = gs_cli_outputs_take_stdout(&o->outputs);
    if (!o->quiet && !stdout_taken)
        gs_report_text(stdout, e, &host, gs_cli_color(o));
    if (o->timeline && !stdout_taken)
        gs_report_timeline(stdout, &e->runs[e->median], gs_terminal_columns());
    gs_cli_outputs_write_run(&o->outputs, e, &host);
    int rc = gs_cli_outputs_finish(&o->outputs) != 0 ? GS_EXIT_FAILURE : GS_EXIT_OK;
    const gs_run_result *r = &e->runs[e->median];
    if (gs_run_stopping())
        return gs_cli_stopped_status();
    if (rc != GS_EXIT_OK || r->failed || r->stopped || e->checksum_ok == 0)
        return GS_EXIT_FAILURE;
    return GS_EXIT_OK;
}

int gs_cli_run(int argc, char **argv)
{
    gs_cli_options o;
    int rc = gs_cli_parse(argc, argv, GS_CMD_RUN, &o);
    if (rc != 0)
        return rc > 0 ? GS_EXIT_OK : GS_EXIT_USAGE;

    char python[4096];
    if (o.vs_python && !gs_vs_python_available(python)) { /* before anything runs */
        fprintf(stderr, "gilsim: --vs-python needs python3, which is not on PATH (apt-get install python3)\n");
        return GS_EXIT_FAILURE;
    }
    gs_workload wl;
    char err[GS_ERRMSG_MAX];
    if (gs_workload_load(&wl, &o.wl[0], err) != 0) {
        fprintf(stderr, "gilsim: %s\n", err);
        return GS_EXIT_USAGE;
    }
    if (gs_cli_outputs_open(&o.outputs) != 0) {
        gs_workload_free(&wl);
        return GS_EXIT_USAGE;
    }
    gs_experiment e = {.cfg = gs_cli_run_config(&o), .repeat = o.repeat, .baseline = o.baseline};
    e.cfg.workload = &wl;
    if (!e.cfg.work)
        e.cfg.work = wl.default_work;

    gs_progress bar;
    gs_progress *shown = gs_progress_start(&bar, o.quiet);
    char run_err[256];
    rc = gs_experiment_run(&e, run_err, gs_progress_update, shown);
    gs_progress_end(shown);
    if (rc != 0) {
        fprintf(stderr, "gilsim: %s\n", run_err);
        gs_cli_outputs_finish(&o.outputs); /* nothing to write */
        rc = gs_run_stopping() ? gs_cli_stopped_status() : GS_EXIT_FAILURE;
    } else {
        rc = report(&o, &e);
        if (o.vs_python && !gs_run_stopping() && gs_vs_python(o.wl[0].path, &e) != 0 && rc != gs_cli_stopped_status())
            rc = gs_run_stopping() ? gs_cli_stopped_status() : GS_EXIT_FAILURE;
    }
    gs_experiment_free(&e);
    gs_workload_free(&wl);
    return rc;
}
