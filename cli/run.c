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

/* One line on standard error for each failed worker (its error's first
 * line), for runs whose report is not on the terminal. */
static void say_failures(const gs_experiment *e)
{
    const gs_run_result *r = &e->runs[e->median];
    uint32_t said = 0;
    for (uint32_t i = 0; i < r->nworkers && said < 8; i++) {
        const gs_worker_result *w = &r->workers[i];
        if (!w->failed || (r->stopped && strcmp(w->rare->error, gs_run_stop_reason()) == 0))
            continue;
        fprintf(stderr, "gilsim: %s %u failed: %.*s\n", gs_mode_singular[r->cfg.mode], w->id,
                (int)strcspn(w->rare->error, "\n"), w->rare->error);
        said++;
    }
    if (r->failed > said && !r->stopped)
        fprintf(stderr, "gilsim: ... and %u more %s failed\n", r->failed - said, gs_mode_plural[r->cfg.mode]);
    if (r->stopped)
        fprintf(stderr, "gilsim: %s before every %s finished its share of the work\n",
                gs_run_stopping() ? "interrupted" : "stopped by --timeout", gs_mode_singular[r->cfg.mode]);
    char clause[320];
    if (e->checksum_ok != 1 && gs_checksum_said(e, clause, sizeof clause))
        fprintf(stderr, "gilsim: %sthe checksum, %lld, %s%s\n", e->checksum_ok == 0 ? "" : "note: ",
                (long long)e->summaries[e->median].checksum, e->checksum_ok == 0 ? "" : "is ", clause);
}

/* The terminal report and the files.  Returns the exit status. */
static int report(gs_cli_options *o, const gs_experiment *e)
{
    gs_host host;
    gs_host_detect(&host);
    bool stdout_taken = gs_cli_outputs_take_stdout(&o->outputs);
    if (!o->quiet && !stdout_taken)
        gs_report_text(stdout, e, &host, gs_cli_color(o));
    if (o->timeline && !stdout_taken) {
        if (!o->quiet)
            putchar('\n'); /* apart from the report above */
        gs_report_timeline(stdout, &e->runs[e->median], gs_terminal_columns());
    }
    gs_cli_outputs_write_run(&o->outputs, e, &host);
    int rc = gs_cli_outputs_finish(&o->outputs) != 0 ? GS_ERR_FAILED : GS_OK;
    const gs_run_result *r = &e->runs[e->median];
    if (o->quiet || stdout_taken) /* no report says it: a failure still reaches the terminal */
        say_failures(e);
    if (gs_run_stopping())
        return GS_ERR_STOPPED;
    if (rc != GS_OK || r->failed || r->stopped || e->checksum_ok == 0)
        return GS_ERR_FAILED;
    return GS_OK;
}

gs_status gs_cli_run(int argc, char **argv)
{
    gs_cli_options o;
    int rc = gs_cli_parse(argc, argv, GS_CMD_RUN, &o);
    if (rc != 0)
        return rc > 0 ? GS_OK : GS_ERR_USAGE;

    char python[4096];
    if (o.vs_python && !gs_vs_python_available(python)) { /* before anything runs */
        fprintf(stderr, "gilsim: --vs-python needs python3, which is not on PATH (apt-get install python3)\n");
        return GS_ERR_FAILED;
    }
    gs_workload wl;
    char err[GS_ERRMSG_MAX];
    if (gs_workload_load(&wl, &o.wl[0], err) != 0) {
        fprintf(stderr, "gilsim: %s\n", err);
        return GS_ERR_INPUT;
    }
    if (gs_cli_check_main(&o, &wl) != 0) {
        gs_workload_free(&wl);
        return GS_ERR_USAGE;
    }
    if (gs_cli_outputs_open(&o.outputs) != 0) {
        gs_workload_free(&wl);
        return GS_ERR_USAGE;
    }
    if (o.timeline && gs_cli_outputs_take_stdout(&o.outputs)) {
        fprintf(stderr, "gilsim: --timeline draws on standard output, which an output given as '-' takes: "
                        "write that output to a file, or drop --timeline (see gilsim --help)\n");
        gs_cli_outputs_finish(&o.outputs);
        gs_workload_free(&wl);
        return GS_ERR_USAGE;
    }
    gs_experiment e = {.cfg = gs_cli_run_config(&o), .repeat = o.repeat, .baseline = o.baseline,
                       .argc = gs_cli_argc(), .argv = gs_cli_argv()};
    e.cfg.workload = &wl;
    e.cfg.io_latency_ns = wl.io_latency_ns; /* --io-latency's, or the program's own */
    gs_cli_bound_program(&o, &wl, &e.cfg);
    if (e.cfg.work)
        wl.work_from = GS_FROM_OPTION;
    else
        e.cfg.work = wl.default_work;

    gs_progress bar;
    gs_progress *shown = gs_progress_start(&bar, o.quiet);
    char run_err[GS_ERRMSG_MAX];
    rc = gs_experiment_run(&e, run_err, gs_progress_update, shown);
    gs_progress_end(shown);
    if (rc != 0) {
        fprintf(stderr, "gilsim: %s\n", run_err);
        gs_cli_outputs_finish(&o.outputs); /* nothing to write */
        rc = gs_run_stopping() ? GS_ERR_STOPPED : GS_ERR_FAILED;
    } else {
        rc = report(&o, &e);
        if (o.vs_python && !gs_run_stopping() && gs_vs_python(o.wl[0].path, &e) != 0 && rc != GS_ERR_STOPPED)
            rc = gs_run_stopping() ? GS_ERR_STOPPED : GS_ERR_FAILED;
    }
    gs_experiment_free(&e);
    gs_workload_free(&wl);
    return rc;
}
