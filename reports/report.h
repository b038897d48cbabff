/* report.h - every output of an experiment.  Reports read results as data
 * and never run anything. */
#ifndef GS_REPORT_H
#define GS_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "../sched/experiment.h"
#include "../sched/sweep.h"

#define GS_JSON_SCHEMA_VERSION 3

typedef struct {
    long cores;       /* online processors: the bound of every speedup */
    char cpu[128];
    char os[200];
} gs_host;

void gs_host_detect(gs_host *h);

/* The cores a run could use: the modelled ones in virtual time, --cores K
 * when it was pinned, else the machine's.  The bound of every speedup. */
long gs_usable_cores(const gs_run_config *c, const gs_host *h);

typedef enum {
    GS_PLOT_SPEEDUP,    /* speedup over one worker, with the ideal line */
    GS_PLOT_THROUGHPUT, /* work units per second */
    GS_PLOT_WAIT,       /* share of their time workers waited for a lock */
    GS_PLOT_METRIC_COUNT
} gs_plot_metric;

extern const char *const gs_plot_metric_names[GS_PLOT_METRIC_COUNT]; /* "speedup", ... */

/* The sweep as a table in the terminal. */
void gs_report_sweep_text(FILE *out, const gs_sweep *s, const gs_host *h);
/* The sweep's points as CSV (columns in docs/sweep.md) or JSON, to path or
 * "-".  Return 0, or -1 with a message. */
int gs_report_sweep_csv(const char *path, const gs_sweep *s, const gs_host *h, char err[256]);
int gs_report_sweep_json(const char *path, const gs_sweep *s, const gs_host *h, char err[256]);
/* A plot of metric versus workers drawn by gnuplot into path (.png or
 * .svg), with the script (.gp) and the data (.dat) beside it.  Returns 0,
 * or -1 with a message (naming the package when gnuplot is missing). */
int gs_report_plot(const char *path, gs_plot_metric metric, const gs_sweep *s, const gs_host *h, char err[512]);
/* The name of a plot's script or data beside it: ext (".gp", ".dat") in
 * place of the picture's extension. */
void gs_plot_companion(const char *path, const char *ext, char out[1024]);

/* The terminal report: the answer in one sentence, then the figures.
 * Fits 80 columns. */
void gs_report_text(FILE *out, const gs_experiment *e, const gs_host *h, bool color);

/* The whole experiment as JSON (schema in docs/json-schema.md), to path or
 * "-" for standard output.  A file is written whole or not at all.
 * Returns 0, or -1 with a message. */
int gs_report_json(const char *path, const gs_experiment *e, const gs_host *h, char err[256]);

/* Who did what when, as text, fitted to columns (see timeline.c). */
void gs_report_timeline(FILE *out, const gs_run_result *r, int columns);

/* The run as Chrome trace-event JSON for Perfetto (see trace.c), to path
 * or "-".  Returns 0, or -1 with a message. */
int gs_report_trace(const char *path, const gs_run_result *r, char err[256]);

/* "1.02 s", "5.00 ms", "740 us", "85 ns" */
const char *gs_fmt_ns(double ns, char buf[32]);

#endif
