/* lessons.h - the famous lessons of the GIL, each as one figure gilsim can
 * measure, in real time or on a modelled machine, beside the figure CPython
 * gives (docs/calibration.md, "The lessons").
 *
 * The table is the one list of them: `gilsim-bench --only fidelity` runs
 * every row on python3 (bench/fidelity/lessons.py), on gilsim in real time
 * and in virtual time, and prints the table with each row's band and
 * verdict; test_lessons holds every row the classroom model meets inside
 * its band, for seed 1, so that a change that breaks a lesson fails the
 * suite.  A row's CPython figure is the one measured on the development VM
 * (2 vCPUs of an AMD EPYC), which the band is drawn around; the bench
 * measures it again on the machine it runs on. */
#ifndef GS_LESSONS_H
#define GS_LESSONS_H

#include <stdbool.h>
#include <stddef.h>

#include "run.h"
#include "sim.h"

typedef enum {
    GS_LESSON_BATTLE,     /* legacy lock: 2 CPU threads' wall over 1 thread's */
    GS_LESSON_CHANGES,    /* legacy lock, 2 CPU threads: share of ticks the lock changes hands at, % */
    GS_LESSON_CONVOY,     /* a pipe I/O thread's round trips a second alone over beside CPU threads */
    GS_LESSON_PIPE,       /* a lone pipe I/O thread's round trips a second */
    GS_LESSON_RACE,       /* c = counter; f(); counter = c + 1, 2 threads x 200,000: share lost, % */
    GS_LESSON_LOSING,     /* ... at least one update lost: share of runs, % (a mean, not a median) */
    GS_LESSON_RACE_LOCK,  /* the same under a user lock: wall over the race's without it */
    GS_LESSON_TINY,       /* cpython lock: 2 CPU threads' wall over 1 thread's */
    GS_LESSON_IO_THREADS, /* I/O-bound threads (1 ms sleeps): speedup over 1 thread */
    GS_LESSON_NATIVE,     /* CPU work partly in native calls: speedup over 1 thread */
} gs_lesson_kind;

/* Work sizes that CPython's runs (bench/fidelity/lessons.py) and gilsim's
 * share.  The native rows run 4,000 units of 100 us, 0.4 s on one thread:
 * at 400 units CPython's threads' start-up took a fifth of the run (4
 * threads 1.66x, 8 threads 1.27x against 1.94x and 1.88x over 4,000 on
 * the development VM), which is not the lesson. */
enum { GS_LESSON_NATIVE_UNITS = 4000, GS_LESSON_IO_UNITS_PER_THREAD = 5 };

typedef enum {
    GS_BAND_20,      /* within 20% of CPython's figure */
    GS_BAND_2X,      /* within a factor of 2 */
    GS_BAND_RANGE,   /* between lo and hi, whatever CPython's */
} gs_band;

typedef struct {
    const char *phenomenon;   /* as the table says it */
    gs_lesson_kind kind;
    uint32_t cores;           /* the machine: pinned to as many in real time */
    uint32_t workers;         /* threads (convoy: the CPU threads beside the I/O one) */
    uint64_t interval_ns;     /* the switch interval (cpython lock) */
    double native_share;      /* native: the share of a unit in native calls */
    gs_band band;
    double lo, hi;            /* GS_BAND_RANGE */
    double cpython;           /* CPython's figure on the development VM */
    const char *cpython_from; /* which Python, and how it was had */
    bool pinned;              /* the classroom model meets the band: test_lessons holds it */
} gs_lesson;

extern const gs_lesson gs_lessons[];
extern const size_t gs_nlessons;

/* The figure's unit, for the table: "x", "%", "/s". */
const char *gs_lesson_unit(const gs_lesson *l);

/* Measures the lesson's figure once: in real time when sim is NULL, else
 * on that model (its seed; its cores are the lesson's).  Returns 0 with
 * *value and, where stacked is not NULL, its run of several threads'
 * stacked share (verdict.h, gs_stacked_share): in real time, for a lesson
 * whose threads only compute (the battle, the changes of hands, the races,
 * the tiny intervals), no more of them than its cores, else -1.  Or
 * returns -1 with err. */
int gs_lesson_measure(const gs_lesson *l, const gs_sim_model *sim, double *value, double *stacked,
                      char err[GS_ERRMSG_MAX]);

/* Whether value is inside the lesson's band around reference (CPython's). */
bool gs_lesson_within(const gs_lesson *l, double value, double reference);

/* The band in words: "within 20%", "within 2x", "5 to 25". */
void gs_lesson_band(const gs_lesson *l, char *out, size_t n);

#endif
