/* sweep.h - one experiment over a range of worker counts, modes and
 * workloads: the data behind a scaling curve.
 *
 * For each workload and mode, the one-worker experiment runs first and is
 * the baseline every point of that mode and workload is compared with (the
 * 1-worker point, when asked for, is that experiment).  Every point is
 * repeated and represented by its median run, with the spread. */
#ifndef GS_SWEEP_H
#define GS_SWEEP_H

#include "experiment.h"
#include "verdict.h"

#define GS_SWEEP_MAX_COUNTS 1024u  /* worker counts in one sweep */
#define GS_SWEEP_MAX_WORKLOADS 8u

/* The figures of a point's median run that the sweep's reports show.  A
 * run's summary keeps whole histograms (40 KiB); a point keeps their
 * percentiles, so that a sweep of 100,000 points fits in memory, and a
 * point's result file (plan.h) is a few hundred bytes. */
typedef struct {
    double wall_s, spawn_s, throughput;
    double held_fraction, wait_fraction, switches_per_s;
    uint64_t cpu_ns;
    bool core_wait_known, others_known;
    double core_wait_share, others_share;
    uint64_t handoffs, handoff_p50, handoff_p99; /* the lock's hand-offs (ns) */
    uint64_t io_ops, io_p50, io_p99;             /* I/O latency (ns) */
    uint64_t lags, lag_p99;                      /* async: timers' lateness (ns) */
    bool has_race;
    int64_t lost_updates;
    uint64_t native_calls, native_ns;
    uint32_t native_max;
    uint64_t transfer_bytes, transfer_ns;
    uint64_t ulock_takes, ulock_contended, ulock_wait_p99; /* every user lock together */
} gs_point_figures;

/* The figures a point keeps of a run's summary. */
void gs_point_figures_of(const gs_run_summary *s, gs_point_figures *f);

typedef struct {
    gs_mode mode;
    const gs_workload *workload;
    uint64_t work;             /* the units the workload's points did */
    uint32_t workers;
    uint32_t runs;             /* completed repetitions */
    double wall_min_s, wall_max_s;
    gs_point_figures median;   /* the median run's figures */
    double speedup, efficiency; /* against the mode's 1-worker median; 0 if none */
    uint32_t failed;           /* workers that failed in the median run */
    bool stopped;
    int checksum_ok;           /* 1, 0, or -1 unchecked */
    double speedup_min, speedup_max; /* run by run, where both repeat; else the speedup */
    gs_verdict verdict;        /* what its measurements allow (verdict.h) */
    double shared_lost;        /* the first shared variable that ended otherwise than
                                  in the 1-worker run: the share of that run's value
                                  missing; -1 when none differs or nothing compares */
} gs_sweep_point;

typedef struct {
    gs_run_config cfg;          /* everything but mode, workers and workload */
    const gs_workload *workloads[GS_SWEEP_MAX_WORKLOADS];
    uint64_t work[GS_SWEEP_MAX_WORKLOADS]; /* each workload's units; 0: cfg.work */
    uint32_t nworkloads;
    gs_mode modes[GS_MODE_COUNT];
    uint32_t nmodes;
    uint32_t counts[GS_SWEEP_MAX_COUNTS]; /* worker counts, ascending */
    uint32_t ncounts;
    uint32_t repeat;
    int argc;                   /* the command line that asked for it (reports keep it), */
    char *const *argv;          /* or 0 and NULL */
    uint32_t jobs;              /* experiments run at once: more than 1 only in
                                   virtual time, where a busy machine changes
                                   no figure */

    gs_sweep_point *points;     /* workload-major, then mode, then count */
    uint32_t npoints;           /* filled so far (fewer if interrupted) */
    bool interrupted;           /* stopped by an interrupt before the end */
} gs_sweep;

/* The number of runs the sweep will make, for progress. */
uint32_t gs_sweep_total_runs(const gs_sweep *s);

/* Runs the sweep.  Returns 0 when every point ran (some may have failed
 * workers), or -1 with err when it could not go on; points[0..npoints)
 * hold what finished either way. */
int gs_sweep_run(gs_sweep *s, char err[GS_ERRMSG_MAX], void (*progress)(uint32_t, uint32_t, void *), void *arg);
void gs_sweep_free(gs_sweep *s);

/* The points the sweep has (workloads x modes x counts), and where point k
 * of them is: workload w, mode m, count c (points are in the order of
 * points[]: workload-major, then mode, then count). */
uint32_t gs_sweep_npoints(const gs_sweep *s);
void gs_sweep_point_at(const gs_sweep *s, uint32_t k, uint32_t *w, uint32_t *m, uint32_t *c);

/* What a point needs of its mode's 1-worker baseline: whether its median
 * run finished whole, and that run's summary. */
typedef struct {
    bool have;                 /* filled (by an earlier point, or a cache) */
    bool whole;
    gs_run_summary median;
} gs_sweep_baseline;

/* Runs point k alone, as the whole sweep would have made it: its mode's
 * 1-worker baseline (unless base->have, and the point has more than one
 * worker: the 1-worker point is that experiment itself), then its own
 * experiment, compared with that baseline.  In virtual time, the same
 * bytes as points[k] of gs_sweep_run; so a sweep can be split into its
 * points, run anywhere, and merged (docs/sweep.md, "Plans").  Returns 0
 * with *out filled (its workload pointer s's) and *base filled, or -1
 * with err. */
int gs_sweep_run_point(const gs_sweep *s, uint32_t k, gs_sweep_baseline *base, gs_sweep_point *out,
                       char err[GS_ERRMSG_MAX]);

/* A single run's experiment as the points a sweep over 1 and its worker
 * count would hold, so that one CSV serves both: its baseline (when one
 * ran and the experiment has more than one worker), then the experiment
 * (when at least one repetition finished).  Returns how many. */
uint32_t gs_sweep_points_of(const gs_experiment *e, gs_sweep_point out[2]);

#endif
