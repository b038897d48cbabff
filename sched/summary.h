/* summary.h - the figures derived from one run's per-worker results
 * (docs/design.md, "Figures"): totals, throughput, lock-held and wait fractions,
 * switches per second, fairness. */
#ifndef GS_SUMMARY_H
#define GS_SUMMARY_H

#include "run.h"

typedef struct {
    gs_ulock_counts counts;
    uint64_t wait_p50, wait_p99; /* of the contended acquisitions; 0 if none */
    double held_fraction;        /* time held / wall time */
} gs_ulock_summary;

typedef struct {
    double wall_s;
    double spawn_s;            /* starting the workers (fork, pthread_create), within wall_s */
    uint64_t units, instructions, cpu_ns;
    int64_t checksum;          /* sum of the workers' checksums */
    gs_lock_totals lock;       /* all workers merged (async: the loop thread's) */
    uint64_t io_ops;
    gs_hist io_latency;
    gs_hist loop_lag;          /* async: how late timers fired */
    double throughput;         /* units per second of wall time */
    double held_fraction;      /* lock held / wall time (processes: the locks' sum) */
    double wait_fraction;      /* lock waits / the workers' running time */
    double switches_per_s;     /* changes of holder per second */
    double fairness;           /* Jain's index over the workers' throughputs: 1 = even */
    uint64_t events, events_dropped;
    /* The race workload: updates expected (units x unit size) and lost
     * (expected less the counter's end value; processes: each process's
     * copy, added up).  has_race is false for every other workload. */
    bool has_race;
    uint64_t updates_expected;
    int64_t lost_updates;
    /* Native calls: how many, the time inside them (all workers), and the
     * most workers inside one at once. */
    uint64_t native_calls, native_ns;
    uint64_t transfer_bytes, transfer_ns; /* processes' data sent home, over all of them */
    uint32_t native_max;
    /* The program's user locks, each one's figures over all workers. */
    uint32_t nulocks;
    gs_ulock_summary ulocks[GS_MAX_ULOCKS];
    /* Where the time of the threads that ran went (the workers; async: the
     * loop thread), in total: on a CPU, runnable but waiting for a core,
     * waiting for the lock, in I/O.  core_wait_known is false where the
     * machine cannot tell (no schedstat). */
    uint64_t core_wait_ns, lock_wait_ns, io_ns;
    bool core_wait_known;
    uint32_t cores;            /* the cores the run could use: pinned, modelled, or allowed */
    /* Of the time the threads wanted a core (on one, or waiting for one),
     * the share they waited for one (their own run's threads or other
     * programs keeping them off), and the share other programs explain:
     * the least of that wait and the CPU time other programs surely spent
     * on those cores meanwhile (0 when unknown: others_known); and the
     * share they may explain, with the most they may have spent. */
    double core_wait_share, others_share, others_max_share;
    bool others_known;
    /* The share of the workers' lives (async: the loop's) they were not on
     * a CPU: waiting for a core, for the lock, for I/O, or for the machine
     * (a virtual machine's host running others: steal). */
    double off_cpu_share;
    /* The program's shared variables at the end (run.h), so that a run can
     * be told what it lost against a baseline it kept only the summary of
     * (a sweep's 1-worker point). */
    uint32_t nshared;
    int64_t shared[GS_MAX_SHARED];
} gs_run_summary;

extern const char *const gs_lock_scope_names[GS_SCOPE_COUNT]; /* "shared", ... */

gs_lock_scope gs_lock_scope_of(const gs_run_config *cfg);
/* The share of wall time a lock was held means something for one lock only. */
static inline bool gs_held_applies(gs_lock_scope s) { return s == GS_SCOPE_SHARED || s == GS_SCOPE_LOOP; }
/* Only a shared lock changes hands. */
static inline bool gs_switches_apply(gs_lock_scope s) { return s == GS_SCOPE_SHARED; }

/* Fills s from r.  Allocates nothing; s is big (histograms): keep it off
 * small stacks. */
void gs_summarize(const gs_run_result *r, gs_run_summary *s);

/* The I/O worker's figures in a run of one I/O worker (worker 0) beside
 * CPU workers (the convoy), counted in the window in which every worker
 * ran: from the last one's start to the first one's end (the I/O worker's
 * whole life when alone).  An operation counts if it began, and got the
 * lock back, inside the window.  Outside it fewer threads compete, and the
 * figures would mix the two.  From the I/O worker's events. */
typedef struct {
    double io_per_s;
    uint64_t ops, window_ns; /* the operations counted, and the window's length */
    uint64_t io_p50, io_p99; /* request to resumption with the lock (0: no operation) */
    uint64_t wait_p99;       /* wanting the lock back to getting it */
    /* The whole run's forced drops; the takes after them by the waiter
     * that had asked (gil.h, forced_to_asker), by the I/O worker and by
     * the CPU workers. */
    uint64_t forced, to_asker, io_took, cpu_took;
} gs_convoy_io;

void gs_summarize_convoy_io(const gs_run_result *r, gs_convoy_io *out);

/* Jain's fairness index of x[0..n): (sum x)^2 / (n * sum x^2). */
double gs_jain_index(const double *x, uint32_t n);

#endif
