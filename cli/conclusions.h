/* conclusions.h - what each demonstration's figures mean, in words.
 *
 * A demo measures, prints its table, then hands the same figures to one of
 * these functions.  Each reads nothing but its figures, so the words can
 * be tested with figures that go either way.  The rule they keep: a trend
 * is claimed only where the figures as printed (rounded as the table
 * rounds them) show it; where the expected effect did not show, the words
 * say so, with the numbers. */
#ifndef GS_CONCLUSIONS_H
#define GS_CONCLUSIONS_H

#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>


typedef struct {
    long cores;                   /* the machine's */
    uint32_t threads;             /* the most threads run */
    double thread_speedup;        /* theirs over one thread */
    double held_fraction;         /* of the lock, with that many threads */
    uint32_t processes;
    double process_speedup;
    double process_wall_s;        /* the run of that many processes ... */
    double process_spawn_s;       /* ... and the part of it spent starting them */
} gs_tvp_figures;
void gs_conclude_threads_vs_processes(FILE *out, const gs_tvp_figures *f);

typedef struct {
    long cores;
    uint32_t threads;
    double speedup;
    double held_fraction;
} gs_io_figures;
void gs_conclude_io_bound(FILE *out, const gs_io_figures *f);

/* three-ways: the same I/O-bound and mixed work as threads, processes and
 * async tasks, 1 and `workers` of each; the processes send `transfer_bytes`
 * a unit home. */
enum { GS_WAYS_IO, GS_WAYS_MIXED, GS_WAYS_WORKLOADS };
enum { GS_WAYS_THREADS, GS_WAYS_PROCESSES, GS_WAYS_ASYNC, GS_WAYS_MODES };
typedef struct {
    long cores;
    uint32_t workers;
    double cpu_share;                              /* of the mixed work's unit */
    double speedup[GS_WAYS_WORKLOADS][GS_WAYS_MODES]; /* the most workers over one */
    double bound[GS_WAYS_MODES];                   /* mixed: one worker's wall time over its CPU time */
    uint64_t transfer_bytes;                       /* a unit's data */
    double sent_mib[GS_WAYS_WORKLOADS];            /* a process's data sent home, at the most workers */
    double sending_s[GS_WAYS_WORKLOADS];           /* ... the time it took a process */
    double process_wall_s[GS_WAYS_WORKLOADS];      /* ... of the processes' run's wall time */
} gs_ways_figures;
void gs_conclude_three_ways(FILE *out, const gs_ways_figures *f);

/* free-threading: speeds against one thread of the default build under
 * its lock, doing the same work; at the most workers unless said. */
typedef struct {
    long cores;
    uint32_t workers;
    bool virtual_time;             /* one_313 and one_314 exist only there */
    double one_313, one_314;       /* one free-threaded thread, 3.13t and 3.14t */
    double gil, ft, processes, interpreters; /* independent work (ft: 3.14t, or the real build) */
    double shared_peak;            /* free-threaded threads on the shared variable: the best ... */
    uint32_t shared_peak_workers;  /* ... with so many ... */
    double shared_last;            /* ... and at the most workers */
    double shared_interpreters;
    double lost_gil, lost_ft;      /* counter += 1: % of updates lost */
} gs_ft_figures;
void gs_conclude_free_threading(FILE *out, const gs_ft_figures *f);

enum { GS_CONVOY_ROWS = 4 };
typedef struct {
    uint32_t cpu_threads;
    double io_per_s;              /* the I/O thread's, while all the CPU threads ran */
    uint64_t ops, window_ns;      /* the operations that rate counts, and that time */
    uint64_t io_p50_ns;
    uint64_t forced, to_asker, io_took, cpu_took; /* the run's forced drops, takes after them (gs_convoy_io) */
} gs_convoy_row;
typedef struct {
    uint32_t nrows;               /* rows[0] is the I/O thread alone */
    gs_convoy_row rows[GS_CONVOY_ROWS];
} gs_convoy_figures;
void gs_conclude_convoy(FILE *out, const gs_convoy_figures *f);

enum { GS_INTERVAL_ROWS = 4 };
typedef struct {
    uint64_t interval_ns;
    double wall_s;                /* two CPU-bound threads */
    double switches_per_s;
    uint64_t io_p50_ns;           /* an I/O thread beside a CPU-bound one */
    uint64_t io_ops;              /* the operations that p50 is of (0: none) */
} gs_interval_row;
typedef struct {
    uint32_t nrows;               /* shortest interval first */
    gs_interval_row rows[GS_INTERVAL_ROWS];
} gs_interval_figures;
void gs_conclude_switch_interval(FILE *out, const gs_interval_figures *f);

#define GS_LEGACY_ROWS 3
typedef struct {
    double legacy_one_s;          /* legacy, 1 thread */
    uint32_t nrows;               /* legacy, 2 threads on cores[i] cores, fewest first */
    uint32_t cores[GS_LEGACY_ROWS];
    double legacy_two_s[GS_LEGACY_ROWS];
    double cpython_wall_s[2];     /* 1 thread, 2 threads */
    uint64_t check_interval;      /* instructions per tick */
    uint64_t ticks_alone;         /* legacy, 1 thread: its releases and re-takes */
    uint64_t tick_drops, futile_wakeups; /* legacy, 2 threads on 2 cores (the first row of 2 or more) */
} gs_legacy_figures;
void gs_conclude_legacy_battle(FILE *out, const gs_legacy_figures *f);

/* The race demo's rows, in this order: counter += 1 under CPython's lock
 * and under Python 2's; with a call between the read and the write at a
 * 1 us and a 5 ms switch interval; the same under a user lock; and with no
 * interpreter lock. */
enum { GS_RACE_INPLACE_CPYTHON, GS_RACE_INPLACE_LEGACY, GS_RACE_CALL_1US, GS_RACE_CALL_5MS, GS_RACE_LOCKED,
       GS_RACE_NO_GIL, GS_RACE_ROWS };
typedef struct {
    uint64_t expected;
    int64_t lost;
    double wall_s;
    uint64_t waited;              /* user lock: acquisitions that waited */
} gs_race_row;
typedef struct {
    gs_race_row rows[GS_RACE_ROWS];
    long cores;                   /* the machine's, modelled or real */
} gs_race_figures;
void gs_conclude_race(FILE *out, const gs_race_figures *f);

typedef struct {
    long cores;
    uint32_t threads;             /* the most threads run */
    double share;                 /* of one thread's time in native calls */
    double native_speedup;        /* those threads over one */
    uint32_t native_max;          /* the most in native code at once */
    double bytecode_speedup;      /* as many threads of bytecode only, over one */
    bool virtual_time;            /* the figures are a modelled machine's */
} gs_native_figures;
void gs_conclude_native(FILE *out, const gs_native_figures *f);

typedef struct {
    double wall_s[2];             /* 1 and 8 I/O-bound tasks */
    uint64_t lag_p99_ns[2];       /* a sleeping task alone, beside one that computes */
    uint64_t computed_ns;         /* how long the other task computed */
} gs_async_figures;
void gs_conclude_async(FILE *out, const gs_async_figures *f);

#endif
