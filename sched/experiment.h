/* experiment.h - a run repeated, with its one-worker baseline.
 *
 * An experiment runs the configuration --repeat times (in virtual time each
 * with the next seed), and unless told not to, or it has one worker (whose
 * baseline would be the run again), a baseline as many times:
 * the same total work done by one worker of the same mode, each baseline
 * run just before the run it pairs with, so that both see the machine as
 * it was then.  The run with the median wall time stands for the
 * experiment in reports, the median baseline for the baseline; the
 * speedup is the ratio of their throughputs, and the spread (min, max of
 * the walls, and of the paired runs' speedups) comes with it. */
#ifndef GS_EXPERIMENT_H
#define GS_EXPERIMENT_H

#include "run.h"
#include "sim.h"
#include "summary.h"

#define GS_MAX_REPEAT 100u

typedef struct {
    gs_run_config cfg;
    uint32_t repeat;
    bool baseline;
    int argc;                   /* the command line that asked for it (reports keep it), */
    char *const *argv;          /* or 0 and NULL */

    gs_run_result *runs;        /* repeat of them, in the order run */
    gs_sim_model *models;       /* virtual time: each run's model, its seed the
                                   experiment's plus the run's index (a repeat
                                   of a deterministic run with one seed would
                                   say nothing new); NULL in real time */
    gs_run_summary *summaries;
    uint32_t nruns;             /* completed (fewer if stopped) */
    uint32_t median;            /* index of the median run */
    double wall_min_s, wall_max_s;

    bool have_baseline;
    gs_run_result base;         /* the median baseline run (the others are summarized) */
    gs_run_summary base_summary;
    gs_run_summary *base_summaries; /* every baseline run's, nbase of them; NULL
                                   when the baseline came from elsewhere */
    uint32_t nbase;
    double base_wall_min_s, base_wall_max_s;
    double speedup;             /* throughput / baseline throughput, of the medians; 0 if none */
    double speedup_min, speedup_max; /* of the runs and their paired baselines */
    double efficiency;          /* speedup / workers */
    int checksum_ok;            /* 1 matches the baseline, 0 differs, -1 unchecked */
    /* A checksum that differed from the baseline's is set against the same
     * split of the work, each worker's units run alone, one after another,
     * on one thread (compare in experiment.c): when that agrees with the
     * run, no work was lost, the program's checksum just does not add up
     * across workers, and checksum_ok is -1 (split_alone_known says why:
     * the split agreed). */
    bool split_alone_known;
    int64_t split_alone;        /* the split's checksum, run alone */
} gs_experiment;

/* The first of the program's shared variables (not the race workload's
 * counter, which has figures of its own) whose value at the end of the
 * median run differs from the baseline's, from index from on; or -1 (no
 * baseline, or none differs).  *lost: the share of the baseline's value
 * missing (0 when the run's is larger, or the baseline's is not above 0). */
int gs_experiment_shared_differs(const gs_experiment *e, uint32_t from, double *lost);

/* The checksum the median run should have had: the baseline's, or for a
 * program whose main() takes no arguments the baseline's once a worker. */
int64_t gs_experiment_checksum_wanted(const gs_experiment *e);

/* Runs it all.  Returns 0 if at least one run took place, or -1 with err.
 * Progress, if wanted, goes through progress(done, total, arg). */
int gs_experiment_run(gs_experiment *e, char err[GS_ERRMSG_MAX], void (*progress)(uint32_t, uint32_t, void *),
                      void *arg);
void gs_experiment_free(gs_experiment *e);

/* Compares e's median run with base, the median summary of a one-worker
 * run of the same mode and workload made elsewhere (a sweep shares one
 * baseline between its points).  For an experiment run without a baseline
 * of its own. */
void gs_experiment_compare(gs_experiment *e, const gs_run_summary *base);

#endif
