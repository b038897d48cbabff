/* sweep.c - `gilsim sweep`: the experiment over worker counts, modes and
 * workloads, with its table, CSV, JSON and plot. */
#include <stdio.h>
#include <string.h>

#include "../reports/report.h"
#include "cli.h"
#include "options.h"
#include "progress.h"

/* Writes every output asked for; what can be written is, even when
 * something else failed.  Returns the exit status. */
static int write_outputs(gs_cli_options *o, const gs_sweep *s, bool complete)
{
    gs_host host;
    gs_host_detect(&host);
    int rc = complete ? GS_OK : gs_run_stopping() ? GS_ERR_STOPPED : GS_ERR_FAILED;
    bool stdout_taken = gs_cli_outputs_take_stdout(&o->outputs);
    if (!o->quiet && !stdout_taken)
        gs_report_sweep_text(stdout, s, &host);
    if (s->npoints == 0) { /* a page or a plot of nothing is no output; the CSV and JSON say so */
        gs_cli_output_skip(&o->outputs, GS_OUT_HTML);
        gs_cli_output_skip(&o->outputs, GS_OUT_PLOT);
    }
    gs_cli_outputs_write_sweep(&o->outputs, s, &host, o->plot_metric);
    if (o->outputs.written[GS_OUT_PLOT] && !o->quiet && !stdout_taken)
        printf("plot: %s (redraw or restyle it with its .gp script and .dat data)\n", o->outputs.plot.picture.name);
    if (gs_cli_outputs_finish(&o->outputs) != 0)
        rc = rc ? rc : GS_ERR_FAILED;
    for (uint32_t i = 0; i < s->npoints && rc == GS_OK; i++)
        if (s->points[i].failed || s->points[i].checksum_ok == 0)
            rc = GS_ERR_FAILED;
    return rc;
}

gs_status gs_cli_sweep(int argc, char **argv)
{
    gs_cli_options o;
    int rc = gs_cli_parse(argc, argv, GS_CMD_SWEEP, &o);
    if (rc != 0)
        return rc > 0 ? GS_OK : GS_ERR_USAGE;

    gs_workload wl[GS_SWEEP_MAX_WORKLOADS];
    gs_sweep s = {.cfg = gs_cli_run_config(&o), .nworkloads = o.nwl, .nmodes = o.nmodes,
                  .ncounts = o.ncounts, .repeat = o.repeat,
                  .jobs = o.sim ? (o.jobs ? o.jobs : gs_cpus_allowed()) : 1, .argc = gs_cli_argc(),
                  .argv = gs_cli_argv()};
    s.cfg.event_cap = 0; /* a sweep keeps figures, not timelines */
    memcpy(s.modes, o.modes, sizeof s.modes);
    memcpy(s.counts, o.counts, sizeof s.counts);
    char err[GS_ERRMSG_MAX];
    uint32_t loaded = 0;
    for (; loaded < o.nwl; loaded++) {
        if (gs_workload_load(&wl[loaded], &o.wl[loaded], err) != 0) {
            fprintf(stderr, "gilsim: %s\n", err);
            rc = GS_ERR_INPUT;
            goto done;
        }
        s.workloads[loaded] = &wl[loaded];
    }
    /* Each workload's own default, a quarter of a run's: a point takes
     * about 0.2 s for one worker, so the default sweep stays under half a
     * minute.  (--work gives every workload the same units.) */
    for (uint32_t i = 0; i < o.nwl && !o.work; i++)
        s.work[i] = wl[i].default_work / 4 ? wl[i].default_work / 4 : 1;
    for (uint32_t i = 0; i < o.nwl && o.work; i++)
        wl[i].work_from = GS_FROM_OPTION;
    s.cfg.work = o.work ? o.work : s.work[0];
    if (o.nwl == 1) /* a lone program's own I/O latency, unless --io-latency says */
        s.cfg.io_latency_ns = wl[0].io_latency_ns;
    if (gs_cli_outputs_open(&o.outputs) != 0) {
        rc = GS_ERR_USAGE;
        goto done;
    }

    gs_progress bar;
    gs_progress *shown = gs_progress_start(&bar, o.quiet);
    char run_err[GS_ERRMSG_MAX];
    rc = gs_sweep_run(&s, run_err, gs_progress_update, shown);
    gs_progress_end(shown);
    if (rc != 0 && s.interrupted)
        fprintf(stderr, "gilsim: interrupted; writing the %u points that finished\n", s.npoints);
    else if (rc != 0)
        fprintf(stderr, "gilsim: %s%s\n", run_err, s.npoints ? "; writing the points that finished" : "");
    rc = write_outputs(&o, &s, rc == 0);
done:
    gs_sweep_free(&s);
    for (uint32_t i = 0; i < loaded; i++)
        gs_workload_free(&wl[i]);
    return rc;
}
