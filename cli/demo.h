/* demo.h - what the demonstrations share (private to cli/): the context
 * of a run of one, and the helpers that run experiments, sweeps and the
 * outputs for them.  The framework (listing, options, progress) is demo.c;
 * the demonstrations are grouped by what they show: demo_scaling.c (threads
 * against processes, I/O-bound threads, free threading), demo_lock.c (the
 * convoy, the switch interval, Python 2's battle, async tasks),
 * demo_program.c (races and user locks, native code). */
#ifndef GS_DEMO_H
#define GS_DEMO_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../reports/html.h"
#include "../reports/report.h"
#include "../sched/experiment.h"
#include "../sched/summary.h"
#include "../sched/sweep.h"
#include "cli.h"
#include "conclusions.h"
#include "options.h"
#include "progress.h"

typedef struct {
    bool quick;
    gs_cli_outputs outputs; /* --html, --plot, --trace */
    bool sim;               /* --sim: on model, in virtual time */
    uint32_t pinned;        /* --cores K in real time: every run pinned to K cores; 0: not */
    uint32_t repeat;        /* --repeat: real time, the median of so many; virtual, so many seeds */
    bool doubted;           /* a run's own measurements rejected a figure ... */
    char doubt[512];        /* ... the first such, in a sentence */
    gs_sim_model model;
    gs_host host;
    gs_progress bar, *shown;
    uint32_t done, total;   /* runs, for the progress bar */
    const char *name;       /* the demonstration's */
    const char *about;      /* ... and its line in the list */
    FILE *real_stdout;      /* with --html, what printf printed to before */
    FILE *copy;             /* ... and the copy of all it prints since */
    char *copy_text;
    size_t copy_len;
    gs_page_table tables[GS_PAGE_MAX_TABLES]; /* for the page: its tables, in the copy's text */
    uint32_t ntables;
    gs_page_figure figures[GS_PAGE_MAX_FIGURES]; /* the key figures */
    uint32_t nfigures;
} demo_ctx;

typedef struct {
    const char *name;
    const char *about;      /* one line, for the list */
    const char *intro;      /* what it will show */
    bool plots, traces;     /* whether --plot / --trace mean something */
    uint32_t (*runs)(const demo_ctx *); /* how many runs, for progress */
    int (*run)(demo_ctx *);
    /* the counts its introduction names as @COUNTS@ (NULL: the sweep's,
     * demo_sweep_counts); returns how many */
    uint32_t (*counts)(const demo_ctx *, uint32_t counts[GS_SWEEP_MAX_COUNTS]);
} demo;

/* The configuration of a demo's run: mode, workload, workers and work,
 * CPython's lock, and the demo's machine (modelled with --sim). */
gs_run_config demo_config(const demo_ctx *d, gs_mode mode, const gs_workload *wl, uint32_t workers, uint64_t work);
/* The cores the demo's machine has: the modelled ones in virtual time. */
long demo_cores(const demo_ctx *d);
/* Runs cfg once and keeps the run in e for the caller to read and free.
 * Returns 0, or -1 after saying why. */
int demo_measure(demo_ctx *d, const gs_run_config *cfg, gs_experiment *e);
const gs_run_summary *demo_summary(const gs_experiment *e);
const gs_run_result *demo_result(const gs_experiment *e);
/* What the figures a conclusion reads allow: a demo's runs and sweeps are
 * judged as they finish (sched/verdict.h), and a demo adds its own checks
 * with demo_doubt.  demo_means prints "What it means:" and returns true
 * when nothing was doubted; else it says which figure is implausible and
 * why, the same demonstration in virtual time to copy, and returns false:
 * no conclusion explains a figure its own checks reject. */
void demo_doubt(demo_ctx *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool demo_means(demo_ctx *d);

/* Runs the sweep, with progress.  Returns 0, or -1 after saying why. */
int demo_sweep(demo_ctx *d, gs_sweep *s);
/* Loads a built-in workload (its I/O: 1 ms sleeps), of a kind or as spec
 * says.  Returns 0, or -1 after saying why. */
int demo_load(gs_workload *wl, gs_workload_kind kind);
int demo_load_spec(gs_workload *wl, gs_workload_spec spec);
/* The outputs of a demo's traced run or sweep: --trace, --plot, and the
 * page of --html with its timeline or curves.  Return 0, or -1 after
 * saying why. */
int demo_write_trace(demo_ctx *d, const gs_experiment *e, const char *caption);
int demo_write_plot(demo_ctx *d, const gs_sweep *s);
/* Prints t in the terminal and keeps it for the page, in its place in the
 * text (the demo gives t up). */
void demo_table(demo_ctx *d, gs_table *t);
/* A sweep's table (kept for the page), its notes, and as key figures each
 * mode's speedup at the most workers. */
void demo_sweep_report(demo_ctx *d, const gs_sweep *s);
/* A key figure for the top of the page (the first GS_PAGE_MAX_FIGURES). */
void demo_figure(demo_ctx *d, const char *label, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The sweep's point for mode at the most workers. */
const gs_sweep_point *demo_last_point(const gs_sweep *s, gs_mode mode);
/* The most workers a sweep demo runs: 8 (4 with --quick), or the modelled
 * machine's cores in virtual time (at most 64); the counts up to it. */
uint32_t demo_top_count(const demo_ctx *d);
uint32_t demo_sweep_counts(const demo_ctx *d, uint32_t counts[GS_SWEEP_MAX_COUNTS]);
uint32_t demo_ncounts(const demo_ctx *d);
/* A sweep of wl over the counts, one run a point, no events. */
void demo_sweep_setup(const demo_ctx *d, gs_sweep *s, const gs_workload *wl, uint64_t work);

/* The demonstrations: how many runs each makes (for progress), and each. */
#define GS_DEMO_FUNCS(X) X(tvp) X(io) X(ways) X(ft) X(convoy) X(si) X(lb) X(async) X(race) X(native)
#define GS_DEMO_DECLARE(n) uint32_t demo_##n##_runs(const demo_ctx *d); int demo_##n##_run(demo_ctx *d);
GS_DEMO_FUNCS(GS_DEMO_DECLARE)
#undef GS_DEMO_DECLARE
/* The cores legacy-battle runs its 2 threads on: 1, 2 and 4, as far as
 * the machine has them. */
uint32_t demo_lb_cores(const demo_ctx *d, uint32_t cores[GS_SWEEP_MAX_COUNTS]);
/* The workers three-ways runs of each kind: 1 and 8 (4 with --quick). */
uint32_t demo_ways_counts(const demo_ctx *d, uint32_t counts[GS_SWEEP_MAX_COUNTS]);

#endif
