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

#define GS_SWEEP_MAX_COUNTS 64u    /* worker counts in one sweep */
#define GS_SWEEP_MAX_WORKLOADS 8u

typedef struct {
    gs_mode mode;
    const gs_workload *workload;
    uint64_t work;             /* the units the workload's points did */
    uint32_t workers;
    uint32_t runs;             /* completed repetitions */
    double wall_min_s, wall_max_s;
    gs_run_summary median;     /* the median run's figures */
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

/* A single run's experiment as the points a sweep over 1 and its worker
 * count would hold, so that one CSV serves both: its baseline (when one
 * ran and the experiment has more than one worker), then the experiment
 * (when at least one repetition finished).  Returns how many. */
uint32_t gs_sweep_points_of(const gs_experiment *e, gs_sweep_point out[2]);

#endif
