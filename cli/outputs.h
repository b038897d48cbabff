/* outputs.h - the files a command writes: --json, --csv, --trace, --html
 * and --plot.  One table says which command takes which and what writes
 * it for a run and for a sweep.  Every output is opened before any work
 * starts (so a bad one is a usage error, and no name is looked at again
 * after the run: reports/output.h), then written, each on its own: one
 * that fails is reported and the others are still written, and the
 * closing message says which were and which were not. */
#ifndef GS_CLI_OUTPUTS_H
#define GS_CLI_OUTPUTS_H

#include "../reports/report.h"
#include "cli.h"

/* The outputs, a row each: its option (without "--"), the commands that
 * take it, whether it may be standard output ('-'), and what writes it for
 * a run and for a sweep (NULL: that command does not take it; the plot is
 * gnuplot's three files, written apart).  Adding an output is its row and
 * its writer (docs/design.md, "Adding an output"): the option, --help's
 * list of who takes what, completion and the same-file check follow. */
#define GS_OUTPUT_KINDS(X)                                                                                       \
    X(JSON,  "json",  GS_CMD_RUN | GS_SWEEPS,               true,  gs_write_json, gs_write_sweep_json)        \
    X(CSV,   "csv",   GS_CMD_RUN | GS_SWEEPS,               true,  gs_write_run_csv, gs_write_sweep_csv)     \
    X(TRACE, "trace", GS_CMD_RUN | GS_CMD_DEMO,             true,  gs_write_run_trace, NULL)                 \
    X(HTML,  "html",  GS_CMD_RUN | GS_SWEEPS | GS_CMD_DEMO, true,  gs_write_html_run, gs_write_html_sweep)    \
    X(PLOT,  "plot",  GS_SWEEPS | GS_CMD_DEMO,              false, NULL, NULL)
#define GS_SWEEPS (GS_CMD_SWEEP | GS_CMD_MERGE) /* merge writes what sweep would have */

typedef enum {
#define GS_OUT_ENUM(e, option, cmds, dash, run, sweep) GS_OUT_##e,
    GS_OUTPUT_KINDS(GS_OUT_ENUM)
#undef GS_OUT_ENUM
    GS_OUT_COUNT
} gs_out_kind;

extern const char *const gs_out_flags[GS_OUT_COUNT];   /* "--json", ... */
extern const char *const gs_out_options[GS_OUT_COUNT]; /* "json", ... */
extern const unsigned gs_out_commands[GS_OUT_COUNT];   /* gs_command bits */
extern const bool gs_out_dash_ok[GS_OUT_COUNT];

typedef struct {
    const char *path[GS_OUT_COUNT]; /* as asked for, or NULL */
    gs_output out[GS_OUT_COUNT];    /* opened (all but the plot) */
    gs_plot_files plot;             /* the plot's three files */
    bool open[GS_OUT_COUNT];        /* opened, not yet written or abandoned */
    bool written[GS_OUT_COUNT], failed[GS_OUT_COUNT];
    uint32_t plot_width, plot_height; /* --plot-size, or 0 */
} gs_cli_outputs;

/* Opens every output with a path, before any work: where it leads and
 * that no two write one file.  Returns 0, or -1 after saying why on
 * standard error (a usage error: nothing was opened). */
int gs_cli_outputs_open(gs_cli_outputs *o);

/* Whether an output goes to standard output (the terminal report must
 * then stay off it). */
bool gs_cli_outputs_take_stdout(const gs_cli_outputs *o);

/* Writes the run's outputs, or the sweep's (its plot of metric too),
 * each one asked for.  Says why for each that fails. */
void gs_cli_outputs_write_run(gs_cli_outputs *o, const gs_experiment *e, const gs_host *h);
void gs_cli_outputs_write_sweep(gs_cli_outputs *o, const gs_sweep *s, const gs_host *h, gs_plot_metric metric);

/* Writes output k with writer(f, a, b), or the plot of s: for what only a
 * demo writes.  Returns 0, or -1 after saying why. */
int gs_cli_output_write(gs_cli_outputs *o, gs_out_kind k, int (*writer)(FILE *, const void *, const void *),
                        const void *a, const void *b);
int gs_cli_output_plot(gs_cli_outputs *o, const gs_sweep *s, const gs_host *h, gs_plot_metric metric);

/* Lets go of output k without writing it (it has nothing to show). */
void gs_cli_output_skip(gs_cli_outputs *o, gs_out_kind k);

/* Lets go of every output not written (a failed or stopped run writes
 * none of them), and, when any failed, says which were written.  Returns
 * 0, or -1 when any failed. */
int gs_cli_outputs_finish(gs_cli_outputs *o);

#endif
