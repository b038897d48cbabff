/* sweep.c - `gilsim sweep`: the experiment over worker counts, modes and
 * workloads, with its table, CSV, JSON and plot; or, with --plan and
 * --point, the same sweep split into points (plan.c, merge.c). */
#include <stdio.h>
#include <string.h>

#include "../reports/report.h"
#include "progress.h"
#include "sweep.h"

gs_status gs_cli_sweep_outputs(gs_cli_options *o, const gs_sweep *s, bool complete)
{
    gs_host host;
    gs_host_detect(&host);
    gs_status rc = complete ? GS_OK : gs_run_stopping() ? GS_ERR_STOPPED : GS_ERR_FAILED;
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

int gs_cli_sweep_prepare(gs_cli_sweep_setup *u, int argc, char **argv, gs_status *status)
{
    memset(u, 0, sizeof *u);
    gs_cli_options *o = &u->o;
    int rc = gs_cli_parse(argc, argv, GS_CMD_SWEEP, o);
    if (rc != 0) {
        *status = GS_ERR_USAGE;
        return rc;
    }
    u->s = (gs_sweep){.cfg = gs_cli_run_config(o), .nworkloads = o->nwl, .nmodes = o->nmodes,
                      .ncounts = o->ncounts, .repeat = o->repeat,
                      .jobs = o->sim ? (o->jobs ? o->jobs : gs_cpus_allowed()) : 1, .argc = gs_cli_argc(),
                      .argv = gs_cli_argv()};
    gs_sweep *s = &u->s;
    s->cfg.event_cap = 0; /* a sweep keeps figures, not timelines */
    memcpy(s->modes, o->modes, sizeof s->modes);
    memcpy(s->counts, o->counts, sizeof s->counts);
    char err[GS_ERRMSG_MAX];
    for (; u->loaded < o->nwl; u->loaded++) {
        if (gs_workload_load(&u->wl[u->loaded], &o->wl[u->loaded], err) != 0) {
            fprintf(stderr, "gilsim: %s\n", err);
            *status = GS_ERR_INPUT;
            return -1;
        }
        if (gs_cli_check_main(o, &u->wl[u->loaded]) != 0) {
            u->loaded++; /* freed with the others */
            *status = GS_ERR_USAGE;
            return -1;
        }
        s->workloads[u->loaded] = &u->wl[u->loaded];
        gs_cli_bound_program(o, &u->wl[u->loaded], &s->cfg);
    }
    /* Each workload's own default, a quarter of a run's: a point takes
     * about 0.2 s for one worker, so the default sweep stays under half a
     * minute.  (--work gives every workload the same units.) */
    for (uint32_t i = 0; i < o->nwl && !o->work; i++)
        s->work[i] = u->wl[i].whole ? 1 : u->wl[i].default_work / 4 ? u->wl[i].default_work / 4 : 1;
    for (uint32_t i = 0; i < o->nwl && o->work; i++)
        u->wl[i].work_from = GS_FROM_OPTION;
    s->cfg.work = o->work ? o->work : s->work[0];
    if (o->nwl == 1) /* a lone program's own I/O latency, unless --io-latency says */
        s->cfg.io_latency_ns = u->wl[0].io_latency_ns;
    return 0;
}

void gs_cli_sweep_release(gs_cli_sweep_setup *u)
{
    gs_sweep_free(&u->s);
    for (uint32_t i = 0; i < u->loaded; i++)
        gs_workload_free(&u->wl[i]);
    u->loaded = 0;
}

gs_status gs_cli_sweep(int argc, char **argv)
{
    static gs_cli_sweep_setup u; /* big (a workload per slot): off the stack */
    gs_status rc = GS_OK;
    int prepared = gs_cli_sweep_prepare(&u, argc, argv, &rc);
    if (prepared != 0) {
        gs_cli_sweep_release(&u);
        return prepared > 0 ? GS_OK : rc;
    }
    if (u.o.plan || u.o.point) {
        rc = u.o.plan ? gs_cli_sweep_plan(&u) : gs_cli_sweep_point(&u);
        gs_cli_sweep_release(&u);
        return rc;
    }
    if (gs_cli_outputs_open(&u.o.outputs) != 0) {
        gs_cli_sweep_release(&u);
        return GS_ERR_USAGE;
    }
    gs_progress bar;
    gs_progress *shown = gs_progress_start(&bar, u.o.quiet);
    char run_err[GS_ERRMSG_MAX];
    int ran = gs_sweep_run(&u.s, run_err, gs_progress_update, shown);
    gs_progress_end(shown);
    if (ran != 0 && u.s.interrupted)
        fprintf(stderr, "gilsim: interrupted; writing the %u points that finished\n", u.s.npoints);
    else if (ran != 0)
        fprintf(stderr, "gilsim: %s%s\n", run_err, u.s.npoints ? "; writing the points that finished" : "");
    rc = gs_cli_sweep_outputs(&u.o, &u.s, ran == 0);
    gs_cli_sweep_release(&u);
    return rc;
}
