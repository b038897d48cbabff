/* report.h - every output of an experiment.  Reports read results as data
 * and never run anything. */
#ifndef GS_REPORT_H
#define GS_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "../sched/experiment.h"
#include "../sched/sweep.h"
#include "../sched/verdict.h"
#include "output.h"
#include "table.h"

#include <jansson.h>

#include "../sched/sim.h"

#define GS_JSON_SCHEMA_VERSION 4

typedef struct {
    long cores;       /* online processors */
    long allowed;     /* those gilsim may run on (its CPU affinity, taskset) */
    char cpu[128];
    char os[200];
    char name[65];    /* the host's name (uname's nodename), "?" if none */
} gs_host;

void gs_host_detect(gs_host *h);

/* The cores a run could use: the modelled ones in virtual time, --cores K
 * when it was pinned, else those the machine lets gilsim use.  The bound
 * of every speedup. */
long gs_usable_cores(const gs_run_config *c, const gs_host *h);

/* Where a run ran, for a sentence: "on this 2-core machine", "on 1 of
 * this machine's 2 cores (its CPU affinity)", "on 2 of this machine's 4
 * cores (--cores 2)", "on 8 modelled cores (virtual time)". */
const char *gs_host_where(const gs_run_config *c, const gs_host *h, char buf[96]);

/* The parts of the JSON reports the run and the sweep share: the host,
 * the modelled machine (null in real time), the command line as given. */
json_t *gs_host_json(const gs_host *h);
json_t *gs_model_json(const gs_sim_model *m);
/* A verdict (sched/verdict.h): {trusted, doubts: [{kind, text}]}. */
json_t *gs_verdict_json(const gs_verdict *v, gs_mode mode, uint32_t workers);
json_t *gs_command_json(int argc, char *const argv[]);

typedef enum {
    GS_PLOT_SPEEDUP,    /* speedup over one worker, with the ideal line */
    GS_PLOT_THROUGHPUT, /* work units per second */
    GS_PLOT_WAIT,       /* share of their time workers waited for a lock */
    GS_PLOT_METRIC_COUNT
} gs_plot_metric;

extern const char *const gs_plot_metric_names[GS_PLOT_METRIC_COUNT]; /* "speedup", ... */

/* Prints first, then text broken at spaces before column 78, each line
 * after the first indented as far as first is long. */
void gs_wrap(FILE *out, const char *first, const char *text);

/* The sweep in the terminal: its answer, its table, and what to make of
 * them (the notes: how far repeats varied, what a '?' doubts, what the
 * speedups compare). */
void gs_report_sweep_text(FILE *out, const gs_sweep *s, const gs_host *h);
void gs_report_sweep_notes(FILE *out, const gs_sweep *s, const gs_host *h);
/* The answer in a sentence: each mode's speedup at the most workers. */
const char *gs_sweep_answer(const gs_sweep *s, const gs_host *h, char *buf, size_t size);
/* Its points as a table (the terminal's and the page's); t is the
 * caller's to free. */
void gs_sweep_table(const gs_sweep *s, gs_table *t);

/* The writers of the files: each writes to f, which output.h opened, and
 * returns 0, or -1 when out of memory.  The sweep's points as CSV (columns
 * in docs/sweep.md) and JSON; the whole experiment as JSON (schema in
 * docs/json-schema.md); a run as Chrome trace-event JSON for Perfetto
 * (trace.c). */
int gs_write_sweep_csv(FILE *f, const gs_sweep *s, const gs_host *h);
int gs_write_sweep_json(FILE *f, const gs_sweep *s, const gs_host *h);
int gs_write_json(FILE *f, const gs_experiment *e, const gs_host *h);
int gs_write_trace(FILE *f, const gs_run_result *r);
/* A run's: in the sweep's CSV columns (a sweep over 1 and N workers), and
 * its median run's trace. */
int gs_write_run_csv(FILE *f, const gs_experiment *e, const gs_host *h);
int gs_write_run_trace(FILE *f, const gs_experiment *e, const gs_host *h);

/* A plot's three files: the picture (.png or .svg) that gnuplot draws, and
 * beside it, in the folder the picture's name gives, the data (.dat) and
 * the script (.gp) a user can keep and restyle.  Opened before the run
 * (output.h), as every output is. */
typedef struct {
    gs_output picture, data, script;
    int folder;               /* the picture's folder as named (O_PATH): gnuplot runs there */
    char picture_name[256];   /* the three names in that folder */
    char data_name[256], script_name[256];
    uint32_t width, height;   /* the picture's, in pixels (0: GS_PLOT_WIDTH x GS_PLOT_HEIGHT) */
} gs_plot_files;

/* A projector's picture: 1600x1000 pixels, type 22 points high, so that the
 * back of a room reads it (--plot-size changes the size; the type scales). */
#define GS_PLOT_WIDTH 1600
#define GS_PLOT_HEIGHT 1000

/* Opens the three for path.  Returns 0, or -1 with a message. */
int gs_plot_files_open(gs_plot_files *p, const char *path, char err[GS_ERRMSG_MAX]);
void gs_plot_files_abandon(gs_plot_files *p);

/* The plot of metric versus workers: writes the data and the script, then
 * gnuplot draws the picture.  Returns 0, or -1 with a message (naming the
 * package when gnuplot is missing); closes all three either way. */
int gs_report_plot(gs_plot_files *p, gs_plot_metric metric, const gs_sweep *s, const gs_host *h, char err[GS_ERRMSG_MAX]);

/* What the median run's checksum says about its work, as a clause after
 * "the checksum" ("matches the 1-worker run", "DIFFERS ...: work was lost
 * or done twice", or why it could not check the run); NULL when it says
 * nothing (no baseline, weak scaling, a failed run). */
const char *gs_checksum_said(const gs_experiment *e, char *buf, size_t size);

/* The terminal report: the answer in one sentence, then the figures.
 * Fits 80 columns. */
void gs_report_text(FILE *out, const gs_experiment *e, const gs_host *h, bool color);

/* Who did what when, as text, fitted to columns (see timeline.c). */
void gs_report_timeline(FILE *out, const gs_run_result *r, int columns);

/* "1.02 s", "5.00 ms", "740 us", "85 ns" */
const char *gs_fmt_ns(double ns, char buf[32]);

#endif
